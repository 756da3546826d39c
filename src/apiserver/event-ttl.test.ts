import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allKinds } from '../api/kinds/index.js';
import { Registry } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import { FakeClock } from '../clock/clock.js';
import { MemoryStore } from '../store/memory.js';
import type { Store, StoreEvent } from '../store/store.js';
import { EventExpiry, eventPrefixes, latestEventTime } from './event-ttl.js';
import { listPrefix } from './storage/keys.js';

const TTL = 60 * 60 * 1000;
const registry = new Registry([...allKinds]);
const core = listPrefix(registry.kind('', 'Event')!);
const newer = listPrefix(registry.kind('events.k8s.io', 'Event')!);

function coreEvent(name: string, fields: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' }, reason: 'Started', ...fields } as KubeObject;
}

/** Lets the expirer's deletes (promises) settle after the clock fired its timer. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

function setup(store: Store = new MemoryStore(), clock = new FakeClock()) {
  const expiry = new EventExpiry({ store, clock, ttlMs: TTL, prefixes: eventPrefixes(registry) });
  return { store, clock, expiry };
}

describe('EventExpiry', () => {
  it('watches both Event APIs, each stored under its own prefix', () => {
    assert.deepEqual(eventPrefixes(registry), [core, newer]);
  });

  it('deletes an Event one TTL after it was written, and watchers see it DELETED', async () => {
    const { store, clock, expiry } = setup();
    expiry.start();
    const seen: StoreEvent[] = [];
    store.watch(core, store.revision(), (e) => seen.push(e));
    await store.create(`${core}default/a`, coreEvent('a'));
    await store.create('/core/configmaps/default/keep', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: 'default' } });
    clock.advance(TTL - 1);
    await settle();
    assert.ok(store.get(`${core}default/a`), 'still there just before the TTL');
    clock.advance(1);
    await settle();
    assert.equal(store.get(`${core}default/a`), undefined);
    assert.deepEqual(seen.map((e) => e.type), ['ADDED', 'DELETED']);
    assert.ok(store.get('/core/configmaps/default/keep'), 'other kinds are left alone');
    expiry.stop();
  });

  it('a newer write pushes the expiry out by a full TTL', async () => {
    const { store, clock, expiry } = setup();
    expiry.start();
    const key = `${core}default/b`;
    const first = await store.create(key, coreEvent('b', { count: 1 }));
    clock.advance(TTL / 2);
    await store.update(key, coreEvent('b', { count: 2 }), first.modRevision);
    clock.advance(TTL / 2);
    await settle();
    assert.ok(store.get(key), 'the first write\'s expiry is stale');
    clock.advance(TTL / 2 - 1);
    await settle();
    assert.ok(store.get(key));
    clock.advance(1);
    await settle();
    assert.equal(store.get(key), undefined);
    assert.equal(expiry.pending(), 0);
    expiry.stop();
  });

  it('on start, expires stored Events a TTL after their own latest timestamp, at most a TTL from now', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    const at = (minutesAgo: number) => new Date(clock.now() - minutesAgo * 60_000).toISOString().replace('.000Z', 'Z');
    await store.create(`${core}default/old`, coreEvent('old', { lastTimestamp: at(120), metadata: { name: 'old', namespace: 'default', creationTimestamp: at(130) } }));
    await store.create(`${core}default/recent`, coreEvent('recent', { firstTimestamp: at(100), lastTimestamp: at(10), metadata: { name: 'recent', namespace: 'default', creationTimestamp: at(100) } }));
    await store.create(`${core}default/future`, coreEvent('future', { lastTimestamp: at(-600) }));
    await store.create(`${newer}default/series`, { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'series', namespace: 'default', creationTimestamp: at(200) }, eventTime: new Date(clock.now() - 200 * 60_000).toISOString(), series: { count: 3, lastObservedTime: new Date(clock.now() - 20 * 60_000).toISOString() } } as KubeObject);
    await store.create(`${core}default/managed`, coreEvent('managed', { metadata: { name: 'managed', namespace: 'default', creationTimestamp: at(90), managedFields: [{ manager: 'x', operation: 'Update', time: at(30) }] } }));
    await store.create(`${core}default/bare`, coreEvent('bare'));
    const { expiry } = setup(store, clock);
    expiry.start();
    clock.advance(0);
    await settle();
    assert.equal(store.get(`${core}default/old`), undefined, 'already past its TTL');
    const left = () => [...store.list(core).entries, ...store.list(newer).entries].map((e) => e.object.metadata.name).sort();
    assert.deepEqual(left(), ['bare', 'future', 'managed', 'recent', 'series']);
    clock.advance(30 * 60_000);
    await settle();
    assert.deepEqual(left(), ['bare', 'future', 'recent', 'series'], 'managed: written 30 min ago');
    clock.advance(10 * 60_000);
    await settle();
    assert.deepEqual(left(), ['bare', 'future', 'recent'], 'series: last observed 20 min ago');
    clock.advance(10 * 60_000 - 1);
    await settle();
    assert.deepEqual(left(), ['bare', 'future', 'recent']);
    clock.advance(1);
    await settle();
    assert.deepEqual(left(), ['bare', 'future'], 'recent: last seen 10 min ago');
    clock.advance(TTL - 50 * 60_000);
    await settle();
    assert.deepEqual(left(), [], 'a timestamp in the future or none at all: one TTL from start');
    expiry.stop();
  });

  it('reads the newest of the timestamps an Event carries', () => {
    assert.equal(latestEventTime(coreEvent('x')), undefined);
    const t = latestEventTime({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z', managedFields: [{ time: '2026-01-01T00:05:00Z' }, null] }, lastTimestamp: '2026-01-01T00:02:00Z', eventTime: 'garbage' } as unknown as KubeObject);
    assert.equal(t, Date.parse('2026-01-01T00:05:00Z'));
  });

  it('loses a race to a newer write (or another API server) without harm, then expires the newer write', async () => {
    const inner = new MemoryStore();
    let interleave: (() => Promise<void>) | undefined;
    // Another writer lands between the expirer's check and its conditional delete.
    const store: Store = Object.assign(Object.create(inner) as Store, {
      async delete(key: string, expectRevision?: number) {
        const w = interleave;
        interleave = undefined;
        if (w) await w();
        return inner.delete(key, expectRevision);
      },
    });
    const { clock, expiry } = setup(store);
    expiry.start();
    const key = `${core}default/c`;
    const first = await inner.create(key, coreEvent('c', { count: 1 }));
    interleave = async () => {
      await inner.update(key, coreEvent('c', { count: 2 }), first.modRevision);
    };
    clock.advance(TTL);
    await settle();
    assert.equal(store.get(key)?.object.count, 2, 'the rewrite survives');
    clock.advance(TTL - 1);
    await settle();
    assert.ok(store.get(key));
    clock.advance(1);
    await settle();
    assert.equal(store.get(key), undefined);

    // Two expirers on one store: one deletes, the other finds it gone.
    const other = new EventExpiry({ store: inner, clock, ttlMs: TTL, prefixes: [core] });
    other.start();
    const again = setup(inner, clock).expiry;
    again.start();
    await inner.create(`${core}default/d`, coreEvent('d'));
    clock.advance(TTL);
    await settle();
    assert.equal(inner.count(core), 0);
    for (const e of [expiry, other, again]) e.stop();
  });

  it('keeps thousands of Events on one timer and expires them all', async () => {
    const { store, clock, expiry } = setup();
    expiry.start();
    const n = 5000;
    for (let i = 0; i < n; i++) {
      await store.create(`${core}ns${i % 10}/e${i}`, coreEvent(`e${i}`));
      if (i % 100 === 0) clock.advance(1000);
    }
    clock.advance(60_000);
    // Rewrites queue more expiries, still behind the same single timer.
    for (let i = 0; i < n; i += 2) {
      const key = `${core}ns${i % 10}/e${i}`;
      await store.update(key, coreEvent(`e${i}`, { count: 2 }), store.get(key)!.modRevision);
    }
    assert.equal(clock.timers(), 1);
    assert.equal(expiry.pending(), n + n / 2);
    clock.advance(TTL - 1);
    await settle();
    assert.equal(store.count(core), n / 2, 'the odd ones, written once and long enough ago');
    clock.advance(1);
    await settle();
    assert.equal(store.count(core), 0);
    assert.equal(clock.timers(), 0);
    assert.equal(expiry.pending(), 0);
    expiry.stop();
  });

  it('stop cancels its timer and ignores later writes', async () => {
    const { store, clock, expiry } = setup();
    expiry.start();
    await store.create(`${core}default/e`, coreEvent('e'));
    assert.equal(clock.timers(), 1);
    expiry.stop();
    assert.equal(clock.timers(), 0);
    await store.create(`${core}default/f`, coreEvent('f'));
    clock.advance(2 * TTL);
    await settle();
    assert.equal(store.count(core), 2);
  });
});
