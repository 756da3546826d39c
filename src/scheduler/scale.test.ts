// Prints how long 10,000 pending pods take to schedule in-process. Figures are printed, never asserted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeDescriptor } from '../api/kinds/node.js';
import { podDescriptor } from '../api/kinds/pod.js';
import { ControllerManager } from '../controllers/runtime/manager.js';
import { Algorithm } from './algorithm.js';
import { SchedulerCache } from './cache.js';
import { schedulerController } from './controller.js';
import { compilePod } from './podinfo.js';
import { seededRandom } from './score.js';
import { node, pod, stack } from './test-util.js';

const PODS = 10_000;

async function run(nodeCount: number, podsPerNode: string, hosted = false): Promise<void> {
  const s = stack();
  for (let i = 0; i < nodeCount; i++) await s.client.create(nodeDescriptor, undefined, node(`node-${String(i).padStart(3, '0')}`, { cpu: '64', memory: '256Gi', pods: podsPerNode }));
  for (let i = 0; i < PODS; i++) await s.client.create(podDescriptor, 'default', pod(`web-${i}`, { cpu: '10m', memory: '16Mi', replicaSet: 'web' }));
  const t0 = performance.now();
  let scheduler = s.scheduler;
  const manager = new ControllerManager({ client: s.client, informers: s.informers, clock: s.clock, recorderFor: () => s.recorder });
  if (hosted) {
    await manager.add(schedulerController({ created: (x) => (scheduler = x) }));
    await manager.start();
  } else {
    await scheduler.start();
  }
  await scheduler.idle();
  const ms = performance.now() - t0;
  if (hosted) await manager.stop();
  else await scheduler.stop();
  s.informers.stop();
  const pods = await s.client.list(podDescriptor, 'default');
  const perNode = new Map<string, number>();
  for (const p of pods.items) {
    const n = (p.spec as any).nodeName as string | undefined;
    assert.ok(n, `${p.metadata.name} was not scheduled`);
    perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  const counts = [...perNode.values()];
  console.log(
    `# scheduler${hosted ? ' (in the controller manager)' : ''}: ${PODS} pods over ${nodeCount} nodes in ${ms.toFixed(0)} ms (${Math.round((PODS / ms) * 1000)} pods/s, ` +
      `informer sync + decisions + bindings); pods per node ${Math.min(...counts)}..${Math.max(...counts)}`,
  );
}

describe('scale', () => {
  it('schedules 10,000 pods over 100 nodes', async () => {
    await run(100, '110');
  });

  it('schedules 10,000 pods over 3 nodes', async () => {
    await run(3, '4000');
  });

  it('schedules 10,000 pods over 100 nodes from the controller manager', async () => {
    await run(100, '110', true);
  });

  it('decides 10,000 pods over 100 nodes without the API', () => {
    const cache = new SchedulerCache();
    for (let i = 0; i < 100; i++) cache.upsertNode(node(`node-${i}`, { cpu: '64', memory: '256Gi' }));
    const infos = Array.from({ length: PODS }, (_, i) => compilePod(pod(`web-${i}`, { cpu: '10m', memory: '16Mi', replicaSet: 'web' })));
    const algo = new Algorithm(cache, seededRandom(1));
    const t0 = performance.now();
    for (const info of infos) {
      const r = algo.schedule(info);
      assert.ok('node' in r);
      cache.assume(info, r.node.name);
    }
    const ms = performance.now() - t0;
    console.log(`# scheduler: ${PODS} decisions over 100 nodes in ${ms.toFixed(0)} ms (${(ms * 1000 / PODS).toFixed(1)} µs per pod)`);
  });
});
