// Shared informers: one list+watch cache per resource, shared by every component in the process. A cache
// lists, then watches from the list's resourceVersion, resumes after a closed stream, and relists after
// 410 Gone. It keeps indexes (namespace, owner uid, node name, label) so controllers never scan everything.
import type { KubeObject } from '../api/types.js';
import type { Clock, Timer } from '../clock/clock.js';
import type { Client, Resource, Watch, WatchEvent } from './client.js';

export interface EventHandler {
  add?(obj: KubeObject): void;
  update?(old: KubeObject, obj: KubeObject): void;
  /** For a deletion the last known state; may be stale when the delete happened during a relist. */
  delete?(obj: KubeObject): void;
}

export type IndexName = 'namespace' | 'owner' | 'node' | 'label';

/** `namespace/name`, or `name` for cluster-scoped objects: the key of caches and work queues. */
export function objectKey(obj: KubeObject): string {
  const m = obj.metadata;
  return m.namespace ? `${m.namespace}/${m.name}` : (m.name ?? '');
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

function indexValues(index: IndexName, obj: KubeObject): string[] {
  switch (index) {
    case 'namespace':
      return obj.metadata.namespace ? [obj.metadata.namespace] : [];
    case 'owner':
      return (obj.metadata.ownerReferences ?? []).map((r) => r.uid);
    case 'node': {
      const n = (obj.spec as { nodeName?: string } | undefined)?.nodeName;
      return n ? [n] : [];
    }
    case 'label':
      return Object.entries(obj.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  }
}

const INDEXES: IndexName[] = ['namespace', 'owner', 'node', 'label'];

export class SharedInformer {
  private readonly items = new Map<string, KubeObject>();
  private readonly indexes = new Map<IndexName, Map<string, Set<string>>>(INDEXES.map((i) => [i, new Map()]));
  private readonly handlers: EventHandler[] = [];
  private watch?: Watch;
  private resourceVersion = '';
  private synced = false;
  private running = false;
  private retry?: Timer;
  private readonly syncWaiters: Array<() => void> = [];
  private failures = 0;

  constructor(
    private readonly client: Client,
    readonly resource: Resource,
    private readonly clock: Clock,
  ) {}

  /** Registers handlers; objects already in the cache are replayed to them as adds. */
  addHandler(h: EventHandler): void {
    this.handlers.push(h);
    if (this.synced && h.add) for (const o of this.items.values()) h.add(o);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.relist();
  }

  stop(): void {
    this.running = false;
    this.watch?.stop();
    this.watch = undefined;
    this.retry?.cancel();
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): KubeObject | undefined {
    return this.items.get(key);
  }

  /** All cached objects, or those of one namespace. */
  list(namespace?: string): KubeObject[] {
    if (namespace === undefined) return [...this.items.values()];
    return this.byIndex('namespace', namespace);
  }

  byIndex(index: IndexName, value: string): KubeObject[] {
    const keys = this.indexes.get(index)?.get(value);
    if (!keys) return [];
    const out: KubeObject[] = [];
    for (const k of keys) {
      const o = this.items.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  size(): number {
    return this.items.size;
  }

  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  private async relist(): Promise<void> {
    if (!this.running) return;
    try {
      const list = await this.client.list(this.resource, undefined);
      if (!this.running) return;
      this.replace(list.items);
      this.resourceVersion = list.resourceVersion;
      this.failures = 0;
      if (!this.synced) {
        this.synced = true;
        for (const w of this.syncWaiters.splice(0)) w();
      }
      this.startWatch();
    } catch {
      this.scheduleRetry(true);
    }
  }

  private startWatch(): void {
    if (!this.running) return;
    let gone = false;
    const started = this.clock.now();
    this.watch = this.client.watch(
      this.resource,
      undefined,
      { resourceVersion: this.resourceVersion, allowWatchBookmarks: true },
      {
        onEvent: (e) => {
          if (e.type === 'ERROR') {
            if ((e.object as unknown as { code?: number }).code === 410) gone = true;
            return;
          }
          this.apply(e);
        },
        onClose: (err) => {
          this.watch = undefined;
          if (!this.running) return;
          const code = (err as { code?: number } | undefined)?.code;
          if (gone || code === 410) {
            void this.relist();
            return;
          }
          if (err) this.scheduleRetry(false);
          // A stream that ends at once, again and again, must not become a busy loop.
          else if (this.clock.now() - started < 1000) this.retry = this.clock.after(1000, () => this.startWatch());
          else this.startWatch();
        },
      },
    );
  }

  private scheduleRetry(relist: boolean): void {
    if (!this.running) return;
    // Back off like client-go's reflector: 800 ms doubling to 30 s.
    const delay = Math.min(30_000, 800 * 2 ** Math.min(this.failures++, 6));
    this.retry = this.clock.after(delay, () => {
      if (relist) void this.relist();
      else this.startWatch();
    });
  }

  private apply(e: WatchEvent): void {
    const obj = e.object;
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (e.type === 'BOOKMARK') return;
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (e.type === 'DELETED') {
      if (!old) return;
      this.remove(key, old);
      for (const h of this.handlers) h.delete?.(obj);
      return;
    }
    this.put(key, obj, old);
    for (const h of this.handlers) {
      if (old) h.update?.(old, obj);
      else h.add?.(obj);
    }
  }

  /** Swaps in a fresh list, telling handlers what appeared, changed and vanished meanwhile. */
  private replace(objects: KubeObject[]): void {
    const seen = new Set<string>();
    for (const obj of objects) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.items.get(key);
      if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      this.put(key, obj, old);
      for (const h of this.handlers) {
        if (old) h.update?.(old, obj);
        else h.add?.(obj);
      }
    }
    for (const [key, old] of [...this.items]) {
      if (seen.has(key)) continue;
      this.remove(key, old);
      for (const h of this.handlers) h.delete?.(old);
    }
  }

  private put(key: string, obj: KubeObject, old: KubeObject | undefined): void {
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const idx of INDEXES) {
      const m = this.indexes.get(idx) as Map<string, Set<string>>;
      for (const v of indexValues(idx, obj)) {
        let s = m.get(v);
        if (!s) m.set(v, (s = new Set()));
        s.add(key);
      }
    }
  }

  private remove(key: string, old: KubeObject): void {
    this.unindex(key, old);
    this.items.delete(key);
  }

  private unindex(key: string, obj: KubeObject): void {
    for (const idx of INDEXES) {
      const m = this.indexes.get(idx) as Map<string, Set<string>>;
      for (const v of indexValues(idx, obj)) {
        const s = m.get(v);
        if (!s) continue;
        s.delete(key);
        if (s.size === 0) m.delete(v);
      }
    }
  }
}

/** One informer per resource, shared by everyone who asks for it. */
export class InformerFactory {
  private readonly informers = new Map<string, SharedInformer>();
  private started = false;

  constructor(
    private readonly client: Client,
    private readonly clock: Clock,
  ) {}

  informer(r: Resource): SharedInformer {
    const k = `${r.group}/${r.version}/${r.plural}`;
    let inf = this.informers.get(k);
    if (!inf) {
      inf = new SharedInformer(this.client, r, this.clock);
      this.informers.set(k, inf);
      if (this.started) inf.start();
    }
    return inf;
  }

  start(): void {
    this.started = true;
    for (const i of this.informers.values()) i.start();
  }

  stop(): void {
    this.started = false;
    for (const i of this.informers.values()) i.stop();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }
}
