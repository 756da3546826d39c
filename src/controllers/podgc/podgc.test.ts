import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import { createStack, settle, type TestStack } from '../runtime/testkit.js';
import { NODES, type PodGCHandle, type PodGCOptions, PODS, startPodGC } from './index.js';

async function find(client: Client, ns: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await client.get(PODS, ns, name);
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

async function node(s: TestStack, name: string, opts: { ready?: boolean; taints?: unknown[] } = {}): Promise<void> {
  await s.client.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: opts.taints ? { taints: opts.taints } : {} });
  const fresh = await s.client.get(NODES, undefined, name);
  const status = { ...(fresh.status as object), conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', reason: 'KubeletReady' }] };
  await s.client.update(NODES, undefined, { ...fresh, status }, { subresource: 'status' });
}

async function boundPod(s: TestStack, name: string, nodeName: string, phase = 'Running', extraStatus: Record<string, unknown> = {}): Promise<KubeObject> {
  await s.client.create(PODS, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } });
  await s.client.createSubresource(PODS, 'default', name, 'binding', {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name },
    target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
  } as KubeObject);
  const fresh = await s.client.get(PODS, 'default', name);
  return s.client.update(PODS, 'default', { ...fresh, status: { ...(fresh.status as object), phase, ...extraStatus } }, { subresource: 'status' });
}

/** Advances fake time in steps, letting each pass's API calls complete. */
async function pass(s: TestStack, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 1000) {
    s.clock.advance(1000);
    await settle(10);
  }
}

describe('pod garbage collector', () => {
  let s: TestStack;
  let gc: PodGCHandle | undefined;
  const start = async (opts: Partial<PodGCOptions> = {}) => {
    gc = startPodGC({ client: s.client, informers: s.informers, clock: s.clock, ...opts });
    await gc.waitForSync();
    await settle(10);
  };
  before(() => {
    s = createStack();
  });
  afterEach(async () => {
    await gc?.stop();
    gc = undefined;
  });
  after(() => s.informers.stop());

  it('deletes pods of a deleted node, but only after the quarantine', async () => {
    await node(s, 'n1');
    await node(s, 'n2');
    await boundPod(s, 'on-n1', 'n1');
    await boundPod(s, 'on-n2', 'n2');
    await start();
    await s.client.delete(NODES, undefined, 'n1');
    await pass(s, 30_000);
    assert.ok(await find(s.client, 'default', 'on-n1'), 'not deleted before the 40 s quarantine');
    await pass(s, 60_000);
    assert.equal(await find(s.client, 'default', 'on-n1'), undefined);
    assert.ok(await find(s.client, 'default', 'on-n2'), 'pods of live nodes stay');
  });

  it('marks an orphaned pod Failed with a DisruptionTarget condition before deleting it', async () => {
    await node(s, 'n3');
    await boundPod(s, 'watched', 'n3');
    const seen: KubeObject[] = [];
    const w = s.client.watch(PODS, 'default', { resourceVersion: (await s.client.list(PODS, 'default')).resourceVersion }, {
      onEvent: (e) => {
        if (e.object.metadata.name === 'watched') seen.push(e.object);
      },
      onClose: () => {},
    });
    await start({ quarantineMs: 1000, periodMs: 1000 });
    await s.client.delete(NODES, undefined, 'n3');
    await pass(s, 5000);
    w.stop();
    assert.equal(await find(s.client, 'default', 'watched'), undefined);
    const failed = seen.find((p) => (p.status as { phase?: string }).phase === 'Failed');
    assert.ok(failed, 'the pod went through Failed');
    const cond = (failed.status as { conditions?: Array<Record<string, unknown>> }).conditions?.find((c) => c.type === 'DisruptionTarget');
    assert.equal(cond?.reason, 'DeletionByPodGC');
    assert.equal(cond?.message, 'PodGC: node no longer exists');
  });

  it('keeps pods of a node that comes back during the quarantine', async () => {
    await node(s, 'n4');
    await boundPod(s, 'flaky', 'n4');
    await start();
    await s.client.delete(NODES, undefined, 'n4');
    await pass(s, 20_000);
    await node(s, 'n4');
    await pass(s, 90_000);
    assert.ok(await find(s.client, 'default', 'flaky'));
  });

  it('removes the oldest finished pods beyond the threshold, evicted ones first', async () => {
    await node(s, 'n5');
    await boundPod(s, 'done-1', 'n5', 'Succeeded');
    s.clock.advance(1000);
    await boundPod(s, 'done-2', 'n5', 'Failed');
    s.clock.advance(1000);
    await boundPod(s, 'done-3', 'n5', 'Succeeded');
    s.clock.advance(1000);
    await boundPod(s, 'evicted', 'n5', 'Failed', { reason: 'Evicted' });
    await start({ terminatedPodThreshold: 2 });
    assert.equal(await find(s.client, 'default', 'evicted'), undefined);
    assert.equal(await find(s.client, 'default', 'done-1'), undefined);
    assert.ok(await find(s.client, 'default', 'done-2'));
    assert.ok(await find(s.client, 'default', 'done-3'));
  });

  it('finishes terminating pods on a NotReady node tainted out-of-service', async () => {
    await node(s, 'n6', { ready: false, taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] });
    await node(s, 'n7', { ready: false });
    await boundPod(s, 'stuck', 'n6');
    await boundPod(s, 'waiting', 'n7');
    await s.client.delete(PODS, 'default', 'stuck');
    await s.client.delete(PODS, 'default', 'waiting');
    assert.ok((await find(s.client, 'default', 'stuck'))?.metadata.deletionTimestamp, 'graceful delete leaves the pod terminating');
    await start({ terminatedPodThreshold: 0 });
    await pass(s, 1000);
    assert.equal(await find(s.client, 'default', 'stuck'), undefined);
    assert.ok(await find(s.client, 'default', 'waiting'), 'without the taint the kubelet is trusted to come back');
  });
});
