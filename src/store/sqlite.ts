// SQLite backend (the durable default): reads, lists and watches are served from a MemoryStore exactly as with
// `--in-memory`, and every write is also persisted to a WAL-mode SQLite database with group commit.
//
// - Writes apply to memory at once (so "read rev, compare, write" stays synchronous) and are queued; the queue
//   is committed in one transaction on the next setImmediate, so every write made in one event-loop turn (all
//   the HTTP requests parsed in it, a controller's burst) shares one fsync.
// - `durable(revision)` resolves after the commit covering `revision`: the HTTP layer answers a write only then.
// - Watchers see an event only after its commit (MemoryStore's deferDelivery), as etcd never shows a watcher
//   a write it could still lose. Commits happen in revision order, so after a crash the database holds exactly
//   a prefix of the history: every controller decision that was persisted rests on persisted state.
// - One table is a revision log, as etcd's MVCC keyspace: `revs` has a row per write (revision, type, key, the
//   object as written, the previous revision of the key). Rows newer than the compacted revision are the watch
//   history window; older rows survive only while they hold a key's current state (or the state before a change
//   still in the window). Compaction runs inside each commit: a row leaving the window is deleted unless
//   current, and so is the row before it. So an object is written once per change (no second copy in a current-state
//   table), the file holds about current objects + window, and churn reuses free pages instead of growing it
//   (k3s's kine keeps every row until a separate compaction catches up). `meta` keeps the revision (which also
//   survives a delete as the newest write) and the compacted revision.
// - Opening reads the log once in revision order: old rows are the current objects, window rows are replayed
//   into the history. Objects stay JSON text until first used (StoredEntry), so a restart costs a table scan.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { KubeObject } from '../api/types.js';
import { MemoryReads } from './memory-reads.js';
import { DEFAULT_HISTORY_EVENTS, MemoryStore } from './memory.js';
import { deepFreeze, type Entry, entryJson, type EventType, type Store, type StoreEvent } from './store.js';

export interface SqliteStoreOptions {
  /** Events a watch can resume through, as MemoryStore's historyEvents; also bounds the persisted history. */
  historyEvents?: number;
  /**
   * FULL (default): each commit fsyncs the WAL, so an acknowledged write survives kill -9 *and* a power loss
   * or kernel crash. NORMAL also survives kill -9 (a committed WAL frame is in the OS page cache, which outlives
   * the process) but a power loss can drop the last commits, which would break "acknowledged means durable".
   * Group commit pays one fsync per event-loop turn, not per write, which is what makes FULL affordable.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** Called once if a commit fails (disk full, I/O error); later writes then throw and `durable` rejects. */
  onError?: (err: Error) => void;
}

const TYPE_CODE: Record<EventType, number> = { ADDED: 1, MODIFIED: 2, DELETED: 3 };
const CODE_TYPE: EventType[] = ['ADDED', 'ADDED', 'MODIFIED', 'DELETED'];

/** An entry read from disk: JSON is parsed (and frozen) on first use, so loading 100k objects costs no parse. */
class StoredEntry implements Entry {
  private parsed: KubeObject | undefined;
  constructor(
    readonly key: string,
    readonly modRevision: number,
    public json: string,
    /** Overrides metadata.resourceVersion of the parsed JSON (a deleted object's state before its deletion). */
    private readonly resourceVersion?: string,
  ) {}
  get object(): KubeObject {
    if (this.parsed === undefined) {
      const o = JSON.parse(this.json) as KubeObject;
      if (this.resourceVersion !== undefined) o.metadata.resourceVersion = this.resourceVersion;
      this.parsed = deepFreeze(o);
    }
    return this.parsed;
  }
}

interface Waiter {
  revision: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class SqliteStore extends MemoryReads implements Store {
  readonly file: string;
  private readonly db: Database.Database;
  protected readonly mem: MemoryStore;
  private queue: StoreEvent[] = [];
  private scheduled = false;
  private committed: number;
  private compacted: number;
  private waiters: Waiter[] = [];
  private failed: Error | undefined;
  private closed = false;
  private readonly commitBatch: (batch: StoreEvent[], compactTo: number) => void;
  private readonly onError: ((err: Error) => void) | undefined;
  /** Counters for tests and benchmarks. */
  readonly stats = { commits: 0, writes: 0, loadMs: 0, loadedObjects: 0, loadedEvents: 0 };

  /** Opens (creating if needed) DIR/store.db, or FILE when the path ends in .db, and loads it into memory. */
  static open(dirOrFile: string, opts: SqliteStoreOptions = {}): SqliteStore {
    const file = dirOrFile.endsWith('.db') ? dirOrFile : path.join(dirOrFile, 'store.db');
    mkdirSync(path.dirname(file), { recursive: true });
    return new SqliteStore(file, opts);
  }

  private constructor(file: string, opts: SqliteStoreOptions) {
    super();
    const started = performance.now();
    this.file = file;
    this.onError = opts.onError;
    const db = (this.db = new Database(file, { timeout: 0 }));
    // One process owns the database: the first write below takes an exclusive lock held until close (the OS
    // drops it when the process dies, even by kill -9), so a second kubeloop on the same data dir fails fast.
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      // Pods are 2-3 KB of JSON: 4 KB pages hold one each (4.1 KB a pod), 8 KB pages three (2.7 KB a pod). Only
      // takes effect when the database is created.
      db.pragma('page_size = 8192');
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
      // Keep the WAL file from staying large after a burst (it is truncated to this at checkpoints).
      db.pragma('journal_size_limit = 67108864');
      db.pragma('cache_size = -65536'); // 64 MiB page cache
      db.exec(`
        CREATE TABLE IF NOT EXISTS revs (rev INTEGER PRIMARY KEY, type INTEGER NOT NULL, key TEXT NOT NULL,
          value TEXT NOT NULL, prev_rev INTEGER);
        CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      `);
      // A new database starts at revision 1 with nothing compacted.
      db.prepare("INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 1), ('compacted', 1)").run();
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new Error(`${file} is in use by another kubeloop process`);
      throw err;
    }
    const metaGet = db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE name = ?');
    const revision = metaGet.get('revision')?.value ?? 1;
    this.compacted = metaGet.get('compacted')?.value ?? revision;
    this.committed = revision;

    this.mem = new MemoryStore({
      historyEvents: opts.historyEvents ?? DEFAULT_HISTORY_EVENTS,
      startRevision: revision,
      deferDelivery: true,
      onWrite: (e) => this.enqueue(e),
    });
    this.load();

    const append = db.prepare('INSERT INTO revs (rev, type, key, value, prev_rev) VALUES (?, ?, ?, ?, ?)');
    const drop = db.prepare('DELETE FROM revs WHERE rev = ?');
    const leaving = db.prepare('SELECT rev, key, prev_rev FROM revs WHERE rev > ? AND rev <= ?').raw();
    const setMeta = db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value');
    this.commitBatch = db.transaction((batch: StoreEvent[], compactTo: number) => {
      for (const e of batch) append.run(e.revision, TYPE_CODE[e.type], e.key, entryJson(e.entry), e.prev?.modRevision ?? null);
      setMeta.run('revision', (batch[batch.length - 1] as StoreEvent).revision);
      if (compactTo > this.compacted) {
        // Rows leaving the window: keep the ones that are still their key's current state (memory holds exactly
        // the state after this batch, as a flush takes every queued write). The previous row of a leaving change
        // was kept for that change's `prev` only and goes too.
        const rows = leaving.all(this.compacted, compactTo) as Array<[number, string, number | null]>;
        for (const [rev, key, prevRev] of rows) {
          if (prevRev !== null) drop.run(prevRev);
          if (this.mem.get(key)?.modRevision !== rev) drop.run(rev);
        }
        setMeta.run('compacted', compactTo);
      }
    });
    this.stats.loadMs = performance.now() - started;
  }

  private load(): void {
    // Rows up to the compacted revision are current objects (or their state before a change in the window);
    // newer ones are the history window, replayed in order, each with the key's previous row as `prev`.
    const current = new Map<string, Entry>();
    const history: StoreEvent[] = [];
    const rows = this.db.prepare('SELECT rev, type, key, value, prev_rev FROM revs ORDER BY rev').raw().iterate() as IterableIterator<
      [number, number, string, string, number | null]
    >;
    for (const [rev, code, key, value, prevRev] of rows) {
      const type = CODE_TYPE[code] as EventType;
      const entry = new StoredEntry(key, rev, value);
      if (rev <= this.compacted) {
        if (type !== 'DELETED') current.set(key, entry);
        continue;
      }
      let prev: Entry | undefined;
      if (prevRev !== null) {
        const before = current.get(key);
        if (before !== undefined && before.modRevision === prevRev) prev = before;
        else if (type === 'DELETED') prev = new StoredEntry(key, prevRev, value, String(prevRev));
      }
      history.push(prev ? { type, revision: rev, key, entry, prev } : { type, revision: rev, key, entry });
      if (type === 'DELETED') current.delete(key);
      else current.set(key, entry);
    }
    this.mem.restore({ entries: [...current.values()], history, compactedRevision: this.compacted });
    this.stats.loadedObjects = current.size;
    this.stats.loadedEvents = history.length;
  }

  // Reads come from `mem` (MemoryReads).

  // ---- writes: memory first, then the next group commit ----

  create(key: string, object: KubeObject): Promise<Entry> {
    try {
      this.writable();
      return Promise.resolve(this.mem.createSync(key, object));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  update(key: string, object: KubeObject, expectRevision?: number): Promise<Entry> {
    try {
      this.writable();
      return Promise.resolve(this.mem.updateSync(key, object, expectRevision));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  updateNow(key: string, object: KubeObject, expectRevision?: number): Entry {
    this.writable();
    return this.mem.updateSync(key, object, expectRevision);
  }
  delete(key: string, expectRevision?: number): Promise<Entry> {
    try {
      this.writable();
      return Promise.resolve(this.mem.deleteSync(key, expectRevision));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The newest revision known to be on disk. */
  committedRevision(): number {
    return this.committed;
  }

  durable(revision: number): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const rev = Math.min(revision, this.mem.revision());
    if (rev <= this.committed) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ revision: rev, resolve, reject }));
  }

  /** Commits whatever is queued now (normally done on setImmediate). */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0 || this.failed) return;
    const batch = this.queue;
    this.queue = [];
    const upTo = (batch[batch.length - 1] as StoreEvent).revision;
    const compactTo = this.mem.oldestWatchableRevision();
    try {
      this.commitBatch(batch, compactTo);
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (compactTo > this.compacted) this.compacted = compactTo;
    this.committed = upTo;
    this.stats.commits++;
    this.stats.writes += batch.length;
    if (this.waiters.length > 0) {
      const still: Waiter[] = [];
      for (const w of this.waiters) {
        if (w.revision <= upTo) w.resolve();
        else still.push(w);
      }
      this.waiters = still;
    }
    this.mem.publish(upTo);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    await this.mem.close();
    try {
      if (!this.failed) this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }

  private enqueue(e: StoreEvent): void {
    this.queue.push(e);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private writable(): void {
    if (this.failed) throw new Error(`store is read-only after a failed commit: ${this.failed.message}`);
    if (this.closed) throw new Error('store is closed');
  }

  private fail(err: Error): void {
    this.failed = err;
    for (const w of this.waiters) w.reject(err);
    this.waiters = [];
    this.onError?.(err);
  }
}
