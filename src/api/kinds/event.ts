// core/v1 Event: the legacy validation kube keeps for old clients, field selectors, and `kubectl get events`.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr } from '../fielderrors.js';
import type { FieldError, KubeObject } from '../types.js';
import { pathSegmentName } from '../validation/meta.js';
import { isDNS1123Subdomain, isQualifiedName } from '../validation/names.js';
import { isObj, type Obj, STANDARD_VERBS } from './core-helpers.js';
import { eventCells, eventColumns, type EventView } from './event-table.js';

export const REPORTING_INSTANCE_LIMIT = 128;
export const ACTION_LIMIT = 128;
export const REASON_LIMIT = 128;
export const NOTE_LIMIT = 1024;

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
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

function involved(ev: KubeObject): Obj {
  return isObj(ev.involvedObject) ? ev.involvedObject : {};
}

function view(ev: KubeObject): EventView {
  const o = ev as Obj;
  return {
    name: ev.metadata.name ?? '',
    type: str(o.type),
    reason: str(o.reason),
    message: str(o.message),
    involvedObject: involved(ev),
    firstTimestamp: o.firstTimestamp ?? undefined,
    lastTimestamp: o.lastTimestamp ?? undefined,
    eventTime: o.eventTime ?? undefined,
    series: isObj(o.series) ? o.series : undefined,
    count: typeof o.count === 'number' ? o.count : undefined,
    source: isObj(o.source) ? o.source : {},
    reportingController: str(o.reportingComponent),
    reportingInstance: str(o.reportingInstance),
  };
}

function involvedField(k: string) {
  return (ev: KubeObject) => str(involved(ev)[k]);
}

export const eventDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'Event',
  listKind: 'EventList',
  plural: 'events',
  singular: 'event',
  shortNames: ['ev'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [],
  schemaType: 'io.k8s.api.core.v1.Event',
  // Event names are generated as `<object>.<hex>`; kube only asks that they be usable in a URL.
  nameValidator: pathSegmentName,
  hasStatus: false,
  defaultPropagation: 'Background',
  validate(ev) {
    const o = ev as Obj;
    return legacyEventErrors({
      namespace: ev.metadata.namespace ?? '',
      involvedNamespace: str(involved(ev).namespace),
      eventTime: str(o.eventTime),
      reportingController: str(o.reportingComponent),
      reportingInstance: str(o.reportingInstance),
      action: str(o.action),
      reason: str(o.reason),
      message: str(o.message),
    });
  },
  fieldLabels: {
    'involvedObject.kind': involvedField('kind'),
    'involvedObject.namespace': involvedField('namespace'),
    'involvedObject.name': involvedField('name'),
    'involvedObject.uid': involvedField('uid'),
    'involvedObject.apiVersion': involvedField('apiVersion'),
    'involvedObject.resourceVersion': involvedField('resourceVersion'),
    'involvedObject.fieldPath': involvedField('fieldPath'),
    reason: (ev) => str((ev as Obj).reason),
    reportingComponent: (ev) => str((ev as Obj).reportingComponent),
    source: (ev) => str(isObj((ev as Obj).source) ? (ev as Obj).source.component : '') || str((ev as Obj).reportingComponent),
    type: (ev) => str((ev as Obj).type),
  },
  table: {
    columns: eventColumns,
    cells: (ev, now) => eventCells(view(ev), now),
  },
};
