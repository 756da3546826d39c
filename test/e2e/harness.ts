// Starts a real `kubeloop up` child process for an end-to-end test and drives it with the real
// kubectl. Independent of any test framework: callers decide how to assert and when to stop.
// Each cluster gets its own temp dir, used as HOME too, so kubectl's discovery and HTTP caches
// (keyed by host:port) never carry over from another run or from the user's ~/.kube.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, findKubectl } from './kubectl.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  stdin?: string;
  env?: Record<string, string>;
  /** Kill kubectl after this long (default 60 s); the result then has code -1. */
  timeoutMs?: number;
}

export interface Cluster {
  url: string;
  kubeconfig: string;
  home: string;
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  stop(): Promise<void>;
  /** Kills the server with SIGKILL (a crash) and waits for it to exit. The directory stays, even a temp one, so
   * the caller can start again on it (`dir`) and removes it afterwards. */
  kill(): Promise<void>;
  /** The cluster's directory (data dir, HOME, kubeconfig); pass it as `dir` to start again on the same data. */
  dir: string;
  /** Everything the server printed so far, stdout and stderr interleaved. */
  logs(): string;
}

export interface StartOptions {
  /** Extra arguments for `kubeloop up`. */
  args?: string[];
  /** Give up waiting for readiness after this long (default 60 s: a cold tsx start is slow). */
  timeoutMs?: number;
  /** Script to run instead of src/cli/main.ts (for testing the harness itself). */
  entry?: string;
  /** Extra environment for the server process. */
  env?: Record<string, string>;
  /** Keep objects in the durable SQLite store of the data dir instead of passing `--in-memory` (also the
   * default for every test when KUBELOOP_E2E_DURABLE=1). */
  durable?: boolean;
  /** Use this directory (data dir, HOME, kubeconfig) instead of a new temp dir, e.g. a stopped or killed
   * cluster's `dir` to restart it on its data. The caller owns it: stop() leaves it in place. */
  dir?: string;
}

const READY_URL = /\bhttps?:\/\/(?:\[[0-9a-fA-F:.]+\]|[\w.-]+):\d+/;
const MAX_LOG = 4 * 1024 * 1024;

// Servers still running when the test process exits (a crash, a forgotten stop()) are killed so
// they do not outlive it; their temp dirs are removed too.
const live = new Set<{ child: ChildProcess; dir: string; owned?: boolean }>();
process.once('exit', () => {
  for (const { child, dir, owned } of live) {
    child.kill('SIGKILL');
    if (owned !== false) rmSync(dir, { recursive: true, force: true });
  }
});

export async function startKubeloop(opts: StartOptions = {}): Promise<Cluster> {
  const kubectlBin = await findKubectl();
  const owned = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'kubeloop-e2e-')));
  const home = join(dir, 'home');
  const kubeconfig = join(dir, 'kubeconfig');
  await mkdir(home, { recursive: true });

  const clientEnv = isolatedEnv(home, kubeconfig);
  const args = [
    '--import', 'tsx',
    opts.entry ?? join(REPO_ROOT, 'src', 'cli', 'main.ts'),
    'up', '--port', '0',
    ...(opts.durable ?? process.env.KUBELOOP_E2E_DURABLE === '1' ? [] : ['--in-memory']),
    '--data-dir', join(dir, 'data'),
    '--kubeconfig', kubeconfig,
    ...(opts.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...clientEnv, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entry = { child, dir, owned };
  live.add(entry);

  let log = '';
  const append = (chunk: string): void => {
    log += chunk;
    if (log.length > MAX_LOG) log = log.slice(-MAX_LOG / 2);
  };
  let stdoutText = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    append(d);
    if (stdoutText.length < 65536) stdoutText += d;
  });
  child.stderr!.on('data', append);

  let ended: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve((ended = code ?? signal ?? 'unknown')));
    child.on('error', (err) => resolve((ended = `could not start: ${err.message}`)));
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (ended === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(entry);
      if (owned) await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const kill = async (): Promise<void> => {
    if (ended === undefined) child.kill('SIGKILL');
    await exited;
    live.delete(entry);
  };

  const kubectl = (kargs: string[], kopts: KubectlOptions = {}): Promise<KubectlResult> =>
    runKubectl(kubectlBin, kargs, { ...clientEnv, ...kopts.env }, kopts);

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const fail = async (why: string): Promise<never> => {
    const output = log;
    await stop();
    throw new Error(`kubeloop did not become ready: ${why}\n--- server output ---\n${output.slice(-8000)}`);
  };
  const notExited = async (): Promise<void> => {
    if (ended !== undefined) await fail(`server exited (${ended})`);
  };

  let url: string | undefined;
  while (!url) {
    await notExited();
    url = readyUrl(stdoutText, existsSync(kubeconfig));
    if (!url && Date.now() > deadline) await fail('no ready line with the server URL on stdout');
    if (!url) await Promise.race([sleep(20), exited]);
  }
  while (!existsSync(kubeconfig)) {
    await notExited();
    if (Date.now() > deadline) await fail(`kubeconfig ${kubeconfig} was not written`);
    await Promise.race([sleep(20), exited]);
  }
  let last: KubectlResult | undefined;
  for (;;) {
    await notExited();
    last = await kubectl(['get', '--raw', '/readyz'], { timeoutMs: 10_000 });
    if (last.code === 0) break;
    if (Date.now() > deadline) {
      await fail(`kubectl get --raw /readyz kept failing (exit ${last.code}): ${last.stderr.trim()}`);
    }
    await sleep(100);
  }

  return { url, kubeconfig, home, kubectl, stop, kill, dir, logs: () => log };
}

/**
 * The environment kubectl runs in: ours, but with HOME and KUBECONFIG pointing at the cluster's
 * own files and nothing that would redirect kubectl to other caches or configs.
 */
function isolatedEnv(home: string, kubeconfig: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(KUBECONFIG|KUBECACHEDIR|KUBERC|KUBECTL_.*)$/.test(k)) env[k] = v;
  }
  env.HOME = home;
  env.KUBECONFIG = kubeconfig;
  return env;
}

function runKubectl(
  bin: string,
  args: string[],
  env: Record<string, string>,
  opts: KubectlOptions,
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { env, stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => (stdout += d));
    child.stderr!.on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: `${stderr}failed to run ${bin}: ${err.message}\n` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const note = timedOut ? `kubectl ${args.join(' ')} timed out after ${opts.timeoutMs ?? 60_000} ms\n` : '';
      resolve({ code: timedOut ? -1 : (code ?? -1), stdout, stderr: stderr + note });
    });
    if (opts.stdin !== undefined) {
      child.stdin!.on('error', () => {}); // kubectl may exit before reading all of it
      child.stdin!.end(opts.stdin);
    }
  });
}

// Only whole lines count (a port cut mid-write would be wrong). The URL comes from the line that
// says "ready"; any other URL line is trusted only once the kubeconfig is written, so an earlier
// line about something else (a dashboard, say) is not mistaken for the API server.
function readyUrl(stdout: string, kubeconfigWritten: boolean): string | undefined {
  const lines = stdout.slice(0, stdout.lastIndexOf('\n') + 1).split('\n');
  const line =
    lines.find((l) => /ready/i.test(l) && READY_URL.test(l)) ??
    (kubeconfigWritten ? lines.find((l) => READY_URL.test(l)) : undefined);
  return line === undefined ? undefined : READY_URL.exec(line)?.[0];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
