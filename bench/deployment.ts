// Deployment benchmark: a rolling update (25%/25%) of 1,000 replicas on the realistic and instant profiles and
// of 10,000 on the instant profile, through the whole in-process cluster (deployment and ReplicaSet
// controllers, scheduler, kubelets, events). Timed from the image change until every replica is updated and
// available and the old ReplicaSet is empty. Prints figures only.
import { RealClock } from '../src/clock/clock.js';
import { Cluster } from '../src/cluster/cluster.js';
import type { KubeObject } from '../src/api/types.js';
import { MemoryStore } from '../src/store/memory.js';

interface Status {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(replicas: number, timing: 'instant' | 'realistic'): Promise<void> {
  // Room for the surge (25% more pods during the update) at 110 pods per node, plus a little slack.
  const nodes = Math.max(10, Math.ceil((replicas * 1.3) / 100));
  const cluster = new Cluster({ store: new MemoryStore(), clock: new RealClock(), nodes, timing, seed: 1 });
  await cluster.startControlPlane();
  const deployD = cluster.registry.kind('apps', 'Deployment');
  const nodeD = cluster.registry.kind('', 'Node');
  if (!deployD || !nodeD) throw new Error('kinds missing');
  while ((await cluster.client.list(nodeD, undefined)).items.length < nodes) await sleep(50);

  const done = (d: KubeObject, image?: string) => {
    const s = (d.status ?? {}) as Status;
    const tplImage = (d.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0]?.image;
    return (
      (!image || tplImage === image) &&
      s.observedGeneration === d.metadata.generation &&
      s.replicas === replicas &&
      s.updatedReplicas === replicas &&
      s.availableReplicas === replicas
    );
  };
  await cluster.client.create(deployD, 'default', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bench' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'bench' } },
      template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.9.1' }] } },
    },
  });
  const c0 = performance.now();
  while (!done(await cluster.client.get(deployD, 'default', 'bench'))) await sleep(20);
  const created = performance.now() - c0;

  const t0 = performance.now();
  await cluster.client.patch(deployD, 'default', 'bench', 'strategic', {
    spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.21-alpine' }] } } },
  });
  while (!done(await cluster.client.get(deployD, 'default', 'bench'), 'nginx:1.21-alpine')) await sleep(20);
  const ms = performance.now() - t0;
  console.log(
    `Deployment rolling update of ${replicas} replicas, 25%/25% (${timing} profile, ${nodes} nodes): ${(ms / 1000).toFixed(2)} s ` +
      `(first rollout 0 -> ${replicas} took ${(created / 1000).toFixed(2)} s)`,
  );
  await cluster.stop();
}

const only = process.argv.includes('--quick');
await run(1_000, 'instant');
await run(1_000, 'realistic');
if (!only) await run(10_000, 'instant');
process.exit(0);
