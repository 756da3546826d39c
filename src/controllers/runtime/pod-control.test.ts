import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors } from '../../api/errors.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import type { KubeObject } from '../../api/types.js';
import { newControllerRef } from './claim.js';
import { isNamespaceTerminatingError, PodControl, podFromTemplate, podNamePrefix, slowStartBatch } from './pod-control.js';
import { createStack, LaggingClient } from './testkit.js';

const owner: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default', uid: 'rs-uid' } };
const ref = newControllerRef(owner, { apiVersion: 'apps/v1', kind: 'ReplicaSet' });
const template = {
  metadata: { name: 'ignored', labels: { app: 'web' }, annotations: { a: 'b' }, finalizers: ['example.com/f'] },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
};

describe('pod templates', () => {
  it('builds the pod from labels, annotations, finalizers and spec only', () => {
    const pod = podFromTemplate(template, owner, ref);
    assert.deepEqual(pod, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { generateName: 'web-', labels: { app: 'web' }, annotations: { a: 'b' }, finalizers: ['example.com/f'], ownerReferences: [ref] },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    assert.notEqual(pod.spec, template.spec);
  });

  it('prefixes names with "<owner>-" unless that is no valid name prefix', () => {
    assert.equal(podNamePrefix('web'), 'web-');
    assert.equal(podNamePrefix('a'.repeat(253)), 'a'.repeat(253));
  });
});

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4, ... and stops after a failing batch', async () => {
    const sizes: number[] = [];
    let inBatch = 0;
    const run = (failAt: number) => {
      let calls = 0;
      return slowStartBatch(20, 1, async () => {
        const n = calls++;
        if (inBatch++ === 0) sizes.push(0);
        sizes[sizes.length - 1]!++;
        await new Promise<void>((r) => setImmediate(r));
        inBatch--;
        if (n === failAt) throw new Error(`boom ${n}`);
      });
    };
    assert.deepEqual(await run(-1), { successes: 20 });
    assert.deepEqual(sizes, [1, 2, 4, 8, 5]);
    sizes.length = 0;
    const r = await run(4);
    assert.equal(r.successes, 6);
    assert.equal((r.error as Error).message, 'boom 4');
    assert.deepEqual(sizes, [1, 2, 4]);
    assert.deepEqual(await slowStartBatch(0, 1, async () => assert.fail('never called')), { successes: 0 });
  });
});

describe('PodControl', () => {
  it('creates and deletes pods with the events kube records', async () => {
    const stack = createStack();
    const pc = new PodControl(stack.client, stack.recorder);
    const plain = { ...template, metadata: { labels: { app: 'web' } } };
    const created = await pc.createPod('default', plain, owner, ref);
    assert.match(created.metadata.name ?? '', /^web-/);
    await pc.deletePod('default', created.metadata.name!, owner);
    await assert.rejects(pc.deletePod('default', created.metadata.name!, owner), (e: unknown) => (e as { code?: number }).code === 404);
    assert.deepEqual(
      stack.recorder.events.map((e) => [e.type, e.reason, e.message]),
      [
        ['Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`],
        ['Normal', 'SuccessfulDelete', `Deleted pod: ${created.metadata.name}`],
      ],
    );
  });

  it('reports create and delete failures as FailedCreate / FailedDelete warnings', async () => {
    const stack = createStack();
    const client = new LaggingClient(stack.client);
    client.create = async () => {
      throw errors.forbidden(podDescriptor, 'web-', 'exceeded quota: q');
    };
    client.delete = async () => {
      throw errors.internal('etcd down');
    };
    const pc = new PodControl(client, stack.recorder);
    await assert.rejects(pc.createPod('default', template, owner, ref), /exceeded quota/);
    await assert.rejects(pc.deletePod('default', 'web-x', owner), /^Error: unable to delete pods: Internal error occurred: etcd down$/);
    assert.deepEqual(
      stack.recorder.events.map((e) => [e.type, e.reason, e.message]),
      [
        ['Warning', 'FailedCreate', 'Error creating: pods "web-" is forbidden: exceeded quota: q'],
        ['Warning', 'FailedDelete', 'Error deleting: Internal error occurred: etcd down'],
      ],
    );
  });

  it('records nothing for a terminating namespace and refuses label-less templates and bad references', async () => {
    const stack = createStack();
    const client = new LaggingClient(stack.client);
    client.create = async () => {
      throw errors.namespaceTerminating(podDescriptor, 'web-', 'default');
    };
    const pc = new PodControl(client, stack.recorder);
    await assert.rejects(pc.createPod('default', template, owner, ref), (e: unknown) => isNamespaceTerminatingError(e));
    await assert.rejects(pc.createPod('default', { spec: {} }, owner, ref), /unable to create pods, no labels/);
    await assert.rejects(pc.createPod('default', template, owner, { ...ref, blockOwnerDeletion: false }), /BlockOwnerDeletion is not set/);
    assert.deepEqual(stack.recorder.events, []);
  });
});
