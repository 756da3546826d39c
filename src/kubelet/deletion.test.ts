import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podDescriptor } from '../api/kinds/pod.js';
import type { ContainerRuntime } from './runtime/process.js';
import { startTestCluster } from './test-harness.js';

test('graceful deletion: Killing, containers stop (Completed), phase Succeeded, then the kubelet deletes the pod', async () => {
  const c = await startTestCluster({ timing: 'realistic', seed: 4 });
  try {
    await c.createPod({ containers: [{ name: 'web', image: 'nginx:1.25' }] }, 'web');
    await c.advance(10_000);
    const deletedAt = c.clock.now();
    await c.client.delete(podDescriptor, 'default', 'web');
    await c.advance(10_000);
    assert.equal(await c.pod('web'), undefined);
    const after = c.history('web').filter((s) => s.at >= deletedAt);
    assert.deepEqual(
      after.map((s) => `${s.type} ${s.ready} ${s.status}`),
      ['MODIFIED 1/1 Terminating', 'MODIFIED 0/1 Terminating', 'MODIFIED 0/1 Completed', 'DELETED 0/1 Completed'],
    );
    const gone = after.at(-1);
    assert.ok(gone && gone.at - deletedAt >= 300 && gone.at - deletedAt <= 3000, `removed after ${gone ? gone.at - deletedAt : '?'} ms`);
    const final = gone?.pod;
    assert.equal(final?.status?.phase, 'Succeeded');
    const term = final?.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(term?.exitCode, 0);
    assert.equal(term?.reason, 'Completed');
    assert.equal(final?.status?.conditions?.find((x) => x.type === 'Ready')?.reason, 'PodCompleted');
    const killing = c.eventsFor('web').filter((e) => e.reason === 'Killing');
    assert.deepEqual(killing.map((e) => [e.type, e.message, e.fieldPath, e.at]), [['Normal', 'Stopping container web', 'spec.containers{web}', deletedAt]]);
  } finally {
    await c.stop();
  }
});

test('a process that ignores SIGTERM is killed when the grace period ends (137, Error, Failed)', async () => {
  const stubborn: ContainerRuntime = { start: () => ({ terminate() {} }) };
  const c = await startTestCluster({ runtime: stubborn });
  try {
    await c.createPod({ terminationGracePeriodSeconds: 5, containers: [{ name: 'app', image: 'busybox:1.36' }] }, 'stubborn');
    await c.settle();
    const t0 = c.clock.now();
    await c.client.delete(podDescriptor, 'default', 'stubborn');
    await c.advance(4000);
    assert.ok(await c.pod('stubborn'), 'still terminating during the grace period');
    await c.advance(2000);
    assert.equal(await c.pod('stubborn'), undefined);
    const gone = c.history('stubborn').at(-1);
    assert.equal(gone?.at, t0 + 5000);
    assert.equal(gone?.pod.status?.phase, 'Failed');
    assert.equal(gone?.status, 'Error');
    assert.deepEqual(
      [gone?.pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, gone?.pod.status?.containerStatuses?.[0]?.state?.terminated?.reason],
      [137, 'Error'],
    );
  } finally {
    await c.stop();
  }
});

test('a second delete with a shorter grace period shortens the wait; --grace-period=0 --force removes at once', async () => {
  const stubborn: ContainerRuntime = { start: () => ({ terminate() {} }) };
  const c = await startTestCluster({ runtime: stubborn });
  try {
    await c.createPod({ containers: [{ name: 'app', image: 'busybox:1.36' }] }, 'slow');
    await c.createPod({ containers: [{ name: 'app', image: 'busybox:1.36' }] }, 'forced');
    await c.settle();
    const t0 = c.clock.now();
    await c.client.delete(podDescriptor, 'default', 'slow');
    await c.advance(1000);
    await c.client.delete(podDescriptor, 'default', 'slow', { gracePeriodSeconds: 2 });
    await c.advance(5000);
    assert.equal(await c.pod('slow'), undefined);
    assert.equal(c.history('slow').at(-1)?.at, t0 + 3000);

    await c.client.delete(podDescriptor, 'default', 'forced', { gracePeriodSeconds: 0 });
    await c.settle();
    assert.equal(await c.pod('forced'), undefined);
    assert.equal(c.sim.kubelet('node-1')?.podCount(), 0);
  } finally {
    await c.stop();
  }
});

test('a pod deleted while its image is still pulling never starts', async () => {
  const c = await startTestCluster({ timing: 'realistic', seed: 9 });
  try {
    await c.createPod({ containers: [{ name: 'big', image: 'perl:5.34.0' }] }, 'slowpull');
    await c.advance(900);
    await c.client.delete(podDescriptor, 'default', 'slowpull');
    await c.advance(10_000);
    assert.equal(await c.pod('slowpull'), undefined);
    assert.deepEqual(c.eventsFor('slowpull').filter((e) => e.reason === 'Started'), []);
  } finally {
    await c.stop();
  }
});
