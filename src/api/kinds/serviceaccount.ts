// core/v1 ServiceAccount: nothing beyond metadata to check; `kubectl get sa` counts its listed secrets.
import type { ResourceDescriptor } from '../descriptor.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import { STANDARD_VERBS } from './descriptor-parts.js';
import { arrayOf } from './object-helpers.js';

export const serviceAccountDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  listKind: 'ServiceAccountList',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  shortNames: ['sa'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [],
  schemaType: 'io.k8s.api.core.v1.ServiceAccount',
  hasStatus: false,
  defaultPropagation: 'Background',
  table: {
    columns: [nameColumn, col('Secrets'), ageColumn],
    cells: (sa, now) => [sa.metadata.name, arrayOf(sa.secrets).length, objectAge(sa, now)],
  },
};
