// core/v1 Event: the legacy validation kube keeps for old clients, field selectors, and `kubectl get events`.
import type { ResourceDescriptor } from '../descriptor.js';
import { pathSegmentName } from '../validation/meta.js';
import { STANDARD_VERBS } from './descriptor-parts.js';
import { eventFieldLabels, type EventFields, eventTable, sharedEventErrors } from './event-common.js';

export { ACTION_LIMIT, legacyEventErrors, NOTE_LIMIT, REASON_LIMIT, REPORTING_INSTANCE_LIMIT } from './event-common.js';

const CORE_FIELDS: EventFields = {
  involvedObject: 'involvedObject',
  message: 'message',
  reportingController: 'reportingComponent',
  firstTimestamp: 'firstTimestamp',
  lastTimestamp: 'lastTimestamp',
  count: 'count',
  source: 'source',
};

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
  validate: (ev) => sharedEventErrors(ev, CORE_FIELDS),
  fieldLabels: eventFieldLabels(CORE_FIELDS),
  table: eventTable(CORE_FIELDS),
};
