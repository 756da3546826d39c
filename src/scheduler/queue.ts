// kube-scheduler's scheduling queue: an active heap (higher priority first, then earlier), a backoff heap for
// pods that must wait before trying again (1 s doubling to 10 s per failed attempt), and a pool of
// unschedulable pods that only a relevant cluster event (or five minutes) brings back. Pods with scheduling
// gates wait aside until the gates are removed.
import type { KubeObject } from '../api/types.js';
import type { Clock, Timer } from '../clock/clock.js';
import { Heap } from './heap.js';
import { podPriority } from './podinfo.js';

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long an unschedulable pod waits for an event before it is retried anyway (kube: 5 minutes). */
  maxUnschedulableMs?: number;
}

export interface QueuedPod {
  key: string;
  pod: KubeObject;
  priority: number;
  /** When it (re-)entered the queue; orders pods of equal priority. */
  timestamp: number;
  seq: number;
  /** Failed scheduling attempts so far: drives the backoff. */
  attempts: number;
  lastFailure: number;
  /** Plugins that rejected it last time; empty means any event may help. */
  rejectors: ReadonlySet<string>;
  where?: 'active' | 'backoff' | 'unschedulable' | 'gated';
  unschedulableSince: number;
  heapIndex: number;
}

export class SchedulingQueue {
  private readonly active = new Heap<QueuedPod>((a, b) => a.priority > b.priority || (a.priority === b.priority && (a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq))));
  private readonly backoff = new Heap<QueuedPod>((a, b) => this.backoffExpiry(a) < this.backoffExpiry(b) || (this.backoffExpiry(a) === this.backoffExpiry(b) && a.seq < b.seq));
  /** Insertion order is entry order, so the oldest is always first. */
  private readonly unschedulable = new Map<string, QueuedPod>();
  private readonly gated = new Map<string, QueuedPod>();
  private readonly byKey = new Map<string, QueuedPod>();
  private seq = 0;
  private waiter?: () => void;
  /** Told whenever a pod becomes ready, so a host (the controller manager) can schedule a run. */
  onWork?: () => void;
  private backoffTimer?: { at: number; timer: Timer };
  private poolTimer?: { at: number; timer: Timer };
  private closed = false;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxUnschedulable: number;

  constructor(
    private readonly clock: Clock,
    opts: QueueOptions = {},
  ) {
    this.initialBackoff = opts.initialBackoffMs ?? 1000;
    this.maxBackoff = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulable = opts.maxUnschedulableMs ?? 5 * 60_000;
  }

  get(key: string): QueuedPod | undefined {
    return this.byKey.get(key);
  }

  /** Counts by place, for tests and metrics. */
  stats(): { active: number; backoff: number; unschedulable: number; gated: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, gated: this.gated.size };
  }

  /** A new pending pod: straight to the active heap (or aside while gated). */
  add(pod: KubeObject, key: string): void {
    if (this.byKey.has(key)) return this.update(pod, key);
    const created = Date.parse(pod.metadata.creationTimestamp ?? '');
    const qp: QueuedPod = {
      key,
      pod,
      priority: podPriority(pod),
      timestamp: Number.isFinite(created) ? created : this.clock.now(),
      seq: this.seq++,
      attempts: 0,
      lastFailure: 0,
      rejectors: new Set(),
      unschedulableSince: 0,
      heapIndex: -1,
    };
    this.byKey.set(key, qp);
    if (isGated(pod)) this.place(qp, 'gated');
    else this.place(qp, 'active');
  }

  /** The pod changed while waiting. A changed spec may make it schedulable, so an unschedulable or gated pod moves. */
  update(pod: KubeObject, key: string): void {
    const qp = this.byKey.get(key);
    if (!qp) return this.add(pod, key);
    const specChanged = qp.pod.spec !== pod.spec && JSON.stringify(qp.pod.spec) !== JSON.stringify(pod.spec);
    const metaChanged = JSON.stringify(qp.pod.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {});
    qp.pod = pod;
    const priority = podPriority(pod);
    if (priority !== qp.priority) {
      qp.priority = priority;
      this.active.fix(qp);
    }
    if (qp.where === 'gated') {
      if (!isGated(pod)) this.move(qp);
      return;
    }
    if (qp.where === 'unschedulable' && (specChanged || metaChanged)) this.move(qp);
  }

  delete(key: string): void {
    const qp = this.byKey.get(key);
    if (!qp) return;
    this.unplace(qp);
    this.byKey.delete(key);
  }

  /** Next pod to try, highest priority first; undefined when none is ready. */
  pop(): QueuedPod | undefined {
    const qp = this.active.pop();
    if (!qp) return undefined;
    qp.where = undefined;
    this.byKey.delete(qp.key);
    return qp;
  }

  /** Resolves when the active heap has something (or the queue closes). */
  async waitForWork(): Promise<void> {
    if (this.active.size > 0 || this.closed) return;
    await new Promise<void>((resolve) => (this.waiter = resolve));
  }

  close(): void {
    this.closed = true;
    this.backoffTimer?.timer.cancel();
    this.poolTimer?.timer.cancel();
    this.wake();
  }

  /** After a failed attempt: wait for an event that concerns one of `rejectors`. */
  addUnschedulable(qp: QueuedPod, rejectors: ReadonlySet<string>): void {
    this.requeue(qp, rejectors, 'unschedulable');
  }

  /** After an error (a failed binding): retry once the backoff is over, whatever happens meanwhile. */
  addBackoff(qp: QueuedPod): void {
    this.requeue(qp, new Set(), 'backoff');
  }

  private requeue(qp: QueuedPod, rejectors: ReadonlySet<string>, where: 'unschedulable' | 'backoff'): void {
    if (this.closed) return;
    const existing = this.byKey.get(qp.key);
    if (existing && existing !== qp) return;
    const now = this.clock.now();
    qp.attempts++;
    qp.lastFailure = now;
    qp.timestamp = now;
    qp.seq = this.seq++;
    qp.rejectors = rejectors;
    this.byKey.set(qp.key, qp);
    this.place(qp, isGated(qp.pod) ? 'gated' : where);
  }

  /**
   * A cluster event happened. Unschedulable pods rejected by a plugin in `plugins` (or by none in particular)
   * go back: to the backoff heap while their backoff lasts, else straight to the active heap.
   */
  moveOnEvent(plugins: ReadonlySet<string> | 'all'): number {
    let moved = 0;
    for (const qp of [...this.unschedulable.values()]) {
      if (plugins !== 'all' && !concerns(qp.rejectors, plugins)) continue;
      this.move(qp);
      moved++;
    }
    return moved;
  }

  backoffMs(attempts: number): number {
    if (attempts <= 0) return 0;
    let d = this.initialBackoff;
    for (let i = 1; i < attempts && d < this.maxBackoff; i++) d *= 2;
    return Math.min(d, this.maxBackoff);
  }

  private backoffExpiry(qp: QueuedPod): number {
    return qp.lastFailure + this.backoffMs(qp.attempts);
  }

  private move(qp: QueuedPod): void {
    this.place(qp, this.backoffExpiry(qp) > this.clock.now() ? 'backoff' : 'active');
  }

  private place(qp: QueuedPod, where: NonNullable<QueuedPod['where']>): void {
    this.unplace(qp);
    qp.where = where;
    switch (where) {
      case 'active':
        this.active.push(qp);
        this.wake();
        break;
      case 'backoff':
        this.backoff.push(qp);
        this.armBackoff(this.backoffExpiry(qp));
        break;
      case 'unschedulable':
        qp.unschedulableSince = this.clock.now();
        this.unschedulable.set(qp.key, qp);
        this.armPool(qp.unschedulableSince + this.maxUnschedulable);
        break;
      case 'gated':
        this.gated.set(qp.key, qp);
        break;
    }
  }

  private unplace(qp: QueuedPod): void {
    switch (qp.where) {
      case 'active':
        this.active.remove(qp);
        break;
      case 'backoff':
        this.backoff.remove(qp);
        break;
      case 'unschedulable':
        this.unschedulable.delete(qp.key);
        break;
      case 'gated':
        this.gated.delete(qp.key);
        break;
    }
    qp.where = undefined;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
    if (!this.closed) this.onWork?.();
  }

  // One timer for the earliest backoff expiry; re-armed only when something earlier arrives.
  private armBackoff(at: number): void {
    if (this.closed || (this.backoffTimer && this.backoffTimer.at <= at)) return;
    this.backoffTimer?.timer.cancel();
    const timer = this.clock.after(at - this.clock.now(), () => {
      this.backoffTimer = undefined;
      this.flushBackoff();
    });
    this.backoffTimer = { at, timer };
  }

  private flushBackoff(): void {
    const now = this.clock.now();
    for (let qp = this.backoff.peek(); qp && this.backoffExpiry(qp) <= now; qp = this.backoff.peek()) this.place(qp, 'active');
    const next = this.backoff.peek();
    if (next) this.armBackoff(this.backoffExpiry(next));
  }

  private armPool(at: number): void {
    if (this.closed || (this.poolTimer && this.poolTimer.at <= at)) return;
    this.poolTimer?.timer.cancel();
    const timer = this.clock.after(at - this.clock.now(), () => {
      this.poolTimer = undefined;
      this.flushPool();
    });
    this.poolTimer = { at, timer };
  }

  private flushPool(): void {
    const now = this.clock.now();
    for (const qp of [...this.unschedulable.values()]) {
      if (qp.unschedulableSince + this.maxUnschedulable > now) {
        this.armPool(qp.unschedulableSince + this.maxUnschedulable);
        break;
      }
      this.move(qp);
    }
  }
}

function isGated(pod: KubeObject): boolean {
  const gates = (pod.spec as any)?.schedulingGates;
  return Array.isArray(gates) && gates.length > 0;
}

function concerns(rejectors: ReadonlySet<string>, plugins: ReadonlySet<string>): boolean {
  if (rejectors.size === 0) return true;
  for (const r of rejectors) if (plugins.has(r)) return true;
  return false;
}
