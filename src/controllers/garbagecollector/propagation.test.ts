import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Resource } from '../../client/client.js';
import { CM, configMap, find, type GcStack, idle, pod, POD, refTo, RS, startStack, stopStack, until } from './testutil.js';

const HOLD = 'example.com/hold';
const RC: Resource = { group: '', version: 'v1', plural: 'replicationcontrollers', kind: 'ReplicationController', namespaced: true };

async function release(s: GcStack, name: string): Promise<void> {
  await s.client.patch(CM, 'default', name, 'merge', { metadata: { finalizers: null } });
}

describe('garbage collector: orphan and foreground propagation', () => {
  let s: GcStack;
  before(async () => {
    s = await startStack();
  });
  after(() => stopStack(s));

  it('Orphan: dependents lose the reference and survive, then the owner goes', async () => {
    const rs = await s.client.create(RS, 'default', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'orphaner' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'o' } },
        template: { metadata: { labels: { app: 'o' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } },
      },
    });
    const other = await s.client.create(CM, 'default', configMap('orphan-other-owner'));
    await s.client.create(POD, 'default', pod('orphan-0', [refTo(rs, { controller: true, blockOwnerDeletion: true })]));
    await s.client.create(POD, 'default', pod('orphan-1', [refTo(rs, { controller: true, blockOwnerDeletion: true }), refTo(other)]));
    await idle(s, 500);
    const deleting = await s.client.delete(RS, 'default', 'orphaner', { propagationPolicy: 'Orphan' });
    assert.deepEqual(deleting?.metadata.finalizers, ['orphan']);
    await until(s, 'orphaner gone', async () => !(await find(s.client, RS, 'default', 'orphaner')));
    const p0 = await find(s.client, POD, 'default', 'orphan-0');
    const p1 = await find(s.client, POD, 'default', 'orphan-1');
    assert.ok(p0 && p1, 'pods survive an orphaning delete');
    assert.equal(p0.metadata.ownerReferences, undefined);
    assert.deepEqual(p1.metadata.ownerReferences?.map((r) => r.name), ['orphan-other-owner']);
    await idle(s);
    assert.ok(await find(s.client, POD, 'default', 'orphan-0'), 'an orphan is not collected later either');
  });

  it('Foreground: the owner stays, with its finalizer, until blocking dependents are gone', async () => {
    const owner = await s.client.create(CM, 'default', configMap('fg-owner'));
    // A finalizer of someone else's keeps the blocking dependent Terminating for as long as the test wants.
    await s.client.create(CM, 'default', configMap('fg-blocker', [refTo(owner, { blockOwnerDeletion: true })], { finalizers: [HOLD] }));
    await s.client.create(CM, 'default', configMap('fg-loose', [refTo(owner)]));
    await idle(s, 500);
    await s.client.delete(CM, 'default', 'fg-owner', { propagationPolicy: 'Foreground' });

    await until(s, 'non-blocking dependent deleted', async () => !(await find(s.client, CM, 'default', 'fg-loose')));
    await until(s, 'blocker terminating', async () => !!(await find(s.client, CM, 'default', 'fg-blocker'))?.metadata.deletionTimestamp);
    await idle(s);
    const waiting = await find(s.client, CM, 'default', 'fg-owner');
    assert.ok(waiting, 'owner still visible while a blocking dependent exists');
    assert.ok(waiting.metadata.deletionTimestamp);
    assert.deepEqual(waiting.metadata.finalizers, ['foregroundDeletion']);

    await release(s, 'fg-blocker');
    await until(s, 'owner gone after its blocker', async () => !(await find(s.client, CM, 'default', 'fg-owner')));
  });

  it('Foreground cascades: a dependent with dependents of its own is deleted in the foreground too', async () => {
    const top = await s.client.create(CM, 'default', configMap('fgc-top'));
    const mid = await s.client.create(CM, 'default', configMap('fgc-mid', [refTo(top, { controller: true, blockOwnerDeletion: true })]));
    await s.client.create(CM, 'default', configMap('fgc-leaf', [refTo(mid, { controller: true, blockOwnerDeletion: true })], { finalizers: [HOLD] }));
    await idle(s, 500);
    await s.client.delete(CM, 'default', 'fgc-top', { propagationPolicy: 'Foreground' });
    await until(s, 'leaf terminating', async () => !!(await find(s.client, CM, 'default', 'fgc-leaf'))?.metadata.deletionTimestamp);
    await idle(s);
    const midNow = await find(s.client, CM, 'default', 'fgc-mid');
    assert.deepEqual(midNow?.metadata.finalizers, ['foregroundDeletion'], 'the middle object waits for the leaf');
    assert.deepEqual((await find(s.client, CM, 'default', 'fgc-top'))?.metadata.finalizers, ['foregroundDeletion']);

    await release(s, 'fgc-leaf');
    await until(s, 'whole chain gone', async () => !(await find(s.client, CM, 'default', 'fgc-top')) && !(await find(s.client, CM, 'default', 'fgc-mid')));
  });

  it('Foreground: a dependent with another live owner is kept and stops blocking', async () => {
    const owner = await s.client.create(CM, 'default', configMap('fg2-owner'));
    const other = await s.client.create(CM, 'default', configMap('fg2-other'));
    await s.client.create(CM, 'default', configMap('fg2-shared', [refTo(owner, { blockOwnerDeletion: true }), refTo(other)]));
    await idle(s, 500);
    await s.client.delete(CM, 'default', 'fg2-owner', { propagationPolicy: 'Foreground' });
    await until(s, 'owner gone', async () => !(await find(s.client, CM, 'default', 'fg2-owner')));
    const shared = await find(s.client, CM, 'default', 'fg2-shared');
    assert.deepEqual(shared?.metadata.ownerReferences?.map((r) => r.name), ['fg2-other']);
  });

  it('Foreground: an owner without dependents goes at once', async () => {
    await s.client.create(CM, 'default', configMap('fg-alone'));
    await idle(s, 500);
    await s.client.delete(CM, 'default', 'fg-alone', { propagationPolicy: 'Foreground' });
    await until(s, 'fg-alone gone', async () => !(await find(s.client, CM, 'default', 'fg-alone')), 2_000);
  });

  it('a ReplicationController deleted without a policy orphans its pods (its kind default)', async () => {
    const rc = await s.client.create(RC, 'default', {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'legacy' },
      spec: { replicas: 0, selector: { app: 'legacy' }, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } },
    });
    await s.client.create(POD, 'default', pod('legacy-0', [refTo(rc, { controller: true, blockOwnerDeletion: true })]));
    await idle(s, 500);
    await s.client.delete(RC, 'default', 'legacy');
    await until(s, 'legacy gone', async () => !(await find(s.client, RC, 'default', 'legacy')));
    assert.equal((await find(s.client, POD, 'default', 'legacy-0'))?.metadata.ownerReferences, undefined);
  });

  it('an object owned by two owners survives the deletion of one', async () => {
    const a = await s.client.create(CM, 'default', configMap('two-a'));
    const b = await s.client.create(CM, 'default', configMap('two-b'));
    await s.client.create(CM, 'default', configMap('two-child', [refTo(a), refTo(b)]));
    await idle(s, 500);
    await s.client.delete(CM, 'default', 'two-a');
    await until(s, 'dangling reference removed', async () => (await find(s.client, CM, 'default', 'two-child'))?.metadata.ownerReferences?.length === 1);
    assert.equal((await find(s.client, CM, 'default', 'two-child'))?.metadata.ownerReferences?.[0]?.name, 'two-b');
    await s.client.delete(CM, 'default', 'two-b');
    await until(s, 'collected after both owners', async () => !(await find(s.client, CM, 'default', 'two-child')));
  });
});
