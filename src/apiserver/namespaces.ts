// Namespace lifecycle: the namespaces every cluster starts with, and the cleanup of a deleted namespace
// (its contents are deleted, then its `kubernetes` finalizer is dropped and it disappears).
import type { ResourceDescriptor } from '../api/descriptor.js';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { Clock, Timer } from '../clock/clock.js';
import type { StoreEvent, WatchHandle } from '../store/store.js';
import type { ResourceStorage } from './storage/generic.js';
import { listPrefix } from './storage/keys.js';

export const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class NamespaceLifecycle {
  private watch?: WatchHandle;
  private readonly pending = new Map<string, Timer>();
  private readonly nsd: ResourceDescriptor;

  constructor(
    private readonly storage: ResourceStorage,
    private readonly clock: Clock,
  ) {
    const nsd = storage.registry.kind('', 'Namespace');
    if (!nsd) throw new Error('namespaces are not registered');
    this.nsd = nsd;
  }

  /** Creates the initial namespaces. All creates start at once: with an embedded store they are stored before
   * this returns its promise (so a caller that does not wait still finds them). */
  async start(): Promise<void> {
    this.watch = this.storage.store.watch(listPrefix(this.nsd), this.storage.store.revision(), (e) => this.onEvent(e));
    for (const e of this.storage.store.list(listPrefix(this.nsd)).entries) {
      if (e.object.metadata.deletionTimestamp) this.schedule(e.object.metadata.name as string, 0);
    }
    const creates = INITIAL_NAMESPACES.filter((name) => !this.storage.store.get(`${listPrefix(this.nsd)}${name}`)).map((name) =>
      this.storage.create(this.nsd, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { decode: false }).catch((err: unknown) => {
        // Another API server sharing the store created it first.
        if (!(err instanceof ApiError && err.code === 409)) throw err;
      }),
    );
    await Promise.all(creates);
  }

  stop(): void {
    this.watch?.cancel();
    for (const t of this.pending.values()) t.cancel();
    this.pending.clear();
  }

  private onEvent(e: StoreEvent): void {
    if (e.type !== 'DELETED' && e.entry.object.metadata.deletionTimestamp) this.schedule(e.entry.object.metadata.name as string, 0);
  }

  private schedule(name: string, delayMs: number): void {
    if (this.pending.has(name)) return;
    this.pending.set(
      name,
      this.clock.after(delayMs, () => {
        this.pending.delete(name);
        this.finalize(name).catch(() => this.schedule(name, 1000));
      }),
    );
  }

  /** One cleanup pass; re-arms itself until the namespace is empty and gone. */
  private async finalize(name: string): Promise<void> {
    const ns = this.storage.store.get(`${listPrefix(this.nsd)}${name}`);
    if (!ns || !ns.object.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const d of this.storage.registry.all()) {
      if (!d.namespaced) continue;
      const { entries } = this.storage.store.list(listPrefix(d, name));
      for (const e of entries) {
        remaining++;
        if (e.object.metadata.deletionTimestamp) continue;
        try {
          await this.storage.delete(d, name, e.object.metadata.name as string, { propagationPolicy: 'Background' });
        } catch (err) {
          if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
        }
      }
    }
    if (remaining > 0) {
      this.schedule(name, 1000);
      return;
    }
    const spec = (ns.object.spec ?? {}) as { finalizers?: string[] };
    const finalizers = (spec.finalizers ?? []).filter((f) => f !== 'kubernetes');
    if (finalizers.length > 0) {
      this.schedule(name, 1000);
      return;
    }
    await this.storage.mutate(this.nsd, undefined, name, (o: KubeObject) => {
      o.spec = { ...((o.spec as object) ?? {}) };
      delete (o.spec as { finalizers?: string[] }).finalizers;
    });
  }
}
