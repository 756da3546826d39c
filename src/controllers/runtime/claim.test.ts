import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { podDescriptor } from '../../api/kinds/pod.js';
import { replicaSetDescriptor } from '../../api/kinds/replicaset.js';
import { selectorFromSet } from '../../api/selectors/labels.js';
import type { KubeObject } from '../../api/types.js';
import { ControllerRefManager, controllerRefOf, MultiError, newControllerRef, ownerKindOf } from './claim.js';
import { createStack, podTemplate, type TestStack } from './testkit.js';

const NS = 'default';

async function setup(): Promise<{ stack: TestStack; owner: KubeObject }> {
  const stack = createStack();
  const owner = await stack.client.create(replicaSetDescriptor, NS, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: podTemplate({ app: 'web' }) },
  });
  return { stack, owner };
}

async function pod(stack: TestStack, name: string, labels: Record<string, string>, refs: KubeObject['metadata']['ownerReferences'] = undefined): Promise<KubeObject> {
  const metadata: KubeObject['metadata'] = { name, labels };
  if (refs) metadata.ownerReferences = refs;
  return stack.client.create(podDescriptor, NS, { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
}

function manager(stack: TestStack, owner: KubeObject, canAdopt?: () => Promise<void>): ControllerRefManager {
  return new ControllerRefManager({ client: stack.client, owner, ownerResource: replicaSetDescriptor, selector: selectorFromSet({ app: 'web' }), ...(canAdopt ? { canAdopt } : {}) });
}

describe('ControllerRefManager', () => {
  it('adopts matching orphans, keeps its own, releases non-matching, ignores others', async () => {
    const { stack, owner } = await setup();
    const ours = newControllerRef(owner, ownerKindOf(replicaSetDescriptor));
    const orphan = await pod(stack, 'orphan', { app: 'web' });
    const kept = await pod(stack, 'kept', { app: 'web' }, [ours]);
    const stray = await pod(stack, 'stray', { app: 'other' }, [ours]);
    const foreign = await pod(stack, 'foreign', { app: 'web' }, [{ ...ours, name: 'x', uid: 'someone-else' }]);
    const unrelated = await pod(stack, 'unrelated', { app: 'other' });
    const claimed = await manager(stack, owner).claim([orphan, kept, stray, foreign, unrelated], podDescriptor);
    assert.deepEqual(
      claimed.map((p) => p.metadata.name),
      ['orphan', 'kept'],
    );
    const get = (n: string) => stack.client.get(podDescriptor, NS, n);
    assert.deepEqual(controllerRefOf(await get('orphan')), { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true });
    assert.equal(controllerRefOf(await get('stray')), undefined);
    assert.equal(controllerRefOf(await get('foreign'))?.uid, 'someone-else');
    assert.equal(controllerRefOf(await get('unrelated')), undefined);
  });

  it('neither adopts nor releases while the owner is being deleted, but keeps what it has', async () => {
    const { stack, owner } = await setup();
    const ours = newControllerRef(owner, ownerKindOf(replicaSetDescriptor));
    const deleting = { ...owner, metadata: { ...owner.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    const orphan = await pod(stack, 'orphan', { app: 'web' });
    const kept = await pod(stack, 'kept', { app: 'web' }, [ours]);
    const stray = await pod(stack, 'stray', { app: 'other' }, [ours]);
    const claimed = await manager(stack, deleting).claim([orphan, kept, stray], podDescriptor);
    assert.deepEqual(
      claimed.map((p) => p.metadata.name),
      ['kept'],
    );
    assert.equal(controllerRefOf(await stack.client.get(podDescriptor, NS, 'orphan')), undefined);
    assert.ok(controllerRefOf(await stack.client.get(podDescriptor, NS, 'stray')));
  });

  it('re-reads the owner once before adopting and refuses when it is gone or replaced', async () => {
    const { stack, owner } = await setup();
    const a = await pod(stack, 'a', { app: 'web' });
    const b = await pod(stack, 'b', { app: 'web' });
    let checks = 0;
    await manager(stack, owner, async () => void checks++).claim([a, b], podDescriptor);
    assert.equal(checks, 1);

    const c = await pod(stack, 'c', { app: 'web' });
    const replaced = { ...owner, metadata: { ...owner.metadata, uid: 'old-uid' } };
    await assert.rejects(
      manager(stack, replaced).claim([c], podDescriptor),
      (err: unknown) =>
        err instanceof MultiError &&
        err.message === `can't adopt Pod default/c (${c.metadata.uid}): can't recheck DeletionTimestamp: original ReplicaSet default/web is gone: got uid ${owner.metadata.uid}, wanted old-uid`,
    );
    await stack.client.delete(replicaSetDescriptor, NS, 'web');
    await assert.rejects(manager(stack, owner).claim([c], podDescriptor), /can't recheck DeletionTimestamp: replicasets.apps "web" not found/);
    assert.equal(controllerRefOf(await stack.client.get(podDescriptor, NS, 'c')), undefined);
  });

  it('refuses to adopt for an owner that the API server shows as being deleted', async () => {
    const { stack, owner } = await setup();
    await stack.client.patch(replicaSetDescriptor, NS, 'web', 'merge', { metadata: { finalizers: ['example.com/hold'] } });
    await stack.client.delete(replicaSetDescriptor, NS, 'web');
    const a = await pod(stack, 'a', { app: 'web' });
    await assert.rejects(manager(stack, owner).claim([a], podDescriptor), /default\/web has just been deleted at 2026-01-01 00:00:00 \+0000 UTC/);
  });

  it('treats a child that vanished as not claimed, without error', async () => {
    const { stack, owner } = await setup();
    const ours = newControllerRef(owner, ownerKindOf(replicaSetDescriptor));
    const gone = await pod(stack, 'gone', { app: 'web' });
    const goneStray = await pod(stack, 'gone-stray', { app: 'x' }, [ours]);
    await stack.client.delete(podDescriptor, NS, 'gone');
    await stack.client.delete(podDescriptor, NS, 'gone-stray');
    assert.deepEqual(await manager(stack, owner).claim([gone, goneStray], podDescriptor), []);
  });

  it('adds and removes extra finalizers with the reference when asked (Job tracking)', async () => {
    const { stack, owner } = await setup();
    const opts = { client: stack.client, owner, ownerResource: replicaSetDescriptor, selector: selectorFromSet({ app: 'web' }), finalizers: ['batch.kubernetes.io/job-tracking'] };
    const p = await pod(stack, 'p', { app: 'web' });
    const [adopted] = await new ControllerRefManager(opts).claim([p], podDescriptor);
    assert.deepEqual(adopted?.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
    const relabelled = await stack.client.patch(podDescriptor, NS, 'p', 'merge', { metadata: { labels: { app: 'x' } } });
    await new ControllerRefManager(opts).claim([relabelled], podDescriptor);
    const after = await stack.client.get(podDescriptor, NS, 'p');
    assert.equal(controllerRefOf(after), undefined);
    assert.deepEqual(after.metadata.finalizers ?? [], []);
  });
});
