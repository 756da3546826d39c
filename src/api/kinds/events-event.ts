// events.k8s.io/v1 Event: the newer Event API over the same data. Writes through it get the strict rules
// (eventTime, type, no deprecated fields; most fields fixed once written). No short name: `ev` stays with core.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr } from '../fielderrors.js';
import type { FieldError, KubeObject } from '../types.js';
import { immutableField } from '../validation/meta.js';
import { STANDARD_VERBS } from './descriptor-parts.js';
import { eventFieldLabels, type EventFields, eventTable, sharedEventErrors, str } from './event-common.js';
import { isObj, type Obj, semanticEqual } from './object-helpers.js';

const EVENTS_API_FIELDS: EventFields = {
  involvedObject: 'regarding',
  message: 'note',
  reportingController: 'reportingController',
  firstTimestamp: 'deprecatedFirstTimestamp',
  lastTimestamp: 'deprecatedLastTimestamp',
  count: 'deprecatedCount',
  source: 'deprecatedSource',
};

function validateSeries(o: Obj): FieldError[] {
  if (!isObj(o.series)) return [];
  const errs: FieldError[] = [];
  if (Number(o.series.count ?? 0) < 2) errs.push(fieldErr.invalid('series.count', '', 'should be at least 2'));
  if (!o.series.lastObservedTime) errs.push(fieldErr.required('series.lastObservedTime'));
  return errs;
}

function validateEvent(ev: KubeObject): FieldError[] {
  const o = ev as Obj;
  const errs = [...sharedEventErrors(ev, EVENTS_API_FIELDS), ...validateSeries(o)];
  if (!o.eventTime) errs.push(fieldErr.required('eventTime'));
  if (o.type !== 'Normal' && o.type !== 'Warning') errs.push(fieldErr.invalid('type', '', `has invalid value: ${str(o.type)}`));
  if (o.deprecatedFirstTimestamp) errs.push(fieldErr.invalid('firstTimestamp', '', 'needs to be unset'));
  if (o.deprecatedLastTimestamp) errs.push(fieldErr.invalid('lastTimestamp', '', 'needs to be unset'));
  if (o.deprecatedCount) errs.push(fieldErr.invalid('count', '', 'needs to be unset'));
  const src = isObj(o.deprecatedSource) ? o.deprecatedSource : {};
  if (src.component || src.host) errs.push(fieldErr.invalid('source', '', 'needs to be unset'));
  return errs;
}

// Paths name the core/v1 fields, as kube-apiserver validates both APIs on one internal type.
const IMMUTABLE: Array<[string, string]> = [
  ['regarding', 'involvedObject'],
  ['reason', 'reason'],
  ['note', 'message'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['type', 'type'],
  ['eventTime', 'eventTime'],
  ['action', 'action'],
  ['related', 'related'],
  ['reportingController', 'reportingController'],
  ['reportingInstance', 'reportingInstance'],
];

function validateEventUpdate(ev: KubeObject, old: KubeObject): FieldError[] {
  const o = ev as Obj;
  const p = old as Obj;
  const errs: FieldError[] = [];
  if (!semanticEqual(o.series, p.series)) errs.push(...validateSeries(o));
  for (const [k, fld] of IMMUTABLE) if (!semanticEqual(o[k], p[k])) errs.push(...immutableField(o[k] ?? null, p[k] ?? null, fld));
  return errs;
}

export const eventsEventDescriptor: ResourceDescriptor = {
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  listKind: 'EventList',
  plural: 'events',
  singular: 'event',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [],
  schemaType: 'io.k8s.api.events.v1.Event',
  hasStatus: false,
  defaultPropagation: 'Background',
  validate: validateEvent,
  validateUpdate: validateEventUpdate,
  fieldLabels: eventFieldLabels(EVENTS_API_FIELDS),
  table: eventTable(EVENTS_API_FIELDS),
};
