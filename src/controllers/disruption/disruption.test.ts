import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { daemonSetDescriptor } from '../../api/kinds/daemonset.js';
import { deploymentDescriptor } from '../../api/kinds/deployment.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { podDisruptionBudgetDescriptor } from '../../api/kinds/poddisruptionbudget.js';
import { replicaSetDescriptor } from '../../api/kinds/replicaset.js';
import { statefulSetDescriptor } from '../../api/kinds/statefulset.js';
import type { KubeObject } from '../../api/types.js';
import { rfc3339 } from '../../clock/clock.js';
import type { Resource } from '../../client/client.js';
import { driverPerTest, makeReady, podTemplate, type TestStack } from '../runtime/testkit.js';
import { disruptionController } from './index.js';
import { expectedCount, goLabelSelector, scaledValue } from './budget.js';

const NS = 'default';
const start = driverPerTest(disruptionController);

function ownerRef(kind: string, obj: KubeObject) {
  const apiVersion = kind === 'ReplicationController' ? 'v1' : 'apps/v1';
  return { apiVersion, kind, name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

async function workload(stack: TestStack, d: Resource, kind: string, name: string, replicas: number, owner?: KubeObject): Promise<KubeObject> {
  const labels = { app: 'web' };
  const spec: Record<string, unknown> = { replicas, selector: { matchLabels: labels }, template: podTemplate(labels) };
  if (kind === 'StatefulSet') spec.serviceName = name;
  const metadata: Record<string, unknown> = { name };
  if (owner) metadata.ownerReferences = [ownerRef('Deployment', owner)];
  return stack.client.create(d, NS, { apiVersion: 'apps/v1', kind, metadata, spec } as KubeObject);
}

async function pod(stack: TestStack, name: string, opts: { owner?: { kind: string; obj: KubeObject }; ready?: boolean } = {}): Promise<KubeObject> {
  const metadata: Record<string, unknown> = { name, labels: { app: 'web' } };
  if (opts.owner) metadata.ownerReferences = [ownerRef(opts.owner.kind, opts.owner.obj)];
  const p = await stack.client.create(podDescriptor, NS, { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } as KubeObject);
  return makeReady(stack.client, p, { ready: opts.ready ?? true });
}

async function budget(stack: TestStack, spec: Record<string, unknown>, name = 'web-pdb'): Promise<KubeObject> {
  return stack.client.create(podDisruptionBudgetDescriptor, NS, {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name },
    spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  } as KubeObject);
}

async function status(stack: TestStack, name = 'web-pdb'): Promise<Record<string, any>> {
  return ((await stack.client.get(podDisruptionBudgetDescriptor, NS, name)).status ?? {}) as Record<string, any>;
}

/** A Deployment of `replicas` with its ReplicaSet and `ready` ready pods. */
async function deployment(stack: TestStack, replicas: number, ready = replicas): Promise<KubeObject[]> {
  const d = await workload(stack, deploymentDescriptor, 'Deployment', 'web', replicas);
  const rs = await workload(stack, replicaSetDescriptor, 'ReplicaSet', 'web-abc', replicas, d);
  const pods: KubeObject[] = [];
  for (let i = 0; i < replicas; i++) pods.push(await pod(stack, `web-abc-${i}`, { owner: { kind: 'ReplicaSet', obj: rs }, ready: i < ready }));
  return pods;
}

describe('budget arithmetic', () => {
  it('scales percentages rounding up, and refuses strings that are not percentages', () => {
    assert.equal(scaledValue('50%', 3, true), 2);
    assert.equal(scaledValue('34%', 3, true), 2);
    assert.equal(scaledValue('0%', 3, true), 0);
    assert.equal(scaledValue(2, 3, true), 2);
    assert.throws(() => scaledValue('2', 3, true), /string is not a percentage/);
  });

  it('an integer minAvailable expects the pods found, without asking controllers', () => {
    const pdb = { metadata: {}, spec: { minAvailable: 2 } } as KubeObject;
    const pods = [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }] as KubeObject[];
    assert.deepEqual(expectedCount(pdb, pods, () => assert.fail('no scale lookup')), { expected: 2, unmanaged: [], desiredHealthy: 2 });
  });

  it('prints the selector as Go does', () => {
    assert.equal(goLabelSelector({ matchLabels: { b: '2', a: '1' } }), '&LabelSelector{MatchLabels:map[string]string{a: 1,b: 2,},MatchExpressions:[]LabelSelectorRequirement{},}');
    assert.equal(
      goLabelSelector({ matchExpressions: [{ key: 'app', operator: 'In', values: ['x', 'y'] }] }),
      '&LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:app,Operator:In,Values:[x y],},},}',
    );
  });
});

describe('disruption controller', () => {
  it('weighs a percentage against the Deployment behind the ReplicaSet', async () => {
    const { stack, driver } = await start();
    await deployment(stack, 3);
    await budget(stack, { minAvailable: '50%' });
    await driver.drain();
    const s = await status(stack);
    assert.equal(s.expectedPods, 3);
    assert.equal(s.desiredHealthy, 2);
    assert.equal(s.currentHealthy, 3);
    assert.equal(s.disruptionsAllowed, 1);
    assert.equal(s.observedGeneration, 1);
    assert.deepEqual(
      s.conditions.map((c: any) => [c.type, c.status, c.reason, c.message, c.observedGeneration]),
      [['DisruptionAllowed', 'True', 'SufficientPods', '', 1]],
    );
  });

  it('closes the budget when minAvailable equals the healthy pods, and reopens when it is relaxed', async () => {
    const { stack, driver } = await start();
    await deployment(stack, 3);
    await budget(stack, { minAvailable: 3 });
    await driver.drain();
    let s = await status(stack);
    assert.deepEqual([s.expectedPods, s.desiredHealthy, s.currentHealthy, s.disruptionsAllowed], [3, 3, 3, 0]);
    assert.equal(s.conditions[0].reason, 'InsufficientPods');
    assert.equal(s.conditions[0].status, 'False');
    const firstTransition = s.conditions[0].lastTransitionTime;

    stack.clock.advance(5000);
    await stack.client.patch(podDisruptionBudgetDescriptor, NS, 'web-pdb', 'merge', { spec: { minAvailable: 2 } });
    await driver.drain();
    s = await status(stack);
    assert.deepEqual([s.observedGeneration, s.desiredHealthy, s.disruptionsAllowed], [2, 2, 1]);
    assert.equal(s.conditions[0].reason, 'SufficientPods');
    assert.notEqual(s.conditions[0].lastTransitionTime, firstTransition);
  });

  it('counts only ready pods as healthy and follows pod changes', async () => {
    const { stack, driver } = await start();
    const pods = await deployment(stack, 3, 2);
    await budget(stack, { maxUnavailable: 1 });
    await driver.drain();
    let s = await status(stack);
    assert.deepEqual([s.expectedPods, s.desiredHealthy, s.currentHealthy, s.disruptionsAllowed], [3, 2, 2, 0]);
    await makeReady(stack.client, await stack.client.get(podDescriptor, NS, pods[2]!.metadata.name!));
    await driver.drain();
    s = await status(stack);
    assert.deepEqual([s.currentHealthy, s.disruptionsAllowed], [3, 1]);
  });

  it('uses the scale of a StatefulSet', async () => {
    const { stack, driver } = await start();
    const ss = await workload(stack, statefulSetDescriptor, 'StatefulSet', 'web', 4);
    for (let i = 0; i < 2; i++) await pod(stack, `web-${i}`, { owner: { kind: 'StatefulSet', obj: ss } });
    await budget(stack, { maxUnavailable: '25%' });
    await driver.drain();
    const s = await status(stack);
    assert.deepEqual([s.expectedPods, s.desiredHealthy, s.currentHealthy, s.disruptionsAllowed], [4, 3, 2, 0]);
  });

  it('warns about unmanaged pods under a percentage budget and allows nothing', async () => {
    const { stack, driver } = await start();
    await pod(stack, 'loose-1');
    await pod(stack, 'loose-2');
    await budget(stack, { maxUnavailable: '50%' });
    await driver.drain();
    const s = await status(stack);
    assert.deepEqual([s.expectedPods, s.desiredHealthy, s.currentHealthy, s.disruptionsAllowed], [0, 0, 2, 0]);
    const ev = stack.recorder.reasons('UnmanagedPods');
    assert.ok(ev.length > 0);
    assert.match(ev[0]!.message, /selector: &LabelSelector\{MatchLabels:map\[string\]string\{app: web,\}/);
  });

  it('reports a pod whose controller has no scale as SyncFailed', async () => {
    const { stack, driver } = await start();
    const ds = await stack.client.create(daemonSetDescriptor, NS, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: podTemplate({ app: 'web' }) },
    } as KubeObject);
    await pod(stack, 'agent-x', { owner: { kind: 'DaemonSet', obj: ds } });
    await budget(stack, { minAvailable: '50%' });
    await driver.drain();
    const s = await status(stack);
    assert.equal(s.disruptionsAllowed, 0);
    assert.equal(s.conditions[0].reason, 'SyncFailed');
    assert.equal(s.conditions[0].message, 'daemonsets.apps does not implement the scale subresource');
    assert.equal(stack.recorder.reasons('CalculateExpectedPodCountFailed')[0]?.message, 'Failed to calculate the number of expected pods: daemonsets.apps does not implement the scale subresource');
  });

  it('does not count pods whose eviction was approved, until the deletion timeout passes', async () => {
    const { stack, driver } = await start();
    await deployment(stack, 3);
    await budget(stack, { minAvailable: 1 });
    await driver.drain();
    // What the eviction subresource writes when it approves an eviction.
    const pdb = await stack.client.get(podDisruptionBudgetDescriptor, NS, 'web-pdb');
    const approved = rfc3339(stack.clock.now());
    await stack.client.update(
      podDisruptionBudgetDescriptor,
      NS,
      { ...pdb, status: { ...(pdb.status as object), disruptionsAllowed: 1, disruptedPods: { 'web-abc-0': approved } } },
      { subresource: 'status' },
    );
    await driver.drain();
    let s = await status(stack);
    assert.deepEqual(s.disruptedPods, { 'web-abc-0': approved });
    assert.deepEqual([s.currentHealthy, s.disruptionsAllowed], [2, 1]);
    // The recheck comes when the entry expires.
    const result = await driver.sync(`${NS}/web-pdb`);
    assert.deepEqual(result, { requeueAfter: 120_000 });

    stack.clock.advance(120_001);
    await driver.drain();
    s = await status(stack);
    assert.equal(s.disruptedPods, undefined);
    assert.deepEqual([s.currentHealthy, s.disruptionsAllowed], [3, 2]);
    const ev = stack.recorder.reasons('NotDeleted');
    assert.equal(ev[0]?.name, 'web-abc-0');
    assert.equal(ev[0]?.message, "Pod was expected by PDB default/default to be deleted but it wasn't");
  });

  it('drops the entry of an approved pod once it is terminating', async () => {
    const { stack, driver } = await start();
    await deployment(stack, 2);
    await budget(stack, { minAvailable: 1 });
    await driver.drain();
    const pdb = await stack.client.get(podDisruptionBudgetDescriptor, NS, 'web-pdb');
    await stack.client.update(
      podDisruptionBudgetDescriptor,
      NS,
      { ...pdb, status: { ...(pdb.status as object), disruptionsAllowed: 0, disruptedPods: { 'web-abc-0': rfc3339(stack.clock.now()) } } },
      { subresource: 'status' },
    );
    await stack.client.delete(podDescriptor, NS, 'web-abc-0');
    await driver.drain();
    const s = await status(stack);
    assert.equal(s.disruptedPods, undefined);
    assert.deepEqual([s.expectedPods, s.currentHealthy, s.disruptionsAllowed], [1, 1, 0]);
  });

  it('leaves an up-to-date status alone', async () => {
    const { stack, driver } = await start();
    await deployment(stack, 2);
    await budget(stack, { minAvailable: 1 });
    await driver.drain();
    const rv = (await stack.client.get(podDisruptionBudgetDescriptor, NS, 'web-pdb')).metadata.resourceVersion;
    await driver.sync(`${NS}/web-pdb`);
    assert.equal((await stack.client.get(podDisruptionBudgetDescriptor, NS, 'web-pdb')).metadata.resourceVersion, rv);
  });

  it('an empty selector selects every pod of the namespace', async () => {
    const { stack, driver } = await start();
    await pod(stack, 'a');
    await pod(stack, 'b');
    await budget(stack, { minAvailable: 1, selector: {} });
    await driver.drain();
    const s = await status(stack);
    assert.deepEqual([s.expectedPods, s.currentHealthy, s.disruptionsAllowed], [2, 2, 1]);
    assert.ok(stack.recorder.reasons('NoPods').length === 0);
  });
});
