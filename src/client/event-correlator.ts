// Decides what an event becomes before anything is written, as client-go's EventCorrelator does: many
// messages of one reason about one object fold into a "(combined from similar events)" event, a repeat of an
// identical event bumps the count of the Event already written, and a per source+object token bucket keeps a
// hot loop from flooding the store. Each cache is an LRU of bounded size, so memory stays flat however many
// objects an event source talks about, and every step is O(1).
import { rfc3339 } from '../clock/clock.js';

export const LRU_ENTRIES = 4096;
/** Distinct messages of one reason about one object within the interval before they are combined. */
export const AGGREGATE_MAX_EVENTS = 10;
export const AGGREGATE_INTERVAL_MS = 600_000;
export const SPAM_BURST = 25;
/** One new event per five minutes once the burst is spent. */
export const SPAM_QPS = 1 / 300;
export const COMBINED_PREFIX = '(combined from similar events): ';

export interface InvolvedObject {
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EventSource {
  component: string;
  host?: string;
}

export interface ObservedEvent {
  involvedObject: InvolvedObject;
  type: string;
  reason: string;
  message: string;
}

/** One core/v1 Event as this process believes the server holds it. Observations change the mutable part;
 * the writer sends whatever it finds here when its turn comes, so repeats coalesce into one write. */
export interface EventRecord {
  name: string;
  readonly namespace: string;
  readonly involvedObject: InvolvedObject;
  readonly type: string;
  readonly reason: string;
  readonly firstTimestamp: string;
  message: string;
  lastTimestamp: string;
  count: number;
  /** The server acknowledged creating it, so later observations are patches. */
  created: boolean;
}

/** A Map keeps insertion order, so re-inserting on use makes its first key the least recently used. */
export class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
}

/** Starts full; TryAccept semantics (a refused call takes nothing). */
class TokenBucket {
  private tokens: number;
  constructor(
    private readonly burst: number,
    private readonly perMs: number,
    private last: number,
  ) {
    this.tokens = burst;
  }

  tryTake(now: number): boolean {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface SimilarEvents {
  /** Distinct messages, oldest first, so the oldest is the one let go when the set is full. */
  messages: Set<string>;
  last: number;
}

let lastNanos = 0n;

/** `<object>.<unix nanoseconds in hex>` as client-go names events. The clock gives milliseconds, so the
 * nanoseconds are made strictly increasing within the process: two events about one object in the same
 * millisecond must not collide on a name. */
export function eventName(objectName: string, nowMs: number): string {
  let nanos = BigInt(Math.floor(nowMs)) * 1_000_000n;
  if (nanos <= lastNanos) nanos = lastNanos + 1n;
  lastNanos = nanos;
  return `${objectName}.${nanos.toString(16).padStart(16, '0')}`;
}

// NUL cannot occur in names, kinds or reasons, so joined keys cannot run into each other.
const SEP = '\u0000';

export interface Correlation {
  record: EventRecord;
  /** False when the spam filter held the write back; the record's count still includes this occurrence. */
  accepted: boolean;
}

export class EventCorrelator {
  private readonly similar = new Lru<SimilarEvents>(LRU_ENTRIES);
  private readonly records = new Lru<EventRecord>(LRU_ENTRIES);
  private readonly spam = new Lru<TokenBucket>(LRU_ENTRIES);

  constructor(private readonly source: EventSource) {}

  observe(ev: ObservedEvent, nowMs: number): Correlation {
    const o = ev.involvedObject;
    const objectKey = [this.source.component, this.source.host ?? '', o.kind, o.namespace ?? '', o.name, o.uid ?? '', o.apiVersion ?? ''].join(SEP);
    const similarKey = [objectKey, ev.type, ev.reason].join(SEP);

    let key = [similarKey, o.fieldPath ?? '', ev.message].join(SEP);
    let message = ev.message;
    let group = this.similar.get(similarKey);
    if (!group || nowMs - group.last > AGGREGATE_INTERVAL_MS) group = { messages: new Set(), last: nowMs };
    group.messages.add(ev.message);
    group.last = nowMs;
    this.similar.set(similarKey, group);
    if (group.messages.size >= AGGREGATE_MAX_EVENTS) {
      // Keep the set below the threshold, so only a message not seen lately is combined again.
      group.messages.delete(group.messages.values().next().value as string);
      key = `combined${SEP}${similarKey}`;
      message = COMBINED_PREFIX + ev.message;
    }

    const ts = rfc3339(nowMs);
    let record = this.records.get(key);
    if (record) {
      record.count++;
      record.lastTimestamp = ts;
      record.message = message;
    } else {
      record = {
        name: eventName(o.name, nowMs),
        namespace: o.namespace || 'default',
        involvedObject: o,
        type: ev.type,
        reason: ev.reason,
        firstTimestamp: ts,
        lastTimestamp: ts,
        message,
        count: 1,
        created: false,
      };
    }
    this.records.set(key, record);

    let bucket = this.spam.get(objectKey);
    if (!bucket) bucket = new TokenBucket(SPAM_BURST, SPAM_QPS / 1000, nowMs);
    const accepted = bucket.tryTake(nowMs);
    this.spam.set(objectKey, bucket);
    return { record, accepted };
  }
}
