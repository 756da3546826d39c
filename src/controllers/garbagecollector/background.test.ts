import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CM, configMap, find, type GcStack, idle, pod, POD, refTo, RS, startStack, stopStack, until } from './testutil.js';

describe('garbage collector: background deletion', () => {
  let s: GcStack;
  before(async () => {
    s = await startStack();
  });
  after(() => stopStack(s));

  it('removes a chain of dependents after the owner is deleted', async () => {
    const a = await s.client.create(CM, 'default', configMap('chain-a'));
    const b = await s.client.create(CM, 'default', configMap('chain-b', [refTo(a, { controller: true, blockOwnerDeletion: true })]));
    await s.client.create(CM, 'default', configMap('chain-c', [refTo(b, { controller: true, blockOwnerDeletion: true })]));
    await s.client.delete(CM, 'default', 'chain-a', { propagationPolicy: 'Background' });
    assert.equal(await find(s.client, CM, 'default', 'chain-a'), undefined, 'a background delete removes the owner at once');
    await until(s, 'chain-b and chain-c collected', async () => !(await find(s.client, CM, 'default', 'chain-b')) && !(await find(s.client, CM, 'default', 'chain-c')));
  });

  it('deletes the pods of a deleted ReplicaSet', async () => {
    const rs = await s.client.create(RS, 'default', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } },
      },
    });
    for (let i = 0; i < 5; i++) await s.client.create(POD, 'default', pod(`web-${i}`, [refTo(rs, { controller: true, blockOwnerDeletion: true })]));
    await s.client.delete(RS, 'default', 'web', { propagationPolicy: 'Background' });
    await until(s, 'pods of web collected', async () => {
      const left = (await s.client.list(POD, 'default')).items.filter((p) => p.metadata.name?.startsWith('web-'));
      return left.length === 0;
    });
  });

  it('collects a pod whose owner uid never existed', async () => {
    await s.client.create(POD, 'default', pod('ghost-child', [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ghost', uid: '3f0c3a52-8d8f-4a6e-9d43-000000000001' }]));
    await until(s, 'ghost-child collected', async () => !(await find(s.client, POD, 'default', 'ghost-child')));
  });

  it('treats an owner with the right name but another uid as absent', async () => {
    const real = await s.client.create(CM, 'default', configMap('same-name'));
    await s.client.create(CM, 'default', configMap('impostor-child', [{ ...refTo(real), uid: '3f0c3a52-8d8f-4a6e-9d43-000000000002' }]));
    await until(s, 'impostor-child collected', async () => !(await find(s.client, CM, 'default', 'impostor-child')));
    assert.ok(await find(s.client, CM, 'default', 'same-name'), 'the unrelated object of that name is untouched');
  });

  it('keeps objects whose owner exists', async () => {
    const owner = await s.client.create(CM, 'default', configMap('keeper'));
    await s.client.create(CM, 'default', configMap('kept', [refTo(owner)]));
    await idle(s);
    assert.ok(await find(s.client, CM, 'default', 'kept'));
  });
});
