import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { created, createErrors, row } from './kind-test-util.js';
import { leaseDescriptor as d } from './lease.js';

describe('Lease', () => {
  it('prints the holder of a node lease', () => {
    const l = created(d, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'node-1' }, spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } }, 'kube-node-lease');
    assert.deepEqual(row(d, l), { Name: 'node-1', Holder: 'node-1', Age: '0s' });
    assert.deepEqual(createErrors(d, l), []);
    assert.equal(row(d, created(d, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'x' } })).Holder, '');
  });

  it('checks durations and transitions', () => {
    const l = created(d, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'x' }, spec: { leaseDurationSeconds: 0, leaseTransitions: -1 } });
    assert.deepEqual(createErrors(d, l), [
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
      'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
});
