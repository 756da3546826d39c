// core/v1 ConfigMap: key syntax, the 1 MiB budget, `immutable`, and the DATA column.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr, key } from '../fielderrors.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { isObj, type Obj, semanticEqual, STANDARD_VERBS } from './core-helpers.js';
import { configKeyProblems, decodedLength, MAX_DATA_BYTES } from './data-keys.js';

function mapOf(v: unknown): Obj {
  return isObj(v) ? v : {};
}

function validateConfigMap(cm: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = mapOf(cm.data);
  const binary = mapOf(cm.binaryData);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of configKeyProblems(k)) errs.push(fieldErr.invalid(key('data', k), k, m));
    if (k in binary) errs.push(fieldErr.invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(String(v ?? ''));
  }
  for (const [k, v] of Object.entries(binary)) {
    for (const m of configKeyProblems(k)) errs.push(fieldErr.invalid(key('binaryData', k), k, m));
    total += decodedLength(v);
  }
  // The error names the whole object (an empty path), as kube-apiserver reports it.
  if (total > MAX_DATA_BYTES) errs.push(fieldErr.tooLong('', '', MAX_DATA_BYTES));
  return errs;
}

function validateConfigMapUpdate(cm: KubeObject, old: KubeObject): FieldError[] {
  if ((old as Obj).immutable !== true) return [];
  const errs: FieldError[] = [];
  const why = 'field is immutable when `immutable` is set';
  if ((cm as Obj).immutable !== true) errs.push(fieldErr.forbidden('immutable', why));
  if (!semanticEqual(cm.data, old.data)) errs.push(fieldErr.forbidden('data', why));
  if (!semanticEqual(cm.binaryData, old.binaryData)) errs.push(fieldErr.forbidden('binaryData', why));
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
  validateUpdate: validateConfigMapUpdate,
  table: {
    columns: [nameColumn, col('Data'), ageColumn],
    cells: (cm, now) => [cm.metadata.name, Object.keys(mapOf(cm.data)).length + Object.keys(mapOf(cm.binaryData)).length, objectAge(cm, now)],
  },
};
