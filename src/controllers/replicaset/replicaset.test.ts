import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { errors } from '../../api/errors.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { replicaSetDescriptor } from '../../api/kinds/replicaset.js';
import { replicationControllerDescriptor } from '../../api/kinds/replicationcontroller.js';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import { createStack, Driver, LaggingClient, makeReady, podTemplate, settle, type TestStack } from '../runtime/testkit.js';
import { replicaSetController, replicationControllerController } from './index.js';

const NS = 'default';
let drivers: Driver[] = [];

afterEach(() => {
  for (const d of drivers) d.stop();
  drivers = [];
});

async function start(opts: { client?: (c: Client) => Client; rc?: boolean } = {}): Promise<{ stack: TestStack; driver: Driver }> {
  const stack = createStack();
  const def = opts.rc ? replicationControllerController() : replicaSetController();
  const driver = new Driver(stack, def, opts.client ? opts.client(stack.client) : stack.client);
  drivers.push(driver);
  await driver.start();
  return { stack, driver };
}

function rs(name: string, replicas: number, extra: { minReadySeconds?: number; labels?: Record<string, string> } = {}): KubeObject {
  const labels = extra.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: {
      replicas,
      ...(extra.minReadySeconds ? { minReadySeconds: extra.minReadySeconds } : {}),
      selector: { matchLabels: { app: labels.app } },
      template: podTemplate(labels),
    },
  };
}

async function createRS(stack: TestStack, obj: KubeObject): Promise<KubeObject> {
  return stack.client.create(replicaSetDescriptor, NS, obj);
}

async function scale(stack: TestStack, name: string, replicas: number): Promise<void> {
  await stack.client.patch(replicaSetDescriptor, NS, name, 'merge', { spec: { replicas } });
}

async function pods(stack: TestStack): Promise<KubeObject[]> {
  return (await stack.client.list(podDescriptor, NS)).items;
}

async function livePods(stack: TestStack): Promise<KubeObject[]> {
  return (await pods(stack)).filter((p) => !p.metadata.deletionTimestamp);
}

async function getRS(stack: TestStack, name: string): Promise<KubeObject> {
  return stack.client.get(replicaSetDescriptor, NS, name);
}

function status(obj: KubeObject): Record<string, any> {
  return (obj.status ?? {}) as Record<string, any>;
}

function barePod(name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
}

/** Wraps a client so every create goes through `hook` first (which may throw). */
function interceptCreates(hook: (obj: KubeObject, n: number) => Promise<void> | void): (c: Client) => Client {
  return (inner) => {
    const c = new LaggingClient(inner);
    let n = 0;
    c.create = async (r, ns, obj, o) => {
      if (r.kind === 'Pod') await hook(obj, n++);
      return inner.create(r, ns, obj, o);
    };
    return c;
  };
}

describe('ReplicaSet controller', () => {
  it('creates the missing pods with generated names, template labels and a controller reference', async () => {
    const { stack, driver } = await start();
    const owner = await createRS(stack, rs('web', 3));
    await driver.drain();
    const got = await pods(stack);
    assert.equal(got.length, 3);
    for (const p of got) {
      assert.match(p.metadata.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.equal(p.metadata.generateName, 'web-');
      assert.deepEqual(p.metadata.labels, { app: 'web' });
      assert.deepEqual(p.metadata.ownerReferences, [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    const created = stack.recorder.reasons('SuccessfulCreate');
    assert.equal(created.length, 3);
    assert.deepEqual(created.map((e) => e.message).sort(), got.map((p) => `Created pod: ${p.metadata.name}`).sort());
    assert.ok(created.every((e) => e.kind === 'ReplicaSet' && e.name === 'web' && e.type === 'Normal'));
    const st = status(await getRS(stack, 'web'));
    assert.equal(st.replicas, 3);
    assert.equal(st.fullyLabeledReplicas, 3);
    assert.equal(st.observedGeneration, 1);
    assert.equal(st.readyReplicas, undefined);
  });

  it('creates in slow-start batches of 1, 2, 4, 3 for 10 replicas', async () => {
    const batches: number[] = [];
    let inFlight = 0;
    const { stack, driver } = await start({
      client: interceptCreates(async () => {
        if (inFlight++ === 0) batches.push(0);
        batches[batches.length - 1]!++;
        await new Promise<void>((r) => setImmediate(r));
        inFlight--;
      }),
    });
    await createRS(stack, rs('web', 10));
    await driver.drain();
    assert.deepEqual(batches, [1, 2, 4, 3]);
    assert.equal((await pods(stack)).length, 10);
  });

  it('creates at most 500 pods in one sync', async () => {
    const { stack, driver } = await start();
    await createRS(stack, rs('big', 600));
    await settle();
    await driver.sync(`${NS}/big`);
    assert.equal((await pods(stack)).length, 500);
    await driver.drain();
    assert.equal((await pods(stack)).length, 600);
  });

  it('does not create twice while its informer has not yet seen its creates', async () => {
    const { stack, driver } = await start();
    await createRS(stack, rs('web', 3));
    await settle();
    stack.watchClient.pause();
    await driver.sync(`${NS}/web`);
    assert.equal((await pods(stack)).length, 3);
    // The cache still shows no pods; only expectations stop a second round of creates.
    await driver.sync(`${NS}/web`);
    await driver.sync(`${NS}/web`);
    assert.equal((await pods(stack)).length, 3);
    stack.watchClient.resume();
    await driver.drain();
    assert.equal((await pods(stack)).length, 3);
    assert.equal(status(await getRS(stack, 'web')).replicas, 3);
  });

  it('acts again once expectations expire (5 minutes) even if the events never arrive', async () => {
    const { stack, driver } = await start();
    await createRS(stack, rs('web', 2));
    await settle();
    stack.watchClient.pause();
    await driver.sync(`${NS}/web`);
    stack.clock.advance(5 * 60 * 1000 + 1);
    await driver.sync(`${NS}/web`);
    // The cache is blind, so the controller recreates: kube's behaviour when a watch loses events for 5 minutes.
    assert.equal((await pods(stack)).length, 4);
  });

  it('deletes the surplus by ranking: unscheduled, then not ready, then lower deletion cost', async () => {
    const { stack, driver } = await start();
    await createRS(stack, rs('web', 4));
    await driver.drain();
    const [a, b, c, d] = (await pods(stack)).sort((x, y) => (x.metadata.name! < y.metadata.name! ? -1 : 1)) as [KubeObject, KubeObject, KubeObject, KubeObject];
    // a stays unscheduled; b is scheduled but not ready; c and d are ready, c is cheaper to lose.
    await makeReady(stack.client, b, { node: 'node-1', ready: false });
    await makeReady(stack.client, c, { node: 'node-2' });
    await makeReady(stack.client, d, { node: 'node-3' });
    await stack.client.patch(podDescriptor, NS, c.metadata.name!, 'merge', { metadata: { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '-100' } } });
    await driver.drain();

    const deletedAfter = async (replicas: number) => {
      await scale(stack, 'web', replicas);
      await driver.drain();
      return stack.recorder.reasons('SuccessfulDelete').map((e) => e.message);
    };
    assert.deepEqual(await deletedAfter(3), [`Deleted pod: ${a.metadata.name}`]);
    assert.deepEqual((await deletedAfter(2)).slice(1), [`Deleted pod: ${b.metadata.name}`]);
    assert.deepEqual((await deletedAfter(1)).slice(2), [`Deleted pod: ${c.metadata.name}`]);
    const live = await livePods(stack);
    assert.deepEqual(
      live.map((p) => p.metadata.name),
      [d.metadata.name],
    );
    assert.equal(status(await getRS(stack, 'web')).replicas, 1);
  });

  it('prefers pods doubled up on a node when its siblings share a controller', async () => {
    const { stack, driver } = await start();
    const owner = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'dep', uid: 'dep-uid', controller: true, blockOwnerDeletion: true };
    const one = rs('web-1', 2, { labels: { app: 'web', v: '1' } });
    (one.spec as any).selector.matchLabels.v = '1';
    one.metadata.ownerReferences = [owner];
    const two = rs('web-2', 1, { labels: { app: 'web', v: '2' } });
    (two.spec as any).selector.matchLabels.v = '2';
    two.metadata.ownerReferences = [owner];
    await createRS(stack, one);
    await createRS(stack, two);
    await driver.drain();
    const all = await pods(stack);
    const ofOne = all.filter((p) => p.metadata.labels?.v === '1');
    const ofTwo = all.filter((p) => p.metadata.labels?.v === '2');
    // web-1's pods: x alone on node-a, y on node-b together with web-2's pod.
    await makeReady(stack.client, ofOne[0]!, { node: 'node-a' });
    await makeReady(stack.client, ofOne[1]!, { node: 'node-b' });
    await makeReady(stack.client, ofTwo[0]!, { node: 'node-b' });
    await driver.drain();
    await scale(stack, 'web-1', 1);
    await driver.drain();
    assert.deepEqual(
      stack.recorder.reasons('SuccessfulDelete').map((e) => e.message),
      [`Deleted pod: ${ofOne[1]!.metadata.name}`],
    );
  });

  it('adopts matching orphans and deletes the surplus', async () => {
    const { stack, driver } = await start();
    await stack.client.create(podDescriptor, NS, barePod('early', { app: 'web' }));
    const owner = await createRS(stack, rs('web', 2));
    await driver.drain();
    let all = await pods(stack);
    assert.equal(all.length, 2);
    const early = all.find((p) => p.metadata.name === 'early')!;
    assert.equal(early.metadata.ownerReferences?.[0]?.uid, owner.metadata.uid);
    assert.equal(stack.recorder.reasons('SuccessfulCreate').length, 1);

    await stack.client.create(podDescriptor, NS, barePod('late', { app: 'web' }));
    await driver.drain();
    all = await livePods(stack);
    assert.equal(all.length, 2);
    assert.equal(stack.recorder.reasons('SuccessfulDelete').length, 1);
    assert.ok(all.every((p) => p.metadata.ownerReferences?.[0]?.uid === owner.metadata.uid));
    assert.equal(status(await getRS(stack, 'web')).replicas, 2);
  });

  it('leaves pods controlled by someone else alone', async () => {
    const { stack, driver } = await start();
    const foreign = barePod('foreign', { app: 'web' });
    foreign.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'other', uid: 'other-uid', controller: true }];
    await stack.client.create(podDescriptor, NS, foreign);
    await createRS(stack, rs('web', 1));
    await driver.drain();
    const got = await stack.client.get(podDescriptor, NS, 'foreign');
    assert.equal(got.metadata.ownerReferences?.[0]?.uid, 'other-uid');
    assert.equal((await pods(stack)).length, 2);
  });

  it('releases a pod whose labels stop matching (kubectl label pod x app-) and replaces it', async () => {
    const { stack, driver } = await start();
    await createRS(stack, rs('web', 2));
    await driver.drain();
    const victim = (await pods(stack))[0]!;
    await stack.client.patch(podDescriptor, NS, victim.metadata.name!, 'merge', { metadata: { labels: { app: null } } });
    await driver.drain();
    const released = await stack.client.get(podDescriptor, NS, victim.metadata.name!);
    assert.deepEqual(released.metadata.ownerReferences ?? [], []);
    assert.equal(released.metadata.deletionTimestamp, undefined);
    const all = await pods(stack);
    assert.equal(all.length, 3);
    assert.equal(all.filter((p) => p.metadata.ownerReferences?.length).length, 2);
    assert.equal(status(await getRS(stack, 'web')).replicas, 2);
  });

  it('does not count Failed pods, does not delete them, and replaces them', async () => {
    const { stack, driver } = await start();
    await createRS(stack, rs('web', 2));
    await driver.drain();
    const victim = (await pods(stack))[0]!;
    await stack.client.update(podDescriptor, NS, { ...victim, status: { ...(victim.status as object), phase: 'Failed', reason: 'Evicted' } }, { subresource: 'status' });
    await driver.drain();
    const all = await pods(stack);
    assert.equal(all.length, 3);
    assert.equal((await stack.client.get(podDescriptor, NS, victim.metadata.name!)).metadata.deletionTimestamp, undefined);
    assert.equal(status(await getRS(stack, 'web')).replicas, 2);
  });

  it('replaces a terminating pod at once and never counts it', async () => {
    const { stack, driver } = await start();
    await createRS(stack, rs('web', 1));
    await driver.drain();
    const first = (await pods(stack))[0]!;
    await makeReady(stack.client, first, { node: 'node-1' });
    await driver.drain();
    await stack.client.delete(podDescriptor, NS, first.metadata.name!);
    assert.ok((await stack.client.get(podDescriptor, NS, first.metadata.name!)).metadata.deletionTimestamp);
    await driver.drain();
    assert.equal((await livePods(stack)).length, 1);
    assert.equal((await pods(stack)).length, 2);
    const st = status(await getRS(stack, 'web'));
    assert.equal(st.replicas, 1);
    assert.equal(st.readyReplicas, undefined);
  });

  it('reports ready and available replicas, waiting minReadySeconds for availability', async () => {
    const { stack, driver } = await start();
    await createRS(stack, rs('web', 2, { minReadySeconds: 10 }));
    await driver.drain();
    for (const p of await pods(stack)) await makeReady(stack.client, p, { node: 'n1', readySince: stack.clock.now() });
    await driver.drain();
    let st = status(await getRS(stack, 'web'));
    assert.equal(st.readyReplicas, 2);
    assert.equal(st.availableReplicas, undefined);
    assert.equal(await driver.sync(`${NS}/web`).then((r) => r?.requeueAfter), 10_000);
    stack.clock.advance(11_000);
    await driver.drain();
    st = status(await getRS(stack, 'web'));
    assert.equal(st.availableReplicas, 2);
    assert.equal(st.replicas, 2);
  });

  it('counts fully labelled replicas against the template labels', async () => {
    const { stack, driver } = await start();
    await stack.client.create(podDescriptor, NS, barePod('partial', { app: 'web' }));
    await createRS(stack, rs('web', 2, { labels: { app: 'web', tier: 'front' } }));
    await driver.drain();
    const st = status(await getRS(stack, 'web'));
    assert.equal(st.replicas, 2);
    assert.equal(st.fullyLabeledReplicas, 1);
  });

  it('stops at the first failing batch, reports FailedCreate and the ReplicaFailure condition, and clears it later', async () => {
    let quotaLeft = 2;
    let calls = 0;
    const { stack, driver } = await start({
      client: interceptCreates((obj) => {
        calls++;
        if (quotaLeft-- <= 0) {
          throw errors.forbidden(podDescriptor, obj.metadata.generateName ?? '', 'exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2');
        }
      }),
    });
    await createRS(stack, rs('web', 10));
    await settle();
    await assert.rejects(driver.sync(`${NS}/web`), /exceeded quota/);
    // Batch 1 (one create) succeeds; batch 2 has one success and one failure; the other 7 are skipped.
    assert.equal(calls, 3);
    assert.equal((await pods(stack)).length, 2);
    const failed = stack.recorder.reasons('FailedCreate');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.type, 'Warning');
    assert.equal(
      failed[0]!.message,
      'Error creating: pods "web-" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2',
    );
    let st = status(await getRS(stack, 'web'));
    assert.equal(st.replicas, 0);
    assert.deepEqual(
      st.conditions.map((c: any) => [c.type, c.status, c.reason, c.message]),
      [['ReplicaFailure', 'True', 'FailedCreate', 'pods "web-" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2']],
    );
    // Only the failed and the skipped creates were written off: the two real pods are still expected.
    await settle();
    await assert.rejects(driver.sync(`${NS}/web`), /exceeded quota/);
    assert.equal(calls, 4);
    assert.equal(stack.recorder.reasons('FailedCreate').length, 2);

    quotaLeft = 100;
    await driver.sync(`${NS}/web`);
    await driver.drain();
    assert.equal((await pods(stack)).length, 10);
    st = status(await getRS(stack, 'web'));
    assert.equal(st.conditions, undefined);
    assert.equal(st.replicas, 10);
  });

  it('ignores create errors of a terminating namespace (no event, no error)', async () => {
    const { stack, driver } = await start({
      client: interceptCreates(() => {
        throw errors.namespaceTerminating(podDescriptor, 'web-', NS);
      }),
    });
    await createRS(stack, rs('web', 3));
    await driver.drain();
    assert.deepEqual(driver.errors, []);
    assert.equal(stack.recorder.reasons('FailedCreate').length, 0);
    assert.equal(status(await getRS(stack, 'web')).conditions, undefined);
  });

  it('neither creates nor adopts while the ReplicaSet is being deleted', async () => {
    const { stack, driver } = await start();
    const obj = rs('web', 2);
    obj.metadata.finalizers = ['example.com/hold'];
    await createRS(stack, obj);
    await stack.client.create(podDescriptor, NS, barePod('orphan', { app: 'web' }));
    await stack.client.delete(replicaSetDescriptor, NS, 'web');
    await driver.drain();
    assert.equal((await pods(stack)).length, 1);
    assert.deepEqual((await stack.client.get(podDescriptor, NS, 'orphan')).metadata.ownerReferences ?? [], []);
  });
});

describe('ReplicationController controller', () => {
  it('defaults the selector from the template labels and manages pods under a v1 ReplicationController reference', async () => {
    const { stack, driver } = await start({ rc: true });
    assert.equal(driver.def.name, 'replication-controller');
    const rc = await stack.client.create(replicationControllerDescriptor, NS, {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'nginx' },
      spec: { replicas: 3, template: podTemplate({ app: 'nginx' }) },
    });
    assert.deepEqual((rc.spec as any).selector, { app: 'nginx' });
    await driver.drain();
    const got = await pods(stack);
    assert.equal(got.length, 3);
    for (const p of got) {
      assert.match(p.metadata.name ?? '', /^nginx-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata.ownerReferences, [
        { apiVersion: 'v1', kind: 'ReplicationController', name: 'nginx', uid: rc.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    assert.ok(stack.recorder.reasons('SuccessfulCreate').every((e) => e.kind === 'ReplicationController'));
    await stack.client.patch(replicationControllerDescriptor, NS, 'nginx', 'merge', { spec: { replicas: 1 } });
    await driver.drain();
    assert.equal((await livePods(stack)).length, 1);
    const st = status(await stack.client.get(replicationControllerDescriptor, NS, 'nginx'));
    assert.equal(st.replicas, 1);
    assert.equal(st.observedGeneration, 2);
  });
});
