import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { AbsentOwnerCache } from './absent-owners.js';
import { Graph } from './graph.js';
import { GraphBuilder } from './graph-builder.js';
import type { OwnerRef } from './identity.js';
import { KindResolver } from './kinds.js';
import { CM, POD, RS } from './testutil.js';

function setup() {
  const deletes: string[] = [];
  const orphans: string[] = [];
  const warnings: string[] = [];
  const graph = new Graph();
  const b = new GraphBuilder(graph, new AbsentOwnerCache(), new KindResolver([CM, POD, RS]), {
    attemptToDelete: (uid) => deletes.push(uid),
    attemptToOrphan: (uid) => orphans.push(uid),
    invalidOwnerNamespace: (dep, msg) => warnings.push(`${dep.name}: ${msg}`),
  });
  return { b, graph, deletes, orphans, warnings };
}

function obj(kind: string, name: string, uid: string, extra: { ns?: string; owners?: OwnerRef[]; deleting?: string[]; rv?: string } = {}): KubeObject {
  return {
    apiVersion: kind === 'ReplicaSet' ? 'apps/v1' : 'v1',
    kind,
    metadata: {
      name,
      uid,
      namespace: extra.ns ?? 'default',
      resourceVersion: extra.rv ?? '1',
      ...(extra.owners ? { ownerReferences: extra.owners } : {}),
      ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: extra.deleting } : {}),
    },
  };
}

const rsRef = (uid: string, name = 'web'): OwnerRef => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid, controller: true, blockOwnerDeletion: true });

describe('graph builder', () => {
  it('queues nothing for updates that leave owners and deletion state alone', () => {
    const t = setup();
    t.b.observe(RS, obj('ReplicaSet', 'web', 'rs1'));
    const p = obj('Pod', 'web-1', 'p1', { owners: [rsRef('rs1')] });
    t.b.observe(POD, p);
    t.deletes.length = 0;
    t.b.observe(POD, { ...obj('Pod', 'web-1', 'p1', { owners: [rsRef('rs1')], rv: '2' }), status: { phase: 'Running' } }, p);
    assert.deepEqual(t.deletes, []);
    assert.equal(t.graph.get('rs1')?.dependents.size, 1);
  });

  it('makes a virtual node for an owner not seen yet and queues it for a live check', () => {
    const t = setup();
    t.b.observe(POD, obj('Pod', 'web-1', 'p1', { owners: [rsRef('rs9')] }));
    const owner = t.graph.get('rs9');
    assert.equal(owner?.observed, false);
    assert.equal(owner?.identity.namespace, 'default');
    assert.deepEqual(t.deletes, ['rs9']);
    t.b.observe(RS, obj('ReplicaSet', 'web', 'rs9'));
    assert.equal(t.graph.get('rs9')?.observed, true);
  });

  it('treats a relisted object with a new uid as a deletion of the old one', () => {
    const t = setup();
    const old = obj('ReplicaSet', 'web', 'rs1');
    t.b.observe(RS, old);
    t.b.observe(POD, obj('Pod', 'web-1', 'p1', { owners: [rsRef('rs1')] }));
    t.deletes.length = 0;
    t.b.observe(RS, obj('ReplicaSet', 'web', 'rs2', { rv: '5' }), old);
    assert.equal(t.graph.get('rs1'), undefined);
    assert.deepEqual(t.deletes, ['p1'], 'the dependents of the vanished uid are checked');
  });

  it('warns when an observed owner lives in another namespace', () => {
    const t = setup();
    t.b.observe(CM, obj('ConfigMap', 'cfg', 'c1', { ns: 'other' }));
    t.b.observe(CM, obj('ConfigMap', 'child', 'c2', { owners: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cfg', uid: 'c1' }] }));
    assert.deepEqual(t.warnings, ['child: ownerRef [v1/ConfigMap, namespace: default, name: cfg, uid: c1] does not exist in namespace "default"']);
    assert.ok(t.deletes.includes('c2'));
  });

  it('warns as well when the owner shows up after the dependent', () => {
    const t = setup();
    t.b.observe(CM, obj('ConfigMap', 'child', 'c2', { owners: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cfg', uid: 'c1' }] }));
    assert.deepEqual(t.warnings, []);
    t.b.observe(CM, obj('ConfigMap', 'cfg', 'c1', { ns: 'other' }));
    assert.equal(t.warnings.length, 1);
  });

  it('sends an owner deleted with the orphan finalizer to the orphan queue, once', () => {
    const t = setup();
    const live = obj('ReplicaSet', 'web', 'rs1');
    t.b.observe(RS, live);
    const deleting = obj('ReplicaSet', 'web', 'rs1', { deleting: ['orphan'], rv: '2' });
    t.b.observe(RS, deleting, live);
    t.b.observe(RS, obj('ReplicaSet', 'web', 'rs1', { deleting: ['orphan'], rv: '3' }), deleting);
    assert.deepEqual(t.orphans, ['rs1']);
  });

  it('queues the dependents and the owner when foreground deletion starts', () => {
    const t = setup();
    const live = obj('ReplicaSet', 'web', 'rs1');
    t.b.observe(RS, live);
    t.b.observe(POD, obj('Pod', 'web-1', 'p1', { owners: [rsRef('rs1')] }));
    t.deletes.length = 0;
    t.b.observe(RS, obj('ReplicaSet', 'web', 'rs1', { deleting: ['foregroundDeletion'], rv: '2' }), live);
    assert.deepEqual(t.deletes, ['p1', 'rs1']);
    assert.equal(t.graph.get('rs1')?.deletingDependents, true);
  });

  it('wakes a waiting owner when a dependent stops blocking it', () => {
    const t = setup();
    t.b.observe(RS, obj('ReplicaSet', 'web', 'rs1'));
    const p = obj('Pod', 'web-1', 'p1', { owners: [rsRef('rs1')] });
    t.b.observe(POD, p);
    t.deletes.length = 0;
    t.b.observe(POD, obj('Pod', 'web-1', 'p1', { owners: [{ ...rsRef('rs1'), blockOwnerDeletion: false }], rv: '2' }), p);
    assert.deepEqual(t.deletes, ['rs1']);
  });
});
