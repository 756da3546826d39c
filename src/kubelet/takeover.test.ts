// Another process takes the nodes over (the previous one was killed or lost its Lease) while a pod was being
// deleted: the old kubelet had written the terminal status but not sent the final delete. The new kubelet sends
// it, so the pod does not stay Completed forever; a finished pod nobody deletes is left alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podDescriptor } from '../api/kinds/pod.js';
import { InformerFactory } from '../client/informer.js';
import { type NodeSimulation, startNodeSimulation } from './simulation.js';
import { startTestCluster } from './test-harness.js';

test('a kubelet taking over sends the final delete of a pod that finished under the previous one', async () => {
  const c = await startTestCluster();
  let second: NodeSimulation | undefined;
  const informers = new InformerFactory(c.client, c.clock);
  try {
    await c.createPod({ containers: [{ name: 'web', image: 'nginx' }] }, 'web');
    await c.createPod({ restartPolicy: 'Never', containers: [{ name: 'job', image: 'busybox', command: ['true'] }] }, 'done');
    await c.until(async () => (await c.pod('web'))?.status?.phase === 'Running' && (await c.pod('done'))?.status?.phase === 'Succeeded');

    // The old kubelet goes away between the terminal status and the final delete.
    await c.sim.stop();
    await c.client.delete(podDescriptor, 'default', 'web');
    const terminating = await c.pod('web');
    assert.ok(terminating?.metadata?.deletionTimestamp);
    await c.client.patch(podDescriptor, 'default', 'web', 'merge', { status: { phase: 'Succeeded' } }, { subresource: 'status' });

    void startNodeSimulation({ client: c.client, informers, clock: c.clock, timing: 'instant', count: 1, eventRecorder: () => ({ event: () => {} }), log: () => {} }).then((s) => (second = s));
    while (!second) await c.settle();
    await c.until(async () => (await c.pod('web')) === undefined, 60_000);
    assert.equal((await c.pod('done'))?.status?.phase, 'Succeeded');
  } finally {
    informers.stop();
    await second?.stop();
    await c.stop();
  }
});
