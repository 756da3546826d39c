// The only place that reads the wall clock or arms timers. Everything else takes a Clock, so tests run on a
// manual clock and `--time-scale` can speed the whole cluster up.
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch, in cluster time. */
  now(): number;
  /** Runs `fn` after `ms` of cluster time. */
  after(ms: number, fn: () => void): Timer;
  /** Resolves after `ms` of cluster time. */
  sleep(ms: number): Promise<void>;
}

export function isoNow(clock: Clock): string {
  return rfc3339(clock.now());
}

let lastSecond = Number.NaN;
let lastText = '';

/** Whole-second RFC 3339 in UTC, as metav1.Time serializes. (Many writes share a second: remember the last.) */
export function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastText = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
  }
  return lastText;
}

/** Microsecond RFC 3339, as metav1.MicroTime serializes. */
export function rfc3339Micro(ms: number): string {
  const iso = new Date(ms).toISOString(); // millisecond precision
  return `${iso.slice(0, -1)}000Z`;
}

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
  after(ms: number, fn: () => void): Timer {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
  }
}

/** The wall clock an AdjustableClock runs on: real time by default, a FakeClock in tests. */
export interface Wall {
  now(): number;
  /** Runs `fn` after `ms` of wall time; `ref` false lets the process exit while it is armed. */
  after(ms: number, fn: () => void, ref: boolean): Timer;
}

export const realWall: Wall = {
  now: () => Date.now(),
  after(ms, fn, ref) {
    const t = setTimeout(fn, ms);
    if (!ref) t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A Clock (a FakeClock in tests) used as the wall an AdjustableClock runs on. */
export function wallOf(clock: Clock): Wall {
  return { now: () => clock.now(), after: (ms, fn) => clock.after(ms, fn) };
}

export interface ClockSettings {
  /** Cluster milliseconds per wall millisecond (> 0). */
  rate: number;
  paused: boolean;
}

/** Where a clock's time comes from: cluster time `cluster` at wall time `wall`, running `rate` times as fast as
 * the wall since (standing at `cluster` while paused). Processes that share an anchor agree on cluster time. */
export interface ClockAnchor extends ClockSettings {
  wall: number;
  cluster: number;
}

/** Cluster time at wall time `wallNow` by an anchor. */
export function anchoredTime(a: ClockAnchor, wallNow: number): number {
  return a.paused ? a.cluster : a.cluster + (wallNow - a.wall) * a.rate;
}

// Node arms at most 2^31-1 ms; a longer wait is re-armed when that much has passed.
const MAX_WALL_DELAY = 2 ** 31 - 1;

interface Armed {
  /** Cluster time it falls due. */
  at: number;
  fn: () => void;
  ref: boolean;
  wall?: Timer;
  done: boolean;
}

/**
 * Cluster time that runs `rate` times faster than the wall and can change rate or stop (pause) while it runs,
 * never going backwards: each change re-anchors at the current cluster time. Timers wait for cluster time,
 * so a change re-arms them (a 10 s wait at rate 1 that changes to rate 10 after 2 s fires 0.8 s later; a
 * paused clock fires nothing until it resumes).
 */
export class AdjustableClock implements Clock {
  private anchorWall: number;
  private anchorCluster: number;
  private rate: number;
  private paused: boolean;
  private readonly armed = new Set<Armed>();
  private readonly listeners = new Set<(s: ClockSettings) => void>();

  constructor(
    opts: { rate?: number; paused?: boolean; start?: number } = {},
    private readonly wall: Wall = realWall,
  ) {
    const rate = opts.rate ?? 1;
    if (!(rate > 0) || !Number.isFinite(rate)) throw new Error('time scale must be greater than 0');
    this.rate = rate;
    this.paused = !!opts.paused;
    this.anchorWall = wall.now();
    this.anchorCluster = opts.start ?? this.anchorWall;
  }

  now(): number {
    if (this.paused) return this.anchorCluster;
    return this.anchorCluster + (this.wall.now() - this.anchorWall) * this.rate;
  }

  settings(): ClockSettings {
    return { rate: this.rate, paused: this.paused };
  }

  /** Changes the rate and/or pauses or resumes; time goes on from where it is, pending timers re-arm. */
  set(change: Partial<ClockSettings>): void {
    const rate = change.rate ?? this.rate;
    const paused = change.paused ?? this.paused;
    if (!(rate > 0) || !Number.isFinite(rate)) throw new Error('time scale must be greater than 0');
    if (rate === this.rate && paused === this.paused) return;
    this.anchorCluster = this.now();
    this.anchorWall = this.wall.now();
    this.rate = rate;
    this.paused = paused;
    for (const a of this.armed) this.arm(a);
    const s = this.settings();
    for (const l of [...this.listeners]) l(s);
  }

  /** This clock's reference point (see ClockAnchor). */
  anchor(): ClockAnchor {
    return { wall: this.anchorWall, cluster: this.anchorCluster, rate: this.rate, paused: this.paused };
  }

  /** Runs by another anchor from now on: the one the processes of a cluster share. Pending timers re-arm. */
  adopt(a: ClockAnchor): void {
    if (!(a.rate > 0) || !Number.isFinite(a.rate) || !Number.isFinite(a.wall) || !Number.isFinite(a.cluster)) throw new Error('invalid clock anchor');
    const changed = a.rate !== this.rate || a.paused !== this.paused;
    if (!changed && a.wall === this.anchorWall && a.cluster === this.anchorCluster) return;
    this.anchorWall = a.wall;
    this.anchorCluster = a.cluster;
    this.rate = a.rate;
    this.paused = a.paused;
    for (const armed of this.armed) this.arm(armed);
    if (!changed) return;
    const s = this.settings();
    for (const l of [...this.listeners]) l(s);
  }

  /** Calls `fn` after every change of rate or pause. */
  onChange(fn: (s: ClockSettings) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  after(ms: number, fn: () => void): Timer {
    return this.schedule(ms, fn, false);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve, true));
  }

  /** Timers waiting for cluster time. */
  timers(): number {
    return this.armed.size;
  }

  private schedule(ms: number, fn: () => void, ref: boolean): Timer {
    const a: Armed = { at: this.now() + Math.max(0, ms), fn, ref, done: false };
    if (Number.isNaN(a.at)) a.at = this.now();
    this.armed.add(a);
    this.arm(a);
    return {
      cancel: () => {
        if (a.done) return;
        a.done = true;
        a.wall?.cancel();
        this.armed.delete(a);
      },
    };
  }

  private arm(a: Armed): void {
    a.wall?.cancel();
    a.wall = undefined;
    const left = a.at - this.now();
    // Waiting forever (sleep infinity), or paused before it is due: nothing to arm until something changes.
    // (A timer already due still fires while paused: cluster time need not move for it.)
    if (!Number.isFinite(a.at) || (this.paused && left > 0)) return;
    const wallMs = Math.max(0, left / this.rate);
    a.wall = this.wall.after(Math.min(MAX_WALL_DELAY, Math.ceil(wallMs)), () => this.due(a), a.ref);
  }

  private due(a: Armed): void {
    if (a.done) return;
    // Rounding, or a wait longer than one wall timer can hold: not there yet, wait the rest.
    const left = a.at - this.now();
    if (left > 0 && (this.paused || left / this.rate >= 1)) return this.arm(a);
    a.done = true;
    this.armed.delete(a);
    a.fn();
  }
}

/** Cluster time runs `factor` times faster than wall time, starting from the wall time at construction. */
export class ScaledClock extends AdjustableClock {
  constructor(factor: number) {
    super({ rate: factor });
  }
}

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A manual clock for tests: time moves only when `advance` is called, firing due timers in order. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private pending: Pending[] = [];
  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  after(ms: number, fn: () => void): Timer {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return { cancel: () => (p.cancelled = true) };
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }
  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      this.pending.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.pending[0];
      if (!next || next.at > end) break;
      this.pending.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
  /** Number of timers still armed. */
  timers(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}
