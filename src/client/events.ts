// The event recorder controllers, the scheduler and kubelets use to leave core/v1 Events behind, as
// client-go's record package does: `event()` only correlates in memory and returns; writes happen later
// through the Client, one at a time per Event so its create lands before its patches, and a failure is
// counted and dropped rather than surfacing in the caller's reconcile.
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { Clock } from '../clock/clock.js';
import type { Client, Resource } from './client.js';
import { EventCorrelator, eventName, type EventRecord, type EventSource, type InvolvedObject } from './event-correlator.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  /** Records an event about `obj` (its kind/name/namespace/uid become the involvedObject). Never throws:
   * failures to write events are logged and dropped, as client-go's recorder does. `fieldPath` names a
   * part of the object, e.g. `spec.containers{nginx}`. */
  event(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void;
}

export const EVENTS: Resource = { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true };

export interface EventRecorderStats {
  /** Calls of event(). */
  recorded: number;
  /** Occurrences the spam filter kept from causing a write (they still add to the Event's count). */
  filtered: number;
  created: number;
  patched: number;
  /** Calls that could not become an event, writes the server rejected or that ran out of tries, and
   * writes refused because the backlog was full. */
  dropped: number;
  /** Events waiting for a write or being written. */
  pending: number;
}

/** What createEventRecorder returns: an EventRecorder plus what metrics, tests and shutdown need. */
export interface RecordingEventRecorder extends EventRecorder {
  stats(): EventRecorderStats;
  /** Resolves once every write queued so far (and any it led to) has finished. */
  flush(): Promise<void>;
  /** Stops writing; writes not yet started are dropped. */
  stop(): void;
}

export interface EventRecorderOptions {
  /** Writes in flight at once, across all Events. */
  concurrency?: number;
  /** Events that may wait for a write slot; more are dropped, as client-go's broadcaster drops past its queue. */
  maxPending?: number;
  /** Attempts per write when the transport fails (the server did not answer); a server's refusal is final. */
  maxTries?: number;
  retryDelayMs?: number;
  log?(message: string): void;
}

const DEFAULTS = { concurrency: 16, maxPending: 20_000, maxTries: 12, retryDelayMs: 10_000 };

interface WriteState {
  inFlight: boolean;
  /** Observed since the last write started: one more write is owed. */
  dirty: boolean;
}

function reference(obj: KubeObject, fieldPath: string | undefined): InvolvedObject | undefined {
  const m = obj.metadata;
  if (!obj.kind || !m?.name) return undefined;
  // ObjectReference's field order, and its omitempty: a missing field is absent rather than empty.
  const ref: InvolvedObject = { kind: obj.kind } as InvolvedObject;
  if (m.namespace) ref.namespace = m.namespace;
  ref.name = m.name;
  if (m.uid) ref.uid = m.uid;
  if (obj.apiVersion) ref.apiVersion = obj.apiVersion;
  if (m.resourceVersion) ref.resourceVersion = m.resourceVersion;
  if (fieldPath) ref.fieldPath = fieldPath;
  return ref;
}

function isApiError(err: unknown, code?: number, reason?: string): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code) && (reason === undefined || err.reason === reason);
}

export function createEventRecorder(client: Client, clock: Clock, source: EventSource, options: EventRecorderOptions = {}): RecordingEventRecorder {
  const opts = { ...DEFAULTS, ...options };
  const src: EventSource = source.host ? { component: source.component, host: source.host } : { component: source.component };
  const correlator = new EventCorrelator(src);
  const writes = new Map<EventRecord, WriteState>();
  // A Set keeps insertion order and cannot hold an Event twice: the write backlog, oldest first.
  const waiting = new Set<EventRecord>();
  let inFlight = 0;
  let stopped = false;
  let pumpQueued = false;
  let flushes: Array<() => void> = [];
  const stats = { recorded: 0, filtered: 0, created: 0, patched: 0, dropped: 0 };

  const toEvent = (rec: EventRecord): KubeObject => {
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: rec.name, namespace: rec.namespace },
      involvedObject: rec.involvedObject,
      reason: rec.reason,
      message: rec.message,
      source: src,
      firstTimestamp: rec.firstTimestamp,
      lastTimestamp: rec.lastTimestamp,
      count: rec.count,
      type: rec.type,
      eventTime: null,
      reportingComponent: src.component,
      reportingInstance: src.host ?? '',
    };
    return ev;
  };

  const write = async (rec: EventRecord): Promise<void> => {
    if (rec.created) {
      try {
        await client.patch(EVENTS, rec.namespace, rec.name, 'merge', { count: rec.count, lastTimestamp: rec.lastTimestamp, message: rec.message });
        stats.patched++;
        return;
      } catch (err) {
        // Someone deleted the Event (or its TTL ran out): write it anew, as client-go does.
        if (!isApiError(err, 404)) throw err;
        rec.created = false;
      }
    }
    try {
      await client.create(EVENTS, rec.namespace, toEvent(rec));
    } catch (err) {
      // Names are unique within this process; another process may still have used the same instant.
      if (!isApiError(err, 409, 'AlreadyExists')) throw err;
      rec.name = eventName(rec.involvedObject.name, clock.now());
      await client.create(EVENTS, rec.namespace, toEvent(rec));
    }
    rec.created = true;
    stats.created++;
  };

  const send = async (rec: EventRecord): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await write(rec);
        return;
      } catch (err) {
        if (isApiError(err) || attempt >= opts.maxTries || stopped) {
          stats.dropped++;
          opts.log?.(`dropping event ${rec.namespace}/${rec.name} (${rec.reason}): ${(err as Error)?.message ?? String(err)}`);
          return;
        }
        await clock.sleep(opts.retryDelayMs);
      }
    }
  };

  const settle = () => {
    if (writes.size > 0 || flushes.length === 0) return;
    const done = flushes;
    flushes = [];
    for (const f of done) f();
  };

  const pump = () => {
    while (!stopped && inFlight < opts.concurrency && waiting.size > 0) {
      const rec = waiting.values().next().value as EventRecord;
      waiting.delete(rec);
      const w = writes.get(rec) as WriteState;
      w.dirty = false;
      w.inFlight = true;
      inFlight++;
      void send(rec).then(() => {
        inFlight--;
        w.inFlight = false;
        if (w.dirty && !stopped) waiting.add(rec);
        else writes.delete(rec);
        pump();
        settle();
      });
    }
  };

  const schedule = (rec: EventRecord) => {
    const w = writes.get(rec);
    if (w) {
      // Already waiting: that write will carry this occurrence. Being written: one more write follows.
      w.dirty = true;
      return;
    }
    if (waiting.size >= opts.maxPending) {
      stats.dropped++;
      return;
    }
    writes.set(rec, { inFlight: false, dirty: true });
    waiting.add(rec);
    // Writing from a microtask keeps the store write out of the caller's stack, and lets a burst of repeats
    // from one synchronous loop reach the server as one write.
    if (!pumpQueued) {
      pumpQueued = true;
      queueMicrotask(() => {
        pumpQueued = false;
        pump();
      });
    }
  };

  return {
    event(obj, type, reason, message, fieldPath) {
      stats.recorded++;
      try {
        const ref = reference(obj, fieldPath);
        if (stopped || !ref || (type !== 'Normal' && type !== 'Warning')) {
          stats.dropped++;
          return;
        }
        const { record, accepted } = correlator.observe({ involvedObject: ref, type, reason, message }, clock.now());
        if (!accepted) {
          stats.filtered++;
          return;
        }
        schedule(record);
      } catch (err) {
        stats.dropped++;
        opts.log?.(`dropping event ${reason} about ${obj?.metadata?.name}: ${(err as Error)?.message ?? String(err)}`);
      }
    },
    stats() {
      return { ...stats, pending: writes.size };
    },
    flush() {
      return new Promise<void>((resolve) => {
        flushes.push(resolve);
        settle();
      });
    },
    stop() {
      stopped = true;
      for (const rec of waiting) writes.delete(rec);
      stats.dropped += waiting.size;
      waiting.clear();
      settle();
    },
  };
}
