// `kubectl get events` for both Event APIs (core/v1 and events.k8s.io/v1 share one printer in kube-apiserver):
// LAST SEEN first, the name column last and wide-only.
import type { ColumnDefinition } from '../descriptor.js';
import { age, col } from '../printing.js';
import { isObj, type Obj } from './object-helpers.js';

/** An Event in core/v1 terms, whichever API it was read from. */
export interface EventView {
  name: string;
  type: string;
  reason: string;
  message: string;
  involvedObject: Obj;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  series?: Obj;
  count?: number;
  source: Obj;
  reportingController: string;
  reportingInstance: string;
}

export const eventColumns: ColumnDefinition[] = [
  col('Last Seen'),
  col('Type'),
  col('Reason'),
  col('Object'),
  col('Subobject', 'string', 1),
  col('Source', 'string', 1),
  col('Message'),
  col('First Seen', 'string', 1),
  col('Count', 'string', 1),
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 1 },
];

function firstNonEmpty(a: unknown, b: unknown): string {
  return typeof a === 'string' && a ? a : typeof b === 'string' ? b : '';
}

export function eventSource(e: EventView): string {
  const component = firstNonEmpty(e.source.component, e.reportingController);
  const instance = firstNonEmpty(e.source.host, e.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

export function eventCells(e: EventView, now: number): unknown[] {
  const first = e.firstTimestamp ? age(e.firstTimestamp, now) : age(e.eventTime, now);
  let last = e.lastTimestamp ? age(e.lastTimestamp, now) : first;
  let count = typeof e.count === 'number' ? e.count : 0;
  if (isObj(e.series)) {
    last = age(e.series.lastObservedTime, now);
    count = Number(e.series.count ?? 0);
  } else if (count === 0) count = 1;
  const kind = String(e.involvedObject.kind ?? '').toLowerCase();
  const target = e.involvedObject.name ? `${kind}/${e.involvedObject.name}` : kind;
  return [last, e.type, e.reason, target, e.involvedObject.fieldPath ?? '', eventSource(e), e.message.trim(), first, count, e.name];
}
