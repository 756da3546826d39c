// Per-node backoff for deleting failed daemon pods. A kubelet that keeps rejecting a daemon pod (no room, a
// port taken) and a controller that keeps recreating it would otherwise spin; the delay doubles from 1 s up to
// 15 min for each DaemonSet and node.
const INITIAL_MS = 1000;
const MAX_MS = 15 * 60 * 1000;

interface Entry {
  delay: number;
  lastUpdate: number;
}

export class FailedPodsBackoff {
  private readonly entries = new Map<string, Entry>();

  /** Milliseconds left before the next deletion may happen; 0 when free to act. */
  remaining(key: string, now: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, e.lastUpdate + e.delay - now);
  }

  next(key: string, now: number): void {
    const e = this.entries.get(key);
    // A long quiet spell resets the delay, so a node that recovered starts over.
    if (!e || now - e.lastUpdate > 2 * MAX_MS) this.entries.set(key, { delay: INITIAL_MS, lastUpdate: now });
    else this.entries.set(key, { delay: Math.min(e.delay * 2, MAX_MS), lastUpdate: now });
  }

  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
