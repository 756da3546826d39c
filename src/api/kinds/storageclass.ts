// storage.k8s.io/v1 StorageClass (cluster-scoped): defaults, immutability, and `kubectl get sc` with the
// "(default)" mark on the class claims without a class fall back to.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr, path } from '../fielderrors.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { isQualifiedName } from '../validation/names.js';
import { STANDARD_VERBS } from './descriptor-parts.js';
import { arrayOf, isObj, type Obj, semanticEqual } from './object-helpers.js';
import { isDefaultClass } from './storage-common.js';

const RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PARAMETERS = 512;
const MAX_PARAMETER_BYTES = 256 * 1024;

function sc(obj: KubeObject): Obj {
  return obj as Obj;
}

function validateTopologies(terms: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  const seen: string[] = [];
  terms.forEach((t, i) => {
    const fld = path(path('allowedTopologies', i), 'matchLabelExpressions');
    const norm = new Map<string, string[]>();
    arrayOf((t as Obj)?.matchLabelExpressions).forEach((raw, j) => {
      const e = isObj(raw) ? raw : {};
      const ep = path(fld, j);
      const values = arrayOf(e.values) as string[];
      if (values.length === 0) errs.push(fieldErr.required(path(ep, 'values')));
      values.forEach((v, k) => values.indexOf(v) < k && errs.push(fieldErr.duplicate(path(path(ep, 'values'), k), v)));
      for (const m of isQualifiedName(String(e.key ?? ''))) errs.push(fieldErr.invalid(path(ep, 'key'), e.key ?? '', m));
      if (norm.has(e.key)) errs.push(fieldErr.duplicate(path(ep, 'key'), e.key));
      norm.set(e.key, [...new Set(values)].sort());
    });
    const sig = JSON.stringify([...norm.entries()].sort());
    if (seen.includes(sig)) errs.push(fieldErr.duplicate(fld, ''));
    seen.push(sig);
  });
  return errs;
}

function validateStorageClass(obj: KubeObject): FieldError[] {
  const s = sc(obj);
  const errs: FieldError[] = [];
  const prov = typeof s.provisioner === 'string' ? s.provisioner : '';
  if (!prov) errs.push(fieldErr.required('provisioner'));
  else for (const m of isQualifiedName(prov.toLowerCase())) errs.push(fieldErr.invalid('provisioner', prov.toLowerCase(), m));
  const params = isObj(s.parameters) ? s.parameters : {};
  const entries = Object.entries(params);
  if (entries.length > MAX_PARAMETERS) errs.push(fieldErr.tooLong('parameters', '', MAX_PARAMETERS));
  else {
    let total = 0;
    for (const [k, v] of entries) {
      if (k.length < 1) errs.push(fieldErr.invalid('parameters', k, 'field can not be empty.'));
      total += k.length + String(v ?? '').length;
    }
    if (total > MAX_PARAMETER_BYTES) errs.push(fieldErr.tooLong('parameters', '', MAX_PARAMETER_BYTES));
  }
  if (s.reclaimPolicy && !RECLAIM_POLICIES.includes(s.reclaimPolicy)) errs.push(fieldErr.notSupported('reclaimPolicy', s.reclaimPolicy, RECLAIM_POLICIES));
  if (s.volumeBindingMode == null) errs.push(fieldErr.required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(s.volumeBindingMode)) errs.push(fieldErr.notSupported('volumeBindingMode', s.volumeBindingMode, BINDING_MODES));
  errs.push(...validateTopologies(arrayOf(s.allowedTopologies)));
  return errs;
}

function validateStorageClassUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const s = sc(obj);
  const o = sc(old);
  const errs: FieldError[] = [];
  if (!semanticEqual(s.parameters, o.parameters)) {
    errs.push(fieldErr.forbidden('parameters', 'updates to parameters are forbidden.'));
  }
  if ((s.provisioner ?? '') !== (o.provisioner ?? '')) errs.push(fieldErr.forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if ((s.reclaimPolicy ?? '') !== (o.reclaimPolicy ?? '')) errs.push(fieldErr.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if ((s.volumeBindingMode ?? null) !== (o.volumeBindingMode ?? null)) errs.push(fieldErr.invalid('volumeBindingMode', s.volumeBindingMode ?? null, 'field is immutable'));
  return errs;
}

export const storageClassDescriptor: ResourceDescriptor = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  listKind: 'StorageClassList',
  plural: 'storageclasses',
  singular: 'storageclass',
  shortNames: ['sc'],
  categories: [],
  namespaced: false,
  verbs: STANDARD_VERBS,
  subresources: [],
  schemaType: 'io.k8s.api.storage.v1.StorageClass',
  hasStatus: false,
  defaultPropagation: 'Background',
  defaults(obj) {
    const s = sc(obj);
    s.reclaimPolicy ||= 'Delete';
    s.volumeBindingMode ||= 'Immediate';
  },
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
  table: {
    columns: [nameColumn, col('Provisioner'), col('ReclaimPolicy'), col('VolumeBindingMode'), col('AllowVolumeExpansion'), ageColumn],
    cells(obj, now) {
      const s = sc(obj);
      return [
        isDefaultClass(obj) ? `${obj.metadata.name} (default)` : obj.metadata.name,
        s.provisioner ?? '',
        s.reclaimPolicy ?? 'Delete',
        s.volumeBindingMode ?? 'Immediate',
        s.allowVolumeExpansion === true,
        objectAge(obj, now),
      ];
    },
  },
};
