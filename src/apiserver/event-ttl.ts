// Event expiry (kube-apiserver's --event-ttl): kube-apiserver writes every Event with an etcd lease of the TTL,
// so an Event vanishes one TTL after its last write. Here the API server follows the store's watch on the Event
// keys instead and deletes each one once it has gone a TTL without a write, so the store stays bounded however
// many Events the cluster produces.
import type { Registry } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import type { Clock, Timer } from '../clock/clock.js';
import { StoreConflictError, type Entry, type Store, type StoreEvent, type WatchHandle } from '../store/store.js';
import { listPrefix } from './storage/keys.js';

/** kube-apiserver's --event-ttl default. */
export const DEFAULT_EVENT_TTL_MS = 60 * 60 * 1000;

// Deletes issued at once when many Events fall due together: a remote store (etcd) gets bounded bursts.
const DELETE_BATCH = 256;
// A delete the store could not do (etcd unreachable) is tried again at least this much cluster time later
// (behind any expiry already queued).
const RETRY_MS = 5_000;

interface Due {
  key: string;
  /** The write this expiry belongs to; a later write makes it stale. */
  revision: number;
  expiresAt: number;
}

export interface EventExpiryOptions {
  store: Store;
  clock: Clock;
  ttlMs: number;
  /** Store prefixes holding Events (see eventPrefixes). */
  prefixes: readonly string[];
}

/** Where the Event kinds of a registry keep their objects, each prefix once. */
export function eventPrefixes(registry: Registry): string[] {
  const out = new Set<string>();
  for (const group of ['', 'events.k8s.io']) {
    const d = registry.kind(group, 'Event');
    if (d) out.add(listPrefix(d));
  }
  return [...out];
}

function parseTime(v: unknown): number {
  return typeof v === 'string' ? Date.parse(v) : Number.NaN;
}

/** The newest time an Event records about itself: when it was last written, as near as the object tells. */
export function latestEventTime(ev: KubeObject): number | undefined {
  const o = ev as Record<string, unknown>;
  const series = o.series as Record<string, unknown> | undefined;
  const times = [o.lastTimestamp, o.deprecatedLastTimestamp, o.eventTime, series?.lastObservedTime, ev.metadata.creationTimestamp];
  const managed = ev.metadata.managedFields;
  if (Array.isArray(managed)) for (const m of managed) times.push((m as Record<string, unknown> | null)?.time);
  let latest = Number.NaN;
  for (const t of times) {
    const ms = parseTime(t);
    if (!Number.isNaN(ms) && !(ms <= latest)) latest = ms;
  }
  return Number.isNaN(latest) ? undefined : latest;
}

/**
 * Expiries wait in a FIFO: each write seen adds one at now + ttl, and since the clock only moves forward they
 * arrive in order, so a single timer for the head serves them all, with no per-Event timer and no scan. A key
 * written again keeps its older entries in the queue; they are dropped when they reach the head because the
 * stored revision has moved on. The delete is conditional on the revision that was seen, so a write racing
 * the expiry wins, and several API servers on one etcd may all run this: the losers get a conflict.
 */
export class EventExpiry {
  private queue: Due[] = [];
  private head = 0;
  private timer?: Timer;
  private draining = false;
  private running = false;
  private watches: WatchHandle[] = [];

  constructor(private readonly opts: EventExpiryOptions) {
    if (!(opts.ttlMs > 0)) throw new Error('event TTL must be greater than 0');
  }

  /** Lists the stored Events (each expiring a TTL after its own latest timestamp, at most a TTL from now), then
   * follows writes. Calling it again while running does nothing. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const { store, clock, ttlMs } = this.opts;
    const now = clock.now();
    const loaded: Due[] = [];
    const from: number[] = [];
    for (const prefix of this.opts.prefixes) {
      const { entries, revision } = store.list(prefix);
      from.push(revision);
      for (const e of entries) loaded.push(this.loadedExpiry(e, now, ttlMs));
    }
    // Loaded expiries are all at most now + ttl, and every write seen from here on expires later, so once
    // sorted they head the FIFO in order.
    loaded.sort((a, b) => a.expiresAt - b.expiresAt);
    for (const d of loaded) this.queue.push(d);
    this.opts.prefixes.forEach((prefix, i) => {
      this.watches.push(store.watch(prefix, from[i] as number, (e) => this.onEvent(e)));
    });
    this.arm();
  }

  stop(): void {
    this.running = false;
    for (const w of this.watches) w.cancel();
    this.watches = [];
    this.timer?.cancel();
    this.timer = undefined;
    this.queue = [];
    this.head = 0;
  }

  /** Expiries waiting (stale ones included until they reach the head). */
  pending(): number {
    return this.queue.length - this.head;
  }

  private loadedExpiry(e: Entry, now: number, ttlMs: number): Due {
    const last = latestEventTime(e.object) ?? now;
    return { key: e.key, revision: e.modRevision, expiresAt: Math.min(last, now) + ttlMs };
  }

  private onEvent(e: StoreEvent): void {
    if (e.type === 'DELETED') return;
    this.push({ key: e.key, revision: e.entry.modRevision, expiresAt: this.opts.clock.now() + this.opts.ttlMs });
  }

  private push(d: Due): void {
    // Keeps the FIFO ordered even if a clock were to step back: such an expiry waits for the one before it.
    const tail = this.queue.length > this.head ? this.queue[this.queue.length - 1] : undefined;
    if (tail && d.expiresAt < tail.expiresAt) d.expiresAt = tail.expiresAt;
    this.queue.push(d);
    this.arm();
  }

  private shift(): Due | undefined {
    const d = this.queue[this.head];
    if (!d) return undefined;
    this.head++;
    // Drop the consumed front now and then, so the array does not keep every expiry ever queued.
    if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return d;
  }

  private arm(): void {
    if (!this.running || this.timer || this.draining) return;
    const next = this.queue[this.head];
    if (!next) return;
    this.timer = this.opts.clock.after(next.expiresAt - this.opts.clock.now(), () => {
      this.timer = undefined;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.running) {
        const now = this.opts.clock.now();
        const batch: Due[] = [];
        while (batch.length < DELETE_BATCH) {
          const next = this.queue[this.head];
          if (!next || next.expiresAt > now) break;
          this.shift();
          if (this.opts.store.get(next.key)?.modRevision === next.revision) batch.push(next);
        }
        if (batch.length === 0) break;
        await Promise.all(batch.map((d) => this.expire(d)));
      }
    } finally {
      this.draining = false;
      this.arm();
    }
  }

  private async expire(d: Due): Promise<void> {
    try {
      await this.opts.store.delete(d.key, d.revision);
    } catch (err) {
      // Written again (its new expiry is queued), or already deleted, perhaps by another API server.
      if (err instanceof StoreConflictError) return;
      if (this.running) this.push({ ...d, expiresAt: this.opts.clock.now() + RETRY_MS });
    }
  }
}
