// Churn: a real `kubeloop up` (SQLite in a temp data dir, or etcd with --backend etcd) under steady create /
// update / delete traffic for --minutes, sampling the store's size on disk, the revision, the server's RSS and
// how many objects are stored. The question is whether the database stays bounded when the number of live
// objects does: old revisions should leave the history window and their space be reused.
//
// Traffic: a population of --configmaps ConfigMaps (1 KiB each) kept steady by --rate operations per second
// (creates, merge-patch updates and deletes), and a Deployment of --replicas pods whose image flips every
// --flip seconds (each flip is a rolling update: new pods scheduled, started and reported by the simulated
// kubelets, old ones deleted, with their Events).
//
// `node --import tsx bench/churn.ts [--minutes 2] [--backend sqlite|etcd] [--sample 30] [--watch-history 10000] [--event-ttl 1h]
//  [--configmaps 2000] [--rate 200] [--replicas 20] [--flip 5] [--nodes 3]`
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, type EtcdServer } from '../src/store/testdata/etcd-server.js';
import { ApiClient, type KubeloopProcess, rssBytes, startKubeloop } from './kubeloop-process.js';
import { countObjects, type Listable, listableResources } from './object-count.js';

const argv = process.argv.slice(2);
function option(name: string, fallback: number): number;
function option(name: string, fallback: string): string;
function option(name: string, fallback: number | string): number | string {
  const i = argv.indexOf(`--${name}`);
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (raw === undefined) return fallback;
  if (typeof fallback === 'string') return raw;
  const n = Number(raw);
  // Only --replicas may be 0 (no Deployment); sizes, durations and rates must be positive.
  if (!Number.isFinite(n) || n < 0 || (n === 0 && name !== 'replicas')) {
    console.error(`churn: --${name} needs a positive number, got ${raw}`);
    process.exit(2);
  }
  return n;
}
const minutes = option('minutes', 2);
const backend = option('backend', 'sqlite');
if (backend !== 'sqlite' && backend !== 'etcd') {
  console.error(`churn: --backend is sqlite or etcd, not ${backend}`);
  process.exit(2);
}
const sampleSecs = option('sample', 30);
// Small enough that a short run fills the window in its first half, so the second half shows the steady state.
const watchHistory = option('watch-history', 10_000);
// kubeloop's own default is 1h (kube-apiserver's); a shorter TTL reaches the steady state within a shorter run.
const eventTtl = option('event-ttl', '');
const population = option('configmaps', 2_000);
const rate = option('rate', 200);
const replicas = option('replicas', 20);
const flipSecs = option('flip', 5);
const nodes = option('nodes', 3);

const ns = 'churn';
const filler = 'x'.repeat(1024);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (b: number) => (b / 1024 / 1024).toFixed(1);

interface Sample {
  secs: number;
  /** store.db and its WAL (SQLite), or etcd's dbSize and dbSizeInUse. */
  size: number;
  extra: number;
  revision: number;
  rss: number;
  objects: number;
  events: number;
  pods: number;
  configMaps: number;
  ops: number;
  flips: number;
  errors: number;
  load: number;
}

const stats = { ops: 0, flips: 0, errors: 0, lastError: '' };
let stopping = false;

function noteError(what: string, err: unknown): void {
  stats.errors++;
  stats.lastError = `${what}: ${err instanceof Error ? err.message : String(err)}`;
}

/** Keeps the ConfigMap population near `population`; each worker takes the next time slot of a shared pace. */
async function churnConfigMaps(api: ApiClient): Promise<void> {
  const live: string[] = [];
  let serial = 0;
  let nextSlot = performance.now();
  const pick = () => {
    const i = Math.floor(Math.random() * live.length);
    const name = live[i] as string;
    live[i] = live[live.length - 1] as string;
    live.pop();
    return name;
  };
  const worker = async () => {
    while (!stopping) {
      const slot = nextSlot;
      nextSlot += 1000 / rate;
      const wait = slot - performance.now();
      if (wait > 0) await sleep(wait);
      if (stopping) return;
      const r = Math.random();
      const low = live.length < population * 0.95;
      const high = live.length > population * 1.05;
      try {
        if (low || (!high && r < 0.25)) {
          const name = `cm-${serial++}`;
          await api.must('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name }, data: { filler, v: '0' } }, [201]);
          live.push(name);
        } else if (high || r < 0.5) {
          const name = pick();
          await api.must('DELETE', `/api/v1/namespaces/${ns}/configmaps/${name}`, undefined, [200, 202]);
        } else {
          const name = pick();
          await api.must('PATCH', `/api/v1/namespaces/${ns}/configmaps/${name}`, { data: { v: String(serial) } }, [200], 'application/merge-patch+json');
          live.push(name);
        }
        stats.ops++;
      } catch (err) {
        noteError('configmap', err);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function flipImages(api: ApiClient): Promise<void> {
  const images = ['nginx:1.25', 'nginx:1.26'];
  while (!stopping) {
    await sleep(flipSecs * 1000);
    if (stopping) return;
    const image = images[(stats.flips + 1) % 2] as string;
    try {
      await api.must('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/roller`, { spec: { template: { spec: { containers: [{ name: 'web', image }] } } } }, [200], 'application/strategic-merge-patch+json');
      stats.flips++;
    } catch (err) {
      noteError('flip', err);
    }
  }
}

async function etcdStatus(url: string): Promise<{ dbSize: number; dbSizeInUse: number }> {
  const res = await fetch(`${url}/v3/maintenance/status`, { method: 'POST', body: '{}' });
  const body = (await res.json()) as { dbSize?: string; dbSizeInUse?: string };
  return { dbSize: Number(body.dbSize ?? 0), dbSizeInUse: Number(body.dbSizeInUse ?? 0) };
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

async function sample(k: KubeloopProcess, api: ApiClient, resources: Listable[], dir: string, etcd: EtcdServer | undefined, t0: number): Promise<Sample> {
  const counts = await countObjects(api, resources);
  let size: number;
  let extra: number;
  if (etcd) {
    const s = await etcdStatus(etcd.url);
    size = s.dbSize;
    extra = s.dbSizeInUse;
  } else {
    size = fileSize(join(dir, 'store.db'));
    extra = fileSize(join(dir, 'store.db-wal'));
  }
  return {
    secs: (performance.now() - t0) / 1000,
    size,
    extra,
    revision: counts.revision,
    rss: rssBytes(k.pid),
    objects: counts.total,
    events: counts.byResource.get('events') ?? 0,
    pods: counts.byResource.get('pods') ?? 0,
    configMaps: counts.byResource.get('configmaps') ?? 0,
    ops: stats.ops,
    flips: stats.flips,
    errors: stats.errors,
    load: loadavg()[0] ?? 0,
  };
}

function printRow(s: Sample): void {
  const cells = [
    (s.secs / 60).toFixed(1).padStart(6),
    mib(s.size).padStart(8),
    mib(s.extra).padStart(8),
    String(s.revision).padStart(9),
    mib(s.rss).padStart(7),
    String(s.objects).padStart(7),
    String(s.events).padStart(7),
    String(s.pods).padStart(5),
    String(s.configMaps).padStart(6),
    String(s.ops).padStart(8),
    String(s.flips).padStart(5),
    String(s.errors).padStart(6),
    s.load.toFixed(1).padStart(5),
  ];
  console.log(cells.join(' '));
}

function verdict(samples: Sample[]): void {
  const last = samples.at(-1) as Sample;
  const midSecs = last.secs / 2;
  const mid = samples.reduce((best, s) => (Math.abs(s.secs - midSecs) < Math.abs(best.secs - midSecs) ? s : best));
  const hours = (last.secs - mid.secs) / 3600;
  const what = backend === 'etcd' ? "etcd's db size" : 'store.db';
  const growth = last.size - mid.size;
  const perHour = hours > 0 ? growth / hours : 0;
  const bounded = growth <= Math.max(mid.size * 0.05, 1024 * 1024);
  const extraLabel = backend === 'etcd' ? 'in use' : 'WAL';
  const maxExtra = Math.max(...samples.filter((s) => s.secs >= mid.secs).map((s) => s.extra));
  console.log(
    `\nsecond half (${(mid.secs / 60).toFixed(1)} -> ${(last.secs / 60).toFixed(1)} min): ${what} ${mib(mid.size)} -> ${mib(last.size)} MiB ` +
      `(${growth >= 0 ? '+' : ''}${mib(growth)} MiB, ${mid.size ? ((growth / mid.size) * 100).toFixed(1) : '0'}%, ${mib(perHour)} MiB/h); ` +
      `${extraLabel} at most ${mib(maxExtra)} MiB; RSS ${mib(mid.rss)} -> ${mib(last.rss)} MiB; ` +
      `objects ${mid.objects} -> ${last.objects} (events ${mid.events} -> ${last.events}); revision +${last.revision - mid.revision}`,
  );
  // Until the history window is full, the store is meant to grow: that growth says nothing about churn.
  const first = samples[0] as Sample;
  if (mid.revision - first.revision < watchHistory) {
    console.log(`note: the history window (${watchHistory} events) was not yet full at the midpoint (${mid.revision - first.revision} writes): run longer or lower --watch-history`);
  }
  console.log(`verdict: ${bounded ? 'BOUNDED' : 'GROWING'} (${what} grew ${bounded ? 'no more than' : 'more than'} max(5%, 1 MiB) over the second half)`);
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'kubeloop-bench-churn-'));
  const etcd = backend === 'etcd' ? await startEtcd() : undefined;
  let k: KubeloopProcess | undefined;
  try {
    const args = ['--nodes', String(nodes), '--timing', 'instant', '--watch-history', String(watchHistory), ...(eventTtl ? ['--event-ttl', eventTtl] : [])];
    k = await startKubeloop({ dir, args: etcd ? [...args, '--etcd-servers', etcd.url] : args });
    const api = new ApiClient(k.url, k.tls, 32);
    await api.must('POST', '/api/v1/namespaces', { metadata: { name: ns } });
    const template = {
      metadata: { labels: { app: 'roller' } },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'web', image: 'nginx:1.25' }] },
    };
    // --replicas 0: ConfigMaps only, the store's own behaviour without pods and their Events.
    if (replicas > 0) {
      await api.must('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'roller' },
        spec: { replicas, selector: { matchLabels: { app: 'roller' } }, template },
      });
    }
    const resources = await listableResources(api);
    console.log(
      `churn on ${backend} for ${minutes} min: --watch-history ${watchHistory}${eventTtl ? `, --event-ttl ${eventTtl}` : ''}, ${population} ConfigMaps at ${rate} operations/s, ` +
        `${replicas > 0 ? `Deployment of ${replicas} pods flipping image every ${flipSecs} s` : 'no Deployment'}, ${nodes} nodes (instant timing); sample every ${sampleSecs} s; ` +
        `Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    );
    const sizeHeads = backend === 'etcd' ? ['db MiB', 'inuse'] : ['db MiB', 'WAL MiB'];
    console.log(['   min', sizeHeads[0]?.padStart(8), sizeHeads[1]?.padStart(8), ' revision', 'RSS MiB', 'objects', ' events', ' pods', '   cms', '     ops', 'flips', 'errors', ' load'].join(' '));
    const t0 = performance.now();
    const samples: Sample[] = [];
    const record = async () => {
      const s = await sample(k as KubeloopProcess, api, resources, dir, etcd, t0);
      samples.push(s);
      printRow(s);
    };
    await record();
    let died: number | string | undefined;
    void k.exited.then((code) => {
      died = code;
      stopping = true;
    });
    const traffic = Promise.all([churnConfigMaps(api), replicas > 0 ? flipImages(api) : undefined]);
    const end = t0 + minutes * 60_000;
    while (!stopping) {
      const next = Math.min(end, t0 + (samples.length * sampleSecs) * 1000);
      await sleep(Math.max(0, next - performance.now()));
      if (died !== undefined) break;
      try {
        await record();
      } catch (err) {
        noteError('sample', err);
      }
      if (performance.now() >= end) stopping = true;
    }
    await traffic;
    if (died !== undefined) {
      console.log(`\nkubeloop exited (${died}) during the run; last output:\n${k.logs().slice(-2000)}`);
      return 1;
    }
    if (stats.errors) console.log(`\n${stats.errors} failed requests; last: ${stats.lastError}`);
    if (samples.length >= 3) verdict(samples);
    api.close();
    return 0;
  } finally {
    await k?.stop();
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exit(await main());
