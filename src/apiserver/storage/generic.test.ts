import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceDescriptor } from '../../api/descriptor.js';
import { ApiError } from '../../api/errors.js';
import { Registry } from '../../api/registry.js';
import type { KubeObject } from '../../api/types.js';
import { FakeClock } from '../../clock/clock.js';
import { MemoryStore } from '../../store/memory.js';
import type { Entry } from '../../store/store.js';
import { ResourceStorage, type WatchEventType } from './generic.js';

const table = { columns: [], cells: () => [] };
const base = { shortNames: [], categories: [], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: [], table, defaultPropagation: 'Background' as const };
const namespaces: ResourceDescriptor = { ...base, group: '', version: 'v1', kind: 'Namespace', listKind: 'NamespaceList', plural: 'namespaces', singular: 'namespace', namespaced: false, schemaType: 'io.k8s.api.core.v1.Namespace', hasStatus: true };
const widgets: ResourceDescriptor = {
  ...base,
  group: 'example.io',
  version: 'v1',
  kind: 'Widget',
  listKind: 'WidgetList',
  plural: 'widgets',
  singular: 'widget',
  namespaced: true,
  schemaType: 'x',
  hasStatus: true,
  generation: 'spec',
  defaults: (o) => {
    const spec = (o.spec ??= {}) as { size?: number };
    spec.size ??= 1;
  },
  validate: (o) => {
    const size = (o.spec as { size?: number }).size ?? 0;
    return size < 0 ? [{ reason: 'FieldValueInvalid', field: 'spec.size', message: `Invalid value: ${size}: must be greater than or equal to 0` }] : [];
  },
  fieldLabels: { 'spec.color': (o) => (o.spec as { color?: string }).color },
};
const pods: ResourceDescriptor = { ...widgets, group: '', kind: 'Pod', listKind: 'PodList', plural: 'pods', singular: 'pod', generation: undefined, defaults: undefined, validate: undefined };

function setup() {
  const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
  const s = new ResourceStorage(new MemoryStore(), new Registry([namespaces, widgets, pods]), clock);
  void s.create(namespaces, undefined, { metadata: { name: 'default' } });
  return { s, clock };
}

const w = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'example.io/v1', kind: 'Widget', metadata: { name }, spec });

function apiErr(code: number, reason: string, message?: string | RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, code);
    assert.equal(err.reason, reason);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  };
}

describe('ResourceStorage create', () => {
  it('assigns identity, generation and defaults, and resets status', async () => {
    const { s } = setup();
    const { object } = await s.create(widgets, 'default', { ...w('a'), status: { x: 1 } });
    assert.match(object.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(object.metadata.creationTimestamp, '2026-03-01T00:00:00Z');
    assert.equal(object.metadata.generation, 1);
    assert.equal(object.metadata.namespace, 'default');
    assert.deepEqual(object.spec, { size: 1 });
  });

  it('generates names from generateName with the Kubernetes alphabet', async () => {
    const { s } = setup();
    const { object } = await s.create(widgets, 'default', { metadata: { generateName: 'web-' }, spec: {} });
    assert.match(object.metadata.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('refuses duplicates, missing and terminating namespaces, invalid objects', async () => {
    const { s } = setup();
    await s.create(widgets, 'default', w('a'));
    await assert.rejects(async () => s.create(widgets, 'default', w('a')), apiErr(409, 'AlreadyExists', 'widgets.example.io "a" already exists'));
    await assert.rejects(async () => s.create(widgets, 'nope', w('b')), apiErr(404, 'NotFound', 'namespaces "nope" not found'));
    await assert.rejects(
      async () => s.create(widgets, 'default', w('c', { size: -1 })),
      apiErr(422, 'Invalid', 'Widget.example.io "c" is invalid: spec.size: Invalid value: -1: must be greater than or equal to 0'),
    );
    await assert.rejects(async () => s.create(widgets, 'default', { ...w('d'), metadata: { name: 'd', namespace: 'other' } }), apiErr(400, 'BadRequest', /does not match the namespace/));
    await s.delete(namespaces, undefined, 'default');
    await assert.rejects(async () => s.create(widgets, 'default', w('e')), apiErr(403, 'Forbidden', /because it is being terminated/));
  });

  it('dry run stores nothing', async () => {
    const { s } = setup();
    await s.create(widgets, 'default', w('a'), { dryRun: true });
    assert.throws(() => s.get(widgets, 'default', 'a'), apiErr(404, 'NotFound'));
  });
});

describe('ResourceStorage update and patch', () => {
  it('bumps generation only on spec changes and keeps status out of main-resource writes', async () => {
    const { s } = setup();
    const created = (await s.create(widgets, 'default', w('a'))).object;
    const relabeled = (await s.update(widgets, 'default', 'a', { ...w('a', { size: 1 }), metadata: { name: 'a', labels: { x: 'y' } }, status: { hacked: true } })).object;
    assert.equal(relabeled.metadata.generation, 1);
    assert.equal(relabeled.status, created.status);
    const resized = (await s.patch(widgets, 'default', 'a', 'merge', { spec: { size: 3 } })).object;
    assert.equal(resized.metadata.generation, 2);
    assert.equal(resized.metadata.uid, created.metadata.uid);
  });

  it('status writes change only status', async () => {
    const { s } = setup();
    await s.create(widgets, 'default', w('a'));
    const out = (await s.patch(widgets, 'default', 'a', 'merge', { spec: { size: 9 }, status: { ready: 1 } }, {}, 'status')).object;
    assert.deepEqual(out.status, { ready: 1 });
    assert.deepEqual(out.spec, { size: 1 });
    assert.equal(out.metadata.generation, 1);
  });

  it('answers Conflict for a stale resourceVersion and leaves the object alone', async () => {
    const { s } = setup();
    const first = (await s.create(widgets, 'default', w('a'))).object;
    await s.patch(widgets, 'default', 'a', 'merge', { spec: { size: 2 } });
    const stale = { ...w('a', { size: 5 }), metadata: { name: 'a', resourceVersion: first.metadata.resourceVersion } };
    await assert.rejects(
      async () => s.update(widgets, 'default', 'a', stale),
      apiErr(409, 'Conflict', 'Operation cannot be fulfilled on widgets.example.io "a": the object has been modified; please apply your changes to the latest version and try again'),
    );
    assert.deepEqual(s.get(widgets, 'default', 'a').spec, { size: 2 });
  });

  it('a no-op update does not write', async () => {
    const { s } = setup();
    const a = (await s.create(widgets, 'default', w('a'))).object;
    const again = (await s.update(widgets, 'default', 'a', { ...w('a', { size: 1 }) })).object;
    assert.equal(again.metadata.resourceVersion, a.metadata.resourceVersion);
  });
});

describe('ResourceStorage delete', () => {
  it('waits for finalizers, then removes the object when the last one goes', async () => {
    const { s } = setup();
    await s.create(widgets, 'default', { ...w('a'), metadata: { name: 'a', finalizers: ['example.io/hold'] } });
    const { object, deleted } = await s.delete(widgets, 'default', 'a', { propagationPolicy: 'Background' });
    assert.equal(deleted, false);
    assert.ok(object.metadata.deletionTimestamp);
    await s.patch(widgets, 'default', 'a', 'merge', { metadata: { finalizers: null } });
    assert.throws(() => s.get(widgets, 'default', 'a'), apiErr(404, 'NotFound'));
  });

  it('adds the orphan or foreground finalizer for those policies', async () => {
    const { s } = setup();
    await s.create(widgets, 'default', w('a'));
    const { object } = await s.delete(widgets, 'default', 'a', { propagationPolicy: 'Foreground' });
    assert.deepEqual(object.metadata.finalizers, ['foregroundDeletion']);
  });

  it('deletes scheduled pods gracefully and unscheduled pods at once', async () => {
    const { s, clock } = setup();
    await s.create(pods, 'default', { metadata: { name: 'bound' }, spec: { nodeName: 'n1', terminationGracePeriodSeconds: 30 } });
    await s.create(pods, 'default', { metadata: { name: 'pending' }, spec: {} });
    const bound = await s.delete(pods, 'default', 'bound');
    assert.equal(bound.deleted, false);
    assert.equal(bound.object.metadata.deletionGracePeriodSeconds, 30);
    assert.equal(bound.object.metadata.deletionTimestamp, new Date(clock.now() + 30_000).toISOString().replace('.000Z', 'Z'));
    const shorter = await s.delete(pods, 'default', 'bound', { gracePeriodSeconds: 5 });
    assert.equal(shorter.object.metadata.deletionGracePeriodSeconds, 5);
    assert.equal((await s.delete(pods, 'default', 'pending')).deleted, true);
  });

  it('checks preconditions', async () => {
    const { s } = setup();
    await s.create(widgets, 'default', w('a'));
    await assert.rejects(async () => s.delete(widgets, 'default', 'a', { preconditions: { uid: 'nope' } }), apiErr(409, 'Conflict', /Precondition failed: UID in precondition: nope/));
  });
});

describe('ResourceStorage list and watch', () => {
  it('filters by labels and fields and pages with continue tokens', async () => {
    const { s } = setup();
    for (let i = 0; i < 5; i++) await s.create(widgets, 'default', { ...w(`w${i}`, { color: i % 2 ? 'red' : 'blue' }), metadata: { name: `w${i}`, labels: { i: String(i) } } });
    assert.deepEqual(names(s.list(widgets, 'default', { fieldSelector: 'spec.color=red' }).entries), ['w1', 'w3']);
    assert.deepEqual(names(s.list(widgets, 'default', { labelSelector: 'i=4' }).entries), ['w4']);
    const p1 = s.list(widgets, undefined, { limit: 2 });
    assert.deepEqual(names(p1.entries), ['w0', 'w1']);
    assert.equal(p1.remainingItemCount, 3);
    const p2 = s.list(widgets, undefined, { limit: 2, continue: p1.continue as string });
    assert.deepEqual(names(p2.entries), ['w2', 'w3']);
    assert.throws(() => s.list(widgets, undefined, { fieldSelector: 'spec.nope=1' }), apiErr(400, 'BadRequest'));
  });

  it('pages across namespaces in key order, with selectors counted against the limit', async () => {
    const { s } = setup();
    for (const ns of ['b', 'a', 'c']) await s.create(namespaces, undefined, { metadata: { name: ns } });
    for (const ns of ['b', 'a', 'c']) {
      for (let i = 0; i < 3; i++) await s.create(widgets, ns, { ...w(`${ns}${i}`), metadata: { name: `${ns}${i}`, labels: { odd: String(i % 2 === 1) } } });
    }
    const walk = (opts: { limit: number; labelSelector?: string }) => {
      const pages: Array<{ names: string[]; remaining?: number; more: boolean }> = [];
      let cont: string | undefined;
      do {
        const r = s.list(widgets, undefined, { ...opts, ...(cont !== undefined && { continue: cont }) });
        pages.push({ names: names(r.entries), ...(r.remainingItemCount !== undefined && { remaining: r.remainingItemCount }), more: !!r.continue });
        cont = r.continue;
      } while (cont);
      return pages;
    };
    assert.deepEqual(walk({ limit: 4 }), [
      { names: ['a0', 'a1', 'a2', 'b0'], remaining: 5, more: true },
      { names: ['b1', 'b2', 'c0', 'c1'], remaining: 1, more: true },
      { names: ['c2'], more: false },
    ]);
    // A page that ends exactly at the last item hands out no continue token.
    assert.deepEqual(walk({ limit: 9 }), [{ names: ['a0', 'a1', 'a2', 'b0', 'b1', 'b2', 'c0', 'c1', 'c2'], more: false }]);
    // With a selector there is no remainingItemCount, and no token when nothing further matches.
    assert.deepEqual(walk({ limit: 2, labelSelector: 'odd=true' }), [
      { names: ['a1', 'b1'], more: true },
      { names: ['c1'], more: false },
    ]);
    assert.deepEqual(walk({ limit: 2, labelSelector: 'odd=false' }).map((p) => p.names), [['a0', 'a2'], ['b0', 'b2'], ['c0', 'c2']]);
    // A continue token resumes after its key even when that object has gone since.
    const first = s.list(widgets, 'b', { limit: 1 });
    await s.delete(widgets, 'b', 'b0');
    const next = s.list(widgets, 'b', { limit: 1, continue: first.continue as string });
    assert.deepEqual([names(next.entries), next.remainingItemCount], [['b1'], 1]);
    assert.throws(() => s.list(widgets, undefined, { limit: 1, continue: 'not-a-token' }), apiErr(400, 'BadRequest', 'continue key is not valid: invalid continue token'));
  });

  it('watches from a revision and turns selector exits into DELETED', async () => {
    const { s } = setup();
    const a = (await s.create(widgets, 'default', { ...w('a'), metadata: { name: 'a', labels: { app: 'x' } } })).object;
    const seen: Array<[WatchEventType, string]> = [];
    s.watch(widgets, 'default', { resourceVersion: a.metadata.resourceVersion as string, labelSelector: 'app=x' }, {
      event: (t, e) => seen.push([t, e.object.metadata.name as string]),
      bookmark: () => {},
    });
    await s.create(widgets, 'default', { ...w('b'), metadata: { name: 'b', labels: { app: 'x' } } });
    await s.patch(widgets, 'default', 'a', 'merge', { metadata: { labels: { app: 'y' } } });
    await s.patch(widgets, 'default', 'b', 'merge', { spec: { size: 4 } });
    assert.deepEqual(seen, [
      ['ADDED', 'b'],
      ['DELETED', 'a'],
      ['MODIFIED', 'b'],
    ]);
  });

  it('starts with the current state when no resourceVersion is given', async () => {
    const { s } = setup();
    await s.create(widgets, 'default', w('a'));
    const seen: string[] = [];
    s.watch(widgets, undefined, {}, { event: (t, e) => seen.push(`${t} ${e.object.metadata.name}`), bookmark: () => {} });
    assert.deepEqual(seen, ['ADDED a']);
  });
});

function names(entries: Entry[]): string[] {
  return entries.map((e) => e.object.metadata.name as string);
}
