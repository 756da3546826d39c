import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { persistentVolumeDescriptor } from '../../api/kinds/persistentvolume.js';
import { persistentVolumeClaimDescriptor } from '../../api/kinds/persistentvolumeclaim.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { createStack, Driver } from '../runtime/testkit.js';
import { pvProtectionController } from './protection-pv.js';
import { pvcProtectionController } from './protection-pvc.js';
import { ensureDefaultStorageClass, localPathProvisioner, volumeBinderController, volumePhaseController } from './index.js';

let drivers: Driver[] = [];
afterEach(() => {
  for (const d of drivers) d.stop();
  drivers = [];
});

describe('volume binder and local-path provisioner', () => {
  it('waits for the selected node, provisions pvc-<uid> on its node, binds both, releases and deletes', async () => {
    const stack = createStack();
    await ensureDefaultStorageClass(stack.client);
    const ds = [volumeBinderController(), volumePhaseController(), localPathProvisioner(), pvcProtectionController(), pvProtectionController()].map(
      (def) => new Driver(stack, def),
    );
    drivers.push(...ds);
    for (const d of ds) await d.start();
    const drain = async () => {
      for (let i = 0; i < 6; i++) for (const d of ds) await d.drain();
    };
    const claim = await stack.client.create(persistentVolumeClaimDescriptor, 'default', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    assert.equal((claim.spec as any).storageClassName, 'local-path', 'the default class is filled in');
    await drain();
    assert.ok(stack.recorder.reasons('WaitForFirstConsumer').length > 0);
    assert.equal((await stack.client.list(persistentVolumeDescriptor, undefined)).items.length, 0);

    await stack.client.create(podDescriptor, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'user' },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] },
    });
    await drain();
    assert.equal((await stack.client.list(persistentVolumeDescriptor, undefined)).items.length, 0, 'the binder leaves the choice of node to the scheduler');
    // The scheduler's VolumeBinding PreBind notes the chosen node on the claim.
    await stack.client.patch(persistentVolumeClaimDescriptor, 'default', 'data', 'merge', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'node-1' } } });
    await drain();
    const bound = await stack.client.get(persistentVolumeClaimDescriptor, 'default', 'data');
    const pvName = `pvc-${claim.metadata.uid}`;
    assert.equal((bound.spec as any).volumeName, pvName);
    assert.equal((bound.status as any).phase, 'Bound');
    assert.equal((bound.status as any).capacity.storage, '1Gi');
    assert.equal(bound.metadata.annotations?.['volume.kubernetes.io/selected-node'], 'node-1');
    assert.equal(bound.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    const pv = await stack.client.get(persistentVolumeDescriptor, undefined, pvName);
    assert.equal((pv.status as any).phase, 'Bound');
    assert.deepEqual((pv.spec as any).nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, ['node-1']);
    assert.ok(stack.recorder.reasons('ProvisioningSucceeded').some((e) => e.message === `Successfully provisioned volume ${pvName}`));

    // pvc-protection keeps the claim while its pod exists.
    await stack.client.delete(persistentVolumeClaimDescriptor, 'default', 'data');
    await drain();
    assert.ok((await stack.client.get(persistentVolumeClaimDescriptor, 'default', 'data')).metadata.deletionTimestamp, 'claim Terminating while in use');
    await stack.client.delete(podDescriptor, 'default', 'user', { gracePeriodSeconds: 0 });
    await drain();
    assert.equal((await stack.client.list(persistentVolumeDescriptor, undefined)).items.length, 0, 'reclaim policy Delete removes the volume');
  });

  it('binds a claim to the smallest fitting static volume', async () => {
    const stack = createStack();
    const ds = [volumeBinderController(), volumePhaseController()].map((def) => new Driver(stack, def));
    drivers.push(...ds);
    for (const d of ds) await d.start();
    for (const [name, size] of [['big', '10Gi'], ['small', '2Gi'], ['tiny', '500Mi']] as const) {
      await stack.client.create(persistentVolumeDescriptor, undefined, {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name },
        spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', hostPath: { path: `/mnt/${name}` } },
      });
    }
    await stack.client.create(persistentVolumeClaimDescriptor, 'default', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'c' },
      spec: { storageClassName: 'manual', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    for (let i = 0; i < 4; i++) for (const d of ds) await d.drain();
    assert.equal(((await stack.client.get(persistentVolumeClaimDescriptor, 'default', 'c')).spec as any).volumeName, 'small');
    assert.equal(((await stack.client.get(persistentVolumeDescriptor, undefined, 'big')).status as any).phase, 'Available');
  });
});
