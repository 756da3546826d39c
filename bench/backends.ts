// The three stores side by side, each behind a real `kubeloop up` process: acknowledged ConfigMap creates per
// second through the HTTPS API with 1, 8 and 32 connections (the same client for all three), then restart time
// with many stored objects for the two durable stores. Prints figures, asserts nothing.
// `node --import tsx bench/backends.ts [--quick] [--only=creates,restart] [--restart-objects N]`
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startEtcd, type EtcdServer } from '../src/store/testdata/etcd-server.js';
import { ApiClient, type KubeloopProcess, rssBytes, startKubeloop } from './kubeloop-process.js';

type Backend = 'memory' | 'sqlite' | 'etcd';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const only = argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const section = (name: string) => !only || only.includes(name);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
};
const restartObjects = Number(flag('--restart-objects') ?? (quick ? 20_000 : 100_000));
/** Creates per run: fewer for one connection, whose rate is one fsync (or one raft round) per create. */
const creates: Record<number, number> = quick ? { 1: 300, 8: 1_000, 32: 2_000 } : { 1: 1_000, 8: 3_000, 32: 6_000 };

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kubeloop-bench-backends-'));
  dirs.push(d);
  return d;
};
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** `kubeloop up` on one backend: no simulated nodes, so nothing but the benchmark writes. */
async function start(backend: Backend, dir: string, etcd?: EtcdServer): Promise<KubeloopProcess> {
  const args = backend === 'memory' ? ['--in-memory'] : backend === 'etcd' ? ['--etcd-servers', (etcd as EtcdServer).url] : [];
  return startKubeloop({ dir, args: [...args, '--nodes', '0'] });
}

interface Run {
  ms: number;
  latencies: number[];
}

function writeConfigMaps(k: KubeloopProcess, namespace: string, prefix: string, count: number, concurrency: number): Promise<Run> {
  const worker = new Worker(new URL('./api-writer.mjs', import.meta.url), {
    workerData: { url: k.url, namespace, prefix, count, concurrency, ...k.tls },
  });
  return new Promise<Run>((resolve, reject) => {
    worker.once('message', (m: Run) => {
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', reject);
  });
}

interface Row {
  backend: Backend;
  concurrency: number;
  count: number;
  perSec: number;
  p50: number;
  p99: number;
  load: string;
}

async function createsSideBySide(): Promise<void> {
  const rows: Row[] = [];
  const rss: string[] = [];
  for (const backend of ['memory', 'sqlite', 'etcd'] as const) {
    const etcd = backend === 'etcd' ? await startEtcd() : undefined;
    const k = await start(backend, tempDir(), etcd);
    try {
      const api = new ApiClient(k.url, k.tls);
      await api.must('POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
      api.close();
      for (const concurrency of [1, 8, 32]) {
        const count = creates[concurrency] as number;
        const { ms, latencies } = await writeConfigMaps(k, 'bench', `c${concurrency}`, count, concurrency);
        latencies.sort((a, b) => a - b);
        rows.push({ backend, concurrency, count, perSec: count / (ms / 1000), p50: pct(latencies, 50), p99: pct(latencies, 99), load: load() });
      }
      rss.push(`${backend} ${mib(rssBytes(k.pid))}`);
    } finally {
      await k.stop();
      await etcd?.stop();
    }
  }
  console.log('\nacknowledged ConfigMap creates (1 KiB of data) through the HTTPS API, one `kubeloop up` per backend, --nodes 0');
  console.log('backend  connections  creates  creates/s   p50 ms   p99 ms   load average (1/5/15 min) after');
  for (const r of rows) {
    console.log(
      `${r.backend.padEnd(8)} ${String(r.concurrency).padStart(11)}  ${String(r.count).padStart(7)}  ${r.perSec.toFixed(0).padStart(9)}  ${r.p50.toFixed(1).padStart(7)}  ${r.p99.toFixed(1).padStart(7)}   ${r.load}`,
    );
  }
  console.log(`server RSS after the runs: ${rss.join(', ')}`);
}

/** Reads every ConfigMap the way `kubectl get configmaps -A` does (pages of 500), returning how many there were. */
async function listAll(api: ApiClient): Promise<number> {
  let n = 0;
  let cont = '';
  do {
    const page = (await api.must('GET', `/api/v1/configmaps?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`)) as {
      items: unknown[];
      metadata: { continue?: string };
    };
    n += page.items.length;
    cont = page.metadata.continue ?? '';
  } while (cont);
  return n;
}

async function restart(backend: 'sqlite' | 'etcd'): Promise<void> {
  const etcd = backend === 'etcd' ? await startEtcd() : undefined;
  const dir = tempDir();
  try {
    let k = await start(backend, dir, etcd);
    const emptyReady = k.readyMs;
    const api0 = new ApiClient(k.url, k.tls);
    await api0.must('POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
    api0.close();
    const loaded = await writeConfigMaps(k, 'bench', 'r', restartObjects, 32);
    await k.stop();
    // A second empty-store start is not possible on the same data, so the baseline is the first start above.
    k = await start(backend, dir, etcd);
    const api = new ApiClient(k.url, k.tls);
    const t = performance.now();
    const listed = await listAll(api);
    const listMs = performance.now() - t;
    // Again, now that every object has been parsed once: what paging itself costs.
    const t2 = performance.now();
    await listAll(api);
    const relistMs = performance.now() - t2;
    api.close();
    const rss = rssBytes(k.pid);
    await k.stop();
    console.log(
      `restart ${backend.padEnd(6)} with ${restartObjects} ConfigMaps (loaded at ${(restartObjects / (loaded.ms / 1000)).toFixed(0)}/s with 32 connections): ` +
        `ready ${k.readyMs} ms after start (empty store: ${emptyReady} ms), ${(k.spawnToReadyMs / 1000).toFixed(2)} s from spawn; ` +
        `first paged list of all ${listed} ConfigMaps ${listMs.toFixed(0)} ms (again: ${relistMs.toFixed(0)} ms); RSS ${mib(rss)}; load ${load()}`,
    );
  } finally {
    await etcd?.stop();
  }
}

console.log(`store backends side by side on Node ${process.version}${quick ? ' (quick)' : ''}; load average at start ${load()}`);
try {
  if (section('creates')) await createsSideBySide();
  if (section('restart')) {
    console.log('');
    for (const backend of ['sqlite', 'etcd'] as const) await restart(backend);
  }
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
process.exit(0);
