// Profiles a cluster of N idle nodes (default 1,000) for a window and prints the functions with the most self
// time: where the heartbeat load goes. Not part of `npm run bench`; a tool for finding idle costs.
import inspector from 'node:inspector';
import type { KubeObject } from '../src/api/types.js';
import { RealClock } from '../src/clock/clock.js';
import { Cluster } from '../src/cluster/cluster.js';
import { MemoryStore } from '../src/store/memory.js';

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const N = arg('--nodes', 1000);
const WINDOW = arg('--window', 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cluster = new Cluster({ store: new MemoryStore(), clock: new RealClock(), nodes: N, timing: 'instant', seed: 1 });
const nodeD = cluster.registry.kind('', 'Node')!;
const started = performance.now();
await cluster.start(0, '127.0.0.1');
const ready = (n: KubeObject) => ((n.status as any)?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
while ((await cluster.client.list(nodeD, undefined)).items.filter(ready).length < N) await sleep(200);
console.log(`${N} nodes Ready after ${((performance.now() - started) / 1000).toFixed(1)} s`);
await sleep(12_000);
if (process.argv.includes('--no-profile')) {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  await sleep(WINDOW * 1000);
  const c = process.cpuUsage(c0);
  console.log(`${N} idle nodes: ${(((c.user + c.system) / 1000 / (performance.now() - w0)) * 100).toFixed(2)}% of one core over ${WINDOW} s (no profiler)`);
  await cluster.stop();
  process.exit(0);
}
const session = new inspector.Session();
session.connect();
const post = (m: string, p?: object) => new Promise<any>((res, rej) => session.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r))));
await post('Profiler.enable');
await post('Profiler.setSamplingInterval', { interval: 1000 });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await post('Profiler.start');
await sleep(WINDOW * 1000);
const { profile } = await post('Profiler.stop');
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - t0;
console.log(`${N} idle nodes: ${(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(2)}% of one core over ${WINDOW} s`);
const self = new Map<string, number>();
const dt = profile.timeDeltas as number[];
const byId = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
profile.samples.forEach((id: number, i: number) => {
  const n = byId.get(id);
  const f = n.callFrame;
  const key = `${f.functionName || '(anon)'} ${f.url.replace(/.*\/(src|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
});
// Where the top native frames are called from (their JavaScript callers, by self time below them).
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const callers = new Map<string, number>();
profile.samples.forEach((id: number, i: number) => {
  const n = byId.get(id);
  if (n.callFrame.url !== '' || n.callFrame.functionName === '(idle)' || n.callFrame.functionName === '(program)' || n.callFrame.functionName === '(garbage collector)') return;
  const chain: string[] = [];
  for (let p = parent.get(id); p !== undefined && chain.length < 4; p = parent.get(p)) {
    const f = byId.get(p).callFrame;
    chain.push(`${f.functionName || '(anon)'}@${f.url.replace(/.*\/(src|node_modules)\//, '$1/')}`);
  }
  const key = `${n.callFrame.functionName} <- ${chain.join(' <- ')}`;
  callers.set(key, (callers.get(key) ?? 0) + (dt[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`native ${((v / total) * 100).toFixed(2)}%  ${k}`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
await cluster.stop();
process.exit(0);
