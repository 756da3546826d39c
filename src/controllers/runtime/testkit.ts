// Test support for controllers: an in-process API server on a FakeClock, a recorder that keeps events in
// memory, a client whose watches can be held back (a lagging informer), and a driver that wires a controller
// definition to informers the way the manager does but lets the test decide when each key is reconciled.
import { afterEach } from 'node:test';
import { allKinds } from '../../api/kinds/index.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { Registry } from '../../api/registry.js';
import type { KubeObject } from '../../api/types.js';
import { ApiServer } from '../../apiserver/server.js';
import { FakeClock, rfc3339 } from '../../clock/clock.js';
import type { Client, Resource, Watch, WatchEvent, WatchHandlers, WatchOptions } from '../../client/client.js';
import type { EventRecorder, EventType } from '../../client/events.js';
import { InformerFactory, objectKey } from '../../client/informer.js';
import { InProcessClient } from '../../client/inprocess.js';
import { MemoryStore } from '../../store/memory.js';
import type { ControllerContext, ControllerDefinition, ObservedEventType, ReconcileResult } from './controller.js';
import { controllerOwnerKey } from './manager.js';

export interface RecordedEvent {
  kind: string;
  name: string;
  type: EventType;
  reason: string;
  message: string;
}

export class MemoryRecorder implements EventRecorder {
  readonly events: RecordedEvent[] = [];
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    this.events.push({ kind: obj.kind ?? '', name: obj.metadata.name ?? '', type, reason, message });
  }
  reasons(reason: string): RecordedEvent[] {
    return this.events.filter((e) => e.reason === reason);
  }
}

/** Delegates to `inner`, except that watch events can be held back (`pause`) and let through later. */
export class LaggingClient implements Client {
  private paused = false;
  private held: Array<() => void> = [];

  constructor(private readonly inner: Client) {}

  pause(): void {
    this.paused = true;
  }

  /** Delivers everything held back, in order, and stops holding. */
  resume(): void {
    this.paused = false;
    for (const f of this.held.splice(0)) f();
  }

  get: Client['get'] = (...a) => this.inner.get(...a);
  list: Client['list'] = (...a) => this.inner.list(...a);
  create: Client['create'] = (...a) => this.inner.create(...a);
  update: Client['update'] = (...a) => this.inner.update(...a);
  patch: Client['patch'] = (...a) => this.inner.patch(...a);
  delete: Client['delete'] = (...a) => this.inner.delete(...a);
  createSubresource: Client['createSubresource'] = (...a) => this.inner.createSubresource(...a);

  watch(r: Resource, namespace: string | undefined, opts: WatchOptions, handlers: WatchHandlers): Watch {
    return this.inner.watch(r, namespace, opts, {
      onEvent: (e: WatchEvent) => {
        if (this.paused) this.held.push(() => handlers.onEvent(e));
        else handlers.onEvent(e);
      },
      onClose: (err) => handlers.onClose(err),
    });
  }
}

/** Lets queued microtasks and immediates (watch deliveries, informer handlers) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

export interface TestStack {
  clock: FakeClock;
  server: ApiServer;
  /** Talks to the API server directly (what reconcile writes with). */
  client: InProcessClient;
  /** What the informers watch through; pause it to make the cache lag. */
  watchClient: LaggingClient;
  informers: InformerFactory;
  recorder: MemoryRecorder;
}

export function createStack(): TestStack {
  const clock = new FakeClock();
  const server = new ApiServer({ store: new MemoryStore(), registry: new Registry([...allKinds]), clock });
  server.namespaces.start();
  const client = new InProcessClient(server.storage);
  const watchClient = new LaggingClient(client);
  return { clock, server, client, watchClient, informers: new InformerFactory(watchClient, clock), recorder: new MemoryRecorder() };
}

/**
 * Runs one controller definition under test control: informer events reach `observe` and queue keys as the
 * manager would (for / owns / watches), but reconciles happen only in `sync` and `drain`.
 */
export class Driver {
  readonly pending = new Set<string>();
  readonly errors: Array<{ key: string; error: unknown }> = [];
  readonly ctx: ControllerContext;
  readonly logs: string[] = [];

  constructor(
    readonly stack: TestStack,
    readonly def: ControllerDefinition,
    client: Client = stack.client,
  ) {
    this.ctx = {
      client,
      informers: stack.informers,
      clock: stack.clock,
      recorder: stack.recorder,
      enqueue: (key) => this.pending.add(key),
      enqueueAfter: (key, ms) => void stack.clock.after(ms, () => this.pending.add(key)),
      log: (m) => this.logs.push(m),
    };
  }

  async start(): Promise<void> {
    const { def, ctx } = this;
    await def.setup?.(ctx);
    const wire = (resource: Resource, keysOf: (o: KubeObject) => string[]) => {
      const seen = (type: ObservedEventType, object: KubeObject, old?: KubeObject) => {
        def.observe?.(old ? { type, resource, object, old } : { type, resource, object }, ctx);
      };
      this.stack.informers.informer(resource).addHandler({
        add: (o) => {
          seen('ADDED', o);
          for (const k of keysOf(o)) this.pending.add(k);
        },
        update: (old, o) => {
          seen('MODIFIED', o, old);
          for (const k of [...keysOf(old), ...keysOf(o)]) this.pending.add(k);
        },
        delete: (o) => {
          seen('DELETED', o);
          for (const k of keysOf(o)) this.pending.add(k);
        },
      });
    };
    wire(def.for, (o) => [objectKey(o)]);
    for (const r of def.owns ?? []) wire(r, (o) => [controllerOwnerKey(o, def.for.kind)].filter((k): k is string => !!k));
    for (const w of def.watches ?? []) wire(w.resource, (o) => w.map(o, ctx));
    this.stack.informers.start();
    await this.stack.informers.waitForSync();
    await settle();
  }

  /** One reconcile of `key` (dropping it from the pending set); errors propagate. */
  async sync(key: string): Promise<ReconcileResult> {
    this.pending.delete(key);
    const result = await this.def.reconcile(key, this.ctx);
    await settle();
    return result;
  }

  /** Reconciles pending keys until none are left; failures are recorded, not retried. */
  async drain(maxRounds = 50): Promise<void> {
    await settle();
    for (let round = 0; this.pending.size > 0; round++) {
      if (round >= maxRounds) throw new Error(`still busy after ${maxRounds} reconciles: ${[...this.pending].join(', ')}`);
      const key = this.pending.values().next().value as string;
      this.pending.delete(key);
      try {
        const result = await this.def.reconcile(key, this.ctx);
        if (result) this.ctx.enqueueAfter(key, result.requeueAfter, 'requeue');
      } catch (error) {
        this.errors.push({ key, error });
      }
      await settle();
    }
  }

  stop(): void {
    this.stack.informers.stop();
  }
}

/** A minimal valid pod template. */
export function podTemplate(labels: Record<string, string>, extra: { annotations?: Record<string, string> } = {}): Record<string, unknown> {
  return {
    metadata: { labels, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] },
  };
}

/** Binds a pod to `node` (as the scheduler would) and marks it Running and Ready since `readySince`. */
export async function makeReady(client: Client, pod: KubeObject, opts: { node?: string; readySince?: number; ready?: boolean } = {}): Promise<KubeObject> {
  const ns = pod.metadata.namespace;
  const name = pod.metadata.name ?? '';
  if (opts.node) {
    await client.createSubresource(podDescriptor, ns, name, 'binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name },
      target: { apiVersion: 'v1', kind: 'Node', name: opts.node },
    } as KubeObject);
  }
  const fresh = await client.get(podDescriptor, ns, name);
  const since = rfc3339(opts.readySince ?? Date.parse('2026-01-01T00:00:00Z'));
  const ready = opts.ready ?? true;
  const status = {
    ...(fresh.status as object),
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: since }],
  };
  return client.update(podDescriptor, ns, { ...fresh, status }, { subresource: 'status' });
}

/**
 * For a test file: `start()` runs `def` on a fresh stack, and every driver started is stopped after each test
 * (registers node:test's afterEach when called, so call it at the top level of the file).
 */
export function driverPerTest(def: () => ControllerDefinition): () => Promise<{ stack: TestStack; driver: Driver }> {
  let drivers: Driver[] = [];
  afterEach(() => {
    for (const d of drivers) d.stop();
    drivers = [];
  });
  return async () => {
    const stack = createStack();
    const driver = new Driver(stack, def());
    drivers.push(driver);
    await driver.start();
    return { stack, driver };
  };
}
