// Control-loop benchmark: a ReplicaSet scaled from 0 to 10,000 replicas until every pod is Ready, through the
// whole in-process cluster (ReplicaSet controller, scheduler, kubelets, event recorder). Prints figures only.
import { readFileSync } from 'node:fs';
import { RealClock } from '../src/clock/clock.js';
import { Cluster } from '../src/cluster/cluster.js';
import { MemoryStore } from '../src/store/memory.js';

const quick = process.argv.includes('--quick');
const replicas = quick ? 2_000 : 10_000;

function rssMiB(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function run(timing: 'instant' | 'realistic'): Promise<void> {
  const nodes = Math.ceil(replicas / 100);
  const cluster = new Cluster({ store: new MemoryStore(), clock: new RealClock(), nodes, timing, seed: 1 });
  await cluster.startControlPlane();
  const rsD = cluster.registry.kind('apps', 'ReplicaSet');
  const nodeD = cluster.registry.kind('', 'Node');
  if (!rsD || !nodeD) throw new Error('kinds missing');
  // Wait for the nodes to register and report Ready before timing anything.
  for (;;) {
    const list = await cluster.client.list(nodeD, undefined);
    if (list.items.length === nodes) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const rs = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'scale' },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'scale' } },
      template: { metadata: { labels: { app: 'scale' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
    },
  };
  await cluster.client.create(rsD, 'default', rs);
  const t0 = performance.now();
  await cluster.client.patch(rsD, 'default', 'scale', 'merge', { spec: { replicas } });
  let ready = 0;
  let half = 0;
  while (ready < replicas) {
    await new Promise((r) => setTimeout(r, 20));
    const cur = await cluster.client.get(rsD, 'default', 'scale');
    ready = (cur.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0;
    if (!half && ready >= replicas / 2) half = performance.now() - t0;
  }
  const ms = performance.now() - t0;
  console.log(
    `ReplicaSet 0 -> ${replicas} Ready (${timing} profile, ${nodes} nodes): ${(ms / 1000).toFixed(2)} s, ${Math.round(replicas / (ms / 1000))} pods/s (half Ready after ${(half / 1000).toFixed(2)} s); RSS ${rssMiB().toFixed(0)} MiB`,
  );
  await cluster.stop();
}

await run('instant');
if (!quick && !process.argv.includes("--instant-only")) await run("realistic");
process.exit(0);
