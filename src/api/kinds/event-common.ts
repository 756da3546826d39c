// core/v1 and events.k8s.io/v1 serve one stored Event under two sets of field names. Each API lists its names in
// an EventFields; the rules both APIs enforce, the field selectors and the printed view are written once over them.
import type { TablePrinter } from '../descriptor.js';
import { fieldErr } from '../fielderrors.js';
import type { FieldError, KubeObject } from '../types.js';
import { isDNS1123Subdomain, isQualifiedName } from '../validation/names.js';
import { eventCells, eventColumns, type EventView } from './event-table.js';
import { isObj, type Obj } from './object-helpers.js';

export const REPORTING_INSTANCE_LIMIT = 128;
export const ACTION_LIMIT = 128;
export const REASON_LIMIT = 128;
export const NOTE_LIMIT = 1024;

/** Where one Event API keeps what the other calls by another name. */
export interface EventFields {
  involvedObject: string;
  message: string;
  reportingController: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: string;
  source: string;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function involvedOf(ev: KubeObject, f: EventFields): Obj {
  const v = (ev as Obj)[f.involvedObject];
  return isObj(v) ? v : {};
}

/** The rules every Event must pass, whichever API wrote it; paths use core/v1 field names. */
export function legacyEventErrors(e: {
  namespace: string;
  involvedNamespace: string;
  eventTime: string;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  message: string;
}): FieldError[] {
  const errs: FieldError[] = [];
  const mismatch = () => fieldErr.invalid('involvedObject.namespace', e.involvedNamespace, 'does not match event.namespace');
  if (!e.eventTime) {
    // Old clients may leave the namespace to "default" for cluster-scoped objects.
    if (!e.involvedNamespace) {
      if (e.namespace !== '' && e.namespace !== 'default') errs.push(mismatch());
    } else if (e.namespace !== e.involvedNamespace) errs.push(mismatch());
  } else {
    if (!e.involvedNamespace && e.namespace !== 'default' && e.namespace !== 'kube-system') errs.push(mismatch());
    if (!e.reportingController) errs.push(fieldErr.required('reportingController'));
    for (const m of isQualifiedName(e.reportingController)) errs.push(fieldErr.invalid('reportingController', e.reportingController, m));
    if (!e.reportingInstance) errs.push(fieldErr.required('reportingInstance'));
    if (e.reportingInstance.length > REPORTING_INSTANCE_LIMIT) errs.push(fieldErr.invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LIMIT} characters`));
    if (!e.action) errs.push(fieldErr.required('action'));
    if (e.action.length > ACTION_LIMIT) errs.push(fieldErr.invalid('action', '', `can have at most ${ACTION_LIMIT} characters`));
    if (!e.reason) errs.push(fieldErr.required('reason'));
    if (e.reason.length > REASON_LIMIT) errs.push(fieldErr.invalid('reason', '', `can have at most ${REASON_LIMIT} characters`));
    if (e.message.length > NOTE_LIMIT) errs.push(fieldErr.invalid('message', '', `can have at most ${NOTE_LIMIT} characters`));
  }
  for (const m of isDNS1123Subdomain(e.namespace)) errs.push(fieldErr.invalid('namespace', e.namespace, m));
  return errs;
}

/** legacyEventErrors of an Event as stored under one API's field names. */
export function sharedEventErrors(ev: KubeObject, f: EventFields): FieldError[] {
  const o = ev as Obj;
  return legacyEventErrors({
    namespace: ev.metadata.namespace ?? '',
    involvedNamespace: str(involvedOf(ev, f).namespace),
    eventTime: str(o.eventTime),
    reportingController: str(o[f.reportingController]),
    reportingInstance: str(o.reportingInstance),
    action: str(o.action),
    reason: str(o.reason),
    message: str(o[f.message]),
  });
}

/** Both APIs select on the involved object's fields and on reason, reporter, source and type, by their own names. */
export function eventFieldLabels(f: EventFields): Record<string, (ev: KubeObject) => string | undefined> {
  const involved = (k: string) => (ev: KubeObject) => str(involvedOf(ev, f)[k]);
  const labels: Record<string, (ev: KubeObject) => string | undefined> = {};
  for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) labels[`${f.involvedObject}.${k}`] = involved(k);
  labels.reason = (ev) => str((ev as Obj).reason);
  labels[f.reportingController] = (ev) => str((ev as Obj)[f.reportingController]);
  labels.source = (ev) => {
    const o = ev as Obj;
    return str(isObj(o[f.source]) ? o[f.source].component : '') || str(o[f.reportingController]);
  };
  labels.type = (ev) => str((ev as Obj).type);
  return labels;
}

function eventView(ev: KubeObject, f: EventFields): EventView {
  const o = ev as Obj;
  return {
    name: ev.metadata.name ?? '',
    type: str(o.type),
    reason: str(o.reason),
    message: str(o[f.message]),
    involvedObject: involvedOf(ev, f),
    firstTimestamp: o[f.firstTimestamp] ?? undefined,
    lastTimestamp: o[f.lastTimestamp] ?? undefined,
    eventTime: o.eventTime ?? undefined,
    series: isObj(o.series) ? o.series : undefined,
    count: typeof o[f.count] === 'number' ? o[f.count] : undefined,
    source: isObj(o[f.source]) ? o[f.source] : {},
    reportingController: str(o[f.reportingController]),
    reportingInstance: str(o.reportingInstance),
  };
}

export function eventTable(f: EventFields): TablePrinter {
  return { columns: eventColumns, cells: (ev, now) => eventCells(eventView(ev, f), now) };
}
