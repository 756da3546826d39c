// Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules, so that several controller
// managers can share one store and only one of them acts at a time.
//
// Expiry is judged by when *this* candidate last saw the lease record change, never by the timestamps written
// in it: those come from another process's clock, and trusting them would let clock skew produce two leaders.
// The price is client-go's: after a crash, a new candidate waits one full lease duration. A clean stop()
// releases the lease, so a restart after a graceful shutdown takes over at once.
//
// Like client-go this is not fencing: a leader that is partitioned keeps acting until its renew deadline
// passes, which is shorter than the lease duration, so the others only move in once it has stepped down.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../api/errors.js';
import { leaseDescriptor } from '../../api/kinds/lease.js';
import type { KubeObject } from '../../api/types.js';
import { rfc3339Micro, type Clock, type Timer } from '../../clock/clock.js';
import type { Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';

/** client-go's factor: acquire retries wait retryPeriod plus up to 1.2 × retryPeriod of jitter. */
export const JITTER_FACTOR = 1.2;

export interface LeaderElectorOptions {
  client: Client;
  clock: Clock;
  /** Default `kube-system`. */
  namespace?: string;
  /** Default `kube-controller-manager`. */
  name?: string;
  /** Default `<hostname>_<uuid>`, fresh per process, as kube-controller-manager does. */
  identity?: string;
  /** How long others wait without seeing a renewal before taking over. Default 15 s; whole seconds are written. */
  leaseDurationMs?: number;
  /** How long the leader keeps retrying a failing renewal before it gives up leadership. Default 10 s. */
  renewDeadlineMs?: number;
  /** Pause between attempts. Default 2 s. */
  retryPeriodMs?: number;
  /** Called when this candidate becomes leader: start the controllers. */
  onStartedLeading(): void;
  /** Called when leadership ends (lost, or stop()). Stop acting before the returned promise settles: stop()
   * waits for it before releasing the lease, so no other manager can start while this one still writes. */
  onStoppedLeading(): void | Promise<void>;
  /** Called when the observed holder changes, including to this candidate and to '' (released). */
  onNewLeader?(identity: string): void;
  /** Failures worth a log line (API errors other than the expected conflicts, callback exceptions). */
  onError?(err: unknown): void;
  /** Writes "became leader" / "stopped leading" Events on the Lease, as client-go's lock does. */
  recorder?: EventRecorder;
  /** Jitter source in [0, 1); tests pass `() => 0`. */
  random?: () => number;
}

/** The election-relevant part of a Lease spec. */
export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

type Attempt = 'ok' | 'held' | 'failed';
type Phase = 'idle' | 'candidate' | 'leading' | 'stopped';

export class LeaderElector {
  readonly identity: string;
  readonly namespace: string;
  readonly name: string;
  private readonly client: Client;
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private readonly leaseSeconds: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private readonly random: () => number;

  private phase: Phase = 'idle';
  /** Bumped whenever the loop changes course, so late answers of an abandoned attempt are ignored. */
  private gen = 0;
  private timer: Timer | undefined;
  private deadline: Timer | undefined;
  private inflight: Promise<Attempt> | undefined;
  private stopping: Promise<void> | undefined;
  /** onStoppedLeading of a lost leadership, still running. */
  private leaving: Promise<void> | undefined;
  /** The last Lease read or written: its resourceVersion guards the next write. */
  private lease: KubeObject | undefined;
  private observed: LeaderElectionRecord | undefined;
  private observedKey = '';
  private observedAt = 0;
  private reportedLeader: string | undefined;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.client = opts.client;
    this.clock = opts.clock;
    this.namespace = opts.namespace ?? 'kube-system';
    this.name = opts.name ?? 'kube-controller-manager';
    this.identity = opts.identity ?? `${hostname()}_${randomUUID()}`;
    this.leaseMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryMs = opts.retryPeriodMs ?? 2_000;
    this.random = opts.random ?? Math.random;
    // Same constraints as client-go: the leader must give up before anyone else may take over, and a renew
    // round must leave room for more than one retry.
    if (!(this.leaseMs >= 1000)) throw new Error('leaseDuration must be at least one second');
    if (!(this.renewDeadlineMs > 0)) throw new Error('renewDeadline must be greater than zero');
    if (!(this.retryMs > 0)) throw new Error('retryPeriod must be greater than zero');
    if (this.leaseMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
    if (!this.identity) throw new Error('identity must not be empty');
    this.leaseSeconds = Math.floor(this.leaseMs / 1000);
  }

  /** Joins the election; returns at once, the callbacks report the outcome. */
  start(): void {
    if (this.phase === 'stopped') throw new Error('a stopped LeaderElector cannot be restarted');
    if (this.phase !== 'idle') return;
    this.phase = 'candidate';
    void this.acquireStep();
  }

  /** Leaves the election: stops the loops, calls onStoppedLeading if leading (and waits for it), then releases
   * the lease so a successor need not wait for it to expire. `release: false` leaves it to expire, as a crash
   * would. */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    if (this.phase === 'stopped') return this.stopping;
    const wasLeading = this.phase === 'leading';
    this.phase = 'stopped';
    this.abandon();
    this.stopping = (async () => {
      // Our own renewal may still be on the wire; releasing before it lands would be a conflict with ourselves.
      if (this.inflight) await this.inflight;
      if (this.leaving) await this.leaving;
      if (wasLeading) await this.stoppedLeading();
      if (opts.release !== false) await this.release();
    })();
    return this.stopping;
  }

  /** True between onStartedLeading and onStoppedLeading. */
  isLeader(): boolean {
    return this.phase === 'leading';
  }

  /** The holder last seen on the lease ('' when released or not yet seen). */
  getLeader(): string {
    return this.observed?.holderIdentity ?? '';
  }

  // ---- the two loops ----

  private async acquireStep(): Promise<void> {
    const gen = this.gen;
    const res = await this.attempt();
    if (gen !== this.gen) return;
    this.reportTransition();
    if (res !== 'ok') {
      // Sliding jittered period: candidates that started together drift apart instead of colliding forever.
      this.schedule(this.retryMs * (1 + this.random() * JITTER_FACTOR), () => this.acquireStep());
      return;
    }
    this.phase = 'leading';
    this.event('became leader');
    try {
      this.opts.onStartedLeading();
    } catch (err) {
      this.report(err);
    }
    if (gen === this.gen) this.schedule(this.retryMs, () => this.renewRound());
  }

  /** One renewal round: retry every retryPeriod until one succeeds or renewDeadline passes. */
  private renewRound(): void {
    const gen = this.gen;
    this.deadline = this.clock.after(this.renewDeadlineMs, () => {
      if (gen === this.gen) this.lose();
    });
    void this.renewStep();
  }

  private async renewStep(): Promise<void> {
    const gen = this.gen;
    const res = await this.attempt();
    if (gen !== this.gen) return;
    this.reportTransition();
    if (res === 'ok') {
      this.deadline?.cancel();
      this.deadline = undefined;
      this.schedule(this.retryMs, () => this.renewRound());
    } else if (res === 'held') {
      // Someone else validly holds it: waiting out the deadline could only prolong two managers acting at once.
      this.lose();
    } else {
      this.schedule(this.retryMs, () => this.renewStep());
    }
  }

  private lose(): void {
    if (this.phase !== 'leading') return;
    this.abandon();
    this.phase = 'candidate';
    const gen = this.gen;
    // Back to candidacy only once the controllers have stopped, so onStartedLeading never overlaps them.
    const leaving = this.stoppedLeading();
    this.leaving = leaving;
    void leaving.then(() => {
      if (this.leaving === leaving) this.leaving = undefined;
      if (gen === this.gen && this.phase === 'candidate') this.schedule(this.retryMs, () => this.acquireStep());
    });
  }

  private async stoppedLeading(): Promise<void> {
    this.event('stopped leading');
    try {
      await this.opts.onStoppedLeading();
    } catch (err) {
      this.report(err);
    }
  }

  private abandon(): void {
    this.gen++;
    this.timer?.cancel();
    this.timer = undefined;
    this.deadline?.cancel();
    this.deadline = undefined;
  }

  private schedule(ms: number, fn: () => unknown): void {
    this.timer?.cancel();
    const gen = this.gen;
    this.timer = this.clock.after(ms, () => {
      if (gen === this.gen) void fn();
    });
  }

  // ---- one try at acquiring or renewing ----

  private attempt(): Promise<Attempt> {
    const p = this.tryAcquireOrRenew().catch((err: unknown) => {
      this.report(err);
      return 'failed' as const;
    });
    this.inflight = p;
    void p.finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
    return p;
  }

  private async tryAcquireOrRenew(): Promise<Attempt> {
    const now = this.clock.now();
    const mine: LeaderElectionRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseSeconds,
      acquireTime: rfc3339Micro(now),
      renewTime: rfc3339Micro(now),
      leaseTransitions: 0,
    };

    // While we hold a lease nobody could have taken yet, write straight over the copy we have: one request
    // per renewal instead of two. A conflict only means we must look before writing.
    if (this.lease && this.observed?.holderIdentity === this.identity && this.observedValid(now)) {
      mine.acquireTime = this.observed.acquireTime;
      mine.leaseTransitions = this.observed.leaseTransitions;
      try {
        await this.write(this.lease, mine);
        return 'ok';
      } catch (err) {
        if (!isConflict(err)) this.report(err);
      }
    }

    let current: KubeObject;
    try {
      current = await this.client.get(leaseDescriptor, this.namespace, this.name);
    } catch (err) {
      if (codeOf(err) !== 404) {
        this.report(err);
        return 'failed';
      }
      try {
        this.lease = await this.client.create(leaseDescriptor, this.namespace, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.name, namespace: this.namespace },
          spec: leaseSpec(mine),
        });
        this.observe(mine);
        return 'ok';
      } catch (createErr) {
        // AlreadyExists: another candidate created it first; we will read it next time.
        if (codeOf(createErr) !== 409) this.report(createErr);
        return 'failed';
      }
    }

    this.lease = current;
    const seen = recordOf(current);
    const key = recordKey(seen);
    if (key !== this.observedKey) this.observe(seen, key);
    if (seen.holderIdentity && seen.holderIdentity !== this.identity && this.observedValid(this.clock.now())) return 'held';

    if (seen.holderIdentity === this.identity) {
      mine.acquireTime = seen.acquireTime;
      mine.leaseTransitions = seen.leaseTransitions;
    } else {
      mine.leaseTransitions = seen.leaseTransitions + 1;
    }
    try {
      await this.write(current, mine);
      return 'ok';
    } catch (err) {
      if (!isConflict(err)) this.report(err);
      return 'failed';
    }
  }

  /** Gives the lease up, keeping the transition count, with the shortest duration the API accepts. */
  private async release(): Promise<void> {
    if (!this.lease || this.observed?.holderIdentity !== this.identity) return;
    const now = rfc3339Micro(this.clock.now());
    const released: LeaderElectionRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: this.observed.leaseTransitions,
    };
    try {
      await this.write(this.lease, released);
    } catch (err) {
      // A conflict means someone wrote after us: the lease is no longer ours to release.
      if (!isConflict(err)) this.report(err);
    }
  }

  private async write(base: KubeObject, record: LeaderElectionRecord): Promise<void> {
    this.lease = await this.client.update(leaseDescriptor, this.namespace, { ...base, spec: leaseSpec(record) });
    this.observe(record);
  }

  private observe(record: LeaderElectionRecord, key = recordKey(record)): void {
    this.observed = record;
    this.observedKey = key;
    this.observedAt = this.clock.now();
  }

  /** Valid while the record has not changed for the duration it itself announces, by our own clock. */
  private observedValid(now: number): boolean {
    return this.observed !== undefined && this.observedAt + this.observed.leaseDurationSeconds * 1000 > now;
  }

  private reportTransition(): void {
    const holder = this.getLeader();
    if (this.observed === undefined || holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    if (!this.opts.onNewLeader) return;
    try {
      this.opts.onNewLeader(holder);
    } catch (err) {
      this.report(err);
    }
  }

  private event(what: string): void {
    if (this.opts.recorder && this.lease) this.opts.recorder.event(this.lease, 'Normal', 'LeaderElection', `${this.identity} ${what}`);
  }

  private report(err: unknown): void {
    this.opts.onError?.(err);
  }
}

function leaseSpec(r: LeaderElectionRecord): Record<string, unknown> {
  return {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    acquireTime: r.acquireTime,
    renewTime: r.renewTime,
    leaseTransitions: r.leaseTransitions,
  };
}

/** Reads a Lease the way client-go does: absent fields are empty or zero. */
export function recordOf(lease: KubeObject): LeaderElectionRecord {
  const spec = (lease.spec ?? {}) as Record<string, unknown>;
  const r: LeaderElectionRecord = {
    holderIdentity: typeof spec.holderIdentity === 'string' ? spec.holderIdentity : '',
    leaseDurationSeconds: typeof spec.leaseDurationSeconds === 'number' ? spec.leaseDurationSeconds : 0,
    leaseTransitions: typeof spec.leaseTransitions === 'number' ? spec.leaseTransitions : 0,
  };
  if (typeof spec.acquireTime === 'string') r.acquireTime = spec.acquireTime;
  if (typeof spec.renewTime === 'string') r.renewTime = spec.renewTime;
  return r;
}

function recordKey(r: LeaderElectionRecord): string {
  return `${r.holderIdentity}\n${r.leaseDurationSeconds}\n${r.acquireTime ?? ''}\n${r.renewTime ?? ''}\n${r.leaseTransitions}`;
}

function codeOf(err: unknown): number | undefined {
  return err instanceof ApiError ? err.code : undefined;
}

function isConflict(err: unknown): boolean {
  return codeOf(err) === 409;
}
