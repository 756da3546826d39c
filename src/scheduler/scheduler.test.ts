import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { nodeDescriptor } from '../api/kinds/node.js';
import { podDescriptor } from '../api/kinds/pod.js';
import type { KubeObject } from '../api/types.js';
import { Scheduler } from './scheduler.js';
import { node, pod, stack } from './test-util.js';

type Stack = ReturnType<typeof stack>;
let current: Stack | undefined;

afterEach(async () => {
  await current?.scheduler.stop();
  current?.informers.stop();
  current = undefined;
});

async function cluster(nodes: KubeObject[], opts: Parameters<typeof stack>[0] = {}): Promise<Stack> {
  const s = stack(opts);
  current = s;
  for (const n of nodes) await s.client.create(nodeDescriptor, undefined, n);
  return s;
}

async function create(s: Stack, p: KubeObject): Promise<void> {
  await s.client.create(podDescriptor, p.metadata.namespace, p);
}

async function get(s: Stack, name: string): Promise<any> {
  return s.client.get(podDescriptor, 'default', name);
}

const scheduledCondition = (p: any) => p.status?.conditions?.find((c: any) => c.type === 'PodScheduled');

describe('Scheduler', () => {
  it('binds pending pods, spreading them, and records Scheduled events', async () => {
    const s = await cluster([node('n1'), node('n2'), node('n3')]);
    for (let i = 0; i < 6; i++) await create(s, pod(`web-${i}`, { cpu: '100m', memory: '64Mi' }));
    await s.scheduler.start();
    await s.scheduler.idle();
    const perNode = new Map<string, number>();
    for (let i = 0; i < 6; i++) {
      const p = await get(s, `web-${i}`);
      perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
      assert.equal(scheduledCondition(p)?.status, 'True');
      const [ev] = s.recorder.about(`web-${i}`);
      assert.equal(ev?.type, 'Normal');
      assert.equal(ev?.reason, 'Scheduled');
      assert.equal(ev?.message, `Successfully assigned default/web-${i} to ${p.spec.nodeName}`);
    }
    assert.deepEqual([...perNode.entries()].sort(), [['n1', 2], ['n2', 2], ['n3', 2]]);
  });

  it('marks an unschedulable pod and retries it, after its backoff, when a node is added', async () => {
    const s = await cluster([node('small', { cpu: '1' })]);
    await create(s, pod('big', { cpu: '2' }));
    await s.scheduler.start();
    await s.scheduler.idle();
    const msg = '0/1 nodes are available: 1 Insufficient cpu. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
    let p = await get(s, 'big');
    assert.equal(p.spec.nodeName, undefined);
    assert.deepEqual(scheduledCondition(p), { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: msg, lastTransitionTime: '2026-01-01T00:00:00Z' });
    assert.deepEqual(s.recorder.about('big').map((e) => [e.type, e.reason, e.message]), [['Warning', 'FailedScheduling', msg]]);
    assert.equal(s.scheduler.queue.stats().unschedulable, 1);

    await s.client.create(nodeDescriptor, undefined, node('large', { cpu: '4' }));
    await s.scheduler.idle();
    assert.equal((await get(s, 'big')).spec.nodeName, undefined, 'still backing off');
    assert.equal(s.scheduler.queue.stats().backoff, 1);
    s.clock.advance(1000);
    await s.scheduler.idle();
    p = await get(s, 'big');
    assert.equal(p.spec.nodeName, 'large');
    assert.equal(scheduledCondition(p)?.status, 'True');
  });

  it('retries when a pod leaves the node, not when a node only reports a heartbeat', async () => {
    const s = await cluster([node('n1', { pods: '1' })]);
    await create(s, pod('first'));
    await s.scheduler.start();
    await s.scheduler.idle();
    await create(s, pod('second'));
    await s.scheduler.idle();
    assert.match(scheduledCondition(await get(s, 'second'))?.message, /^0\/1 nodes are available: 1 Too many pods\. /);

    const n = await s.client.get(nodeDescriptor, undefined, 'n1');
    await s.client.update(nodeDescriptor, undefined, { ...n, status: { ...(n.status as object), conditions: [{ type: 'Ready', status: 'True' }] } }, { subresource: 'status' });
    s.clock.advance(60_000);
    await s.scheduler.idle();
    assert.equal(s.scheduler.queue.stats().unschedulable, 1, 'a heartbeat changes nothing the filters look at');

    await s.client.delete(podDescriptor, 'default', 'first', { gracePeriodSeconds: 0 });
    await s.scheduler.idle();
    assert.equal((await get(s, 'second')).spec.nodeName, 'n1', 'the backoff was long over, so it went straight back');
  });

  it('retries a pod on a cordoned node once the node is uncordoned', async () => {
    const s = await cluster([node('n1', { unschedulable: true })]);
    await create(s, pod('p'));
    await s.scheduler.start();
    await s.scheduler.idle();
    assert.match(scheduledCondition(await get(s, 'p'))?.message, /1 node\(s\) were unschedulable\./);
    await s.client.patch(nodeDescriptor, undefined, 'n1', 'merge', { spec: { unschedulable: false } });
    s.clock.advance(1000);
    await s.scheduler.idle();
    assert.equal((await get(s, 'p')).spec.nodeName, 'n1');
  });

  it('takes pods in priority order', async () => {
    const s = await cluster([node('n1', { pods: '1' })]);
    await create(s, pod('ordinary'));
    await create(s, pod('critical', { spec: { priorityClassName: 'system-cluster-critical' } }));
    await s.scheduler.start();
    await s.scheduler.idle();
    assert.equal((await get(s, 'critical')).spec.nodeName, 'n1');
    assert.equal((await get(s, 'ordinary')).spec.nodeName, undefined);
  });

  it("leaves other schedulers' pods alone and counts pods bound by nodeName", async () => {
    const s = await cluster([node('n1', { pods: '2' })]);
    await create(s, pod('pinned', { spec: { nodeName: 'n1' } }));
    await create(s, pod('other', { spec: { schedulerName: 'my-scheduler' } }));
    await create(s, pod('a'));
    await create(s, pod('b'));
    await s.scheduler.start();
    await s.scheduler.idle();
    assert.equal((await get(s, 'other')).spec.nodeName, undefined);
    assert.equal(s.recorder.about('other').length, 0);
    const bound = [(await get(s, 'a')).spec.nodeName, (await get(s, 'b')).spec.nodeName];
    assert.deepEqual(bound.filter(Boolean).length, 1, 'one slot was already taken by the pinned pod');
  });

  it('holds gated pods until their gates are removed', async () => {
    const s = await cluster([node('n1')]);
    await create(s, pod('gated', { spec: { schedulingGates: [{ name: 'example.com/wait' }] } }));
    await s.scheduler.start();
    await s.scheduler.idle();
    assert.equal((await get(s, 'gated')).spec.nodeName, undefined);
    assert.equal(s.scheduler.queue.stats().gated, 1);
    await s.client.patch(podDescriptor, 'default', 'gated', 'merge', { spec: { schedulingGates: null } });
    await s.scheduler.idle();
    assert.equal((await get(s, 'gated')).spec.nodeName, 'n1');
  });

  it('retries an unschedulable pod after five minutes even without an event', async () => {
    const s = await cluster([node('n1', { cpu: '1' })]);
    await create(s, pod('p', { cpu: '2' }));
    await s.scheduler.start();
    await s.scheduler.idle();
    s.clock.advance(5 * 60_000 - 1);
    await s.scheduler.idle();
    assert.equal(s.recorder.about('p').length, 1);
    s.clock.advance(1);
    await s.scheduler.idle();
    assert.equal(s.recorder.about('p').length, 2);
    assert.equal(s.scheduler.queue.stats().unschedulable, 1);
  });

  it('forgets the assumed pod and retries after the backoff when the binding fails', async () => {
    const s = await cluster([node('n1', { pods: '1' })]);
    let failures = 1;
    const client = Object.create(s.client) as typeof s.client;
    client.createSubresource = async (...args) => {
      if (failures-- > 0) throw new Error('etcdserver: request timed out');
      return s.client.createSubresource(...args);
    };
    const scheduler = new Scheduler({ client, informers: s.informers, clock: s.clock, recorder: s.recorder });
    current = { ...s, scheduler };
    await create(s, pod('p'));
    await scheduler.start();
    await scheduler.idle();
    const msg = 'binding rejected: running Bind plugin "DefaultBinder": etcdserver: request timed out';
    assert.deepEqual(s.recorder.about('p').map((e) => e.message), [msg]);
    assert.equal(scheduledCondition(await get(s, 'p'))?.reason, 'SchedulerError');
    assert.equal(scheduler.cache.node('n1')?.podCount, 0, 'the room it was assumed to take is free again');
    s.clock.advance(1000);
    await scheduler.idle();
    assert.equal((await get(s, 'p')).spec.nodeName, 'n1');
  });

  it('backs off 1 s doubling to 10 s', () => {
    const s = stack();
    current = s;
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => s.scheduler.queue.backoffMs(n)), [1000, 2000, 4000, 8000, 10000, 10000]);
  });
});
