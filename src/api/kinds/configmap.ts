// core/v1 ConfigMap: key syntax, the 1 MiB budget, `immutable`, and the DATA column.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr, key } from '../fielderrors.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { dataKeyErrors, decodedLength, immutableDataErrors, MAX_DATA_BYTES } from './data-keys.js';
import { STANDARD_VERBS } from './descriptor-parts.js';
import { isObj, type Obj } from './object-helpers.js';

function mapOf(v: unknown): Obj {
  return isObj(v) ? v : {};
}

function validateConfigMap(cm: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = mapOf(cm.data);
  const binary = mapOf(cm.binaryData);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...dataKeyErrors('data', k));
    if (k in binary) errs.push(fieldErr.invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(String(v ?? ''));
  }
  for (const [k, v] of Object.entries(binary)) {
    errs.push(...dataKeyErrors('binaryData', k));
    total += decodedLength(v);
  }
  // The error names the whole object (an empty path), as kube-apiserver reports it.
  if (total > MAX_DATA_BYTES) errs.push(fieldErr.tooLong('', '', MAX_DATA_BYTES));
  return errs;
}

export const configMapDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  listKind: 'ConfigMapList',
  plural: 'configmaps',
  singular: 'configmap',
  shortNames: ['cm'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [],
  schemaType: 'io.k8s.api.core.v1.ConfigMap',
  hasStatus: false,
  defaultPropagation: 'Background',
  validate: validateConfigMap,
  validateUpdate: (cm, old) => immutableDataErrors(cm, old, ['data', 'binaryData']),
  table: {
    columns: [nameColumn, col('Data'), ageColumn],
    cells: (cm, now) => [cm.metadata.name, Object.keys(mapOf(cm.data)).length + Object.keys(mapOf(cm.binaryData)).length, objectAge(cm, now)],
  },
};
