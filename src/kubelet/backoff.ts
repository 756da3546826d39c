// Per-key exponential backoff with the semantics of client-go's flowcontrol.Backoff, which the kubelet uses for
// image pulls (keyed by pod and image) and container restarts (keyed by pod and container): the first failure
// waits the initial delay, each later one doubles it up to the cap, and a key untouched for twice the cap
// starts over.

interface Entry {
  delay: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly initialMs = 10_000,
    readonly maxMs = 300_000,
  ) {}

  private expired(eventTime: number, e: Entry): boolean {
    return eventTime - e.lastUpdate > this.maxMs * 2;
  }

  /** Records a failure (or a restart) at `now`; `eventTime` decides whether the key is stale enough to reset. */
  next(key: string, eventTime: number, now: number): void {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) {
      this.entries.set(key, { delay: this.initialMs, lastUpdate: now });
      return;
    }
    e.delay = Math.min(e.delay * 2, this.maxMs);
    e.lastUpdate = now;
  }

  /** The current delay of a key (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.delay ?? 0;
  }

  /** Crash-loop form: still waiting if less than the delay has passed since `eventTime` (the container's exit). */
  inBackOffSince(key: string, eventTime: number, now: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) return false;
    return now - eventTime < e.delay;
  }

  /** Image-pull form: still waiting if less than the delay has passed since the last recorded failure. */
  inBackOffSinceUpdate(key: string, now: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(now, e)) return false;
    return now - e.lastUpdate < e.delay;
  }

  /** When the current window of a key ends, measured from `since` (or from the last failure). */
  windowEnd(key: string, since?: number): number | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    return (since ?? e.lastUpdate) + e.delay;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
