// The garbage collector as one component over the shared informers. It does not fit the one-primary-kind
// controller definition: it watches every kind, keys its work by uid rather than namespace/name, and keeps two
// queues (objects to check for deletion, owners to orphan), as kube-controller-manager's collector does.
import type { Clock } from '../../clock/clock.js';
import type { Client, Resource } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { InformerFactory } from '../../client/informer.js';
import { defaultControllerRateLimiter, WorkQueue } from '../../client/workqueue.js';
import { AbsentOwnerCache } from './absent-owners.js';
import { Collector, NamespacedOwnerOfClusterScopedError } from './collector.js';
import { Graph } from './graph.js';
import { GraphBuilder } from './graph-builder.js';
import { objectFor } from './identity.js';
import { KindResolver } from './kinds.js';

export const COMPONENT = 'garbage-collector-controller';

export interface GarbageCollectorOptions {
  client: Client;
  informers: InformerFactory;
  clock: Clock;
  /** The resources to watch and collect (see `gcResources` to pick them from the registry). Owner references
   * are resolved against these kinds. */
  resources: readonly Resource[];
  recorder: EventRecorder;
  /** Concurrent workers per queue (kube-controller-manager's --concurrent-gc-syncs, default 20). */
  workers?: number;
  log?(message: string): void;
}

export interface GarbageCollectorHandle {
  /** Resolves once every watched resource has been listed and the workers run. */
  waitForSync(): Promise<void>;
  hasSynced(): boolean;
  /** Starts watching a resource served after the collector started (a CustomResourceDefinition's). */
  addResource(r: Resource): void;
  /** Number of nodes (objects and not-yet-seen owners) in the ownership graph. */
  graphSize(): number;
  stop(): Promise<void>;
}

export function startGarbageCollector(opts: GarbageCollectorOptions): GarbageCollectorHandle {
  const gc = new GarbageCollector(opts);
  gc.start();
  return gc;
}

class GarbageCollector implements GarbageCollectorHandle {
  private readonly graph = new Graph();
  private readonly builder: GraphBuilder;
  private readonly collector: Collector;
  private readonly deleteQueue: WorkQueue;
  private readonly orphanQueue: WorkQueue;
  private readonly workers: Promise<void>[] = [];
  private readonly log: (m: string) => void;
  private stopped = false;
  private synced = false;
  private sync: Promise<void> = Promise.resolve();

  constructor(private readonly opts: GarbageCollectorOptions) {
    const { clock, recorder } = opts;
    this.log = (m) => opts.log?.(m);
    this.deleteQueue = new WorkQueue(clock, defaultControllerRateLimiter(clock), 'garbage_collector_attempt_to_delete');
    this.orphanQueue = new WorkQueue(clock, defaultControllerRateLimiter(clock), 'garbage_collector_attempt_to_orphan');
    const absent = new AbsentOwnerCache();
    const kinds = new KindResolver(opts.resources);
    this.kinds = kinds;
    this.builder = new GraphBuilder(this.graph, absent, kinds, {
      attemptToDelete: (uid, reason, rateLimited) => {
        if (rateLimited) this.deleteQueue.addRateLimited(uid, reason);
        else this.deleteQueue.add(uid, reason);
      },
      attemptToOrphan: (uid, reason) => this.orphanQueue.add(uid, reason),
      invalidOwnerNamespace: (dep, message) => recorder.event(objectFor(dep), 'Warning', 'OwnerRefInvalidNamespace', message),
    });
    this.collector = new Collector(opts.client, this.builder, absent, kinds, (uid, reason) => this.deleteQueue.add(uid, reason), this.log);
  }

  private readonly kinds: KindResolver;

  private watchResource(r: Resource): void {
    const inf = this.opts.informers.informer(r);
    inf.addHandler({
      add: (o) => this.guard(() => this.builder.observe(r, o)),
      update: (old, o) => this.guard(() => this.builder.observe(r, o, old)),
      delete: (o) => this.guard(() => this.builder.observeDelete(r, o)),
    });
    inf.start();
  }

  addResource(r: Resource): void {
    if (this.stopped || !this.kinds.add(r)) return;
    this.watchResource(r);
  }

  start(): void {
    const { informers, resources } = this.opts;
    for (const r of resources) this.watchResource(r);
    // Workers wait for complete caches: a foreground owner must not lose its finalizer because a blocking
    // dependent simply has not been listed yet.
    this.sync = Promise.all(resources.map((r) => informers.informer(r).waitForSync())).then(() => {
      if (this.stopped) return;
      this.synced = true;
      const n = Math.max(1, this.opts.workers ?? 20);
      for (let i = 0; i < n; i++) {
        this.workers.push(this.deleteWorker());
        this.workers.push(this.orphanWorker());
      }
    });
  }

  waitForSync(): Promise<void> {
    return this.sync;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  graphSize(): number {
    return this.graph.size;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.deleteQueue.shutDown();
    this.orphanQueue.shutDown();
    await Promise.all(this.workers);
  }

  /** Informer handlers are shared with other components: a bug here must not break their delivery. Informers
   * cannot drop a handler, so after stop the events are ignored instead. */
  private guard(fn: () => void): void {
    if (this.stopped) return;
    try {
      fn();
    } catch (err) {
      this.log(`graph update failed: ${(err as Error).stack ?? String(err)}`);
    }
  }

  private async deleteWorker(): Promise<void> {
    const q = this.deleteQueue;
    for (;;) {
      const item = await q.get();
      if (!item) return;
      const uid = item.key;
      try {
        const node = this.graph.get(uid);
        const outcome = node ? await this.collector.attemptToDelete(node) : 'done';
        if (outcome === 'unobserved') q.addRateLimited(uid, 'exists but not yet seen by an informer');
        else q.forget(uid);
      } catch (err) {
        if (err instanceof NamespacedOwnerOfClusterScopedError) {
          q.forget(uid);
        } else {
          q.addRateLimited(uid, `retry after error: ${(err as Error).message}`);
          this.log(`attempt to delete ${uid} (${item.reasons.join('; ')}) failed: ${(err as Error).message}`);
        }
      } finally {
        q.done(uid);
      }
    }
  }

  private async orphanWorker(): Promise<void> {
    const q = this.orphanQueue;
    for (;;) {
      const item = await q.get();
      if (!item) return;
      const uid = item.key;
      try {
        const node = this.graph.get(uid);
        if (node) await this.collector.orphan(node);
        q.forget(uid);
      } catch (err) {
        q.addRateLimited(uid, `retry after error: ${(err as Error).message}`);
        this.log(`orphaning dependents of ${uid} failed: ${(err as Error).message}`);
      } finally {
        q.done(uid);
      }
    }
  }
}
