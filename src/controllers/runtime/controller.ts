// The declarative controller definition. A controller says what it is *for* (its primary kind), what it
// *owns* (children whose controller ownerReference points at a primary object) and what else it *watches*
// (with a mapping from an object to keys). The runtime (manager.ts) turns every informer event into a key on
// a de-duplicating, rate-limited work queue and calls `reconcile(key)` from its workers.
import type { KubeObject } from '../../api/types.js';
import type { Clock } from '../../clock/clock.js';
import type { Client, Resource } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { InformerFactory } from '../../client/informer.js';
import type { DecisionRecorder } from './decisions.js';

/** Returned by reconcile: nothing = done; requeueAfter = look again later (ms of cluster time). A thrown error
 * is retried with the rate limiter's backoff. */
export type ReconcileResult = void | { requeueAfter: number };

export interface ControllerContext {
  client: Client;
  informers: InformerFactory;
  clock: Clock;
  /** Event recorder for this controller's component name (e.g. `replicaset-controller`). */
  recorder: EventRecorder;
  /** Queue a key of this controller (e.g. from a timer or another handler). */
  enqueue(key: string, reason: string): void;
  enqueueAfter(key: string, delayMs: number, reason: string): void;
  log(message: string): void;
  /** Records why this controller acted on an object (the dashboard's timeline); absent in bare test contexts. */
  decisions?: DecisionRecorder;
}

export type ObservedEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ObservedEvent {
  type: ObservedEventType;
  resource: Resource;
  object: KubeObject;
  old?: KubeObject;
}

export interface WatchSpec {
  resource: Resource;
  /** Keys of this controller's primary objects to reconcile when `obj` changes. */
  map(obj: KubeObject, ctx: ControllerContext): string[];
}

export interface ControllerDefinition {
  /** Component name, used for events' source, metrics and logs: `replicaset-controller`. */
  name: string;
  for: Resource;
  /** Children found through a controller ownerReference whose kind is `for.kind`: their events queue the owner. */
  owns?: Resource[];
  watches?: WatchSpec[];
  /** Concurrent reconciles (distinct keys only; one key is never reconciled twice at once). Default 1. */
  workers?: number;
  /** Called before informers start: create caches, expectations, extra informer handlers. */
  setup?(ctx: ControllerContext): void | Promise<void>;
  /** Sees every event of for/owns/watches before keys are queued (e.g. to lower expectations). */
  observe?(e: ObservedEvent, ctx: ControllerContext): void;
  reconcile(key: string, ctx: ControllerContext): Promise<ReconcileResult>;
}
