// The read side shared by the backends that keep their current state in a MemoryStore (SQLite's copy of its
// database, etcd's watch cache): reads, lists and watches never wait on disk or network.
import type { MemoryStore } from './memory.js';
import type { Entry, Page, PageOptions, StoreEvent, WatchHandle } from './store.js';

export abstract class MemoryReads {
  protected abstract readonly mem: MemoryStore;

  revision(): number {
    return this.mem.revision();
  }
  get(key: string): Entry | undefined {
    return this.mem.get(key);
  }
  list(prefix: string): { entries: Entry[]; revision: number } {
    return this.mem.list(prefix);
  }
  pageAt(prefix: string, revision: number, opts?: PageOptions): Page | undefined {
    return this.mem.pageAt(prefix, revision, opts);
  }
  page(prefix: string, opts?: PageOptions): Page {
    return this.mem.page(prefix, opts);
  }
  count(prefix: string): number {
    return this.mem.count(prefix);
  }
  watch(prefix: string, fromRevision: number, onEvent: (e: StoreEvent) => void): WatchHandle {
    return this.mem.watch(prefix, fromRevision, onEvent);
  }
  oldestWatchableRevision(): number {
    return this.mem.oldestWatchableRevision();
  }
}
