import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { created, createErrors, row, updated } from './kind-test-util.js';
import { namespaceDescriptor as d } from './namespace.js';

describe('Namespace', () => {
  it('stores what `kubectl create ns dev` stores', () => {
    const ns = created(d, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } });
    assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'dev' });
    assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
    assert.deepEqual(ns.status, { phase: 'Active' });
    assert.deepEqual(createErrors(d, ns), []);
  });

  it('keeps finalizers and status on update and re-asserts the name label', () => {
    const ns = created(d, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } });
    const next = updated(d, ns, (o) => {
      o.spec = { finalizers: [] };
      o.metadata.labels = { team: 'a' };
    });
    assert.deepEqual(next.spec, { finalizers: ['kubernetes'] });
    assert.deepEqual(next.metadata.labels, { team: 'a', 'kubernetes.io/metadata.name': 'dev' });
  });

  it('names namespaces with DNS labels and checks finalizer names', () => {
    assert.equal(d.nameValidator?.('a.b', false).length, 1);
    const ns = created(d, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' }, spec: { finalizers: ['custom'] } });
    assert.deepEqual(createErrors(d, ns), ['spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified']);
  });

  it('prints STATUS, filters on status.phase, has no deletecollection', () => {
    const ns = created(d, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    assert.deepEqual(row(d, ns, Date.parse('2024-05-31T10:00:00Z')), { Name: 'default', Status: 'Active', Age: '30d' });
    assert.equal(d.fieldLabels?.['status.phase']?.(ns), 'Active');
    assert.ok(!d.verbs.includes('deletecollection'));
    assert.equal(d.namespaced, false);
  });
});
