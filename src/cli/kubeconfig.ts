// Kubeconfig files for reaching the cluster: a standalone one, and a merge into the user's own
// (as kind does) that swaps only our cluster/user/context entries and leaves the rest alone.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { Document, isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Pki } from './pki.js';

export interface NamedCluster {
  name: string;
  cluster: { server: string; 'certificate-authority-data'?: string; 'insecure-skip-tls-verify'?: boolean };
}
export interface NamedUser {
  name: string;
  user: { 'client-certificate-data'?: string; 'client-key-data'?: string; token?: string };
}
export interface NamedContext {
  name: string;
  context: { cluster: string; user: string; namespace?: string };
}
export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  preferences: Record<string, unknown>;
  clusters: NamedCluster[];
  users: NamedUser[];
  contexts: NamedContext[];
  'current-context': string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export function kubeconfigFor(opts: { server: string; pki: Pki; name?: string }): Kubeconfig {
  const { server, pki, name = 'kubeloop' } = opts;
  return assemble(name, { server, 'certificate-authority-data': b64(pki.caCert) }, {
    'client-certificate-data': b64(pki.clientCert),
    'client-key-data': b64(pki.clientKey),
    token: pki.token,
  });
}

/** For `--insecure-http`: kubectl sends no credentials over plain http anyway. */
export function insecureKubeconfigFor(opts: { server: string; name?: string }): Kubeconfig {
  return assemble(opts.name ?? 'kubeloop', { server: opts.server }, {});
}

function assemble(name: string, cluster: NamedCluster['cluster'], user: NamedUser['user']): Kubeconfig {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name, cluster }],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
}

/** The file kubectl itself would read first: the first `$KUBECONFIG` entry, else ~/.kube/config. */
export function kubeconfigPathForMerge(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p.trim() !== '');
  return fromEnv ?? join(home, '.kube', 'config');
}

export async function writeStandaloneKubeconfig(file: string, cfg: Kubeconfig): Promise<void> {
  const doc = new Document(cfg);
  await atomicWrite(file, doc.toString({ lineWidth: 0 }));
}

/**
 * Puts `cfg`'s clusters, users and contexts into `file` (replacing entries of the same name),
 * makes its current-context current, and keeps everything else, comments included.
 */
export async function mergeIntoKubeconfig(file: string, cfg: Kubeconfig): Promise<void> {
  const target = await resolveLink(file);
  await withLock(target, async () => {
    let text = '';
    try {
      text = await readFile(target, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await atomicWrite(target, mergeText(text, cfg));
  });
}

/** The merge itself, on YAML text; exported for tests. */
export function mergeText(existing: string, cfg: Kubeconfig): string {
  if (existing.trim() === '') return new Document(cfg).toString({ lineWidth: 0 });
  const doc = parseDocument(existing);
  if (doc.errors.length > 0) throw new Error(`cannot parse existing kubeconfig: ${doc.errors[0]!.message}`);
  if (!isMap(doc.contents)) {
    if (doc.contents !== null && doc.contents !== undefined) throw new Error('existing kubeconfig is not a YAML mapping');
    doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  }
  const root = doc.contents as YAMLMap;
  if (!root.has('apiVersion')) root.set('apiVersion', 'v1');
  if (!root.has('kind')) root.set('kind', 'Config');
  upsert(doc, root, 'clusters', cfg.clusters);
  upsert(doc, root, 'users', cfg.users);
  upsert(doc, root, 'contexts', cfg.contexts);
  root.set('current-context', cfg['current-context']);
  return doc.toString({ lineWidth: 0 });
}

function upsert(doc: Document, root: YAMLMap, key: string, entries: { name: string }[]): void {
  const found: unknown = root.get(key, true);
  let seq: YAMLSeq;
  if (isSeq(found)) {
    seq = found;
  } else {
    seq = doc.createNode([]) as YAMLSeq;
    root.set(key, seq);
  }
  for (const entry of entries) {
    const node = doc.createNode(entry);
    const at = seq.items.findIndex((item) => isMap(item) && item.get('name') === entry.name);
    if (at >= 0) seq.items[at] = node;
    else seq.items.push(node);
  }
}

async function resolveLink(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    return file;
  }
}

// Temp file + rename in the same directory: readers see the old file or the new one, never half.
async function atomicWrite(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  let mode = 0o600;
  try {
    mode = (await stat(file)).mode & 0o777;
  } catch {
    // new file: private by default, it holds a key
  }
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { mode });
    await chmod(tmp, mode); // writeFile's mode is filtered by the umask
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

// The same `<file>.lock` convention client-go uses, so a concurrent `kubectl config` waits for us.
async function withLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await (await open(lock, 'wx', 0o600)).close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (Date.now() > deadline) {
        throw new Error(`kubeconfig ${file} is locked; remove ${lock} if no other process is writing it`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => {});
  }
}
