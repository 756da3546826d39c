import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { created, createErrors, row, updated, updateErrors } from './kind-test-util.js';
import { storageClassDescriptor as d } from './storageclass.js';

// The class a kind cluster ships.
const STANDARD = `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
`;

describe('StorageClass', () => {
  it('defaults the reclaim policy and keeps the binding mode', () => {
    const sc = created(d, STANDARD);
    assert.equal((sc as any).reclaimPolicy, 'Delete');
    assert.equal((sc as any).volumeBindingMode, 'WaitForFirstConsumer');
    assert.deepEqual(createErrors(d, sc), []);
    const plain = created(d, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'x' }, provisioner: 'p' });
    assert.equal((plain as any).volumeBindingMode, 'Immediate');
  });

  it('requires a provisioner and refuses unknown policies', () => {
    const sc = created(d, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'x' }, reclaimPolicy: 'Recycle' });
    assert.deepEqual(createErrors(d, sc), ['provisioner: Required value', 'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"']);
  });

  it('forbids changing parameters, provisioner and reclaim policy', () => {
    const old = created(d, STANDARD);
    const next = updated(d, old, (o) => {
      (o as any).parameters = { type: 'ssd' };
      (o as any).provisioner = 'other';
      (o as any).reclaimPolicy = 'Retain';
    });
    assert.deepEqual(updateErrors(d, next, old), [
      'parameters: Forbidden: updates to parameters are forbidden.',
      'provisioner: Forbidden: updates to provisioner are forbidden.',
      'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
    ]);
  });

  it('marks the default class in the name column', () => {
    assert.deepEqual(row(d, created(d, STANDARD)), {
      Name: 'standard (default)',
      Provisioner: 'rancher.io/local-path',
      ReclaimPolicy: 'Delete',
      VolumeBindingMode: 'WaitForFirstConsumer',
      AllowVolumeExpansion: false,
      Age: '0s',
    });
    assert.equal(d.namespaced, false);
    assert.deepEqual(d.shortNames, ['sc']);
  });
});
