// In-memory backend: per-resource buckets of sorted keys, a bounded event history for resumable watches.
import type { KubeObject } from '../api/types.js';
import {
  deepFreeze,
  type Entry,
  GoneError,
  type Page,
  type PageOptions,
  type Store,
  StoreConflictError,
  type StoreEvent,
  type WatchHandle,
} from './store.js';

interface Watcher {
  prefix: string;
  /** Only events after this revision reach the watcher (it saw older ones in its replay or list). */
  from: number;
  onEvent: (e: StoreEvent) => void;
  active: boolean;
}

/** Keys look like /<group>/<resource>/<namespace>/<name>; a bucket holds one resource. */
function bucketOf(key: string): string {
  let slashes = 0;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) === 47 && ++slashes === 3) return key.slice(0, i + 1);
  }
  return key.endsWith('/') ? key : `${key}/`;
}

/** Backlog of unfolded keys a bucket tolerates before folding without a read (see Bucket.settle). */
const FOLD_BACKLOG = 1024;

export class Bucket {
  readonly entries = new Map<string, Entry>();
  // Keys in order for ranged reads. New and deleted keys wait in `pending` and `removed` until the next read
  // folds them in, so a burst of writes costs O(1) each; a read after a few writes splices them in instead of
  // rebuilding the array.
  private sorted: string[] = [];
  private pending: string[] = [];
  private removed: string[] = [];

  /** Created and deleted keys not yet folded into the sorted order. */
  get backlog(): number {
    return this.pending.length + this.removed.length;
  }

  insert(key: string): void {
    this.pending.push(key);
    this.settle();
  }
  remove(key: string): void {
    this.removed.push(key);
    this.settle();
  }

  // A resource that is written but never listed (Events under churn, with nobody running `kubectl get events`)
  // would otherwise hold every key it ever had, deleted ones included, for the life of the process. Folding
  // once the backlog outgrows the live keys keeps it bounded and costs amortized O(log n) per write.
  private settle(): void {
    if (this.backlog > Math.max(FOLD_BACKLOG, this.sorted.length)) this.keys();
  }
  range(prefix: string): Entry[] {
    const keys = this.keys();
    const end = prefixEnd(keys, prefix);
    const out: Entry[] = [];
    for (let i = lowerBound(keys, prefix); i < end; i++) out.push(this.entries.get(keys[i] as string) as Entry);
    return out;
  }
  countRange(prefix: string): number {
    const keys = this.keys();
    return prefixEnd(keys, prefix) - lowerBound(keys, prefix);
  }
  /** Appends to `out` the accepted entries under `prefix` after `after` until `out` holds `limit`; returns how
   * many keys under the prefix lie beyond the last one scanned. */
  scan(prefix: string, after: string | undefined, limit: number, filter: ((e: Entry) => boolean) | undefined, out: Entry[]): number {
    const keys = this.keys();
    let i = lowerBound(keys, prefix);
    if (after !== undefined && after >= prefix) i = Math.max(i, upperBound(keys, after));
    const end = prefixEnd(keys, prefix);
    for (; i < end && out.length < limit; i++) {
      const e = this.entries.get(keys[i] as string) as Entry;
      if (!filter || filter(e)) out.push(e);
    }
    return Math.max(0, end - i);
  }
  private keys(): string[] {
    const added = this.pending.length;
    const gone = this.removed.length;
    if (added === 0 && gone === 0) return this.sorted;
    // Each splice moves the array's tail (a memmove); past a few dozen a linear merge is cheaper.
    if (added + gone <= 32) {
      // The map says what exists: a key deleted and created again (or the reverse) since the last read ends
      // up present exactly when the map has it.
      for (const k of this.removed) {
        const i = lowerBound(this.sorted, k);
        if (this.sorted[i] === k && !this.entries.has(k)) this.sorted.splice(i, 1);
      }
      for (const k of this.pending) {
        const i = lowerBound(this.sorted, k);
        if (this.sorted[i] !== k && this.entries.has(k)) this.sorted.splice(i, 0, k);
      }
      this.pending = [];
      this.removed = [];
      return this.sorted;
    }
    const add = this.pending.sort();
    const merged: string[] = [];
    let i = 0;
    let j = 0;
    let last: string | undefined;
    const push = (k: string) => {
      // A key deleted and created again can sit in both lists; keep it once, and only if it still exists.
      if (k !== last && this.entries.has(k)) merged.push(k);
      last = k;
    };
    while (i < this.sorted.length || j < add.length) {
      const a = this.sorted[i];
      const b = add[j];
      if (b === undefined || (a !== undefined && a <= b)) {
        push(a as string);
        i++;
      } else {
        push(b);
        j++;
      }
    }
    this.sorted = merged;
    this.pending = [];
    this.removed = [];
    return merged;
  }
}

/** First index whose key is >= `key`. */
function lowerBound(arr: string[], key: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose key is > `key`. */
function upperBound(arr: string[], key: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] as string) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index past the keys that start with `prefix`: in sorted order they sit together right after every
 * smaller key, so "smaller or under the prefix" holds for a run from the start and a binary search finds its end. */
function prefixEnd(arr: string[], prefix: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = arr[mid] as string;
    if (k < prefix || k.startsWith(prefix)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The watch history window when none is given (--watch-history): under heavy churn a larger one holds
 * gigabytes of superseded objects. */
export const DEFAULT_HISTORY_EVENTS = 50_000;

export interface MemoryStoreOptions {
  /** How many past events a watch can resume through (etcd's compaction window, counted in events). */
  historyEvents?: number;
  /** Starting revision (a restored store continues from its old revision). */
  startRevision?: number;
  /** Called synchronously for every write, in revision order, before any watcher can see it (a durable
   * backend queues the change for its next commit here). */
  onWrite?: (e: StoreEvent) => void;
  /** Hold events back from watchers until `publish(revision)` says they are durable: a watch never shows
   * a write that a crash could still lose, as with etcd. Reads still see every write at once. */
  deferDelivery?: boolean;
}

/** What a durable backend hands back to `restore`: current entries and the retained event history. */
export interface RestoredState {
  entries: Entry[];
  /** Events in revision order, all newer than `compactedRevision`. */
  history: StoreEvent[];
  compactedRevision: number;
}

export class MemoryStore implements Store {
  private rev: number;
  private readonly buckets = new Map<string, Bucket>();
  private readonly history: StoreEvent[] = [];
  private historyStart = 0; // index of the oldest retained event in `history`
  private compactedRev: number;
  private readonly maxHistory: number;
  private readonly watchers = new Map<string, Set<Watcher>>(); // by bucket prefix
  private readonly wideWatchers = new Set<Watcher>(); // prefixes shorter than a bucket
  private readonly onWrite: ((e: StoreEvent) => void) | undefined;
  private readonly deferDelivery: boolean;
  // With deferDelivery: events written but not yet published (durable), oldest first, and the newest
  // revision watchers may see.
  private unpublished: StoreEvent[] = [];
  private unpublishedStart = 0;
  private published: number;

  constructor(opts: MemoryStoreOptions = {}) {
    this.rev = opts.startRevision ?? 1;
    this.compactedRev = this.rev;
    this.published = this.rev;
    this.maxHistory = opts.historyEvents ?? DEFAULT_HISTORY_EVENTS;
    this.onWrite = opts.onWrite;
    this.deferDelivery = !!opts.deferDelivery;
  }

  /** Fills an empty store with state loaded from disk; the revision stays the constructor's startRevision. */
  restore(state: RestoredState): void {
    for (const e of state.entries) {
      const b = this.bucket(e.key);
      b.entries.set(e.key, e);
      b.insert(e.key);
    }
    const keep = state.history.length > this.maxHistory ? state.history.slice(-this.maxHistory) : state.history;
    for (const e of keep) this.history.push(e);
    const first = this.history[0];
    this.compactedRev = Math.max(state.compactedRevision, first ? first.revision - 1 : state.compactedRevision);
  }

  /**
   * Brings a cache whose event stream broke up to a snapshot read at `revision` (etcd compacted the history
   * the cache needed). The differences go to live watchers as events: a changed or new object at its own
   * revision, a vanished one at a revision no surviving object carries (its real deletion revision is gone
   * with the history). The revisions in between are then unknown, so watches can resume only from
   * `revision` on.
   */
  resync(entries: Entry[], revision: number): void {
    const seen = new Set<string>();
    const puts: Entry[] = [];
    for (const e of entries) {
      seen.add(e.key);
      if (this.get(e.key)?.modRevision !== e.modRevision) puts.push(e);
    }
    puts.sort((a, b) => a.modRevision - b.modRevision);
    const taken = new Set(puts.map((e) => e.modRevision));
    const deletes: Array<{ key: string; revision: number }> = [];
    let free = this.rev + 1;
    for (const b of this.buckets.values()) {
      for (const key of b.entries.keys()) {
        if (seen.has(key)) continue;
        while (taken.has(free)) free++;
        deletes.push({ key, revision: free++ });
      }
    }
    let d = 0;
    for (const put of puts) {
      while (d < deletes.length && (deletes[d] as { revision: number }).revision < put.modRevision) {
        const del = deletes[d++] as { key: string; revision: number };
        this.applyExternal('DELETE', del.key, del.revision);
      }
      this.applyExternal('PUT', put.key, put.modRevision, put);
    }
    for (; d < deletes.length; d++) {
      const del = deletes[d] as { key: string; revision: number };
      this.applyExternal('DELETE', del.key, del.revision);
    }
    this.rev = Math.max(this.rev, revision);
    this.compactedRev = Math.max(this.compactedRev, this.rev);
  }

  /** Delivers held-back events up to `revision` to watchers (see deferDelivery). */
  publish(revision: number): void {
    while (this.unpublishedStart < this.unpublished.length) {
      const e = this.unpublished[this.unpublishedStart] as StoreEvent;
      if (e.revision > revision) break;
      this.unpublished[this.unpublishedStart++] = undefined as unknown as StoreEvent;
      this.published = e.revision;
      this.deliver(e);
    }
    if (this.unpublishedStart === this.unpublished.length) {
      this.unpublished = [];
      this.unpublishedStart = 0;
    }
  }

  /** Memory keeps nothing: every write is as durable as it will ever be. */
  durable(_revision: number): Promise<void> {
    return Promise.resolve();
  }

  revision(): number {
    return this.rev;
  }

  oldestWatchableRevision(): number {
    return this.compactedRev;
  }

  get(key: string): Entry | undefined {
    return this.buckets.get(bucketOf(key))?.entries.get(key);
  }

  list(prefix: string): { entries: Entry[]; revision: number } {
    const parts = this.bucketsUnder(prefix).map(([range, b]) => b.range(range));
    // Not push(...part): spreading hundreds of thousands of arguments overflows the stack.
    const entries = parts.length === 1 ? (parts[0] as Entry[]) : ([] as Entry[]).concat(...parts);
    return { entries, revision: this.rev };
  }

  /**
   * A page as it was at `revision`: a paged list goes on reading the snapshot its first page saw, and
   * resourceVersionMatch=Exact reads an older one. The current page with the keys changed since put back as they
   * were, so it costs the page plus the events since `revision`; undefined once those events have left the
   * history window (or for a revision the store has not reached).
   */
  pageAt(prefix: string, revision: number, opts: PageOptions = {}): Page | undefined {
    if (revision < this.compactedRev || revision > this.rev) return undefined;
    if (revision === this.rev) return this.page(prefix, opts);
    // Newest first, so each key ends up with its state before its oldest change after `revision`.
    const then = new Map<string, Entry | undefined>();
    for (let i = this.history.length - 1; i >= this.historyStart; i--) {
      const e = this.history[i] as StoreEvent;
      if (e.revision <= revision) break;
      if (e.key.startsWith(prefix) && (opts.after === undefined || e.key > opts.after)) then.set(e.key, e.type === 'ADDED' ? undefined : e.prev);
    }
    const { filter } = opts;
    const unchanged = this.page(prefix, then.size === 0 ? opts : { ...opts, filter: (e) => !then.has(e.key) && (!filter || filter(e)) });
    if (then.size === 0) return { ...unchanged, revision };
    const old = [...then.values()].filter((e): e is Entry => e !== undefined && (!filter || filter(e))).sort((a, b) => (a.key < b.key ? -1 : 1));
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Number.POSITIVE_INFINITY;
    const entries: Entry[] = [];
    let i = 0;
    let j = 0;
    while (entries.length < limit) {
      const a = unchanged.entries[i];
      const b = old[j];
      if (!a && !b) break;
      if (!b || (a && a.key < b.key)) {
        entries.push(a as Entry);
        i++;
      } else {
        entries.push(b);
        j++;
      }
    }
    if (entries.length < limit) return { entries, revision, remaining: 0 };
    // What lies after the last key at `revision`: the keys there now, less those created since, plus those gone since.
    const last = (entries[entries.length - 1] as Entry).key;
    const rest = this.page(prefix, { after: last, limit: 1 });
    let remaining = rest.entries.length + rest.remaining;
    for (const [key, e] of then) if (key > last) remaining += (e ? 1 : 0) - (this.get(key) ? 1 : 0);
    return { entries, revision, remaining };
  }

  page(prefix: string, opts: PageOptions = {}): Page {
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Number.POSITIVE_INFINITY;
    const entries: Entry[] = [];
    let remaining = 0;
    // Buckets come in key order, so once the page is full every later bucket lies wholly beyond it.
    for (const [range, b] of this.bucketsUnder(prefix)) {
      remaining += entries.length < limit ? b.scan(range, opts.after, limit, opts.filter, entries) : b.countRange(range);
    }
    return { entries, revision: this.rev, remaining };
  }

  count(prefix: string): number {
    let n = 0;
    for (const [range, b] of this.bucketsUnder(prefix)) n += b.countRange(range);
    return n;
  }

  create(key: string, object: KubeObject): Promise<Entry> {
    try {
      return Promise.resolve(this.createSync(key, object));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  update(key: string, object: KubeObject, expectRevision?: number): Promise<Entry> {
    try {
      return Promise.resolve(this.updateSync(key, object, expectRevision));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  delete(key: string, expectRevision?: number): Promise<Entry> {
    try {
      return Promise.resolve(this.deleteSync(key, expectRevision));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  updateNow(key: string, object: KubeObject, expectRevision?: number): Entry {
    return this.updateSync(key, object, expectRevision);
  }

  /** The write applied at once (embedded backends and tests): throws StoreConflictError. */
  createSync(key: string, object: KubeObject): Entry {
    const bucket = this.bucket(key);
    if (bucket.entries.has(key)) throw new StoreConflictError(key, 'exists');
    const entry = this.stamp(key, object);
    bucket.entries.set(key, entry);
    bucket.insert(key);
    this.emit({ type: 'ADDED', revision: entry.modRevision, key, entry });
    return entry;
  }

  updateSync(key: string, object: KubeObject, expectRevision?: number): Entry {
    const bucket = this.bucket(key);
    const prev = bucket.entries.get(key);
    if (!prev) throw new StoreConflictError(key, 'missing');
    if (expectRevision !== undefined && prev.modRevision !== expectRevision) throw new StoreConflictError(key, 'stale');
    const entry = this.stamp(key, object);
    bucket.entries.set(key, entry);
    this.emit({ type: 'MODIFIED', revision: entry.modRevision, key, entry, prev });
    return entry;
  }

  deleteSync(key: string, expectRevision?: number): Entry {
    const bucket = this.bucket(key);
    const prev = bucket.entries.get(key);
    if (!prev) throw new StoreConflictError(key, 'missing');
    if (expectRevision !== undefined && prev.modRevision !== expectRevision) throw new StoreConflictError(key, 'stale');
    bucket.entries.delete(key);
    bucket.remove(key);
    // Watchers see the last state stamped with the deletion revision, as kube-apiserver's watch cache does.
    this.rev++;
    const tomb = {
      ...prev.object,
      metadata: { ...prev.object.metadata, resourceVersion: String(this.rev) },
    } as KubeObject;
    const entry: Entry = { key, object: deepFreeze(tomb), modRevision: this.rev };
    this.emit({ type: 'DELETED', revision: this.rev, key, entry, prev });
    return prev;
  }

  /**
   * Applies a change made elsewhere (a cache of a remote store: etcd) at the revision it was given there, which
   * is newer than every revision applied so far. `entry` (for a put) is frozen and stamped with `revision`.
   * Returns the event delivered, if any (a delete of an unknown key changes nothing but the revision).
   */
  applyExternal(type: 'PUT' | 'DELETE', key: string, revision: number, entry?: Entry): StoreEvent | undefined {
    const bucket = this.bucket(key);
    const prev = bucket.entries.get(key);
    this.rev = Math.max(this.rev, revision);
    if (type === 'PUT') {
      const e = entry as Entry;
      bucket.entries.set(key, e);
      if (!prev) bucket.insert(key);
      const ev: StoreEvent = prev ? { type: 'MODIFIED', revision, key, entry: e, prev } : { type: 'ADDED', revision, key, entry: e };
      this.emit(ev);
      return ev;
    }
    if (!prev) return undefined;
    bucket.entries.delete(key);
    bucket.remove(key);
    const tomb = { ...prev.object, metadata: { ...prev.object.metadata, resourceVersion: String(revision) } } as KubeObject;
    const ev: StoreEvent = { type: 'DELETED', revision, key, entry: { key, object: deepFreeze(tomb), modRevision: revision }, prev };
    this.emit(ev);
    return ev;
  }

  watch(prefix: string, fromRevision: number, onEvent: (e: StoreEvent) => void): WatchHandle {
    if (fromRevision < this.compactedRev) throw new GoneError(fromRevision, this.compactedRev);
    const w: Watcher = { prefix, from: fromRevision, onEvent, active: true };
    // Replay retained history after fromRevision, then go live. Both happen synchronously, so no write can
    // slip in between (JavaScript runs this method to completion). Events not yet published come live.
    for (let i = this.firstIndexAfter(fromRevision); i < this.history.length; i++) {
      const e = this.history[i] as StoreEvent;
      if (e.revision > this.published) break;
      if (e.key.startsWith(prefix)) onEvent(e);
      if (!w.active) break;
    }
    if (prefix.split('/').length - 1 >= 3) {
      const b = bucketOf(prefix);
      let set = this.watchers.get(b);
      if (!set) this.watchers.set(b, (set = new Set()));
      set.add(w);
    } else {
      this.wideWatchers.add(w);
    }
    return {
      cancel: () => {
        w.active = false;
        this.watchers.get(bucketOf(prefix))?.delete(w);
        this.wideWatchers.delete(w);
      },
    };
  }

  async close(): Promise<void> {
    for (const set of this.watchers.values()) set.clear();
    this.wideWatchers.clear();
  }

  /** The buckets a prefix reaches, in key order, each with the part of its range under the prefix. */
  private bucketsUnder(prefix: string): Array<[string, Bucket]> {
    if (prefix.split('/').length - 1 >= 3) {
      const b = this.buckets.get(bucketOf(prefix));
      return b ? [[prefix, b]] : [];
    }
    const names = [...this.buckets.keys()].filter((n) => n.startsWith(prefix)).sort();
    return names.map((n) => [n, this.buckets.get(n) as Bucket]);
  }

  private bucket(key: string): Bucket {
    const name = bucketOf(key);
    let b = this.buckets.get(name);
    if (!b) this.buckets.set(name, (b = new Bucket()));
    return b;
  }

  private stamp(key: string, object: KubeObject): Entry {
    this.rev++;
    object.metadata.resourceVersion = String(this.rev);
    return { key, object: deepFreeze(object), modRevision: this.rev };
  }

  private firstIndexAfter(rev: number): number {
    let lo = this.historyStart;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.history[mid] as StoreEvent).revision <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length - this.historyStart > this.maxHistory) {
      const dropped = this.history[this.historyStart] as StoreEvent;
      this.history[this.historyStart] = undefined as unknown as StoreEvent;
      this.historyStart++;
      this.compactedRev = dropped.revision;
      // Reclaim the array's dead front now and then instead of shifting on every write.
      if (this.historyStart > 65_536 && this.historyStart * 2 > this.history.length) {
        this.history.splice(0, this.historyStart);
        this.historyStart = 0;
      }
    }
    this.onWrite?.(e);
    if (this.deferDelivery) {
      this.unpublished.push(e);
      return;
    }
    this.published = e.revision;
    this.deliver(e);
  }

  private deliver(e: StoreEvent): void {
    const set = this.watchers.get(bucketOf(e.key));
    if (set) for (const w of set) if (w.active && e.revision > w.from && e.key.startsWith(w.prefix)) w.onEvent(e);
    for (const w of this.wideWatchers) if (w.active && e.revision > w.from && e.key.startsWith(w.prefix)) w.onEvent(e);
  }
}
