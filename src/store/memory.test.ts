import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../api/types.js';
import { Bucket, MemoryStore } from './memory.js';
import { GoneError, type StoreEvent, StoreConflictError } from './store.js';

const obj = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({ metadata: { name }, ...extra });

describe('MemoryStore', () => {
  it('stamps one global revision as resourceVersion and freezes objects', () => {
    const s = new MemoryStore();
    const a = s.createSync('/core/pods/default/a', obj('a'));
    const b = s.createSync('/core/configmaps/default/b', obj('b'));
    assert.equal(b.modRevision, a.modRevision + 1);
    assert.equal(a.object.metadata.resourceVersion, String(a.modRevision));
    assert.ok(Object.isFrozen(a.object.metadata));
    assert.equal(s.revision(), b.modRevision);
  });

  it('lists in key order by namespace prefix and across namespaces', () => {
    const s = new MemoryStore();
    for (const k of ['/core/pods/b/x', '/core/pods/a/z', '/core/pods/a/y', '/core/pods/c/w']) s.createSync(k, obj(k.split('/')[4] as string));
    assert.deepEqual(
      s.list('/core/pods/a/').entries.map((e) => e.key),
      ['/core/pods/a/y', '/core/pods/a/z'],
    );
    assert.deepEqual(
      s.list('/core/pods/').entries.map((e) => e.key),
      ['/core/pods/a/y', '/core/pods/a/z', '/core/pods/b/x', '/core/pods/c/w'],
    );
    assert.equal(s.count('/core/pods/a/'), 2);
  });

  it('refuses duplicate creates and stale updates', () => {
    const s = new MemoryStore();
    const e = s.createSync('/core/pods/ns/a', obj('a'));
    assert.throws(() => s.createSync('/core/pods/ns/a', obj('a')), StoreConflictError);
    s.updateSync('/core/pods/ns/a', obj('a', { spec: 1 }), e.modRevision);
    assert.throws(() => s.updateSync('/core/pods/ns/a', obj('a', { spec: 2 }), e.modRevision), (err: unknown) => err instanceof StoreConflictError && err.reason === 'stale');
    assert.throws(() => s.deleteSync('/core/pods/ns/missing'), StoreConflictError);
  });

  it('replays history from a revision, then delivers live events in order', () => {
    const s = new MemoryStore();
    const a = s.createSync('/core/pods/ns/a', obj('a'));
    s.updateSync('/core/pods/ns/a', obj('a', { v: 2 }));
    const seen: StoreEvent[] = [];
    const h = s.watch('/core/pods/', a.modRevision, (e) => seen.push(e));
    s.deleteSync('/core/pods/ns/a');
    s.createSync('/core/configmaps/ns/c', obj('c'));
    h.cancel();
    s.createSync('/core/pods/ns/b', obj('b'));
    assert.deepEqual(
      seen.map((e) => e.type),
      ['MODIFIED', 'DELETED'],
    );
    const del = seen[1] as StoreEvent;
    assert.equal(del.entry.object.metadata.resourceVersion, String(del.revision));
  });

  it('answers Gone for a revision older than the history window', () => {
    const s = new MemoryStore({ historyEvents: 3 });
    for (let i = 0; i < 10; i++) s.createSync(`/core/pods/ns/p${i}`, obj(`p${i}`));
    assert.throws(() => s.watch('/core/pods/', 2, () => {}), GoneError);
    const seen: StoreEvent[] = [];
    s.watch('/core/pods/', s.oldestWatchableRevision(), (e) => seen.push(e));
    assert.equal(seen.length, 3);
  });

  it('resync brings a cache to a snapshot: changes as events at their revisions, deletions at free ones', () => {
    const s = new MemoryStore();
    const keep = s.createSync('/core/configmaps/ns/keep', obj('keep'));
    s.createSync('/core/configmaps/ns/change', obj('change'));
    s.createSync('/core/configmaps/ns/gone', obj('gone'));
    const before = s.revision();
    const seen: StoreEvent[] = [];
    s.watch('/core/', before, (e) => seen.push(e));
    // The remote store moved on: "change" rewritten at before+3, "new" created at before+5, "gone" deleted
    // somewhere in between; the snapshot was read at before+6.
    const at = (key: string, rev: number, o: KubeObject) => ({ key, modRevision: rev, object: { ...o, metadata: { ...o.metadata, resourceVersion: String(rev) } } });
    s.resync([keep, at('/core/configmaps/ns/change', before + 3, obj('change', { data: { v: '2' } })), at('/core/configmaps/ns/new', before + 5, obj('new'))], before + 6);
    assert.deepEqual(
      seen.map((e) => `${e.type} ${e.key.split('/').pop()} ${e.revision}`),
      [`DELETED gone ${before + 1}`, `MODIFIED change ${before + 3}`, `ADDED new ${before + 5}`],
    );
    assert.equal(s.revision(), before + 6);
    assert.equal(s.get('/core/configmaps/ns/gone'), undefined);
    // What happened between is unknown now: resuming from before the snapshot is Gone.
    assert.throws(() => s.watch('/core/', before + 2, () => {}), GoneError);
    s.watch('/core/', before + 6, () => {});
  });

  it('keeps ranged reads in key order through any mix of writes between reads', () => {
    // Few writes between reads are spliced into the sorted keys, many are merged: both must agree with the map.
    const s = new MemoryStore();
    const live = new Set<string>();
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let round = 0; round < 60; round++) {
      const writes = round % 3 === 0 ? 100 : rand(8);
      for (let w = 0; w < writes; w++) {
        const key = `/core/configmaps/ns${rand(3)}/k${rand(40)}`;
        if (live.has(key)) {
          s.deleteSync(key);
          live.delete(key);
        } else {
          s.createSync(key, obj(key));
          live.add(key);
        }
      }
      const want = [...live].sort();
      assert.deepEqual(s.list('/core/configmaps/').entries.map((e) => e.key), want);
      assert.equal(s.count('/core/configmaps/ns1/'), want.filter((k) => k.startsWith('/core/configmaps/ns1/')).length);
      const after = want[rand(want.length + 1)];
      const from = after === undefined ? 0 : want.indexOf(after) + 1;
      const p = s.page('/core/configmaps/', { ...(after !== undefined && { after }), limit: 5 });
      assert.deepEqual(p.entries.map((e) => e.key), want.slice(from, from + 5));
      assert.equal(p.remaining, Math.max(0, want.length - from - 5));
    }
  });

  it('pageAt reads any revision in the window exactly as a snapshot taken then', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed % n;
    };
    const s = new MemoryStore({ historyEvents: 400 });
    const keyOf = (i: number) => `/core/configmaps/ns${i % 3}/k${String(i).padStart(3, '0')}`;
    const snapshots = new Map<number, Map<string, string>>();
    const live = new Map<string, string>();
    for (let step = 0; step < 600; step++) {
      const key = keyOf(rand(60));
      const value = `v${step}`;
      if (live.has(key) && rand(3) === 0) {
        s.deleteSync(key);
        live.delete(key);
      } else if (live.has(key)) {
        s.updateSync(key, obj(key, { data: { value } }));
        live.set(key, value);
      } else {
        s.createSync(key, obj(key, { data: { value } }));
        live.set(key, value);
      }
      snapshots.set(s.revision(), new Map(live));
    }
    const even = (e: { object: KubeObject }) => Number(((e.object.data as { value: string }).value).slice(1)) % 2 === 0;
    for (const [rev, snap] of snapshots) {
      if (rev < s.oldestWatchableRevision()) {
        assert.equal(s.pageAt('/core/configmaps/', rev), undefined);
        continue;
      }
      const keys = [...snap.keys()].sort();
      const after = keys[rand(keys.length + 1)];
      const limit = 1 + rand(8);
      const filtered = rand(2) === 0;
      const page = s.pageAt('/core/configmaps/', rev, { ...(after ? { after } : {}), limit, ...(filtered ? { filter: even } : {}) }) as NonNullable<ReturnType<MemoryStore['pageAt']>>;
      const rest = keys.filter((k) => !after || k > after);
      const want = rest.filter((k) => !filtered || Number((snap.get(k) as string).slice(1)) % 2 === 0).slice(0, limit);
      assert.deepEqual(page.entries.map((e) => `${e.key}=${(e.object.data as { value: string }).value}`), want.map((k) => `${k}=${snap.get(k)}`), `revision ${rev}`);
      assert.equal(page.revision, rev);
      if (!filtered && want.length === limit) assert.equal(page.remaining, rest.length - limit, `remaining at revision ${rev}`);
    }
    assert.equal(s.pageAt('/core/configmaps/', s.revision() + 1), undefined, 'a revision not reached yet');
  });

  it('keeps a bucket nobody lists bounded under create and delete churn', () => {
    // Events under churn: written and expired all day, listed by no one. Without folding at write time the
    // bucket kept every key it ever held.
    const b = new Bucket();
    const live: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const key = `/core/events/ns/e${i}`;
      b.entries.set(key, { key, object: obj(`e${i}`), modRevision: i + 1 });
      b.insert(key);
      live.push(key);
      if (live.length > 100) {
        const gone = live.shift() as string;
        b.entries.delete(gone);
        b.remove(gone);
      }
    }
    assert.ok(b.backlog <= 1025, `backlog ${b.backlog}`);
    assert.deepEqual(
      b.range('/core/events/').map((e) => e.key),
      [...live].sort(),
    );
  });
});
