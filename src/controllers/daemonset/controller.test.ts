import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { controllerRevisionDescriptor } from '../../api/kinds/controllerrevision.js';
import { daemonSetDescriptor } from '../../api/kinds/daemonset.js';
import { nodeDescriptor } from '../../api/kinds/node.js';
import type { KubeObject } from '../../api/types.js';
import { DecisionLog, decisionRecorder } from '../runtime/decisions.js';
import type { Driver, TestStack } from '../runtime/testkit.js';
import { getDS, livePods, NS, nodeObj, dsObj, podsOn, reapDeleting, scheduleAll, startDS } from './testing.js';

let drivers: Driver[] = [];
afterEach(() => {
  for (const d of drivers) d.stop();
  drivers = [];
});

async function setup(nodes: KubeObject[]): Promise<{ stack: TestStack; driver: Driver }> {
  const r = await startDS(nodes);
  drivers.push(r.driver);
  return r;
}

const three = () => [nodeObj('n1'), nodeObj('n2'), nodeObj('n3')];

async function converge(stack: TestStack, driver: Driver, rounds = 12): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await driver.drain();
    await scheduleAll(stack);
    await reapDeleting(stack);
    await driver.drain();
  }
}

describe('DaemonSet controller', () => {
  it('creates one pinned pod per node, with revision labels, tolerations and status', async () => {
    const { stack, driver } = await setup(three());
    await stack.client.create(daemonSetDescriptor, NS, dsObj('fluentd'));
    await driver.drain();
    const pods = await livePods(stack);
    assert.deepEqual(podsOn(pods), ['n1', 'n2', 'n3']);
    const p = pods[0]!;
    assert.equal((p.spec as any).nodeName, undefined);
    assert.match(p.metadata.name ?? '', /^fluentd-[a-z0-9]{5}$/);
    assert.equal(p.metadata.labels?.['pod-template-generation'], '1');
    assert.ok(p.metadata.labels?.['controller-revision-hash']);
    assert.equal((p.spec as any).tolerations.filter((t: any) => t.key === 'node.kubernetes.io/unreachable').length, 1);
    const revs = (await stack.client.list(controllerRevisionDescriptor, NS)).items;
    assert.equal(revs.length, 1);
    assert.equal(revs[0]!.metadata.name, `fluentd-${p.metadata.labels?.['controller-revision-hash']}`);
    assert.equal((revs[0] as any).revision, 1);
    assert.equal((revs[0]!.data as any).spec.template.$patch, 'replace');
    assert.equal(stack.recorder.reasons('SuccessfulCreate').length, 3);
    await converge(stack, driver);
    const st = (await getDS(stack, 'fluentd')).status as any;
    assert.deepEqual(
      [st.desiredNumberScheduled, st.currentNumberScheduled, st.numberReady, st.updatedNumberScheduled, st.numberAvailable, st.numberMisscheduled, st.observedGeneration],
      [3, 3, 3, 3, 3, 0, 1],
    );
  });

  it('follows nodes: added, deleted, relabelled, NoSchedule and NoExecute taints', async () => {
    const { stack, driver } = await setup(three());
    const ds = dsObj('d');
    await stack.client.create(daemonSetDescriptor, NS, ds);
    await converge(stack, driver);
    await stack.client.create(nodeDescriptor, undefined, nodeObj('n4'));
    await converge(stack, driver);
    assert.deepEqual(podsOn(await livePods(stack)), ['n1', 'n2', 'n3', 'n4']);
    // NoSchedule only: the pod stays and counts as misscheduled.
    await stack.client.patch(nodeDescriptor, undefined, 'n4', 'merge', { spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } });
    await converge(stack, driver);
    let st = (await getDS(stack, 'd')).status as any;
    assert.equal(st.desiredNumberScheduled, 3);
    assert.equal(st.numberMisscheduled, 1);
    // NoExecute: the pod goes.
    await stack.client.patch(nodeDescriptor, undefined, 'n4', 'merge', { spec: { taints: [{ key: 'k', effect: 'NoExecute' }] } });
    await converge(stack, driver);
    assert.deepEqual(podsOn(await livePods(stack)), ['n1', 'n2', 'n3']);
    st = (await getDS(stack, 'd')).status as any;
    assert.equal(st.numberMisscheduled, 0);
  });

  it('a nodeSelector change removes pods from nodes that no longer match', async () => {
    const { stack, driver } = await setup([nodeObj('n1', { labels: { role: 'log' } }), nodeObj('n2')]);
    await stack.client.create(daemonSetDescriptor, NS, dsObj('d'));
    await converge(stack, driver);
    await stack.client.patch(daemonSetDescriptor, NS, 'd', 'merge', { spec: { template: { spec: { nodeSelector: { role: 'log' } } } } });
    await converge(stack, driver);
    const pods = await livePods(stack);
    assert.deepEqual(podsOn(pods), ['n1']);
    assert.equal(pods[0]!.metadata.labels?.['pod-template-generation'], '2');
    const revs = (await stack.client.list(controllerRevisionDescriptor, NS)).items.map((r) => (r as any).revision).sort();
    assert.deepEqual(revs, [1, 2]);
  });

  it('rolls with maxUnavailable 1: never more than one node without an available pod', async () => {
    const { stack, driver } = await setup(three());
    await stack.client.create(daemonSetDescriptor, NS, dsObj('d'));
    await converge(stack, driver);
    await stack.client.patch(daemonSetDescriptor, NS, 'd', 'merge', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } });
    await driver.drain();
    const after1 = await livePods(stack);
    assert.equal(after1.length, 2, 'one old pod deleted first');
    await converge(stack, driver);
    const pods = await livePods(stack);
    assert.deepEqual(podsOn(pods), ['n1', 'n2', 'n3']);
    for (const p of pods) assert.equal((p.spec as any).containers[0].image, 'nginx:1.26');
    const st = (await getDS(stack, 'd')).status as any;
    assert.equal(st.updatedNumberScheduled, 3);
    assert.equal(st.observedGeneration, 2);
  });

  it('surges with maxSurge 1: the old pod goes only once the new one is available', async () => {
    const { stack, driver } = await setup([nodeObj('n1'), nodeObj('n2')]);
    await stack.client.create(daemonSetDescriptor, NS, dsObj('d', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    await converge(stack, driver);
    await stack.client.patch(daemonSetDescriptor, NS, 'd', 'merge', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } });
    await driver.drain();
    let pods = await livePods(stack);
    assert.equal(pods.length, 3, 'one node holds an old and a new pod');
    await scheduleAll(stack, { ready: false });
    await driver.drain();
    assert.equal((await livePods(stack)).length, 3, 'old pod kept while the new one is not ready');
    await converge(stack, driver);
    pods = await livePods(stack);
    assert.deepEqual(podsOn(pods), ['n1', 'n2']);
    for (const p of pods) assert.equal((p.spec as any).containers[0].image, 'nginx:1.26');
  });

  it('OnDelete leaves old pods until they are deleted', async () => {
    const { stack, driver } = await setup([nodeObj('n1'), nodeObj('n2')]);
    await stack.client.create(daemonSetDescriptor, NS, dsObj('d', { updateStrategy: { type: 'OnDelete' } }));
    await converge(stack, driver);
    await stack.client.patch(daemonSetDescriptor, NS, 'd', 'merge', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } });
    await converge(stack, driver);
    const pods = await livePods(stack);
    assert.ok(pods.every((p) => (p.spec as any).containers[0].image === 'nginx:1.25'));
    assert.equal(((await getDS(stack, 'd')).status as any).updatedNumberScheduled ?? 0, 0);
  });

  it('deletes failed daemon pods with a FailedDaemonPod warning', async () => {
    const { stack, driver } = await setup([nodeObj('n1')]);
    await stack.client.create(daemonSetDescriptor, NS, dsObj('d'));
    await converge(stack, driver);
    const [pod] = await livePods(stack);
    await stack.client.update(await import('../../api/kinds/pod.js').then((m) => m.podDescriptor), NS, { ...pod!, status: { ...(pod!.status as object), phase: 'Failed' } }, { subresource: 'status' });
    await converge(stack, driver);
    assert.equal(stack.recorder.reasons('FailedDaemonPod').length, 1);
    assert.match(stack.recorder.reasons('FailedDaemonPod')[0]!.message, /^Found failed daemon pod default\/d-\w+ on node n1, will try to kill it$/);
    const pods = await livePods(stack);
    assert.equal(pods.length, 1);
    assert.notEqual(pods[0]!.metadata.name, pod!.metadata.name);
  });

  it('warns and stops on a selector that selects everything', async () => {
    const { stack, driver } = await setup([nodeObj('n1')]);
    const ds = await stack.client.create(daemonSetDescriptor, NS, dsObj('d'));
    // Validation refuses an empty selector, so simulate one that slipped through in the cache copy.
    const cached = { ...ds, spec: { ...(ds.spec as object), selector: {} } } as KubeObject;
    (stack.informers.informer(daemonSetDescriptor) as any).getByKey = () => cached;
    await driver.sync('default/d');
    assert.equal(stack.recorder.reasons('SelectingAll').length, 1);
  });

  it('records its reasoning: missing pods, untolerated taints, rolling update arithmetic', async () => {
    const { stack, driver } = await setup([nodeObj('n1'), nodeObj('n2', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }), nodeObj('n3')]);
    const log = new DecisionLog();
    driver.ctx.decisions = decisionRecorder(log, 'daemonset-controller', () => stack.clock.now());
    await stack.client.create(daemonSetDescriptor, NS, dsObj('d'));
    await converge(stack, driver);
    const uid = (await getDS(stack, 'd')).metadata.uid ?? '';
    let w = log.get(uid).map((d) => d.message);
    assert.ok(w.includes('n2 untolerated taint dedicated=db:NoSchedule: not eligible'), w.join('\n'));
    assert.ok(w.includes('n1: daemon pod missing, creating; n3: daemon pod missing, creating'), w.join('\n'));
    await stack.client.patch(daemonSetDescriptor, NS, 'd', 'merge', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } });
    await driver.drain();
    w = log.get(uid).map((d) => d.message);
    assert.ok(w.some((m) => /^rolling update: 2 nodes want the daemon, maxUnavailable 1, 0 unavailable now: deleting old pod d-\w+ on n[13] to replace it$/.test(m)), w.join('\n'));
  });
});
