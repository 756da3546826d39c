// The "why" behind a controller's writes: a bounded log of decisions per object, keyed by uid, that the
// dashboard shows as a timeline next to the object. Appending is O(1) and allocates one small record; the
// whole log is bounded twice (entries per object, objects overall, least recently written dropped first),
// so it costs nothing that grows with the cluster's history, and nothing is formatted unless someone reads.
import type { KubeObject } from '../../api/types.js';

export interface Decision {
  /** Cluster time of the decision, ms since the epoch. */
  time: number;
  /** Component that decided, e.g. `deployment-controller`. */
  controller: string;
  message: string;
  /** Increasing across the whole log: a reader asks for entries after the last one it saw. */
  seq: number;
  /** How many times in a row this same message was decided (the entry keeps the latest time); 1 usually. */
  count: number;
}

export interface DecisionTarget {
  uid: string;
  kind?: string;
  namespace?: string;
  name?: string;
}

export interface DecisionLogOptions {
  /** Entries kept per object (oldest dropped). Default 50. */
  perObject?: number;
  /** Objects kept (least recently written dropped). Default 2000. */
  objects?: number;
}

class Ring {
  readonly items: (Decision | undefined)[];
  next = 0;
  size = 0;
  constructor(
    capacity: number,
    public target: DecisionTarget,
  ) {
    this.items = new Array(capacity);
  }
  last(): Decision | undefined {
    return this.size ? this.items[(this.next - 1 + this.items.length) % this.items.length] : undefined;
  }
  push(d: Decision): void {
    this.items[this.next] = d;
    this.next = (this.next + 1) % this.items.length;
    if (this.size < this.items.length) this.size++;
  }
  /** Oldest first. */
  toArray(): Decision[] {
    const out: Decision[] = [];
    const cap = this.items.length;
    for (let i = 0; i < this.size; i++) out.push(this.items[(this.next - this.size + i + cap) % cap] as Decision);
    return out;
  }
}

export class DecisionLog {
  private readonly perObject: number;
  private readonly maxObjects: number;
  // A Map iterates in insertion order; re-inserting on write makes its first key the least recently written.
  private readonly rings = new Map<string, Ring>();
  private seq = 0;

  constructor(opts: DecisionLogOptions = {}) {
    this.perObject = Math.max(1, opts.perObject ?? 50);
    this.maxObjects = Math.max(1, opts.objects ?? 2000);
  }

  /** Records that `controller` decided `message` about `obj` at `time`. Objects without a uid are ignored. */
  record(obj: KubeObject | DecisionTarget, controller: string, message: string, time: number): void {
    const target = targetOf(obj);
    if (!target) return;
    let ring = this.rings.get(target.uid);
    if (ring) {
      this.rings.delete(target.uid);
    } else {
      ring = new Ring(this.perObject, target);
      if (this.rings.size >= this.maxObjects) {
        const oldest = this.rings.keys().next().value;
        if (oldest !== undefined) this.rings.delete(oldest);
      }
    }
    this.rings.set(target.uid, ring);
    const last = ring.last();
    if (last && last.message === message && last.controller === controller) {
      // The same reasoning again (a controller waiting reconciles often): one entry, counted, newest time.
      last.time = time;
      last.count++;
      last.seq = ++this.seq;
      return;
    }
    ring.push({ time, controller, message, seq: ++this.seq, count: 1 });
  }

  /** The decisions about one object, oldest first; only those with seq > `after` when given. */
  get(uid: string, after = 0): Decision[] {
    const ring = this.rings.get(uid);
    if (!ring) return [];
    const all = ring.toArray();
    return after > 0 ? all.filter((d) => d.seq > after) : all;
  }

  /** What the log knows about an object (kind, namespace, name), if it has decisions for it. */
  target(uid: string): DecisionTarget | undefined {
    return this.rings.get(uid)?.target;
  }

  /** The most recent decisions across all objects, newest last (at most `limit`). */
  recent(limit = 100): Array<Decision & { target: DecisionTarget }> {
    const out: Array<Decision & { target: DecisionTarget }> = [];
    for (const ring of this.rings.values()) for (const d of ring.toArray()) out.push({ ...d, target: ring.target });
    out.sort((a, b) => a.seq - b.seq);
    return out.slice(-limit);
  }

  get objectCount(): number {
    return this.rings.size;
  }
}

function targetOf(obj: KubeObject | DecisionTarget): DecisionTarget | undefined {
  if ('metadata' in obj && obj.metadata) {
    const m = obj.metadata;
    if (!m.uid) return undefined;
    const t: DecisionTarget = { uid: m.uid };
    if (obj.kind) t.kind = obj.kind;
    if (m.namespace) t.namespace = m.namespace;
    if (m.name) t.name = m.name;
    return t;
  }
  const t = obj as DecisionTarget;
  return t.uid ? t : undefined;
}

/** The process's log: the manager records into it by default and the dashboard reads it. Uids are unique,
 * so several clusters in one process (tests) can share it. */
export const defaultDecisionLog = new DecisionLog();

/** What a controller holds: `record(obj, message)` stamped with its name and the cluster clock. */
export interface DecisionRecorder {
  record(obj: KubeObject | DecisionTarget, message: string): void;
}

export function decisionRecorder(log: DecisionLog, controller: string, now: () => number): DecisionRecorder {
  return { record: (obj, message) => log.record(obj, controller, message, now()) };
}
