import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { created, createErrors, row, TEST_CREATED, updated, updateErrors } from './kind-test-util.js';
import { persistentVolumeDescriptor as d } from './persistentvolume.js';

const PV = `
apiVersion: v1
kind: PersistentVolume
metadata:
  name: task-pv
spec:
  capacity:
    storage: 10Gi
  accessModes: [ReadWriteOnce]
  hostPath:
    path: /mnt/data
`;

describe('PersistentVolume', () => {
  it('defaults reclaim policy, volume mode, hostPath type and phase', () => {
    const pv = created(d, PV);
    const spec = pv.spec as any;
    assert.equal(spec.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(spec.volumeMode, 'Filesystem');
    assert.deepEqual(spec.hostPath, { path: '/mnt/data', type: '' });
    assert.deepEqual(pv.status, { phase: 'Pending', lastPhaseTransitionTime: TEST_CREATED });
    assert.equal(pv.metadata.namespace, undefined);
    assert.deepEqual(createErrors(d, pv), []);
  });

  it('validates modes, capacity and the volume source', () => {
    const pv: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'x' }, spec: { capacity: { storage: '0' } } };
    assert.deepEqual(createErrors(d, created(d, pv)), [
      'spec.accessModes: Required value',
      'spec.capacity[storage]: Invalid value: "0": must be greater than zero',
      'spec: Required value: must specify a volume type',
    ]);
    const two = created(d, PV);
    (two.spec as any).nfs = { server: 'nfs', path: '/x' };
    assert.deepEqual(createErrors(d, two), ['spec.nfs: Forbidden: may not specify more than 1 volume type']);
    const local = created(d, PV);
    delete (local.spec as any).hostPath;
    (local.spec as any).local = { path: '/mnt/disks/1' };
    assert.deepEqual(createErrors(d, local), ['spec.nodeAffinity: Required value: Local volume requires node affinity']);
  });

  it('keeps the volume source fixed', () => {
    const old = created(d, PV);
    const next = updated(d, old, (o) => {
      (o.spec as any).hostPath.path = '/mnt/other';
      (o.spec as any).persistentVolumeReclaimPolicy = 'Delete';
    });
    const errs = updateErrors(d, next, old);
    assert.equal(errs.length, 1);
    assert.ok(errs[0]?.startsWith('spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation\n'));
  });

  it('prints CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM', () => {
    const pv = created(d, PV);
    (pv.spec as any).claimRef = { namespace: 'default', name: 'data-db-0' };
    (pv.spec as any).storageClassName = 'standard';
    pv.status = { phase: 'Bound' };
    assert.deepEqual(row(d, pv), {
      Name: 'task-pv',
      Capacity: '10Gi',
      'Access Modes': 'RWO',
      'Reclaim Policy': 'Retain',
      Status: 'Bound',
      Claim: 'default/data-db-0',
      StorageClass: 'standard',
      VolumeAttributesClass: '<unset>',
      Reason: '',
      Age: '0s',
      VolumeMode: 'Filesystem',
    });
  });
});
