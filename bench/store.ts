// Store benchmarks (issue 9): prints figures, asserts nothing.
// `node --expose-gc --import tsx bench/store.ts [--quick] [--only=store,https,cluster,load,churn]`.
// - acknowledged writes per second, memory vs SQLite (synchronous FULL and NORMAL), at the store and through
//   the API over HTTPS, with 1..64 concurrent writers (group commit turns concurrency into throughput);
// - restart time with 100,000 stored objects (open + load, then the first full list that parses them);
// - database size under churn (many updates to few keys) with a bounded history window.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { allKinds } from '../src/api/kinds/index.js';
import { Registry } from '../src/api/registry.js';
import type { KubeObject } from '../src/api/types.js';
import { createAuthenticator } from '../src/apiserver/authn.js';
import { ApiServer } from '../src/apiserver/server.js';
import { RealClock } from '../src/clock/clock.js';
import { Cluster } from '../src/cluster/cluster.js';
import { ensurePki } from '../src/cli/pki.js';
import { MemoryStore } from '../src/store/memory.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';

const quick = process.argv.includes('--quick');
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kubeloop-bench-store-'));
  dirs.push(d);
  return d;
};
const fmt = (n: number, digits = 0) => n.toFixed(digits);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A pod as the API server stores it after defaulting (about 1.6 KB of JSON). */
function storedPod(name: string, i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `5f0c${String(i).padStart(8, '0')}-1d2e-4b7a-9c3d-2a1b0c9d8e7f`,
      creationTimestamp: '2026-11-28T07:00:00Z',
      labels: { app: 'bench', 'pod-template-hash': '7d4b9c8f6d', shard: String(i % 10) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'bench-7d4b9c8f6d', uid: 'a1b2c3d4-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }],
      restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', serviceAccountName: 'default', nodeName: `node-${i % 100}`,
      securityContext: {}, schedulerName: 'default-scheduler', priority: 0, enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: {
      phase: 'Running', hostIP: '10.0.0.1', podIP: `10.244.${(i >> 8) & 255}.${i & 255}`, startTime: '2026-11-28T07:00:01Z', qosClass: 'BestEffort',
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: '2026-11-28T07:00:01Z' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2026-11-28T07:00:02Z' },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: '2026-11-28T07:00:02Z' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-28T07:00:00Z' },
      ],
      containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, image: 'nginx:1.25', imageID: 'docker.io/library/nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31', containerID: `containerd://${String(i).padStart(64, '0')}`, started: true, state: { running: { startedAt: '2026-11-28T07:00:02Z' } } }],
    },
  };
}

type Kind = 'memory' | 'sqlite FULL' | 'sqlite NORMAL';
function openStore(kind: Kind, historyEvents?: number): Store {
  if (kind === 'memory') return new MemoryStore(historyEvents ? { historyEvents } : {});
  return SqliteStore.open(tempDir(), { synchronous: kind === 'sqlite FULL' ? 'FULL' : 'NORMAL', ...(historyEvents ? { historyEvents } : {}) });
}

/** `writers` concurrent clients, each: create, wait until durable, repeat. */
async function storeWrites(kind: Kind, writers: number, total: number): Promise<void> {
  const s = openStore(kind);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < total) {
        const i = next++;
        const e = await s.create(`/core/pods/default/p${i}`, storedPod(`p${i}`, i));
        await s.durable?.(e.modRevision);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const commits = s instanceof SqliteStore ? s.stats.commits : 0;
  await s.close();
  const batch = commits ? `, ${commits} commits (${fmt(total / commits, 1)} writes each)` : '';
  console.log(`store ${kind.padEnd(13)} ${String(writers).padStart(2)} writers: ${fmt(total / secs).padStart(7)} acknowledged creates/s over ${total}${batch}`);
}

async function httpsCreates(kind: Kind, concurrency: number, count: number): Promise<void> {
  const pki = await ensurePki(undefined, { hosts: ['127.0.0.1'] });
  const store = openStore(kind);
  const server = new ApiServer({
    store,
    registry: new Registry([...allKinds]),
    clock: new RealClock(),
    tls: { caCert: pki.caCert, serverCert: pki.serverCert, serverKey: pki.serverKey, authenticate: createAuthenticator(pki) },
  });
  const { url } = await server.listen(0, '127.0.0.1');
  const worker = new Worker(new URL('./creator.mjs', import.meta.url), {
    workerData: { url, count, concurrency, ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey },
  });
  const { ms } = await new Promise<{ ms: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  await server.close();
  await store.close();
  console.log(`HTTPS ${kind.padEnd(13)} ${String(concurrency).padStart(2)} connections: ${fmt(count / (ms / 1000)).padStart(6)} acknowledged pod creates/s over ${count}`);
}

async function loadTime(n: number): Promise<void> {
  const dir = tempDir();
  let s = SqliteStore.open(dir, { synchronous: 'NORMAL' });
  for (let i = 0; i < n; i += 5000) {
    for (let j = i; j < Math.min(n, i + 5000); j++) s.create(`/core/pods/default/p${String(j).padStart(6, '0')}`, storedPod(`p${j}`, j));
    await s.durable(s.revision());
  }
  await s.close();
  const bytes = statSync(join(dir, 'store.db')).size;
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let t = performance.now();
  let cpu = process.cpuUsage();
  s = SqliteStore.open(dir);
  const openMs = performance.now() - t;
  const openCpu = process.cpuUsage(cpu);
  t = performance.now();
  cpu = process.cpuUsage();
  const { entries } = s.list('/core/pods/');
  let labels = 0;
  for (const e of entries) if (e.object.metadata.labels?.app === 'bench') labels++;
  const parseMs = performance.now() - t;
  const parseCpu = process.cpuUsage(cpu);
  const cpuMs = (c: NodeJS.CpuUsage) => fmt((c.user + c.system) / 1000);
  const heap = process.memoryUsage().heapUsed - heap0;
  console.log(
    `restart with ${n} pods (${mib(bytes)} database, ${s.stats.loadedEvents} history events): open + load ${fmt(openMs)} ms (CPU ${cpuMs(openCpu)} ms); ` +
      `first full list reading every object (parse + freeze) ${fmt(parseMs)} ms (CPU ${cpuMs(parseCpu)} ms); heap +${mib(heap)} (${labels} objects)`,
  );
  await s.close();
}

async function churn(keys: number, writes: number, window: number): Promise<void> {
  const s = SqliteStore.open(tempDir(), { historyEvents: window });
  const pad = 'x'.repeat(1000);
  const marks = new Set([writes / 10, writes / 4, writes / 2, writes].map(Math.round));
  const out: string[] = [];
  const t0 = performance.now();
  for (let w = 0; w < writes; ) {
    // 32 writers' worth of updates per turn (one group commit).
    for (let b = 0; b < 32 && w < writes; b++, w++) {
      const k = w % keys;
      const key = `/core/configmaps/default/c${k}`;
      const obj = { metadata: { name: `c${k}`, namespace: 'default' }, data: { pad, w: String(w) } };
      if (s.get(key)) s.update(key, obj);
      else s.create(key, obj);
    }
    await s.durable(s.revision());
    if (marks.has(w)) {
      const db = statSync(s.file).size;
      let wal = 0;
      try {
        wal = statSync(`${s.file}-wal`).size;
      } catch {}
      out.push(`${w}: ${mib(db)} + WAL ${mib(wal)}`);
    }
  }
  const secs = (performance.now() - t0) / 1000;
  await s.close();
  console.log(`churn ${writes} updates of ${keys} keys (1 KB each), history window ${window} events, FULL, 32 per commit (${fmt(writes / secs)}/s): size after ${out.join('; ')}`);
}

/** The whole in-process cluster on each store: a ReplicaSet from 0 to `replicas` Ready (instant timing). */
async function clusterScale(kind: Kind, replicas: number): Promise<void> {
  const store = openStore(kind);
  const nodes = Math.ceil(replicas / 100);
  const cluster = new Cluster({ store, clock: new RealClock(), nodes, timing: 'instant', seed: 1 });
  await cluster.startControlPlane();
  const rsD = cluster.registry.kind('apps', 'ReplicaSet');
  const nodeD = cluster.registry.kind('', 'Node');
  if (!rsD || !nodeD) throw new Error('kinds missing');
  while ((await cluster.client.list(nodeD, undefined)).items.length < nodes) await new Promise((r) => setTimeout(r, 50));
  const template = { metadata: { labels: { app: 'scale' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } };
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'scale' }, spec: { replicas: 0, selector: { matchLabels: { app: 'scale' } }, template } };
  await cluster.client.create(rsD, 'default', rs);
  const commits0 = store instanceof SqliteStore ? store.stats.commits : 0;
  const t0 = performance.now();
  await cluster.client.patch(rsD, 'default', 'scale', 'merge', { spec: { replicas } });
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    const cur = await cluster.client.get(rsD, 'default', 'scale');
    if (((cur.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0) >= replicas) break;
  }
  const secs = (performance.now() - t0) / 1000;
  const commits = store instanceof SqliteStore ? `, ${store.stats.commits - commits0} commits` : '';
  await cluster.stop();
  await store.close();
  console.log(`cluster ${kind.padEnd(13)} ReplicaSet 0 -> ${replicas} Ready: ${fmt(secs, 2)} s (${fmt(replicas / secs)} pods/s${commits})`);
}

// `--only store,https,cluster,load,churn` runs some sections.
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const run = (section: string) => !only || only.includes(section);
const n = quick ? 2_000 : 10_000;
const kinds = ['memory', 'sqlite FULL', 'sqlite NORMAL'] as const;
if (run('store')) {
  for (const kind of kinds) {
    for (const writers of [1, 8, 64]) await storeWrites(kind, writers, kind === 'sqlite FULL' && writers === 1 ? Math.min(n, 500) : n);
  }
}
if (run('https')) {
  for (const kind of kinds) for (const c of [1, 32]) await httpsCreates(kind, c, kind === 'sqlite FULL' && c === 1 ? 300 : quick ? 2_000 : 5_000);
}
if (run('cluster')) for (const kind of kinds) await clusterScale(kind, quick ? 500 : 2_000);
if (run('load')) await loadTime(quick ? 20_000 : 100_000);
if (run('churn')) await churn(100, quick ? 20_000 : 200_000, 10_000);
for (const d of dirs) rmSync(d, { recursive: true, force: true });
process.exit(0);
