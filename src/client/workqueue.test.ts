import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../clock/clock.js';
import {
  bucketRateLimiter,
  defaultControllerRateLimiter,
  itemExponentialFailureRateLimiter,
  MAX_REASONS,
  maxOfRateLimiter,
  type QueueItem,
  type RateLimiter,
  WorkQueue,
} from './workqueue.js';

function queue(clock = new FakeClock(), limiter: RateLimiter = defaultControllerRateLimiter(clock)) {
  return { clock, q: new WorkQueue(clock, limiter, 'test') };
}

async function take(q: WorkQueue): Promise<QueueItem> {
  const item = await q.get();
  assert.ok(item, 'expected an item');
  return item;
}

/** Resolves with what get() produced so far, without blocking the test on an empty queue. */
async function settled<T>(p: Promise<T>): Promise<{ done: boolean; value?: T }> {
  const marker = Symbol('pending');
  const v = await Promise.race([p, new Promise<typeof marker>((r) => setImmediate(() => r(marker)))]);
  return v === marker ? { done: false } : { done: true, value: v as T };
}

describe('WorkQueue', () => {
  it('hands keys out in FIFO order and does not queue a waiting key twice', async () => {
    const { q } = queue();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.equal((await take(q)).key, 'a');
    assert.equal((await take(q)).key, 'b');
    assert.equal(q.len(), 0);
    assert.equal(q.stats().addsTotal, 2);
  });

  it('re-queues a key added while it is processed only when done is called', async () => {
    const { q } = queue();
    q.add('a', 'first');
    const item = await take(q);
    q.add('a', 'changed again');
    q.add('a', 'and again');
    assert.equal(q.len(), 0, 'a key being processed is not handed out again');
    const second = q.get();
    assert.equal((await settled(second)).done, false);
    q.done(item.key);
    const again = await second;
    assert.deepEqual(again, { key: 'a', reasons: ['changed again', 'and again'] });
    q.done('a');
    assert.equal(q.len(), 0);
    assert.equal(q.stats().processing, 0);
  });

  it('never gives one key to two concurrent workers', async () => {
    const { q } = queue();
    const w1 = q.get();
    const w2 = q.get();
    q.add('k');
    q.add('k');
    assert.equal((await w1)?.key, 'k');
    q.add('k');
    assert.equal((await settled(w2)).done, false, 'second worker keeps waiting while k is processed');
    q.add('other');
    assert.equal((await w2)?.key, 'other');
    q.done('k');
    assert.equal((await take(q)).key, 'k');
  });

  it('collects reasons per item, de-duplicated and capped, keeping the first and the newest', async () => {
    const { q } = queue();
    q.add('a', 'pod added: default/p0');
    for (let i = 1; i <= 20; i++) q.add('a', `pod changed: default/p${i % 12}`);
    q.add('a', 'pod added: default/p0');
    const item = await take(q);
    assert.equal(item.reasons.length, MAX_REASONS);
    assert.equal(item.reasons[0], 'pod added: default/p0');
    assert.equal(item.reasons.at(-1), 'pod changed: default/p8');
    assert.equal(new Set(item.reasons).size, item.reasons.length);
    assert.equal(q.len(), 0);
  });

  it('adds after a delay on the clock; the earliest of several delays wins', async () => {
    const { clock, q } = queue();
    q.addAfter('a', 1000, 'requeue after');
    q.addAfter('a', 5000, 'later');
    q.addAfter('b', 300, 'sooner');
    q.addAfter('b', 200, 'sooner still');
    assert.equal(q.stats().delayed, 2);
    clock.advance(199);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.deepEqual(await take(q), { key: 'b', reasons: ['sooner', 'sooner still'] });
    clock.advance(799);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.deepEqual(await take(q), { key: 'a', reasons: ['requeue after', 'later'] });
    clock.advance(10_000);
    assert.equal(q.len(), 0, 'the later delay of a was absorbed by the earlier one');
    assert.equal(clock.timers(), 0);
    assert.equal(q.stats().retriesTotal, 4);
  });

  it('adds at once for a zero or negative delay, and a delayed key merges with a waiting one', async () => {
    const { clock, q } = queue();
    q.addAfter('a', 0, 'now');
    q.addAfter('b', -5);
    assert.equal(q.len(), 2);
    q.addAfter('a', 100, 'timer');
    clock.advance(100);
    assert.equal(q.len(), 2);
    assert.deepEqual(await take(q), { key: 'a', reasons: ['now', 'timer'] });
  });

  it('fires delayed keys with equal deadlines in the order they were delayed', async () => {
    const { clock, q } = queue();
    for (const k of ['c', 'a', 'b']) q.addAfter(k, 50);
    clock.advance(50);
    assert.deepEqual([(await take(q)).key, (await take(q)).key, (await take(q)).key], ['c', 'a', 'b']);
  });

  it('rate-limits failures with exponential backoff and forgets them on success', async () => {
    const { clock, q } = queue();
    const fire = async (expectedDelay: number) => {
      q.addRateLimited('a', 'retry after error: boom');
      if (expectedDelay > 1) {
        clock.advance(expectedDelay - 1);
        assert.equal(q.len(), 0, `not before ${expectedDelay} ms`);
      }
      clock.advance(1);
      const item = await take(q);
      assert.deepEqual(item, { key: 'a', reasons: ['retry after error: boom'] });
      q.done('a');
    };
    await fire(5);
    await fire(10);
    await fire(20);
    assert.equal(q.numRequeues('a'), 3);
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
    await fire(5);
  });

  it('resolves blocked and later gets with undefined after shutDown, once drained', async () => {
    const { clock, q } = queue();
    const blocked = q.get();
    q.shutDown();
    assert.equal(await blocked, undefined);

    const r = queue();
    r.q.add('a');
    r.q.add('b');
    r.q.addAfter('c', 100);
    r.q.shutDown();
    r.q.add('d');
    assert.equal((await take(r.q)).key, 'a');
    assert.equal((await take(r.q)).key, 'b');
    r.clock.advance(1000);
    assert.equal(await r.q.get(), undefined);
    assert.equal(r.clock.timers(), 0);
    assert.equal(clock.timers(), 0);
  });

  it('handles 100k keys with delays and re-adds', async () => {
    const { clock, q } = queue();
    const n = 100_000;
    for (let i = 0; i < n; i++) q.add(`ns/k${i}`, 'added');
    for (let i = 0; i < n; i++) q.add(`ns/k${i}`, 'changed');
    assert.equal(q.len(), n);
    for (let i = 0; i < n; i++) {
      const item = await take(q);
      assert.equal(item.key, `ns/k${i}`);
      q.addAfter(item.key, 1 + ((i * 7919) % 1000), 'requeue after');
      q.done(item.key);
    }
    assert.equal(q.stats().delayed, n);
    clock.advance(500);
    const half = q.len();
    assert.ok(half > 0 && half < n);
    clock.advance(500);
    assert.equal(q.len(), n);
    let prev = '';
    for (let i = 0; i < n; i++) {
      const item = await take(q);
      assert.notEqual(item.key, prev);
      prev = item.key;
      q.done(item.key);
    }
    assert.equal(q.len(), 0);
    assert.deepEqual(q.stats(), { name: 'test', addsTotal: 2 * n, retriesTotal: n, depth: 0, processing: 0, delayed: 0 });
  });
});

describe('rate limiters', () => {
  it('doubles per item from 5 ms and caps at 1000 s', () => {
    const l = itemExponentialFailureRateLimiter(5, 1_000_000);
    const delays = Array.from({ length: 30 }, () => l.when('x'));
    assert.deepEqual(delays.slice(0, 4), [5, 10, 20, 40]);
    assert.equal(delays.at(-1), 1_000_000);
    assert.equal(l.retries('x'), 30);
    assert.equal(l.when('y'), 5, 'items back off independently');
    l.forget('x');
    assert.equal(l.when('x'), 5);
  });

  it('token bucket: a burst of 100 is free, then 10 per second on the clock', () => {
    const clock = new FakeClock();
    const l = bucketRateLimiter(clock, 10, 100);
    for (let i = 0; i < 100; i++) assert.equal(l.when(`k${i}`), 0);
    assert.equal(l.when('k100'), 100);
    assert.equal(l.when('k101'), 200);
    clock.advance(1000);
    // Ten tokens came back; two were already promised to the reservations above.
    assert.equal(l.when('k102'), 0);
    for (let i = 0; i < 7; i++) l.when('more');
    assert.equal(l.when('next'), 100);
  });

  it('default limiter takes the worse of backoff and bucket', () => {
    const clock = new FakeClock();
    const l = defaultControllerRateLimiter(clock);
    assert.equal(l.when('a'), 5);
    assert.equal(l.when('a'), 10);
    for (let i = 0; i < 98; i++) l.when(`b${i}`);
    assert.equal(l.when('c'), 100, 'bucket is empty: its delay exceeds c’s first backoff');
    assert.equal(l.retries('a'), 2);
    const m = maxOfRateLimiter(itemExponentialFailureRateLimiter(1, 10), itemExponentialFailureRateLimiter(3, 10));
    assert.equal(m.when('z'), 3);
    assert.equal(m.retries('z'), 1);
  });
});
