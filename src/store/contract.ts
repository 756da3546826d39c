// The store contract every backend (memory, SQLite, etcd) must keep: what the API server relies on. Test files
// call storeContract once per backend (sqlite.test.ts for memory and SQLite, etcd.test.ts for etcd).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../api/types.js';
import { GoneError, type Store, StoreConflictError, type StoreEvent } from './store.js';

const obj = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({ metadata: { name, uid: `uid-${name}` }, ...extra });

/** Waits until every write so far is durable (and, for SQLite, visible to watchers). */
async function settle(s: Store): Promise<void> {
  await s.durable?.(s.revision());
}

export function storeContract(name: string, make: (o?: { historyEvents?: number }) => Store | Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    it('stamps one global revision as resourceVersion and freezes objects', async () => {
      const s = await make();
      const a = await s.create('/core/pods/default/a', obj('a'));
      const b = await s.create('/core/configmaps/default/b', obj('b'));
      assert.equal(b.modRevision, a.modRevision + 1);
      assert.equal(a.object.metadata.resourceVersion, String(a.modRevision));
      assert.ok(Object.isFrozen(a.object.metadata));
      assert.equal(s.revision(), b.modRevision);
      assert.equal(s.get('/core/pods/default/a'), a);
      await s.close();
    });

    it('lists in key order by namespace prefix and across namespaces and resources', async () => {
      const s = await make();
      for (const k of ['/core/pods/b/x', '/core/pods/a/z', '/core/pods/a/y', '/core/pods/c/w', '/apps/deployments/a/d']) await s.create(k, obj(k.split('/')[4] as string));
      assert.deepEqual(s.list('/core/pods/a/').entries.map((e) => e.key), ['/core/pods/a/y', '/core/pods/a/z']);
      assert.deepEqual(s.list('/core/pods/').entries.map((e) => e.key), ['/core/pods/a/y', '/core/pods/a/z', '/core/pods/b/x', '/core/pods/c/w']);
      assert.equal(s.list('/').entries.length, 5);
      assert.equal(s.count('/core/pods/a/'), 2);
      assert.equal(s.list('/core/pods/').revision, s.revision());
      await s.close();
    });

    it('pages a prefix after a key, up to a limit of accepted entries, counting what is left', async () => {
      const s = await make();
      const keys = ['/core/pods/a/p1', '/core/pods/a/p2', '/core/pods/b/p3', '/core/pods/b/p4', '/core/pods/c/p5', '/core/pods-x/a/q', '/core/pod/a/r'];
      for (const k of keys) await s.create(k, obj(k.split('/')[4] as string, { n: Number(k.slice(-1)) }));
      const page = (prefix: string, o: Parameters<Store['page']>[1]) => {
        const p = s.page(prefix, o);
        return { keys: p.entries.map((e) => e.key), remaining: p.remaining };
      };
      // Across namespaces: the second page starts right after the first one's last key.
      assert.deepEqual(page('/core/pods/', { limit: 2 }), { keys: ['/core/pods/a/p1', '/core/pods/a/p2'], remaining: 3 });
      assert.deepEqual(page('/core/pods/', { after: '/core/pods/a/p2', limit: 2 }), { keys: ['/core/pods/b/p3', '/core/pods/b/p4'], remaining: 1 });
      assert.deepEqual(page('/core/pods/', { after: '/core/pods/b/p4', limit: 2 }), { keys: ['/core/pods/c/p5'], remaining: 0 });
      // A key that is gone (or was never there) still marks where to resume.
      assert.deepEqual(page('/core/pods/', { after: '/core/pods/a/p15', limit: 1 }), { keys: ['/core/pods/a/p2'], remaining: 3 });
      // The limit counts accepted entries; the rest is counted whether or not it would be accepted.
      const odd = (e: { object: KubeObject }) => (e.object.n as number) % 2 === 1;
      assert.deepEqual(page('/core/pods/', { limit: 2, filter: odd }), { keys: ['/core/pods/a/p1', '/core/pods/b/p3'], remaining: 2 });
      assert.deepEqual(page('/core/pods/a/', { filter: odd }), { keys: ['/core/pods/a/p1'], remaining: 0 });
      // One namespace; a resume key outside the prefix; no bound; a prefix spanning resources.
      assert.deepEqual(page('/core/pods/b/', { limit: 1 }), { keys: ['/core/pods/b/p3'], remaining: 1 });
      assert.deepEqual(page('/core/pods/b/', { after: '/core/pods/a/zzz' }), { keys: ['/core/pods/b/p3', '/core/pods/b/p4'], remaining: 0 });
      assert.deepEqual(page('/core/pods/b/', { after: '/core/pods/c/' }), { keys: [], remaining: 0 });
      assert.deepEqual(page('/core/', { limit: 2 }), { keys: ['/core/pod/a/r', '/core/pods-x/a/q'], remaining: 5 });
      assert.deepEqual(page('/core/', { after: '/core/pods-x/a/q', limit: 1 }), { keys: ['/core/pods/a/p1'], remaining: 4 });
      assert.deepEqual(page('/core/', { after: '/core/pods/c/p5', limit: 1 }), { keys: [], remaining: 0 });
      assert.deepEqual(page('/core/pods/', {}).keys, s.list('/core/pods/').entries.map((e) => e.key));
      // Writes since the last read show up in the next page.
      await s.delete('/core/pods/a/p2');
      await s.create('/core/pods/a/p0', obj('p0'));
      assert.deepEqual(page('/core/pods/a/', {}), { keys: ['/core/pods/a/p0', '/core/pods/a/p1'], remaining: 0 });
      assert.equal(s.page('/core/pods/', { limit: 1 }).revision, s.revision());
      assert.equal(s.count('/core/'), 7);
      await s.close();
    });

    it('refuses duplicate creates and stale updates and deletes', async () => {
      const s = await make();
      const e = await s.create('/core/pods/ns/a', obj('a'));
      await assert.rejects(() => s.create('/core/pods/ns/a', obj('a')), StoreConflictError);
      await s.update('/core/pods/ns/a', obj('a', { spec: 1 }), e.modRevision);
      await assert.rejects(() => s.update('/core/pods/ns/a', obj('a', { spec: 2 }), e.modRevision), (err: unknown) => err instanceof StoreConflictError && err.reason === 'stale');
      await assert.rejects(() => s.delete('/core/pods/ns/a', e.modRevision), (err: unknown) => err instanceof StoreConflictError && err.reason === 'stale');
      await assert.rejects(() => s.delete('/core/pods/ns/missing'), StoreConflictError);
      await assert.rejects(() => s.update('/core/pods/ns/missing', obj('missing')), (err: unknown) => err instanceof StoreConflictError && err.reason === 'missing');
      await s.close();
    });

    it('replays history from a revision, then delivers live events in order', async () => {
      const s = await make();
      const a = await s.create('/core/pods/ns/a', obj('a'));
      await s.update('/core/pods/ns/a', obj('a', { v: 2 }));
      await settle(s);
      const seen: StoreEvent[] = [];
      const h = s.watch('/core/pods/', a.modRevision, (e) => seen.push(e));
      assert.deepEqual(seen.map((e) => e.type), ['MODIFIED']);
      await s.delete('/core/pods/ns/a');
      await s.create('/core/configmaps/ns/c', obj('c'));
      await settle(s);
      h.cancel();
      await s.create('/core/pods/ns/b', obj('b'));
      await settle(s);
      assert.deepEqual(seen.map((e) => e.type), ['MODIFIED', 'DELETED']);
      const del = seen[1] as StoreEvent;
      assert.equal(del.entry.object.metadata.resourceVersion, String(del.revision));
      assert.equal(del.prev?.modRevision, (seen[0] as StoreEvent).revision);
      await s.close();
    });

    it('a watch from the current revision sees only later writes, also writes made before it started', async () => {
      const s = await make();
      await s.create('/core/pods/ns/a', obj('a'));
      const from = s.revision(); // may not be durable yet: its events must not be replayed twice
      const seen: number[] = [];
      s.watch('/core/pods/', from, (e) => seen.push(e.revision));
      await s.create('/core/pods/ns/b', obj('b'));
      await settle(s);
      assert.deepEqual(seen, [from + 1]);
      await s.close();
    });

    it('answers Gone for a revision older than the history window', async () => {
      const s = await make({ historyEvents: 3 });
      for (let i = 0; i < 10; i++) await s.create(`/core/pods/ns/p${i}`, obj(`p${i}`));
      await settle(s);
      assert.throws(() => s.watch('/core/pods/', 2, () => {}), GoneError);
      const seen: StoreEvent[] = [];
      s.watch('/core/pods/', s.oldestWatchableRevision(), (e) => seen.push(e));
      assert.equal(seen.length, 3);
      await s.close();
    });
  });
}
