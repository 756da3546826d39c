// A real `kubeloop up` child process for the store benchmarks, and an HTTPS client with the credentials it
// wrote. The benchmarks talk to it over the network like any client, so the figures include everything a user's
// request goes through (TLS, authentication, admission, the store's durability wait).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { parse } from 'yaml';

export const REPO = join(import.meta.dirname, '..');
/** The tree whose CLI is started: this one, or KUBELOOP_BENCH_TREE (e.g. an exported commit, to measure it while
 * the working tree is being edited). */
const TREE = process.env.KUBELOOP_BENCH_TREE ?? REPO;

export interface Credentials {
  ca: string;
  cert: string;
  key: string;
}

export interface KubeloopProcess {
  url: string;
  pid: number;
  tls: Credentials;
  /** Milliseconds `kubeloop up` itself reported on its ready line (store open and load, controllers, listen). */
  readyMs: number;
  /** From spawn to the ready line (adds Node start and module loading). */
  spawnToReadyMs: number;
  /** What the server printed so far (stdout and stderr). */
  logs(): string;
  /** Resolves with the exit code or signal once the process has ended. */
  exited: Promise<number | string>;
  /** SIGTERM (a clean stop: the store closes), SIGKILL after 30 s. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** `--data-dir`, also HOME; the kubeconfig goes there too. */
  dir: string;
  /** Extra arguments to `kubeloop up`, e.g. ['--in-memory'] or ['--etcd-servers', url]. */
  args: string[];
  timeoutMs?: number;
}

/** Runs the CLI from source through tsx (as the e2e tests do), so the figures never come from a stale bundle. */
export async function startKubeloop(opts: StartOptions): Promise<KubeloopProcess> {
  mkdirSync(opts.dir, { recursive: true });
  const kubeconfig = join(opts.dir, 'kubeconfig');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(KUBECONFIG|KUBELOOP_DEBUG)$/.test(k)) env[k] = v;
  env.HOME = opts.dir;
  const t0 = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(TREE, 'src/cli/main.ts'), 'up', '--port', '0', '--data-dir', opts.dir, '--kubeconfig', kubeconfig, ...opts.args],
    { cwd: TREE, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const append = (b: Buffer) => {
    log = (log + b.toString()).slice(-64 * 1024);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const ready = await new Promise<{ url: string; ms: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kubeloop did not get ready in time:\n${log}`)), opts.timeoutMs ?? 120_000);
    const onData = () => {
      const m = /ready at (https?:\/\/\S+) in (\d+) ms/.exec(log);
      if (!m) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve({ url: m[1] as string, ms: Number(m[2]) });
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`kubeloop exited (${code}) before it was ready:\n${log}`));
    });
  });
  const spawnToReadyMs = performance.now() - t0;
  const tls = credentialsFrom(readFileSync(kubeconfig, 'utf8'));
  return {
    url: ready.url,
    pid: child.pid as number,
    tls,
    readyMs: ready.ms,
    spawnToReadyMs,
    logs: () => log,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

function credentialsFrom(kubeconfigYaml: string): Credentials {
  const cfg = parse(kubeconfigYaml) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');
  return {
    ca: unb64(cfg.clusters[0]?.cluster['certificate-authority-data']),
    cert: unb64(cfg.users[0]?.user['client-certificate-data']),
    key: unb64(cfg.users[0]?.user['client-key-data']),
  };
}

/** Resident memory of a process in bytes (Linux), 0 once it has gone. */
export function rssBytes(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

/** A small JSON-over-HTTPS client with kubeloop's client certificate and keep-alive connections. */
export class ApiClient {
  private readonly agent: https.Agent;

  constructor(
    readonly url: string,
    tls: Credentials,
    maxSockets = 16,
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets, ca: tls.ca, cert: tls.cert, key: tls.key });
  }

  request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiResponse> {
    return new Promise((resolve, reject) => {
      const req = https.request(`${this.url}${path}`, { method, agent: this.agent, headers: { accept: 'application/json', 'content-type': contentType } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Not JSON (e.g. a proxy error page): keep the text for the message.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      });
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** Like request, but any status other than `expect` is an error carrying the server's message. */
  async must(method: string, path: string, body?: unknown, expect: number[] = [200, 201], contentType?: string): Promise<unknown> {
    const res = await this.request(method, path, body, contentType);
    if (!expect.includes(res.status)) {
      const msg = (res.body as { message?: string } | undefined)?.message ?? JSON.stringify(res.body).slice(0, 300);
      throw new Error(`${method} ${path}: ${res.status} ${msg}`);
    }
    return res.body;
  }

  close(): void {
    this.agent.destroy();
  }
}
