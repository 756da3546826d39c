import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { persistentVolumeDescriptor } from '../../api/kinds/persistentvolume.js';
import { persistentVolumeClaimDescriptor } from '../../api/kinds/persistentvolumeclaim.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER, storageObjectInUseProtectionAdmission } from '../../api/kinds/storage-protection-admission.js';
import type { KubeObject } from '../../api/types.js';
import type { Client, Resource, Watch, WatchHandlers, WatchOptions } from '../../client/client.js';
import { InformerFactory } from '../../client/informer.js';
import { isNotFound } from '../runtime/claim.js';
import type { ControllerDefinition } from '../runtime/controller.js';
import { createStack, Driver, LaggingClient, type TestStack } from '../runtime/testkit.js';
import { ensureDefaultStorageClass, localPathProvisioner, volumeBinderController, volumePhaseController } from './index.js';
import { pvProtectionController } from './protection-pv.js';
import { pvcProtectionController } from './protection-pvc.js';

let drivers: Driver[] = [];
afterEach(() => {
  for (const d of drivers) d.stop();
  drivers = [];
});

function protectedStack(): TestStack {
  const stack = createStack();
  stack.server.storage.addAdmission(storageObjectInUseProtectionAdmission());
  return stack;
}

async function run(stack: TestStack, defs: ControllerDefinition[]): Promise<() => Promise<void>> {
  const ds = defs.map((def) => new Driver(stack, def));
  drivers.push(...ds);
  for (const d of ds) await d.start();
  return async () => {
    for (let i = 0; i < 6; i++) for (const d of ds) await d.drain();
    for (const d of ds) assert.deepEqual(d.errors, []);
  };
}

async function exists(stack: TestStack, r: Resource, ns: string | undefined, name: string): Promise<KubeObject | undefined> {
  try {
    return await stack.client.get(r, ns, name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function claim(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: { storageClassName: 'manual', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...extra },
  };
}

function pod(name: string, claimName: string, nodeName?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName } }] },
  };
}

async function setPodPhase(stack: TestStack, name: string, phase: string): Promise<void> {
  const p = await stack.client.get(podDescriptor, 'default', name);
  await stack.client.update(podDescriptor, 'default', { ...p, status: { ...(p.status as object), phase } }, { subresource: 'status' });
}

/** Holds back pod watch events only, so the pod cache lags while claims are seen at once. */
class PodBlindClient extends LaggingClient {
  constructor(private readonly base: Client) {
    super(base);
  }
  override watch(r: Resource, ns: string | undefined, opts: WatchOptions, handlers: WatchHandlers): Watch {
    return r.kind === 'Pod' ? super.watch(r, ns, opts, handlers) : this.base.watch(r, ns, opts, handlers);
  }
}

describe('pvc-protection controller', () => {
  it('keeps a deleted claim Terminating while a scheduled pod uses it, and lets it go once the pod is gone', async () => {
    const stack = protectedStack();
    const drain = await run(stack, [pvcProtectionController()]);
    const c = await stack.client.create(persistentVolumeClaimDescriptor, 'default', claim('data'));
    assert.deepEqual(c.metadata.finalizers, [PVC_PROTECTION_FINALIZER]);
    await stack.client.create(podDescriptor, 'default', pod('user', 'data', 'node-1'));
    await drain();

    await stack.client.delete(persistentVolumeClaimDescriptor, 'default', 'data');
    await drain();
    const terminating = await exists(stack, persistentVolumeClaimDescriptor, 'default', 'data');
    assert.ok(terminating?.metadata.deletionTimestamp, 'the claim is Terminating');
    assert.deepEqual(terminating.metadata.finalizers, [PVC_PROTECTION_FINALIZER]);

    await stack.client.delete(podDescriptor, 'default', 'user', { gracePeriodSeconds: 0 });
    await drain();
    assert.equal(await exists(stack, persistentVolumeClaimDescriptor, 'default', 'data'), undefined);
  });

  it('ignores finished and unscheduled pods, and pods of other claims', async () => {
    const stack = protectedStack();
    const drain = await run(stack, [pvcProtectionController()]);
    await stack.client.create(persistentVolumeClaimDescriptor, 'default', claim('data'));
    await stack.client.create(podDescriptor, 'default', pod('done', 'data', 'node-1'));
    await setPodPhase(stack, 'done', 'Succeeded');
    await stack.client.create(podDescriptor, 'default', pod('pending', 'data'));
    await stack.client.create(podDescriptor, 'default', pod('other', 'elsewhere', 'node-1'));
    await stack.client.delete(persistentVolumeClaimDescriptor, 'default', 'data');
    await drain();
    assert.equal(await exists(stack, persistentVolumeClaimDescriptor, 'default', 'data'), undefined);
  });

  it('frees the claim when the last user finishes', async () => {
    const stack = protectedStack();
    const drain = await run(stack, [pvcProtectionController()]);
    await stack.client.create(persistentVolumeClaimDescriptor, 'default', claim('data'));
    await stack.client.create(podDescriptor, 'default', pod('job', 'data', 'node-1'));
    await stack.client.delete(persistentVolumeClaimDescriptor, 'default', 'data');
    await drain();
    assert.ok(await exists(stack, persistentVolumeClaimDescriptor, 'default', 'data'));
    await setPodPhase(stack, 'job', 'Failed');
    await drain();
    assert.equal(await exists(stack, persistentVolumeClaimDescriptor, 'default', 'data'), undefined);
  });

  it('asks the server before letting go when the pod cache lags', async () => {
    const base = protectedStack();
    const watchClient = new PodBlindClient(base.client);
    const stack: TestStack = { ...base, watchClient, informers: new InformerFactory(watchClient, base.clock) };
    const drain = await run(stack, [pvcProtectionController()]);
    await stack.client.create(persistentVolumeClaimDescriptor, 'default', claim('data'));
    await drain();
    watchClient.pause();
    await stack.client.create(podDescriptor, 'default', pod('user', 'data', 'node-1'));
    await stack.client.delete(persistentVolumeClaimDescriptor, 'default', 'data');
    await drain();
    assert.ok((await exists(stack, persistentVolumeClaimDescriptor, 'default', 'data'))?.metadata.deletionTimestamp, 'the live list saw the pod');
    await stack.client.delete(podDescriptor, 'default', 'user', { gracePeriodSeconds: 0 });
    watchClient.resume();
    await drain();
    assert.equal(await exists(stack, persistentVolumeClaimDescriptor, 'default', 'data'), undefined);
  });

  it('adds the finalizer to a claim stored without it', async () => {
    const stack = createStack();
    const drain = await run(stack, [pvcProtectionController()]);
    await stack.client.create(persistentVolumeClaimDescriptor, 'default', claim('old'));
    await drain();
    assert.deepEqual((await stack.client.get(persistentVolumeClaimDescriptor, 'default', 'old')).metadata.finalizers, [PVC_PROTECTION_FINALIZER]);
  });
});

describe('pv-protection controller', () => {
  async function boundPair(stack: TestStack): Promise<void> {
    const c = await stack.client.create(persistentVolumeClaimDescriptor, 'default', claim('c', { volumeName: 'v' }));
    const pv = await stack.client.create(persistentVolumeDescriptor, undefined, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'v' },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'manual',
        persistentVolumeReclaimPolicy: 'Retain',
        hostPath: { path: '/mnt/v' },
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: 'c', uid: c.metadata.uid },
      },
    });
    assert.deepEqual(pv.metadata.finalizers, [PV_PROTECTION_FINALIZER]);
    await stack.client.update(persistentVolumeDescriptor, undefined, { ...pv, status: { phase: 'Bound' } }, { subresource: 'status' });
  }

  it('keeps a bound volume until its claim is gone', async () => {
    const stack = protectedStack();
    const drain = await run(stack, [pvProtectionController(), pvcProtectionController()]);
    await boundPair(stack);
    await drain();
    await stack.client.delete(persistentVolumeDescriptor, undefined, 'v');
    await drain();
    const terminating = await exists(stack, persistentVolumeDescriptor, undefined, 'v');
    assert.ok(terminating?.metadata.deletionTimestamp, 'the volume is Terminating');
    assert.deepEqual(terminating.metadata.finalizers, [PV_PROTECTION_FINALIZER]);

    // The phase still says Bound (nothing updates a terminating volume here); the claim's absence is what counts.
    await stack.client.delete(persistentVolumeClaimDescriptor, 'default', 'c');
    await drain();
    assert.equal(await exists(stack, persistentVolumeClaimDescriptor, 'default', 'c'), undefined);
    assert.equal(await exists(stack, persistentVolumeDescriptor, undefined, 'v'), undefined);
  });

  it('lets an unbound volume go at once and protects volumes stored without the finalizer', async () => {
    const stack = createStack();
    const drain = await run(stack, [pvProtectionController()]);
    await stack.client.create(persistentVolumeDescriptor, undefined, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'free' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/mnt/free' } },
    });
    await drain();
    assert.deepEqual((await stack.client.get(persistentVolumeDescriptor, undefined, 'free')).metadata.finalizers, [PV_PROTECTION_FINALIZER]);
    await stack.client.delete(persistentVolumeDescriptor, undefined, 'free');
    await drain();
    assert.equal(await exists(stack, persistentVolumeDescriptor, undefined, 'free'), undefined);
  });
});

describe('protection with the binder and the local-path provisioner', () => {
  it('deleting a claim in use waits for the pod, then the released volume is deleted too', async () => {
    const stack = protectedStack();
    await ensureDefaultStorageClass(stack.client);
    const drain = await run(stack, [volumeBinderController(), volumePhaseController(), localPathProvisioner(), pvcProtectionController(), pvProtectionController()]);
    await stack.client.create(persistentVolumeClaimDescriptor, 'default', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    await stack.client.create(podDescriptor, 'default', pod('user', 'data', 'node-1'));
    // What the scheduler's VolumeBinding PreBind writes for the node it chose.
    await stack.client.patch(persistentVolumeClaimDescriptor, 'default', 'data', 'merge', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'node-1' } } });
    await drain();
    const bound = await stack.client.get(persistentVolumeClaimDescriptor, 'default', 'data');
    const pvName = (bound.spec as { volumeName: string }).volumeName;
    assert.equal((bound.status as { phase: string }).phase, 'Bound');
    assert.deepEqual((await stack.client.get(persistentVolumeDescriptor, undefined, pvName)).metadata.finalizers, [PV_PROTECTION_FINALIZER]);

    await stack.client.delete(persistentVolumeClaimDescriptor, 'default', 'data');
    await drain();
    assert.ok((await exists(stack, persistentVolumeClaimDescriptor, 'default', 'data'))?.metadata.deletionTimestamp);
    assert.equal(((await stack.client.get(persistentVolumeDescriptor, undefined, pvName)).status as { phase: string }).phase, 'Bound');

    await stack.client.delete(podDescriptor, 'default', 'user', { gracePeriodSeconds: 0 });
    await drain();
    assert.equal(await exists(stack, persistentVolumeClaimDescriptor, 'default', 'data'), undefined);
    assert.equal(await exists(stack, persistentVolumeDescriptor, undefined, pvName), undefined);
  });
});
