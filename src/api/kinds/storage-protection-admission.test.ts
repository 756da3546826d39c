import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceDescriptor } from '../descriptor.js';
import type { KubeObject } from '../types.js';
import { configMapDescriptor } from './configmap.js';
import { persistentVolumeDescriptor } from './persistentvolume.js';
import { persistentVolumeClaimDescriptor } from './persistentvolumeclaim.js';
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER, storageObjectInUseProtectionAdmission } from './storage-protection-admission.js';

function admit(descriptor: ResourceDescriptor, object: KubeObject, operation: 'CREATE' | 'UPDATE' = 'CREATE', subresource?: string): KubeObject {
  storageObjectInUseProtectionAdmission().admit({ operation, descriptor, object, dryRun: false, ...(subresource ? { subresource } : {}) });
  return object;
}

describe('StorageObjectInUseProtection admission', () => {
  it('adds the pvc-protection finalizer to a new claim and the pv-protection one to a new volume', () => {
    assert.deepEqual(admit(persistentVolumeClaimDescriptor, { metadata: { name: 'c' } }).metadata.finalizers, [PVC_PROTECTION_FINALIZER]);
    assert.deepEqual(admit(persistentVolumeDescriptor, { metadata: { name: 'v' } }).metadata.finalizers, [PV_PROTECTION_FINALIZER]);
  });

  it('keeps other finalizers and never lists its own twice', () => {
    const obj = admit(persistentVolumeClaimDescriptor, { metadata: { name: 'c', finalizers: ['example.com/x', PVC_PROTECTION_FINALIZER] } });
    assert.deepEqual(obj.metadata.finalizers, ['example.com/x', PVC_PROTECTION_FINALIZER]);
    assert.deepEqual(admit(persistentVolumeDescriptor, { metadata: { name: 'v', finalizers: ['example.com/x'] } }).metadata.finalizers, ['example.com/x', PV_PROTECTION_FINALIZER]);
  });

  it('leaves updates, subresources and other kinds alone', () => {
    assert.equal(admit(persistentVolumeClaimDescriptor, { metadata: { name: 'c' } }, 'UPDATE').metadata.finalizers, undefined);
    assert.equal(admit(persistentVolumeClaimDescriptor, { metadata: { name: 'c' } }, 'CREATE', 'status').metadata.finalizers, undefined);
    assert.equal(admit(configMapDescriptor, { metadata: { name: 'm' } }).metadata.finalizers, undefined);
  });
});
