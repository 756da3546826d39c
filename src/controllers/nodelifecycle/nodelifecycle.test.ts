import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { leaseDescriptor } from '../../api/kinds/lease.js';
import { namespaceDescriptor } from '../../api/kinds/namespace.js';
import { nodeDescriptor } from '../../api/kinds/node.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import type { KubeObject } from '../../api/types.js';
import { rfc3339, rfc3339Micro } from '../../clock/clock.js';
import { createStack, makeReady, settle, type TestStack } from '../runtime/testkit.js';
import { NodeLifecycleController } from './controller.js';
import { evictionDelay } from './eviction.js';
import { conditionTaints } from './health.js';

let stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops) await s();
  stops = [];
});

const GOOD = [
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
  ['Ready', 'True', 'KubeletReady'],
];

/** What a kubelet's heartbeat does: post status with a fresh heartbeat and renew the lease. */
async function heartbeat(stack: TestStack, name: string): Promise<void> {
  const t = rfc3339(stack.clock.now());
  const conditions = GOOD.map(([type, status, reason]) => ({ type, status, reason, lastHeartbeatTime: t, lastTransitionTime: '2026-01-01T00:00:00Z' }));
  await stack.client.patch(nodeDescriptor, undefined, name, 'merge', { status: { conditions } }, { subresource: 'status' });
  const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: rfc3339Micro(stack.clock.now()) } };
  try {
    const cur = await stack.client.get(leaseDescriptor, 'kube-node-lease', name);
    await stack.client.update(leaseDescriptor, 'kube-node-lease', { ...cur, spec: lease.spec });
  } catch {
    await stack.client.create(leaseDescriptor, 'kube-node-lease', lease as unknown as KubeObject);
  }
}

async function setup(): Promise<{ stack: TestStack; ctl: NodeLifecycleController }> {
  const stack = createStack();
  try {
    await stack.client.create(namespaceDescriptor, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-node-lease' } });
  } catch {
    // Already created by the namespace bootstrap.
  }
  for (const n of ['n1', 'n2']) {
    await stack.client.create(nodeDescriptor, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: n } });
    await heartbeat(stack, n);
  }
  const ctl = new NodeLifecycleController({ client: stack.client, informers: stack.informers, clock: stack.clock, recorder: stack.recorder, periodMs: 5000 });
  stops.push(async () => {
    await ctl.stop();
    stack.informers.stop();
  });
  await ctl.start();
  await settle();
  return { stack, ctl };
}

async function pod(stack: TestStack, name: string, node: string, tolerations?: unknown[]): Promise<void> {
  const p = await stack.client.create(podDescriptor, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...(tolerations ? { tolerations } : {}) } });
  await makeReady(stack.client, p, { node });
}

/** Advances cluster time in 5 s steps; n2 stays silent, n1 keeps heart-beating. */
async function run(stack: TestStack, ctl: NodeLifecycleController, seconds: number): Promise<void> {
  for (let s = 0; s < seconds; s += 5) {
    stack.clock.advance(5000);
    await heartbeat(stack, 'n1');
    await settle();
    await ctl.runOnce();
    await settle();
  }
}

async function node(stack: TestStack, name: string): Promise<any> {
  return stack.client.get(nodeDescriptor, undefined, name);
}

describe('node lifecycle controller', () => {
  it('keeps a heart-beating node Ready and untainted', async () => {
    const { stack, ctl } = await setup();
    await heartbeat(stack, 'n2');
    await run(stack, ctl, 120);
    const n = await node(stack, 'n1');
    assert.equal(n.status.conditions.find((c: any) => c.type === 'Ready').status, 'True');
    assert.equal(n.spec.taints, undefined);
  });

  it('a silent node goes Unknown after the 50 s grace, gets the unreachable taints, its pods NotReady', async () => {
    const { stack, ctl } = await setup();
    await pod(stack, 'web', 'n2');
    await run(stack, ctl, 50);
    assert.equal((await node(stack, 'n2')).status.conditions.find((c: any) => c.type === 'Ready').status, 'True', 'not before the grace period');
    await run(stack, ctl, 5);
    const n = await node(stack, 'n2');
    const ready = n.status.conditions.find((c: any) => c.type === 'Ready');
    assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
    assert.equal(n.status.conditions.filter((c: any) => c.status === 'Unknown').length, 4);
    assert.deepEqual(n.spec.taints.map((t: any) => `${t.key}:${t.effect}`).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    assert.ok(n.spec.taints.find((t: any) => t.effect === 'NoExecute').timeAdded);
    const p = await stack.client.get(podDescriptor, 'default', 'web');
    assert.equal((p.status as any).conditions.find((c: any) => c.type === 'Ready').status, 'False');
    assert.equal(stack.recorder.events.filter((e) => e.reason === 'NodeNotReady' && e.kind === 'Node').length, 1);
    assert.equal(stack.recorder.events.filter((e) => e.reason === 'NodeNotReady' && e.kind === 'Pod')[0]?.message, 'Node is not ready');
    assert.equal((await node(stack, 'n1')).spec.taints, undefined);
  });

  it('evicts ordinary pods 300 s after the taint, never tolerating-forever pods, and untaints on recovery', async () => {
    const { stack, ctl } = await setup();
    await pod(stack, 'web', 'n2');
    await pod(stack, 'daemon', 'n2', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }]);
    await run(stack, ctl, 55);
    await run(stack, ctl, 295);
    assert.equal((await stack.client.get(podDescriptor, 'default', 'web')).metadata.deletionTimestamp, undefined, 'still within the 300 s');
    await run(stack, ctl, 10);
    const web = await stack.client.get(podDescriptor, 'default', 'web').catch(() => undefined);
    assert.ok(!web || web.metadata.deletionTimestamp, 'evicted');
    if (web) assert.equal((web.status as any).conditions.find((c: any) => c.type === 'DisruptionTarget').reason, 'DeletionByTaintManager');
    assert.equal(stack.recorder.reasons('TaintManagerEviction')[0]?.message, 'Marking for deletion Pod default/web');
    assert.equal((await stack.client.get(podDescriptor, 'default', 'daemon')).metadata.deletionTimestamp, undefined);
    await heartbeat(stack, 'n2');
    await run(stack, ctl, 5);
    assert.equal((await node(stack, 'n2')).spec.taints, undefined);
  });

  it('computes eviction delays and condition taints', () => {
    const t = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }];
    assert.equal(evictionDelay(t, []), 0);
    assert.equal(evictionDelay(t, [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]), 300_000);
    assert.equal(evictionDelay(t, [{ operator: 'Exists' }]), undefined);
    assert.deepEqual(conditionTaints({ spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'DiskPressure', status: 'True' }] } }).map((x) => `${x.key}:${x.effect}`), [
      'node.kubernetes.io/not-ready:NoSchedule',
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
  });
});
