// The versioned store contract, with etcd's semantics: one global revision stamps every write; each object
// remembers the revision that last changed it; a watch can resume from any revision still in the history
// window, and an older one is answered with Gone. Backends: memory, sqlite (the
// durable default) and etcd (src/store/etcd.ts).
import type { KubeObject } from '../api/types.js';

export interface Entry {
  readonly key: string;
  /** Deep-frozen; metadata.resourceVersion equals String(modRevision). */
  readonly object: KubeObject;
  readonly modRevision: number;
  /** Cached JSON text of `object`, filled on first use (see `entryJson`). */
  json?: string;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: EventType;
  readonly revision: number;
  readonly key: string;
  /** For DELETED: the object as it was last stored, with resourceVersion = the deletion revision. */
  readonly entry: Entry;
  readonly prev?: Entry;
}

/** A bounded, resumable read of the entries under a prefix (see Store.page). */
export interface PageOptions {
  /** Start strictly after this key (the last key of the previous page). */
  after?: string;
  /** Stop once this many entries were taken; absent or not positive: no bound. */
  limit?: number;
  /** Take only the entries this accepts; the limit counts taken entries, not scanned ones. */
  filter?: (e: Entry) => boolean;
}

export interface Page {
  entries: Entry[];
  revision: number;
  /** Entries under the prefix, taken or not, that sort after the last one scanned: 0 when the scan reached the
   * end. Known without visiting them, so a caller can report what is left of a list for free. */
  remaining: number;
}

export interface WatchHandle {
  cancel(): void;
}

export class GoneError extends Error {
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

export class StoreConflictError extends Error {
  constructor(readonly key: string, readonly reason: 'exists' | 'missing' | 'stale') {
    super(`${reason}: ${key}`);
  }
}

export interface Store {
  /** Current revision (the resourceVersion of the newest write). */
  revision(): number;
  get(key: string): Entry | undefined;
  /** Entries whose key starts with `prefix`, in key order, with the revision they were read at. */
  list(prefix: string): { entries: Entry[]; revision: number };
  /** Like `list`, but starts after `opts.after` and stops after `opts.limit` taken entries: costs what it
   * scans, not what is stored, so each page of a paged list is as cheap as the first. */
  page(prefix: string, opts?: PageOptions): Page;
  /** A page as it was at `revision` (a paged list's snapshot, resourceVersionMatch=Exact); undefined when that
   * revision is older than the history kept, or newer than the store. */
  pageAt(prefix: string, revision: number, opts?: PageOptions): Page | undefined;
  /** Counts entries under a prefix without materializing them. */
  count(prefix: string): number;
  // Writes are asynchronous: a remote backend (etcd) learns the revision only when its transaction commits.
  // Each resolves once the write is visible to this store's reads (read-your-writes); embedded backends apply
  // the write before returning the promise. The store may take ownership of `object` (it stamps and freezes it).
  /** Creates; the store stamps metadata.resourceVersion and freezes the object. Rejects with StoreConflictError('exists'). */
  create(key: string, object: KubeObject): Promise<Entry>;
  /** Replaces, if the current modRevision equals `expectRevision` (when given). Rejects with StoreConflictError. */
  update(key: string, object: KubeObject, expectRevision?: number): Promise<Entry>;
  /** Removes, if the current modRevision equals `expectRevision` (when given). Resolves to the removed entry. */
  delete(key: string, expectRevision?: number): Promise<Entry>;
  /** Embedded backends only: `update` applied before it returns (throws StoreConflictError). Lets a caller that
   * must not yield between a check and its write (quota admission's charge and the object's own write) stay in
   * one turn of the event loop; callers fall back to `update` when a backend (etcd) has none. */
  updateNow?(key: string, object: KubeObject, expectRevision?: number): Entry;
  /** Delivers, in revision order, events with revision > `fromRevision` for keys under `prefix`, then live ones.
   * Throws GoneError if `fromRevision` is older than the history window. */
  watch(prefix: string, fromRevision: number, onEvent: (e: StoreEvent) => void): WatchHandle;
  /** The oldest revision a watch may resume from. */
  oldestWatchableRevision(): number;
  /** Resolves once every write up to `revision` is on disk (durable backends group-commit, so this is how a
   * write is acknowledged only when it survives a crash); rejects if the backend failed to persist it. */
  durable?(revision: number): Promise<void>;
  close(): Promise<void>;
}

/** JSON text of an entry's object, computed once: lists and watches reuse it instead of re-serializing. */
export function entryJson(e: Entry): string {
  if (e.json === undefined) e.json = JSON.stringify(e.object);
  return e.json;
}

/** Freezes a JSON value in place, all the way down. */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v as object)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
