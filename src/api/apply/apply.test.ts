import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaOf } from '../schema/index.js';
import type { KubeObject } from '../types.js';
import { compare, difference, fieldsOf, intersection, members, pathString, setOf, union } from './fieldset.js';
import { apply, ApplyConflictError, type ManagedFieldsEntry, stripSet, trackUpdate, type WriteContext } from './managed.js';
import { mergeValue } from './merge.js';

const DEPLOY = schemaOf('io.k8s.api.apps.v1.Deployment');
const CM = schemaOf('io.k8s.api.core.v1.ConfigMap');
const POD = schemaOf('io.k8s.api.core.v1.Pod');

function ctx(manager: string, extra: Partial<WriteContext> = {}): WriteContext {
  return { schema: DEPLOY, apiVersion: 'apps/v1', manager, scope: 'main', now: '2026-01-01T00:00:00Z', ...extra };
}

function deploy(spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', ...(labels ? { labels } : {}) }, spec };
}

const container = (extra: Record<string, unknown> = {}) => ({ name: 'nginx', image: 'nginx:1.21', ...extra });
const template = (containers: unknown[]) => ({ metadata: { labels: { app: 'web' } }, spec: { containers } });

describe('field sets', () => {
  const cases: Array<[string, unknown, unknown, unknown]> = [
    ['scalars and maps are granular', CM, { data: { a: '1', b: '2' } }, { 'f:data': { 'f:a': {}, 'f:b': {} } }],
    ['an empty map is a member', CM, { data: {} }, { 'f:data': {} }],
    [
      'list-map elements by key, with the key fields and a defaulted protocol',
      POD,
      { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } },
      {
        'f:spec': {
          'f:containers': {
            'k:{"name":"c"}': { '.': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } },
          },
        },
      },
    ],
    ['atomic lists are one member', POD, { spec: { containers: [{ name: 'c', args: ['a', 'b'] }] } }, { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:args': {}, 'f:name': {} } } } }],
    ['set lists by value', POD, { metadata: { finalizers: ['x', 'y'] } }, { 'f:metadata': { 'f:finalizers': { 'v:"x"': {}, 'v:"y"': {} } } }],
    ['atomic structs are one member', DEPLOY, { spec: { selector: { matchLabels: { app: 'web' } } } }, { 'f:spec': { 'f:selector': {} } }],
  ];
  for (const [name, schema, obj, want] of cases) {
    it(name, () => assert.deepEqual(fieldsOf(obj, schema as never), want));
  }

  it('serializes elements in structured-merge-diff order: ".", fields, keys, values', () => {
    const s = setOf([['f:b'], ['f:a', 'f:x'], ['f:a'], ['k:{"n":1}'], ['f:a', 'v:"z"'], ['i:2']]);
    assert.deepEqual(Object.keys(s), ['f:a', 'f:b', 'k:{"n":1}', 'i:2']);
    assert.deepEqual(Object.keys(s['f:a'] as object), ['.', 'f:x', 'v:"z"']);
  });

  it('unions, differences and intersections', () => {
    const a = setOf([['f:spec', 'f:replicas'], ['f:spec', 'f:paused']]);
    const b = setOf([['f:spec', 'f:replicas'], ['f:metadata', 'f:labels', 'f:app']]);
    assert.deepEqual(members(union(a, b)).map(pathString), ['.metadata.labels.app', '.spec.paused', '.spec.replicas']);
    assert.deepEqual(members(difference(a, b)).map(pathString), ['.spec.paused']);
    assert.deepEqual(members(intersection(a, b)).map(pathString), ['.spec.replicas']);
    assert.equal(difference(a, setOf([['f:status']])), a, 'unchanged operands are returned as they are');
    // A member with children keeps its children when only the member itself is removed.
    const el = setOf([['k:{"name":"c"}'], ['k:{"name":"c"}', 'f:image']]);
    assert.deepEqual(difference(el, setOf([['k:{"name":"c"}']])), { 'k:{"name":"c"}': { 'f:image': {} } });
  });

  it('prints paths as kube-apiserver does', () => {
    assert.equal(pathString(['f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image']), '.spec.containers[name="nginx"].image');
    assert.equal(pathString(['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']), '.ports[containerPort=80,protocol="TCP"]');
    assert.equal(pathString(['f:finalizers', 'v:"x"']), '.finalizers[="x"]');
    assert.equal(pathString(['f:items', 'i:3']), '.items[3]');
  });

  it('compares values into changed and removed members', () => {
    const old = { data: { a: '1', b: '2' } };
    const now = { data: { a: '1', b: '3', c: '4' } };
    const c = compare(old, now, CM);
    assert.deepEqual(c.changed, { 'f:data': { 'f:b': {}, 'f:c': {} } });
    assert.deepEqual(c.removed, {});
    assert.deepEqual(compare(now, old, CM).removed, { 'f:data': { 'f:c': {} } });
    const before = { spec: { containers: [container(), { name: 'side', image: 'busybox' }] } };
    const after = { spec: { containers: [container({ image: 'nginx:1.22' })] } };
    const pc = compare(before, after, POD);
    assert.deepEqual(members(pc.changed).map(pathString), ['.spec.containers[name="nginx"].image']);
    assert.deepEqual(members(pc.removed).map(pathString), ['.spec.containers[name="side"]', '.spec.containers[name="side"].image', '.spec.containers[name="side"].name']);
  });

  it('strips server-owned metadata and out-of-scope parts', () => {
    const s = setOf([['f:apiVersion'], ['f:metadata', 'f:name'], ['f:metadata', 'f:labels', 'f:a'], ['f:status', 'f:replicas'], ['f:spec', 'f:replicas']]);
    assert.deepEqual(members(stripSet(s, 'main')).map(pathString), ['.metadata.labels.a', '.spec.replicas']);
    assert.deepEqual(members(stripSet(s, 'status')).map(pathString), ['.status.replicas']);
  });
});

describe('apply merge', () => {
  it('merges keyed lists by key, keeping live-only items in place and config order', () => {
    const live = [{ name: 'a', image: 'x' }, { name: 'side' }, { name: 'b', image: 'y' }];
    const config = [{ name: 'b', image: 'y2' }, { name: 'a', image: 'x' }, { name: 'c' }];
    const list = POD.field('spec')?.field('containers');
    // Reaching live `a` emits the config's items up to it (b, a); `side` follows them; `c` comes last.
    assert.deepEqual(mergeValue(live, config, list), [{ name: 'b', image: 'y2' }, { name: 'a', image: 'x' }, { name: 'side' }, { name: 'c' }]);
  });

  it('replaces atomic values whole and unions sets', () => {
    const spec = DEPLOY.field('spec');
    const merged = mergeValue({ selector: { matchLabels: { a: '1', b: '2' } } }, { selector: { matchLabels: { a: '1' } } }, spec) as Record<string, unknown>;
    assert.deepEqual(merged.selector, { matchLabels: { a: '1' } });
    const meta = POD.field('metadata');
    assert.deepEqual((mergeValue({ finalizers: ['x'] }, { finalizers: ['y'] }, meta) as Record<string, unknown>).finalizers, ['x', 'y']);
  });
});

describe('managedFields', () => {
  const spec = (replicas: number, containers = [container()]) => ({ replicas, selector: { matchLabels: { app: 'web' } }, template: template(containers) });

  function applyAs(manager: string, live: KubeObject | undefined, config: KubeObject, managed: ManagedFieldsEntry[], force = false) {
    return apply({ live, config, managed, force }, ctx(manager));
  }

  it('records the applier and takes shared values without conflict', () => {
    const first = applyAs('alice', undefined, deploy(spec(2), { app: 'web' }), []);
    assert.deepEqual(first.managedFields.map((e) => [e.manager, e.operation, e.apiVersion]), [['alice', 'Apply', 'apps/v1']]);
    const live = { ...first.object, metadata: { ...first.object.metadata, managedFields: first.managedFields } } as KubeObject;
    // bob applies the same replicas: co-ownership, no conflict.
    const second = applyAs('bob', live, deploy({ replicas: 2 }), first.managedFields);
    assert.deepEqual(
      second.managedFields.map((e) => [e.manager, members(e.fieldsV1).map(pathString).includes('.spec.replicas')]),
      [
        ['alice', true],
        ['bob', true],
      ],
    );
  });

  const conflictCases: Array<[string, Record<string, unknown>, string[]]> = [
    ['a top-level scalar', { replicas: 3 }, ['.spec.replicas']],
    ['a field inside a keyed list element', { template: template([container({ image: 'nginx:1.22' })]) }, ['.spec.template.spec.containers[name="nginx"].image']],
  ];
  for (const [name, change, paths] of conflictCases) {
    it(`reports a conflict on ${name}, and force takes the field`, () => {
      const first = applyAs('alice', undefined, deploy(spec(2)), []);
      const live = { ...first.object } as KubeObject;
      try {
        applyAs('bob', live, deploy(change), first.managedFields);
        assert.fail('expected a conflict');
      } catch (err) {
        assert.ok(err instanceof ApplyConflictError);
        assert.deepEqual(
          err.causes.map((c) => c.field),
          paths,
        );
        assert.equal(err.causes[0]?.message, 'conflict with "alice"');
        if (paths.length === 1) assert.equal(err.message, `Apply failed with 1 conflict: conflict with "alice": ${paths[0]}`);
      }
      const forced = applyAs('bob', live, deploy(change), first.managedFields, true);
      const alice = forced.managedFields.find((e) => e.manager === 'alice') as ManagedFieldsEntry;
      for (const p of paths) assert.ok(!members(alice.fieldsV1).map(pathString).includes(p));
    });
  }

  it('words conflicts with Update managers and several fields as kube-apiserver does', () => {
    const live = deploy(spec(2));
    const managed: ManagedFieldsEntry[] = [
      { manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: 't', fieldsType: 'FieldsV1', fieldsV1: setOf([['f:spec', 'f:replicas']]), subresource: 'scale' },
      { manager: 'editor', operation: 'Update', apiVersion: 'apps/v1', time: 't', fieldsType: 'FieldsV1', fieldsV1: setOf([['f:spec', 'f:paused'], ['f:spec', 'f:minReadySeconds']]) },
    ];
    live.spec = { ...(live.spec as object), paused: false, minReadySeconds: 1 };
    assert.throws(
      () => applyAs('me', live, deploy({ replicas: 5, paused: true, minReadySeconds: 2 }), managed),
      (err: unknown) =>
        err instanceof ApplyConflictError &&
        err.message ===
          'Apply failed with 3 conflicts: conflicts with "editor" using apps/v1:\n- .spec.minReadySeconds\n- .spec.paused\nconflicts with "kubectl" with subresource "scale" using apps/v1:\n- .spec.replicas',
    );
  });

  it('removes fields the applier stopped applying unless another manager owns them', () => {
    const labels = { app: 'web', tier: 'front' };
    const first = applyAs('alice', undefined, deploy(spec(2, [container({ env: [{ name: 'A', value: '1' }] })]), labels), []);
    let managed = first.managedFields;
    const live = first.object;
    // Another manager co-owns the tier label.
    managed = [...managed, { manager: 'ops', operation: 'Update', apiVersion: 'apps/v1', time: 't', fieldsType: 'FieldsV1', fieldsV1: setOf([['f:metadata', 'f:labels', 'f:tier']]) }];
    const next = applyAs('alice', live, deploy(spec(2), { app: 'web' }), managed);
    assert.deepEqual(next.object.metadata.labels, labels, 'tier stays: ops owns it');
    const c = ((next.object.spec as any).template.spec.containers as any[])[0];
    assert.equal(c.env, undefined, 'env went: only alice owned it');
    const alone = applyAs('alice', live, deploy(spec(2), { app: 'web' }), first.managedFields);
    assert.deepEqual(alone.object.metadata.labels, { app: 'web' });
  });

  it('tracks updates: the writer takes changed fields from other owners', () => {
    const old = deploy(spec(2));
    const base: ManagedFieldsEntry[] = [{ manager: 'alice', operation: 'Apply', apiVersion: 'apps/v1', time: 't0', fieldsType: 'FieldsV1', fieldsV1: fieldsOf({ spec: spec(2) }, DEPLOY) }];
    const next = deploy(spec(3));
    const out = trackUpdate(old, next, base, ctx('kube-controller-manager'));
    assert.deepEqual(out.map((e) => e.manager), ['alice', 'kube-controller-manager']);
    assert.deepEqual(members((out[1] as ManagedFieldsEntry).fieldsV1).map(pathString), ['.spec.replicas']);
    assert.ok(!members((out[0] as ManagedFieldsEntry).fieldsV1).map(pathString).includes('.spec.replicas'));
    assert.equal(trackUpdate(old, deploy(spec(2)), base, ctx('x')), base, 'no change, same entries');
    // Status writes are recorded under the status subresource and never touch the main resource's owners.
    const st = trackUpdate({ ...old, status: { replicas: 1 } }, { ...old, status: { replicas: 2 } }, base, ctx('kcm', { scope: 'status', subresource: 'status' }));
    assert.deepEqual(st.map((e) => [e.manager, e.subresource ?? '']), [['alice', ''], ['kcm', 'status']]);
    assert.equal(st[0], base[0]);
  });
});
