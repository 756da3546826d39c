import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allKinds } from '../../api/kinds/index.js';
import { Registry } from '../../api/registry.js';
import type { KubeObject } from '../../api/types.js';
import { FakeClock } from '../../clock/clock.js';
import { InProcessClient } from '../../client/inprocess.js';
import { MemoryStore } from '../../store/memory.js';
import type { Entry, PageOptions, Store, StoreEvent, WatchHandle } from '../../store/store.js';
import { ApiServer } from '../server.js';

/** A store whose writes land a moment later, as etcd's do, and that has no synchronous updateNow: quota
 * admission must then charge with preconditioned writes and retry when it loses a race. */
class SlowStore implements Store {
  constructor(private readonly m = new MemoryStore()) {}
  revision(): number {
    return this.m.revision();
  }
  get(key: string): Entry | undefined {
    return this.m.get(key);
  }
  list(prefix: string) {
    return this.m.list(prefix);
  }
  page(prefix: string, opts?: PageOptions) {
    return this.m.page(prefix, opts);
  }
  pageAt(prefix: string, revision: number, opts?: PageOptions) {
    return this.m.pageAt(prefix, revision, opts);
  }
  count(prefix: string): number {
    return this.m.count(prefix);
  }
  watch(prefix: string, from: number, onEvent: (e: StoreEvent) => void): WatchHandle {
    return this.m.watch(prefix, from, onEvent);
  }
  oldestWatchableRevision(): number {
    return this.m.oldestWatchableRevision();
  }
  private later<T>(f: () => Promise<T>): Promise<T> {
    return new Promise((r) => setTimeout(r, Math.random() * 3)).then(f);
  }
  create(key: string, object: KubeObject): Promise<Entry> {
    return this.later(() => this.m.create(key, object));
  }
  update(key: string, object: KubeObject, expect?: number): Promise<Entry> {
    return this.later(() => this.m.update(key, object, expect));
  }
  delete(key: string, expect?: number): Promise<Entry> {
    return this.later(() => this.m.delete(key, expect));
  }
  close(): Promise<void> {
    return this.m.close();
  }
}

describe('ResourceQuota admission over an asynchronous store', () => {
  it('admits exactly up to the limit when creates race, and charges each once', async () => {
    const registry = new Registry([...allKinds]);
    const server = new ApiServer({ store: new SlowStore(), registry, clock: new FakeClock(Date.parse('2026-01-01T00:00:00Z')) });
    await server.namespaces.start();
    const client = new InProcessClient(server.storage);
    const qd = registry.kind('', 'ResourceQuota')!;
    const pd = registry.kind('', 'Pod')!;
    await client.create(qd, 'default', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: '3' } } } as KubeObject);
    const q = await client.get(qd, 'default', 'q');
    await client.update(qd, 'default', { ...q, status: { hard: { pods: '3' }, used: { pods: '0' } } } as KubeObject, { subresource: 'status' });
    const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }) as KubeObject;
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => client.create(pd, 'default', pod(`p${i}`))));
    const admitted = results.filter((r) => r.status === 'fulfilled').length;
    assert.equal(admitted, 3);
    for (const r of results) if (r.status === 'rejected') assert.match(String((r.reason as Error).message), /exceeded quota: q/);
    const used = ((await client.get(qd, 'default', 'q')).status as { used: Record<string, string> }).used;
    assert.deepEqual(used, { pods: '3' });
    assert.equal((await client.list(pd, 'default')).items.length, 3);
  });
});
