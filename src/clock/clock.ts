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

/** Cluster time runs `factor` times faster than wall time, starting from the wall time at construction. */
export class ScaledClock implements Clock {
  private readonly wallStart = Date.now();
  constructor(private readonly factor: number) {
    if (!(factor > 0)) throw new Error('time scale must be greater than 0');
  }
  now(): number {
    return this.wallStart + (Date.now() - this.wallStart) * this.factor;
  }
  after(ms: number, fn: () => void): Timer {
    const t = setTimeout(fn, Math.max(0, ms / this.factor));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / this.factor)));
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
