// The controllers' work queue, with client-go's workqueue contract: a key is pending at most once, a key is
// never handed to two workers at once (one re-added while being processed waits for `done`), delayed adds
// keep the earliest deadline, and failures back off through a RateLimiter. Every operation is O(1) or
// O(log n) (the delay heap), so a queue of 100k keys stays cheap.
import type { Clock, Timer } from '../clock/clock.js';

/** How long to wait before retrying an item that failed. */
export interface RateLimiter {
  when(item: string): number;
  forget(item: string): void;
  retries(item: string): number;
}

export interface QueueItem {
  key: string;
  /** Why the key was queued since it was last taken (de-duplicated, oldest first). Reasons never split
   * de-duplication: many adds of one key are one item. */
  reasons: string[];
}

/** Counters for metrics, named after client-go's workqueue metrics. */
export interface WorkQueueStats {
  name: string;
  /** Keys that became pending; adding a key that is already pending does not count (workqueue_adds_total). */
  addsTotal: number;
  /** Delayed and rate-limited adds (workqueue_retries_total). */
  retriesTotal: number;
  /** Keys waiting to be taken (workqueue_depth). */
  depth: number;
  /** Keys taken and not yet done. */
  processing: number;
  /** Keys waiting for their delay to pass. */
  delayed: number;
}

/** Enough to explain a wake-up without letting a hot key grow an unbounded list. */
export const MAX_REASONS = 8;

function addReason(list: string[], reason: string): void {
  if (list.includes(reason)) return;
  // The first reason says what started the wait and the newest say what is going on now; the middle goes.
  if (list.length >= MAX_REASONS) list.splice(1, 1);
  list.push(reason);
}

/** Array-backed FIFO whose shift is amortized O(1) (Array.prototype.shift is O(n) on large arrays). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(v: T): void {
    this.items.push(v);
  }

  /** Callers check `length` first: undefined is not a sentinel because T may include it. */
  shift(): T {
    const v = this.items[this.head] as T;
    this.items[this.head] = undefined as T;
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }

  clear(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}

interface DelayedEntry {
  key: string;
  readyAt: number;
  /** Breaks ties so keys with one deadline come out in the order they were delayed. */
  seq: number;
  index: number;
  reasons: string[];
}

/** Min-heap of delayed keys with one entry per key, so a re-delayed key moves instead of duplicating. */
class DelayHeap {
  private readonly heap: DelayedEntry[] = [];
  private readonly byKey = new Map<string, DelayedEntry>();
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** The earliest deadline wins, as in client-go; reasons of every request are kept. */
  schedule(key: string, readyAt: number, reason: string | undefined): void {
    const existing = this.byKey.get(key);
    if (existing) {
      if (reason) addReason(existing.reasons, reason);
      if (readyAt < existing.readyAt) {
        existing.readyAt = readyAt;
        this.up(existing.index);
      }
      return;
    }
    const e: DelayedEntry = { key, readyAt, seq: this.seq++, index: this.heap.length, reasons: reason ? [reason] : [] };
    this.heap.push(e);
    this.byKey.set(key, e);
    this.up(e.index);
  }

  peek(): DelayedEntry | undefined {
    return this.heap[0];
  }

  pop(): DelayedEntry | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    const last = this.heap.pop() as DelayedEntry;
    if (last !== top) {
      last.index = 0;
      this.heap[0] = last;
      this.down(0);
    }
    this.byKey.delete(top.key);
    return top;
  }

  clear(): void {
    this.heap.length = 0;
    this.byKey.clear();
  }

  private less(a: DelayedEntry, b: DelayedEntry): boolean {
    return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i] as DelayedEntry;
    const b = this.heap[j] as DelayedEntry;
    this.heap[i] = b;
    this.heap[j] = a;
    b.index = i;
    a.index = j;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.heap[i] as DelayedEntry, this.heap[parent] as DelayedEntry)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < n && this.less(this.heap[l] as DelayedEntry, this.heap[min] as DelayedEntry)) min = l;
      if (r < n && this.less(this.heap[r] as DelayedEntry, this.heap[min] as DelayedEntry)) min = r;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }
}

type Taker = (item: QueueItem | undefined) => void;

export class WorkQueue {
  /** Keys ready to be taken, in arrival order; each is also in `dirty` and never in `processing`. */
  private readonly ready = new Fifo<string>();
  /** Keys that need processing, with the reasons collected since they were last taken. */
  private readonly dirty = new Map<string, string[]>();
  private readonly processing = new Set<string>();
  /** Workers blocked in get(); non-empty only while `ready` is empty. */
  private readonly takers = new Fifo<Taker>();
  private readonly delayed = new DelayHeap();
  /** One timer for the whole heap, armed for its earliest deadline. */
  private timer: Timer | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private shuttingDown = false;
  private addsTotal = 0;
  private retriesTotal = 0;

  constructor(
    private readonly clock: Clock,
    private readonly limiter: RateLimiter,
    readonly name = '',
  ) {}

  /** Queues the key unless it is already waiting; a key being processed is re-queued when `done` is called. */
  add(key: string, reason?: string): void {
    this.addWithReasons(key, reason ? [reason] : []);
  }

  addAfter(key: string, delayMs: number, reason?: string): void {
    if (this.shuttingDown) return;
    this.retriesTotal++;
    // `!(x > 0)` also sends NaN down the immediate path rather than into the heap.
    if (!(delayMs > 0)) {
      this.add(key, reason);
      return;
    }
    this.delayed.schedule(key, this.clock.now() + delayMs, reason);
    this.arm();
  }

  /** Re-queues after the rate limiter's delay for this key (failed reconcile). */
  addRateLimited(key: string, reason?: string): void {
    if (this.shuttingDown) return;
    this.addAfter(key, this.limiter.when(key), reason);
  }

  /** Resets the key's failure history (successful reconcile). */
  forget(key: string): void {
    this.limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.limiter.retries(key);
  }

  /** Next key to process; resolves with undefined once the queue is shut down and drained. */
  get(): Promise<QueueItem | undefined> {
    if (this.ready.length > 0) return Promise.resolve(this.take(this.ready.shift()));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise<QueueItem | undefined>((resolve) => this.takers.push(resolve));
  }

  done(key: string): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key)) this.offer(key);
  }

  len(): number {
    return this.ready.length;
  }

  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.delayed.clear();
    for (const taker of this.takers.clear()) taker(undefined);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  stats(): WorkQueueStats {
    return {
      name: this.name,
      addsTotal: this.addsTotal,
      retriesTotal: this.retriesTotal,
      depth: this.ready.length,
      processing: this.processing.size,
      delayed: this.delayed.size,
    };
  }

  private addWithReasons(key: string, reasons: readonly string[]): void {
    if (this.shuttingDown) return;
    const pending = this.dirty.get(key);
    if (pending) {
      for (const r of reasons) addReason(pending, r);
      return;
    }
    this.addsTotal++;
    const list: string[] = [];
    for (const r of reasons) addReason(list, r);
    this.dirty.set(key, list);
    // A key being processed waits in `dirty` until done(), so no second worker can take it meanwhile.
    if (this.processing.has(key)) return;
    this.offer(key);
  }

  /** Hands the key straight to a blocked worker, or lines it up. */
  private offer(key: string): void {
    if (this.takers.length > 0) {
      // Marked as processing before the worker's continuation runs, so nothing can slip in between.
      this.takers.shift()(this.take(key));
      return;
    }
    this.ready.push(key);
  }

  private take(key: string): QueueItem {
    const reasons = this.dirty.get(key) ?? [];
    this.dirty.delete(key);
    this.processing.add(key);
    return { key, reasons };
  }

  private arm(): void {
    const head = this.delayed.peek();
    if (!head || (this.timer && this.timerAt <= head.readyAt)) return;
    this.timer?.cancel();
    this.timerAt = head.readyAt;
    this.timer = this.clock.after(Math.max(0, head.readyAt - this.clock.now()), () => this.fire());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (this.shuttingDown) return;
    const now = this.clock.now();
    for (let head = this.delayed.peek(); head && head.readyAt <= now; head = this.delayed.peek()) {
      this.delayed.pop();
      this.addWithReasons(head.key, head.reasons);
    }
    // A scaled or real clock may wake a hair early; re-arming covers that as well as later deadlines.
    this.arm();
  }
}

/** Per key: base·2^failures, capped (client-go's ItemExponentialFailureRateLimiter). */
export function itemExponentialFailureRateLimiter(baseMs: number, maxMs: number): RateLimiter {
  const failures = new Map<string, number>();
  return {
    when(item) {
      const n = failures.get(item) ?? 0;
      failures.set(item, n + 1);
      // 2 ** n reaches Infinity for large n, which the cap absorbs.
      return Math.min(maxMs, baseMs * 2 ** n);
    },
    forget(item) {
      failures.delete(item);
    },
    retries(item) {
      return failures.get(item) ?? 0;
    },
  };
}

/** An overall token bucket shared by all keys; every call reserves a token, possibly in the future
 * (golang.org/x/time/rate's Reserve), and the delay is how far off that token is. Time comes from the clock. */
export function bucketRateLimiter(clock: Clock, qps: number, burst: number): RateLimiter {
  let tokens = burst;
  let last = clock.now();
  return {
    when() {
      const now = clock.now();
      if (now > last) {
        tokens = Math.min(burst, tokens + ((now - last) * qps) / 1000);
        last = now;
      }
      tokens -= 1;
      return tokens >= 0 ? 0 : (-tokens / qps) * 1000;
    },
    forget() {},
    retries() {
      return 0;
    },
  };
}

/** The worst delay of several limiters; every limiter sees every call so each keeps its own history. */
export function maxOfRateLimiter(...limiters: RateLimiter[]): RateLimiter {
  return {
    when(item) {
      let worst = 0;
      for (const l of limiters) worst = Math.max(worst, l.when(item));
      return worst;
    },
    forget(item) {
      for (const l of limiters) l.forget(item);
    },
    retries(item) {
      let most = 0;
      for (const l of limiters) most = Math.max(most, l.retries(item));
      return most;
    },
  };
}

/** client-go's DefaultControllerRateLimiter: the max of a per-item exponential backoff (5 ms doubling to
 * 1000 s) and an overall token bucket (10 per second, burst 100). */
export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return maxOfRateLimiter(itemExponentialFailureRateLimiter(5, 1000 * 1000), bucketRateLimiter(clock, 10, 100));
}
