import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { leaseDescriptor } from '../api/kinds/lease.js';
import { nodeDescriptor } from '../api/kinds/node.js';
import { podDescriptor } from '../api/kinds/pod.js';
import type { KubeObject } from '../api/types.js';
import { KUBELET_STATE_ANNOTATION } from './node/power.js';
import { startTestCluster, type TestCluster } from './test-harness.js';

async function renewTime(c: TestCluster, node: string): Promise<unknown> {
  const l = await c.client.get(leaseDescriptor, 'kube-node-lease', node);
  return (l.spec as Record<string, unknown>).renewTime;
}

async function readyCondition(c: TestCluster, node: string) {
  const n = (await c.client.get(nodeDescriptor, undefined, node)) as unknown as Node;
  return n.status?.conditions?.find((x) => x.type === 'Ready');
}

function podReady(p: Pod | undefined): string | undefined {
  return p?.status?.conditions?.find((x) => x.type === 'Ready')?.status;
}

async function setSwitch(c: TestCluster, node: string, value: string | null): Promise<void> {
  await c.client.patch(nodeDescriptor, undefined, node, 'merge', { metadata: { annotations: { [KUBELET_STATE_ANNOTATION]: value } } });
  await c.settle();
}

/** What the node lifecycle controller writes when a node goes silent. */
async function markNotReady(c: TestCluster, node: string, pod: Pod): Promise<void> {
  await c.client.patch(nodeDescriptor, undefined, node, 'strategic', { status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }] } }, { subresource: 'status' });
  const conditions = (pod.status?.conditions ?? []).map((x) => (x.type === 'Ready' ? { ...x, status: 'False' } : x));
  await c.client.update(podDescriptor, 'default', { ...(pod as unknown as KubeObject), status: { ...pod.status, conditions } }, { subresource: 'status' });
  await c.settle();
}

test('a switched-off kubelet goes silent but keeps its pods, and catches up when switched back on', async () => {
  const c = await startTestCluster({ count: 1 });
  try {
    await c.createPod({ containers: [{ name: 'web', image: 'nginx:1.25' }] }, 'web');
    await c.until(async () => podReady(await c.pod('web')) === 'True');
    await c.advance(10_000);
    const before = await renewTime(c, 'node-1');
    const heartbeat = (await readyCondition(c, 'node-1'))?.lastHeartbeatTime;

    await setSwitch(c, 'node-1', 'stopped');
    assert.equal(c.sim.kubelet('node-1')?.switchedOff, true);
    await c.advance(60_000);
    assert.equal(await renewTime(c, 'node-1'), before, 'no lease renewals while stopped');
    assert.equal((await readyCondition(c, 'node-1'))?.lastHeartbeatTime, heartbeat, 'no status posts while stopped');

    await markNotReady(c, 'node-1', (await c.pod('web')) as Pod);
    await c.advance(60_000);
    assert.equal((await readyCondition(c, 'node-1'))?.status, 'Unknown', 'a stopped kubelet does not contradict the node controller');
    assert.equal(podReady(await c.pod('web')), 'False');
    assert.equal(c.sim.kubelet('node-1')?.podCount(), 1, 'containers keep running on the machine');

    await setSwitch(c, 'node-1', null);
    assert.equal(c.sim.kubelet('node-1')?.switchedOff, false);
    await c.advance(1000);
    assert.notEqual(await renewTime(c, 'node-1'), before, 'the lease is renewed on switching back on');
    const ready = await readyCondition(c, 'node-1');
    assert.equal(ready?.status, 'True');
    assert.equal(ready?.reason, 'KubeletReady');
    assert.equal(podReady(await c.pod('web')), 'True', 'the pod status the node controller changed is put back');

    const after = await renewTime(c, 'node-1');
    await c.advance(10_000);
    assert.notEqual(await renewTime(c, 'node-1'), after, 'the renewal timer carries on');
  } finally {
    await c.stop();
  }
});

test('pod events missed while switched off are acted on when switched back on', async () => {
  const c = await startTestCluster({ count: 1 });
  try {
    await setSwitch(c, 'node-1', 'stopped');
    await c.createPod({ containers: [{ name: 'web', image: 'nginx:1.25' }] }, 'late');
    await c.advance(30_000);
    assert.equal((await c.pod('late'))?.status?.phase, 'Pending');
    assert.equal(c.sim.kubelet('node-1')?.podCount(), 0);

    await setSwitch(c, 'node-1', null);
    await c.until(async () => podReady(await c.pod('late')) === 'True', 60_000);
    assert.equal((await c.pod('late'))?.status?.phase, 'Running');
  } finally {
    await c.stop();
  }
});
