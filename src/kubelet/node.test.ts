import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { leaseDescriptor } from '../api/kinds/lease.js';
import { nodeDescriptor } from '../api/kinds/node.js';
import { podDescriptor, podStatusText } from '../api/kinds/pod.js';
import { InformerFactory } from '../client/informer.js';
import type { KubeObject } from '../api/types.js';
import { type NodeSimulation, startNodeSimulation } from './simulation.js';
import { startTestCluster, type TestCluster } from './test-harness.js';

async function node(c: TestCluster, name: string): Promise<Node | undefined> {
  try {
    return (await c.client.get(nodeDescriptor, undefined, name)) as unknown as Node;
  } catch {
    return undefined;
  }
}

async function lease(c: TestCluster, name: string): Promise<KubeObject | undefined> {
  try {
    return await c.client.get(leaseDescriptor, 'kube-node-lease', name);
  } catch {
    return undefined;
  }
}

test('first start registers node-1..node-N with a kubelet-shaped status', async () => {
  const c = await startTestCluster({ count: 3 });
  try {
    assert.deepEqual(c.sim.nodes(), ['node-1', 'node-2', 'node-3']);
    const n = await node(c, 'node-2');
    assert.deepEqual(n?.metadata?.labels, {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'node-2',
      'kubernetes.io/os': 'linux',
    });
    assert.equal(n?.metadata?.annotations?.['volumes.kubernetes.io/controller-managed-attach-detach'], 'true');
    assert.equal(n?.spec?.podCIDR, '10.244.2.0/24');
    assert.deepEqual(n?.spec?.podCIDRs, ['10.244.2.0/24']);
    const s = n?.status;
    assert.deepEqual(s?.addresses, [
      { type: 'InternalIP', address: '172.18.0.3' },
      { type: 'Hostname', address: 'node-2' },
    ]);
    assert.equal(s?.capacity?.cpu, '4');
    assert.equal(s?.capacity?.pods, '110');
    assert.equal(s?.allocatable?.memory, '16291516Ki');
    assert.ok(s?.capacity?.['ephemeral-storage']);
    assert.deepEqual(
      s?.conditions?.map((x) => [x.type, x.status, x.reason, x.message]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
      ],
    );
    assert.ok(s?.conditions?.every((x) => x.lastHeartbeatTime && x.lastTransitionTime));
    assert.equal((s?.daemonEndpoints?.kubeletEndpoint as { Port?: number } | undefined)?.Port, 10250);
    assert.equal(s?.nodeInfo?.kubeletVersion, 'v1.32.0');
    assert.equal(s?.nodeInfo?.containerRuntimeVersion, 'containerd://1.7.22');
    assert.equal(s?.nodeInfo?.osImage, 'Ubuntu 22.04.4 LTS');
    assert.match(s?.nodeInfo?.machineID ?? '', /^[0-9a-f]{32}$/);
    assert.match(s?.nodeInfo?.systemUUID ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(s?.images?.some((i) => i.names?.includes('registry.k8s.io/pause:3.10')));
    // Distinct machines.
    assert.notEqual((await node(c, 'node-1'))?.status?.nodeInfo?.machineID, s?.nodeInfo?.machineID);
    const reasons = c.events.filter((e) => e.kind === 'Node' && e.name === 'node-2').map((e) => e.reason);
    assert.deepEqual(reasons, ['Starting', 'NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeAllocatableEnforced', 'NodeReady']);
  } finally {
    await c.stop();
  }
});

test('the lease is renewed every 10 s; node status is re-posted when it changes or every 5 minutes', async () => {
  const c = await startTestCluster();
  try {
    const l0 = await lease(c, 'node-1');
    const spec0 = l0?.spec as Record<string, unknown>;
    assert.equal(spec0.holderIdentity, 'node-1');
    assert.equal(spec0.leaseDurationSeconds, 40);
    assert.equal(spec0.renewTime, '2026-01-01T00:00:00.000000Z');
    const n0 = await node(c, 'node-1');
    assert.deepEqual(l0?.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: n0?.metadata?.uid }]);

    await c.advance(10_000);
    assert.equal(((await lease(c, 'node-1'))?.spec as Record<string, unknown>).renewTime, '2026-01-01T00:00:10.000000Z');
    await c.advance(25_000);
    assert.equal(((await lease(c, 'node-1'))?.spec as Record<string, unknown>).renewTime, '2026-01-01T00:00:30.000000Z');

    // Nothing changed: the heartbeat in node status stays where it was until the 5-minute report.
    const heartbeat = async () => (await node(c, 'node-1'))?.status?.conditions?.find((x) => x.type === 'Ready')?.lastHeartbeatTime;
    const hb0 = await heartbeat();
    await c.advance(200_000);
    assert.equal(await heartbeat(), hb0);
    await c.advance(110_000);
    assert.notEqual(await heartbeat(), hb0);
    assert.equal((await node(c, 'node-1'))?.status?.conditions?.find((x) => x.type === 'Ready')?.lastTransitionTime, '2026-01-01T00:00:00Z');

    // A change (a new image on the node) is posted at the next 10-second check.
    await c.createPod({ containers: [{ name: 'x', image: 'redis:7.2' }] }, 'cache');
    await c.advance(10_000);
    const images = (await node(c, 'node-1'))?.status?.images ?? [];
    assert.ok(images.some((i) => i.names?.includes('docker.io/library/redis:7.2')));
  } finally {
    await c.stop();
  }
});

test('a Node created through the API gets a kubelet; deleting it stops that kubelet', async () => {
  const c = await startTestCluster({ count: 1 });
  try {
    await c.client.create(nodeDescriptor, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-a', labels: { disk: 'ssd' } } } as KubeObject);
    await c.settle();
    assert.deepEqual(c.sim.nodes(), ['node-1', 'worker-a']);
    const n = await node(c, 'worker-a');
    assert.equal(n?.metadata?.labels?.disk, 'ssd');
    assert.equal(n?.metadata?.labels?.['kubernetes.io/hostname'], 'worker-a');
    assert.equal(n?.spec?.podCIDR, '10.244.2.0/24');
    assert.equal(n?.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'True');
    assert.equal(n?.status?.addresses?.[0]?.address, '172.18.0.3');
    assert.ok(await lease(c, 'worker-a'));
    assert.ok(c.events.some((e) => e.name === 'worker-a' && e.reason === 'NodeReady'));

    await c.createPod({ nodeSelector: { disk: 'ssd' }, containers: [{ name: 'x', image: 'nginx:1.25' }] }, 'on-a', { node: 'worker-a' });
    await c.settle();
    const pod = await c.pod('on-a');
    assert.equal(podStatusText(pod, c.clock.now()), 'Running');
    assert.match(pod?.status?.podIP ?? '', /^10\.244\.2\.\d+$/);
    assert.equal(pod?.status?.hostIP, '172.18.0.3');

    await c.client.delete(nodeDescriptor, undefined, 'worker-a');
    await c.settle();
    assert.deepEqual(c.sim.nodes(), ['node-1']);
    const renewed = ((await lease(c, 'worker-a'))?.spec as Record<string, unknown> | undefined)?.renewTime;
    await c.advance(30_000);
    assert.equal(((await lease(c, 'worker-a'))?.spec as Record<string, unknown> | undefined)?.renewTime, renewed, 'no more heartbeats');
  } finally {
    await c.stop();
  }
});

test('a new run of the simulation takes over running pods without restarting them', async () => {
  const c = await startTestCluster({ count: 2 });
  let again: NodeSimulation | undefined;
  try {
    await c.createPod({ containers: [{ name: 'web', image: 'nginx:1.25' }] }, 'web');
    await c.advance(5000);
    const before = await c.pod('web');
    await c.sim.stop();
    await c.advance(60_000);
    const eventsBefore = c.events.length;
    void startNodeSimulation({ client: c.client, informers: new InformerFactory(c.client, c.clock), clock: c.clock, timing: 'instant', count: 2, eventRecorder: () => ({ event() {} }), log: () => {} }).then((s) => (again = s));
    while (!again) await c.settle();
    await c.advance(20_000);
    assert.deepEqual(again.nodes(), ['node-1', 'node-2']);
    const after = await c.pod('web');
    assert.equal(after?.metadata?.resourceVersion, before?.metadata?.resourceVersion, 'no status write needed');
    assert.equal(c.events.length, eventsBefore);
    // The node is alive again: a fresh heartbeat.
    const ready = (await node(c, 'node-1'))?.status?.conditions?.find((x) => x.type === 'Ready');
    assert.equal(ready?.lastHeartbeatTime, '2026-01-01T00:01:05Z');
    // And it still stops the adopted container when asked.
    await c.client.delete(podDescriptor, 'default', 'web');
    await c.advance(1000);
    assert.equal(await c.pod('web'), undefined);
  } finally {
    await again?.stop();
    await c.stop();
  }
});

test('a node whose Ready condition someone else changed is put back at the next status check', async () => {
  const c = await startTestCluster();
  try {
    const n = (await node(c, 'node-1')) as Node;
    const status = structuredClone(n.status) as NonNullable<Node['status']>;
    for (const cond of status.conditions ?? []) {
      cond.status = 'Unknown';
      cond.reason = 'NodeStatusUnknown';
      cond.message = 'Kubelet stopped posting node status.';
    }
    await c.client.update(nodeDescriptor, undefined, { ...(n as KubeObject), status } as KubeObject, { subresource: 'status' });
    await c.advance(10_000);
    const ready = (await node(c, 'node-1'))?.status?.conditions?.find((x) => x.type === 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(ready?.lastTransitionTime, '2026-01-01T00:00:10Z');
  } finally {
    await c.stop();
  }
});
