// etcd backend: objects live in an etcd v3 cluster, so several kubeloop processes (API servers, controllers,
// kubelets) can share them. Reads, lists and watches are served synchronously from a local cache (a MemoryStore,
// like kube-apiserver's watch cache) fed by one etcd watch on the /registry/ prefix; writes are etcd
// transactions.
//
// - Keys: store key /<group or core>/<plural>/<namespace or _>/<name> is etcd key
//   /registry/<plural>/<namespace or _>/<name> for the core group and /registry/<group>/<plural>/<ns>/<name>
//   otherwise (kube-apiserver's layout, with "_" standing for "no namespace" so the two shapes never collide).
//   Values are the object's JSON without metadata.resourceVersion, which is the key's mod revision.
// - create is Txn(createRevision == 0 ? put : get); update and delete are Txn(modRevision == expected ? write : get),
//   so optimistic concurrency holds across processes. An update without a precondition compares against the
//   revision it last saw and retries with the one the failed transaction returned.
// - Read-your-writes: a write resolves only once the cache has applied the write's revision from the watch,
//   so a get or list right after it sees it (and the watch cache never misses a write that was acknowledged).
// - Watch history: the cache keeps the last `historyEvents` events (resume within that window); older
//   revisions, and revisions before the cache was loaded, get 410 Gone (as kube-apiserver's watch cache answers).
// - If etcd cancels the cache's watch (it compacted past the cache's revision while this process was
//   disconnected; etcd3 reports that only as an anonymous "Watcher canceled" error), the store relists: it
//   reads a new snapshot, hands the differences to live watchers as events and follows on from the snapshot
//   (MemoryStore.resync), as a reflector relists after 410 Gone. Pending writes wait for it.
// - etcd's own history is compacted every 5 minutes by one of the processes (etcd-compactor.ts), as
//   kube-apiserver does; without it etcd's database grows until it reaches its quota.
// - durable() resolves at once: etcd acknowledged every write (raft-committed and fsynced) before it resolved.
import type { Etcd3, IKeyValue, ITxnResponse, IWatchResponse, Watcher } from 'etcd3';
import type { KubeObject } from '../api/types.js';
import { type Compactor, startCompactor } from './etcd-compactor.js';
import { MemoryReads } from './memory-reads.js';
import { MemoryStore } from './memory.js';
import { deepFreeze, type Entry, type Store, StoreConflictError } from './store.js';

export interface EtcdStoreOptions {
  /** Client URLs, e.g. http://127.0.0.1:2379. */
  servers: string[];
  /** Events a watch can resume through (the watch cache's window). */
  historyEvents?: number;
  /** Told when the cache lost its etcd watch and relists (logging). */
  onResync?: (why: string) => void;
  /** How often to compact etcd's history, as kube-apiserver's --etcd-compaction-interval (default 5 minutes;
   * 0 leaves it to someone else). */
  compactionIntervalMs?: number;
  /** Compaction messages (logging). */
  log?: (message: string) => void;
  /** Dial timeout for the first connection, in ms (default 5000). */
  dialTimeoutMs?: number;
}

const ROOT = '/registry/';
/** The end of the /registry/ range ('/' + 1 is '0'). */
const ROOT_END = '/registry0';
/** kube-apiserver's default --etcd-compaction-interval. */
export const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60_000;
/** Keys per range request when loading (keeps each response far below gRPC's message limits). */
const LOAD_PAGE = 1000;

/** Store key -> etcd key. */
export function etcdKey(key: string): string {
  return key.startsWith('/core/') ? `${ROOT}${key.slice(6)}` : `${ROOT}${key.slice(1)}`;
}

/** etcd key -> store key, or undefined for a key that is not an object of ours. */
export function storeKey(ek: string): string | undefined {
  if (!ek.startsWith(ROOT)) return undefined;
  const rest = ek.slice(ROOT.length);
  const parts = rest.split('/').length;
  if (parts === 3) return `/core/${rest}`;
  if (parts === 4) return `/${rest}`;
  return undefined;
}

function encode(object: KubeObject): string {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return JSON.stringify({ ...object, metadata });
}

function decode(key: string, kv: IKeyValue): Entry {
  const o = JSON.parse(kv.value.toString()) as KubeObject;
  const rev = Number(kv.mod_revision);
  o.metadata = { ...(o.metadata ?? {}), resourceVersion: String(rev) };
  return { key, object: deepFreeze(o), modRevision: rev };
}

/** Every object under /registry/, read in pages at the revision of the first page (one consistent snapshot). */
async function snapshot(client: Etcd3): Promise<{ entries: Entry[]; revision: number }> {
  const entries: Entry[] = [];
  let start = ROOT;
  let revision: string | undefined;
  for (;;) {
    let range = client.getAll().inRange({ start, end: ROOT_END }).limit(LOAD_PAGE);
    if (revision !== undefined) range = range.revision(revision);
    const res = await range.exec();
    revision ??= res.header.revision;
    for (const kv of res.kvs) {
      const key = storeKey(kv.key.toString());
      if (key) entries.push(decode(key, kv));
    }
    const last = res.kvs[res.kvs.length - 1];
    if (!res.more || !last) break;
    start = `${last.key.toString()}\0`;
  }
  return { entries, revision: Number(revision) };
}

interface Waiter {
  revision: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class EtcdStore extends MemoryReads implements Store {
  protected readonly mem: MemoryStore;
  private watcher: Watcher | undefined;
  /** Pending writes waiting for the cache to reach their revision, in revision order. */
  private waiters: Waiter[] = [];
  /** Entries this process wrote, by revision, until the watch delivers them (reused instead of re-parsing). */
  private readonly own = new Map<number, Entry>();
  private closed = false;
  /** Counters for tests and benchmarks. */
  readonly stats = { loaded: 0, events: 0, txns: 0, conflicts: 0, resyncs: 0 };
  private resyncing = false;
  private compactor: Compactor | undefined;

  /** Connects, loads every object under /registry/ into the cache and starts following changes. */
  static async open(opts: EtcdStoreOptions): Promise<EtcdStore> {
    // Loaded on first use: the gRPC client costs startup time that processes without etcd should not pay.
    const { Etcd3 } = await import('etcd3');
    const client = new Etcd3({
      hosts: opts.servers,
      dialTimeout: opts.dialTimeoutMs ?? 5000,
      // A watch response can batch many events; gRPC's default 4 MiB limit is too small for a busy cluster.
      grpcOptions: { 'grpc.max_receive_message_length': 512 * 1024 * 1024 },
    });
    try {
      const { entries, revision } = await snapshot(client);
      const store = new EtcdStore(client, opts, revision, entries);
      await store.follow(revision);
      const every = opts.compactionIntervalMs ?? DEFAULT_COMPACTION_INTERVAL_MS;
      if (every > 0) store.compactor = startCompactor(client, every, opts.log);
      return store;
    } catch (err) {
      client.close();
      throw new Error(`cannot reach etcd at ${opts.servers.join(',')}: ${(err as Error).message}`);
    }
  }

  private constructor(
    private readonly client: Etcd3,
    private readonly opts: EtcdStoreOptions,
    revision: number,
    entries: Entry[],
  ) {
    super();
    this.mem = new MemoryStore({ startRevision: revision, ...(opts.historyEvents ? { historyEvents: opts.historyEvents } : {}) });
    this.mem.restore({ entries, history: [], compactedRevision: revision });
    this.stats.loaded = entries.length;
  }

  private async follow(fromRevision: number): Promise<void> {
    const watcher = await this.client
      .watch()
      .prefix(ROOT)
      .startRevision(String(fromRevision + 1))
      .create();
    this.watcher = watcher;
    watcher.on('data', (res: IWatchResponse) => this.onWatch(res));
    watcher.on('error', (err: Error) => this.relist(watcher, err));
  }

  /** The watch was cancelled: read a new snapshot, apply its differences, follow on from it. Retries until
   * etcd answers (or the store closes); writes meanwhile are committed in etcd and wait for the cache. */
  private relist(lost: Watcher, err: Error): void {
    if (this.closed || this.resyncing || lost !== this.watcher) return;
    this.resyncing = true;
    this.watcher = undefined;
    this.stats.resyncs++;
    this.opts.onResync?.(`etcd watch lost (${err.message}); relisting from a new snapshot`);
    lost.removeAllListeners('data');
    lost.cancel().catch(() => undefined);
    void (async () => {
      for (let delay = 100; !this.closed; delay = Math.min(delay * 2, 5000)) {
        try {
          const { entries, revision } = await snapshot(this.client);
          if (this.closed) return;
          this.mem.resync(entries, revision);
          for (const rev of this.own.keys()) if (rev <= revision) this.own.delete(rev);
          this.wake();
          await this.follow(revision);
          this.resyncing = false;
          return;
        } catch {
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    })();
  }

  private onWatch(res: IWatchResponse): void {
    if (this.closed) return;
    for (const ev of res.events ?? []) {
      const key = storeKey(ev.kv.key.toString());
      const rev = Number(ev.kv.mod_revision);
      if (!key) continue;
      this.stats.events++;
      if (ev.type === 'Put') {
        const mine = this.own.get(rev);
        if (mine) this.own.delete(rev);
        this.mem.applyExternal('PUT', key, rev, mine && mine.key === key ? mine : decode(key, ev.kv));
      } else {
        this.own.delete(rev);
        this.mem.applyExternal('DELETE', key, rev);
      }
    }
    this.wake();
  }

  private wake(): void {
    const rev = this.mem.revision();
    let i = 0;
    while (i < this.waiters.length && (this.waiters[i] as Waiter).revision <= rev) (this.waiters[i++] as Waiter).resolve();
    if (i > 0) this.waiters.splice(0, i);
  }

  /** Resolves once the cache has applied `revision` (read-your-writes). */
  private caughtUp(revision: number): Promise<void> {
    if (this.mem.revision() >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w: Waiter = { revision, resolve, reject };
      // Writes finish nearly in revision order: insert from the back.
      let i = this.waiters.length;
      while (i > 0 && (this.waiters[i - 1] as Waiter).revision > revision) i--;
      this.waiters.splice(i, 0, w);
    });
  }

  private writable(): void {
    if (this.closed) throw new Error('store is closed');
  }

  // Reads come from `mem` (MemoryReads).

  // ---- writes: etcd transactions ----

  async create(key: string, object: KubeObject): Promise<Entry> {
    this.writable();
    const ek = etcdKey(key);
    this.stats.txns++;
    const res = await this.client.if(ek, 'Create', '==', 0).then(this.client.put(ek).value(encode(object))).commit();
    if (!res.succeeded) {
      this.stats.conflicts++;
      throw new StoreConflictError(key, 'exists');
    }
    return this.settle(key, object, Number(res.header.revision));
  }

  async update(key: string, object: KubeObject, expectRevision?: number): Promise<Entry> {
    this.writable();
    const ek = etcdKey(key);
    const value = encode(object);
    let expect = expectRevision ?? this.mem.get(key)?.modRevision;
    if (expect === undefined) {
      // Not in the cache: it may still exist in etcd if the cache is behind; ask.
      const cur = await this.client.get(ek).exec();
      const kv = cur.kvs[0];
      if (!kv) throw new StoreConflictError(key, 'missing');
      expect = Number(kv.mod_revision);
    }
    for (;;) {
      this.stats.txns++;
      const res: ITxnResponse = await this.client.if(ek, 'Mod', '==', expect).then(this.client.put(ek).value(value)).else(this.client.get(ek)).commit();
      if (res.succeeded) return this.settle(key, object, Number(res.header.revision));
      expect = await this.afterConflict(key, res, expectRevision);
    }
  }

  async delete(key: string, expectRevision?: number): Promise<Entry> {
    this.writable();
    const ek = etcdKey(key);
    let expect = expectRevision ?? this.mem.get(key)?.modRevision ?? 0;
    for (;;) {
      const cached = this.mem.get(key);
      this.stats.txns++;
      const res: ITxnResponse = await this.client.if(ek, 'Mod', '==', expect).then({ request_delete_range: { key: Buffer.from(ek), prev_kv: true } }).else(this.client.get(ek)).commit();
      if (res.succeeded) {
        const rev = Number(res.header.revision);
        const prevKv = res.responses[0]?.response_delete_range?.prev_kvs?.[0];
        const removed = cached && cached.modRevision === expect ? cached : prevKv ? decode(key, prevKv) : undefined;
        await this.caughtUp(rev);
        if (!removed) throw new StoreConflictError(key, 'missing');
        return removed;
      }
      expect = await this.afterConflict(key, res, expectRevision);
    }
  }

  /** A conditional write lost: the revision to try again with, when the caller gave no precondition; else the
   * caller's conflict, once the cache has the newer version a retry will read. */
  private async afterConflict(key: string, res: ITxnResponse, expectRevision: number | undefined): Promise<number> {
    this.stats.conflicts++;
    const kv: IKeyValue | undefined = res.responses[0]?.response_range?.kvs?.[0];
    if (!kv) throw new StoreConflictError(key, 'missing');
    if (expectRevision === undefined) return Number(kv.mod_revision);
    await this.caughtUp(Number(kv.mod_revision));
    throw new StoreConflictError(key, 'stale');
  }

  /** Stamps and freezes the written object, then waits for the cache to apply it; resolves to the cached entry. */
  private async settle(key: string, object: KubeObject, revision: number): Promise<Entry> {
    object.metadata.resourceVersion = String(revision);
    const entry: Entry = { key, object: deepFreeze(object), modRevision: revision };
    if (this.mem.revision() < revision) this.own.set(revision, entry);
    await this.caughtUp(revision);
    const cached = this.mem.get(key);
    return cached && cached.modRevision === revision ? cached : entry;
  }

  /** etcd acknowledged every write before it resolved: nothing more to wait for. */
  durable(_revision: number): Promise<void> {
    return Promise.resolve();
  }

  /** The underlying client (leader election and tests). */
  get etcd(): Etcd3 {
    return this.client;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compactor?.stop();
    const err = new Error('store is closed');
    for (const w of this.waiters) w.reject(err);
    this.waiters = [];
    try {
      await this.watcher?.cancel();
    } catch {
      // the connection may already be gone
    }
    this.client.close();
    await this.mem.close();
  }
}
