// Runs controller definitions: wires informer events to work queues (for / owns / watches), runs workers
// that call reconcile(key), retries failures with backoff, honours requeueAfter, and starts everything only
// while this process holds leadership (when an elector is given).
import type { KubeObject } from '../../api/types.js';
import type { Clock } from '../../clock/clock.js';
import type { Client, Resource } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import { type InformerFactory, objectKey } from '../../client/informer.js';
import { defaultControllerRateLimiter, WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext, ControllerDefinition, ObservedEvent, ObservedEventType } from './controller.js';
import { type DecisionLog, decisionRecorder, defaultDecisionLog } from './decisions.js';

export interface QueueSample {
  depth: number;
  /** Adds and retries since the previous sample. */
  adds: number;
  retries: number;
  /** How long the item just processed took, in seconds. */
  workSeconds: number;
}

export interface ManagerHooks {
  /** Called after every processed item with the queue's figures (metrics). */
  queue?(controller: string, sample: QueueSample): void;
  /** Called after every reconcile with its outcome and duration (metrics). */
  reconciled?(controller: string, result: 'success' | 'requeue' | 'error', seconds: number): void;
  log?(controller: string, message: string): void;
}

export interface ManagerOptions {
  client: Client;
  /** The client a controller writes through, when some should write as another component (the scheduler). */
  clientFor?(controller: string): Client;
  informers: InformerFactory;
  clock: Clock;
  recorderFor(component: string): EventRecorder;
  hooks?: ManagerHooks;
  /** Where controllers' decisions go (default: the process's log, which the dashboard reads). */
  decisions?: DecisionLog;
}

interface Running {
  def: ControllerDefinition;
  /** The queue of the current leadership term: stop() retires it and puts a fresh one here for the next term. */
  slot: { queue: WorkQueue };
  ctx: ControllerContext;
  workers: Promise<void>[];
}

/** The owner key an object points at through its controller ownerReference of kind `kind`, if any. */
export function controllerOwnerKey(obj: KubeObject, kind: string): string | undefined {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
  if (!ref || ref.kind !== kind) return undefined;
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${ref.name}` : ref.name;
}

export class ControllerManager {
  private readonly running: Running[] = [];
  private started = false;
  /** Set by stop(): a later start() is a new leadership term and must look at everything again. */
  private stoppedOnce = false;

  constructor(private readonly opts: ManagerOptions) {}

  /** Adds a controller; its informer handlers are registered at once so no event is missed. */
  async add(def: ControllerDefinition): Promise<void> {
    const { clock, informers } = this.opts;
    const client = this.opts.clientFor?.(def.name) ?? this.opts.client;
    const slot = { queue: new WorkQueue(clock, defaultControllerRateLimiter(clock), def.name) };
    const log = (m: string) => this.opts.hooks?.log?.(def.name, m);
    const ctx: ControllerContext = {
      client,
      informers,
      clock,
      recorder: this.opts.recorderFor(def.name),
      enqueue: (key, reason) => slot.queue.add(key, reason),
      enqueueAfter: (key, ms, reason) => slot.queue.addAfter(key, ms, reason),
      log,
      decisions: decisionRecorder(this.opts.decisions ?? defaultDecisionLog, def.name, () => clock.now()),
    };
    await def.setup?.(ctx);
    const observe = (type: ObservedEventType, resource: Resource, object: KubeObject, old?: KubeObject) => {
      if (!def.observe) return;
      const e: ObservedEvent = { type, resource, object };
      if (old) e.old = old;
      def.observe(e, ctx);
    };
    // One handler per resource, even when a kind is both owned and watched, so `observe` sees each event once.
    const mappers = new Map<string, { resource: Resource; keyFns: Array<(o: KubeObject) => Iterable<string>>; what: string }>();
    const addMapper = (resource: Resource, fn: (o: KubeObject) => Iterable<string>, what: string) => {
      const id = `${resource.group}/${resource.plural}`;
      const m = mappers.get(id);
      if (m) m.keyFns.push(fn);
      else mappers.set(id, { resource, keyFns: [fn], what });
    };
    addMapper(def.for, (o) => [objectKey(o)], def.for.kind);
    for (const owned of def.owns ?? []) {
      addMapper(
        owned,
        (o) => {
          const k = controllerOwnerKey(o, def.for.kind);
          return k ? [k] : [];
        },
        `owned ${owned.kind}`,
      );
    }
    for (const w of def.watches ?? []) addMapper(w.resource, (o) => w.map(o, ctx), w.resource.kind);
    for (const { resource, keyFns, what } of mappers.values()) {
      const keysOf = (o: KubeObject): Set<string> => {
        const keys = new Set<string>();
        for (const fn of keyFns) for (const k of fn(o)) keys.add(k);
        return keys;
      };
      informers.informer(resource).addHandler({
        add: (o) => {
          observe('ADDED', resource, o);
          for (const k of keysOf(o)) slot.queue.add(k, `${what} added: ${objectKey(o)}`);
        },
        update: (old, o) => {
          observe('MODIFIED', resource, o, old);
          // A changed owner or selector can move an object between keys: wake both sides.
          const keys = keysOf(o);
          for (const k of keysOf(old)) keys.add(k);
          for (const k of keys) slot.queue.add(k, `${what} changed: ${objectKey(o)}`);
        },
        delete: (o) => {
          observe('DELETED', resource, o);
          for (const k of keysOf(o)) slot.queue.add(k, `${what} deleted: ${objectKey(o)}`);
        },
      });
    }
    const r: Running = { def, slot, ctx, workers: [] };
    this.running.push(r);
    if (this.started) this.startWorkers(r);
  }

  /** Starts informers and workers (call once this process may act, e.g. after winning leader election). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.opts.informers.start();
    await this.opts.informers.waitForSync();
    for (const r of this.running) {
      // Leading again in the same process (the lease was lost and won back): what the retired queue still held,
      // and its requeueAfter timers, are gone, so every object is looked at as on a first start.
      if (this.stoppedOnce) for (const o of this.opts.informers.informer(r.def.for).list()) r.slot.queue.add(objectKey(o), 'leading again');
      this.startWorkers(r);
    }
  }

  /** Stops acting: each worker finishes the item in hand and takes no other, so a manager that lost its lease
   * does not keep writing while another one has taken over. The manager can be started again. */
  async stop(): Promise<void> {
    this.started = false;
    this.stoppedOnce = true;
    const { clock } = this.opts;
    for (const r of this.running) {
      r.slot.queue.shutDown();
      // Events keep arriving while another process leads; they wait in the next term's queue.
      r.slot.queue = new WorkQueue(clock, defaultControllerRateLimiter(clock), r.def.name);
    }
    await Promise.all(this.running.flatMap((r) => r.workers));
    for (const r of this.running) r.workers = [];
  }

  private startWorkers(r: Running): void {
    const n = Math.max(1, r.def.workers ?? 1);
    for (let i = 0; i < n; i++) r.workers.push(this.worker(r));
  }

  private async worker(r: Running): Promise<void> {
    const { def, ctx } = r;
    const queue = r.slot.queue;
    let lastAdds = 0;
    let lastRetries = 0;
    for (;;) {
      const item = await queue.get();
      if (!item) return;
      if (queue.isShuttingDown()) {
        queue.done(item.key);
        return;
      }
      const wall = performance.now();
      try {
        const result = await def.reconcile(item.key, ctx);
        queue.forget(item.key);
        if (result && result.requeueAfter >= 0) {
          queue.addAfter(item.key, result.requeueAfter, 'requeue after');
          this.opts.hooks?.reconciled?.(def.name, 'requeue', (performance.now() - wall) / 1000);
        } else {
          this.opts.hooks?.reconciled?.(def.name, 'success', (performance.now() - wall) / 1000);
        }
      } catch (err) {
        queue.addRateLimited(item.key, `retry after error: ${(err as Error).message}`);
        this.opts.hooks?.reconciled?.(def.name, 'error', (performance.now() - wall) / 1000);
        ctx.log(`reconcile ${item.key} failed (${item.reasons.join('; ')}): ${(err as Error).message}`);
      } finally {
        queue.done(item.key);
        if (this.opts.hooks?.queue) {
          const st = queue.stats();
          this.opts.hooks.queue(def.name, {
            depth: st.depth,
            adds: st.addsTotal - lastAdds,
            retries: st.retriesTotal - lastRetries,
            workSeconds: (performance.now() - wall) / 1000,
          });
          lastAdds = st.addsTotal;
          lastRetries = st.retriesTotal;
        }
      }
    }
  }
}
