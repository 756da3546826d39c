// One clock timer for the whole simulation. Thousands of pods each wanting "wake me in 300 ms" or "on the next
// tick" would otherwise arm thousands of timers; here they share buckets keyed by due time and a single armed
// timer for the earliest bucket, so everything due together runs in one batch.
import type { Clock, Timer } from '../clock/clock.js';

interface Task {
  fn: () => void;
  cancelled: boolean;
  late: boolean;
}

export interface WheelHandle {
  cancel(): void;
  readonly at: number;
}

export class TimerWheel {
  private readonly buckets = new Map<number, Task[]>();
  /** Min-heap of the due times that have a bucket. */
  private readonly heap: number[] = [];
  private armed?: Timer;
  private armedAt = Infinity;
  private armQueued = false;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Runs `fn` after `delayMs` (0 means on the next tick, never synchronously). */
  after(delayMs: number, fn: () => void): WheelHandle {
    return this.at(this.clock.now() + Math.max(0, delayMs), fn);
  }

  /** Like `after`, but when the timer fires it runs after every ordinary task that is due then: the lane for
   * work that should see the results of everything else due at that moment (status writes). */
  afterLate(delayMs: number, fn: () => void): WheelHandle {
    return this.at(this.clock.now() + Math.max(0, delayMs), fn, true);
  }

  at(time: number, fn: () => void, late = false): WheelHandle {
    const due = Math.ceil(time);
    const task: Task = { fn, cancelled: false, late };
    let bucket = this.buckets.get(due);
    if (!bucket) {
      bucket = [];
      this.buckets.set(due, bucket);
      this.push(due);
    }
    bucket.push(task);
    this.queueArm();
    return {
      at: due,
      cancel: () => {
        task.cancelled = true;
      },
    };
  }

  stop(): void {
    this.stopped = true;
    this.armed?.cancel();
    this.armed = undefined;
    this.buckets.clear();
    this.heap.length = 0;
  }

  // Work due "on the next tick" is armed only once the current microtasks are done, so it runs after the
  // promise chains the current tick started, on every clock (a manual test clock would otherwise run it first).
  // Work due later is armed at once.
  private queueArm(): void {
    const next = this.heap[0];
    if (next === undefined) return;
    if (next > this.clock.now()) {
      this.arm();
      return;
    }
    if (this.armQueued) return;
    this.armQueued = true;
    queueMicrotask(() => {
      this.armQueued = false;
      this.arm();
    });
  }

  private arm(): void {
    if (this.stopped) return;
    const next = this.heap[0];
    if (next === undefined || next >= this.armedAt) return;
    this.armed?.cancel();
    this.armedAt = next;
    this.armed = this.clock.after(Math.max(0, next - this.clock.now()), () => this.fire());
  }

  private fire(): void {
    this.armed = undefined;
    this.armedAt = Infinity;
    if (this.stopped) return;
    const now = this.clock.now();
    // Collect first: work scheduled by these tasks for "now" belongs to the next tick.
    const due: Task[][] = [];
    while (this.heap.length > 0 && (this.heap[0] as number) <= now) {
      const t = this.pop();
      const bucket = this.buckets.get(t);
      this.buckets.delete(t);
      if (bucket) due.push(bucket);
    }
    for (const late of [false, true]) {
      for (const bucket of due) {
        for (const task of bucket) {
          if (task.cancelled || task.late !== late) continue;
          try {
            task.fn();
          } catch (err) {
            this.onError(err);
          }
        }
      }
    }
    this.queueArm();
  }

  private push(v: number): void {
    const h = this.heap;
    h.push(v);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((h[p] as number) <= v) break;
      h[i] = h[p] as number;
      i = p;
    }
    h[i] = v;
  }

  private pop(): number {
    const h = this.heap;
    const top = h[0] as number;
    const last = h.pop() as number;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let mv = last;
        if (l < h.length && (h[l] as number) < mv) {
          m = l;
          mv = h[l] as number;
        }
        if (r < h.length && (h[r] as number) < mv) {
          m = r;
          mv = h[r] as number;
        }
        if (m === i) break;
        h[i] = mv;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
