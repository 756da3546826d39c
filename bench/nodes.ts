// Node-scale benchmark: a cluster of 1,000 simulated nodes in this process (instant profile, real clock).
// Measures the time until every node is Ready, memory, the heartbeat load at rest (Lease renewals and node
// status writes per second, CPU used), `kubectl get nodes` (the server-side Table over HTTP, the in-process
// list, and the real kubectl when it is on PATH), and a DaemonSet rolled to every node (time until
// numberReady equals the node count). Prints figures only. `--quick` uses 200 nodes and a shorter window.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../src/api/types.js';
import { RealClock } from '../src/clock/clock.js';
import { Cluster } from '../src/cluster/cluster.js';
import { MemoryStore } from '../src/store/memory.js';

const quick = process.argv.includes('--quick');
const arg = (name: string): number | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
};
const N = arg('--nodes') ?? (quick ? 200 : 1_000);
const WINDOW_S = arg('--window') ?? (quick ? 12 : 30);

function rssMiB(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function isReady(n: KubeObject): boolean {
  return ((n.status as any)?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

const cluster = new Cluster({ store: new MemoryStore(), clock: new RealClock(), nodes: N, timing: 'instant', seed: 1 });
const nodeD = cluster.registry.kind('', 'Node');
const leaseD = cluster.registry.kind('coordination.k8s.io', 'Lease');
const dsD = cluster.registry.kind('apps', 'DaemonSet');
const podD = cluster.registry.kind('', 'Pod');
if (!nodeD || !leaseD || !dsD || !podD) throw new Error('kinds missing');

// 1. Start until every node is Ready.
const t0 = performance.now();
const { url } = await cluster.start(0, '127.0.0.1');
const served = performance.now() - t0;
let registered = 0;
let readyAt = 0;
for (;;) {
  const list = await cluster.client.list(nodeD, undefined);
  const ready = list.items.filter(isReady).length;
  if (!registered && list.items.length === N) registered = performance.now() - t0;
  if (ready === N) {
    readyAt = performance.now() - t0;
    break;
  }
  await sleep(50);
}
console.log(`${N} nodes: API served after ${secs(served)}, all registered after ${secs(registered)}, all Ready after ${secs(readyAt)}; RSS ${rssMiB().toFixed(0)} MiB`);

// 2. Heartbeats at rest: writes seen through watches, and this process's CPU.
await sleep(2_000);
let leaseWrites = 0;
let nodeWrites = 0;
cluster.informers.informer(leaseD).addHandler({ update: () => void leaseWrites++ });
cluster.informers.informer(nodeD).addHandler({ update: () => void nodeWrites++ });
// `--profile-rest FILE` writes a CPU profile of the window alone (open it in Chrome DevTools).
const profileRest = process.argv.includes('--profile-rest') ? process.argv[process.argv.indexOf('--profile-rest') + 1] : undefined;
const session = profileRest ? new inspector.Session() : undefined;
if (session) {
  session.connect();
  await new Promise<void>((r) => session.post('Profiler.enable', () => session.post('Profiler.start', () => r())));
}
const cpu0 = process.cpuUsage();
const w0 = performance.now();
await sleep(WINDOW_S * 1000);
if (session && profileRest) {
  const profile = await new Promise<unknown>((r) => session.post('Profiler.stop', (_e, res) => r(res.profile)));
  writeFileSync(profileRest, JSON.stringify(profile));
  session.disconnect();
}
const wall = (performance.now() - w0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuPct = ((cpu.user + cpu.system) / 1e6 / wall) * 100;
console.log(
  `at rest over ${wall.toFixed(1)} s: ${(leaseWrites / wall).toFixed(1)} lease writes/s, ${(nodeWrites / wall).toFixed(1)} node writes/s (status), CPU ${cpuPct.toFixed(1)}% of one core (${((cpuPct / N) * 5000).toFixed(1)}% extrapolated to 5,000 nodes); RSS ${rssMiB().toFixed(0)} MiB`,
);

// 3. `kubectl get nodes`: the Table kubectl asks for, over HTTP; the in-process list; the real kubectl.
const tableTimes: number[] = [];
let tableBytes = 0;
for (let i = 0; i < 12; i++) {
  const s = performance.now();
  const r = await fetch(`${url}/api/v1/nodes?limit=500`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
  let body = await r.text();
  let bytes = body.length;
  // kubectl pages through with `continue`, 500 at a time.
  for (let cont = JSON.parse(body).metadata?.continue; cont; ) {
    const next = await fetch(`${url}/api/v1/nodes?limit=500&continue=${encodeURIComponent(cont)}`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    body = await next.text();
    bytes += body.length;
    cont = JSON.parse(body).metadata?.continue;
  }
  if (i >= 2) tableTimes.push(performance.now() - s);
  tableBytes = bytes;
}
tableTimes.sort((a, b) => a - b);
const listTimes: number[] = [];
for (let i = 0; i < 12; i++) {
  const s = performance.now();
  await cluster.client.list(nodeD, undefined);
  if (i >= 2) listTimes.push(performance.now() - s);
}
listTimes.sort((a, b) => a - b);
let kubectlLine = 'kubectl not found';
const dir = mkdtempSync(join(tmpdir(), 'kubeloop-bench-nodes-'));
try {
  const env = { ...process.env, HOME: dir, KUBECONFIG: join(dir, 'none') };
  // Asynchronously: the API server answering kubectl runs on this very event loop.
  const run = promisify(execFile);
  const found = await run('kubectl', ['version', '--client'], { env }).then(() => true, () => false);
  if (found) {
    const times: number[] = [];
    let lines = 0;
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      const r = await run('kubectl', ['--server', url, 'get', 'nodes'], { env, maxBuffer: 64 * 1024 * 1024 });
      times.push(performance.now() - s);
      lines = r.stdout.trim().split('\n').length;
    }
    times.sort((a, b) => a - b);
    kubectlLine = `real kubectl get nodes (${lines - 1} rows, process start included) median ${pct(times, 50).toFixed(0)} ms`;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `get nodes: Table over HTTP median ${pct(tableTimes, 50).toFixed(1)} ms, p90 ${pct(tableTimes, 90).toFixed(1)} ms (${(tableBytes / 1024).toFixed(0)} KiB in all pages); in-process list median ${pct(listTimes, 50).toFixed(2)} ms; ${kubectlLine}`,
);

// 4. A DaemonSet on every node.
const ds = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'nginx:1.25' }] } },
  },
};
const d0 = performance.now();
const cpuD = process.cpuUsage();
await cluster.client.create(dsD, 'default', ds);
let half = 0;
let scheduledAt = 0;
for (;;) {
  await sleep(50);
  const cur = await cluster.client.get(dsD, 'default', 'agent');
  const st = (cur.status ?? {}) as { numberReady?: number; currentNumberScheduled?: number };
  if (!scheduledAt && (st.currentNumberScheduled ?? 0) >= N) scheduledAt = performance.now() - d0;
  if (!half && (st.numberReady ?? 0) >= N / 2) half = performance.now() - d0;
  if ((st.numberReady ?? 0) >= N) break;
  if (process.argv.includes('--trace')) {
    const pods = (await cluster.client.list(podD, 'default')).items;
    const bound = pods.filter((p) => (p.spec as any)?.nodeName).length;
    console.log(`  ${((performance.now() - d0) / 1000).toFixed(2)} s: ${pods.length} pods, ${bound} bound, status ${JSON.stringify(st)}`);
  }
}
const dsMs = performance.now() - d0;
const dsCpu = process.cpuUsage(cpuD);
console.log(
  `DaemonSet on ${N} nodes: numberReady=${N} after ${secs(dsMs)} (all pods created after ${secs(scheduledAt)}, half Ready after ${secs(half)}), ${Math.round(N / (dsMs / 1000))} pods/s, CPU ${((dsCpu.user + dsCpu.system) / 1e6).toFixed(1)} s; RSS ${rssMiB().toFixed(0)} MiB`,
);

await cluster.stop();
process.exit(0);
