// core/v1 PersistentVolumeClaim: defaults, the "immutable except size and binding" rule, and `kubectl get pvc`.
// A claim without a class gets the default StorageClass from the admission plugin in pvc-default-class.ts.
import { clone } from '../meta.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr, path } from '../fielderrors.js';
import { compareQuantity } from '../quantity.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import { validateLabelSelector } from '../selectors/labels.js';
import type { FieldError, KubeObject } from '../types.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../validation/names.js';
import { STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { invalidRaw } from './go-render.js';
import { arrayOf, ensureObj, isObj, type Obj, semanticEqual, specOf, statusOf } from './object-helpers.js';
import { normalizeQuantities, quantityOf, quantityText, validatePositiveQuantity, validateResourceListValues } from './quantity-helpers.js';
import { specDiff } from './spec-diff.js';
import {
  accessModesText, BETA_STORAGE_CLASS_ANNOTATION, optionalText, storageClassOf, validateAccessModes, VOLUME_MODES,
} from './storage-common.js';

function defaultClaim(pvc: KubeObject): void {
  const spec = ensureObj(pvc as Obj, 'spec');
  spec.volumeMode ??= 'Filesystem';
  if (isObj(spec.resources)) {
    normalizeQuantities(spec.resources.requests);
    normalizeQuantities(spec.resources.limits);
  }
  if (isObj(pvc.status)) {
    pvc.status.phase ||= 'Pending';
    normalizeQuantities(pvc.status.capacity);
  }
}

function validateDataSource(ds: Obj, fld: string, withNamespace: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!ds.name) errs.push(fieldErr.required(path(fld, 'name')));
  if (!ds.kind) errs.push(fieldErr.required(path(fld, 'kind')));
  const group = typeof ds.apiGroup === 'string' ? ds.apiGroup : '';
  if (!group && ds.kind !== 'PersistentVolumeClaim') errs.push(fieldErr.invalid(fld, ds.kind ?? '', "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  if (group) for (const m of isDNS1123Subdomain(group)) errs.push(fieldErr.invalid(path(fld, 'apiGroup'), group, m));
  if (withNamespace && ds.namespace) {
    for (const m of isDNS1123Label(String(ds.namespace))) errs.push(fieldErr.invalid(path(fld, 'namespace'), ds.namespace, m));
  }
  return errs;
}

export function validateClaimSpec(spec: Obj, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const modes = arrayOf(spec.accessModes);
  if (modes.length === 0) errs.push(fieldErr.required(path(fld, 'accessModes'), 'at least 1 access mode is required'));
  if (isObj(spec.selector)) errs.push(...validateLabelSelector(spec.selector, path(fld, 'selector')));
  errs.push(...validateAccessModes(modes, path(fld, 'accessModes')));
  const requests = isObj(spec.resources) && isObj(spec.resources.requests) ? spec.resources.requests : {};
  const storageFld = `${path(fld, 'resources')}[storage]`;
  if (!('storage' in requests)) errs.push(fieldErr.required(storageFld));
  else {
    const positive = validatePositiveQuantity(requests.storage, storageFld);
    errs.push(...(positive.length ? positive : validateResourceListValues({ storage: requests.storage }, path(fld, 'resources'), '[')));
  }
  if (typeof spec.storageClassName === 'string' && spec.storageClassName) {
    for (const m of isDNS1123Subdomain(spec.storageClassName)) errs.push(fieldErr.invalid(path(fld, 'storageClassName'), spec.storageClassName, m));
  }
  if (spec.volumeMode != null && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(fieldErr.notSupported(path(fld, 'volumeMode'), spec.volumeMode, VOLUME_MODES));
  if (isObj(spec.dataSource)) errs.push(...validateDataSource(spec.dataSource, path(fld, 'dataSource'), false));
  if (isObj(spec.dataSourceRef)) errs.push(...validateDataSource(spec.dataSourceRef, path(fld, 'dataSourceRef'), true));
  const ref = isObj(spec.dataSourceRef) ? spec.dataSourceRef : undefined;
  const ds = isObj(spec.dataSource) ? spec.dataSource : undefined;
  if (ref?.namespace) {
    if (ds) errs.push(invalidRaw(fld, `${fld}.dataSource`, 'may not be specified when dataSourceRef.namespace is specified'));
  } else if (ds && ref && !((ds.apiGroup ?? null) === (ref.apiGroup ?? null) && ds.kind === ref.kind && ds.name === ref.name)) {
    errs.push(invalidRaw(fld, `${fld}.dataSource`, 'must match dataSourceRef'));
  }
  return errs;
}

function storageRequest(spec: Obj): unknown {
  return isObj(spec.resources) && isObj(spec.resources.requests) ? spec.resources.requests.storage : undefined;
}

// A claim is fixed once created; the binder may set volumeName once, and a bound claim may grow.
function validateClaimUpdate(pvc: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const next: Obj = clone(specOf(pvc));
  const prev: Obj = clone(specOf(old));
  if (!prev.volumeName) prev.volumeName = next.volumeName;
  const oldAnn = old.metadata.annotations ?? {};
  const newAnn = pvc.metadata.annotations ?? {};
  const oldBeta = oldAnn[BETA_STORAGE_CLASS_ANNOTATION];
  const upgradeFromAnnotation =
    oldBeta !== undefined && prev.storageClassName == null && next.storageClassName === oldBeta &&
    (newAnn[BETA_STORAGE_CLASS_ANNOTATION] === undefined || newAnn[BETA_STORAGE_CLASS_ANNOTATION] === oldBeta);
  if (upgradeFromAnnotation) delete next.storageClassName;
  else {
    if ((newAnn[BETA_STORAGE_CLASS_ANNOTATION] ?? '') !== (oldBeta ?? '')) {
      errs.push(fieldErr.invalid(`metadata.annotations.${BETA_STORAGE_CLASS_ANNOTATION}`, newAnn[BETA_STORAGE_CLASS_ANNOTATION] ?? '', 'field is immutable'));
    }
    // The binder may give a class-less claim the default class after the fact.
    if (oldBeta === undefined && prev.storageClassName == null && next.storageClassName != null) next.storageClassName = prev.storageClassName;
  }
  if (statusOf(pvc).phase === 'Bound' && isObj(next.resources) && isObj(next.resources.requests)) {
    next.resources.requests.storage = storageRequest(prev);
    if (next.resources.requests.storage === undefined) delete next.resources.requests.storage;
  }
  next.volumeAttributesClassName = prev.volumeAttributesClassName;
  if (!semanticEqual(next, prev)) {
    const msg = 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';
    errs.push(fieldErr.forbidden('spec', `${msg}\n${specDiff('core.PersistentVolumeClaimSpec', prev, next)}`));
  }
  const oldSize = quantityOf(storageRequest(specOf(old)) ?? '0') ?? quantityOf('0');
  const newSize = quantityOf(storageRequest(specOf(pvc)) ?? '0') ?? quantityOf('0');
  if (oldSize && newSize && compareQuantity(newSize, oldSize) < 0) {
    errs.push(fieldErr.forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  if ((specOf(pvc).volumeMode ?? null) !== (specOf(old).volumeMode ?? null)) {
    errs.push(fieldErr.invalid('volumeMode', specOf(pvc).volumeMode ?? null, 'field is immutable'));
  }
  return errs;
}

export const persistentVolumeClaimDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  listKind: 'PersistentVolumeClaimList',
  plural: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  shortNames: ['pvc'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [STATUS_SUBRESOURCE],
  schemaType: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  hasStatus: true,
  defaultPropagation: 'Background',
  defaults: defaultClaim,
  prepareForCreate(pvc) {
    pvc.status = { phase: 'Pending' };
  },
  prepareForUpdate(pvc, old) {
    pvc.status = old.status;
  },
  validate: (pvc) => validateClaimSpec(specOf(pvc), 'spec'),
  validateUpdate: validateClaimUpdate,
  table: {
    columns: [
      nameColumn,
      col('Status'),
      col('Volume'),
      col('Capacity'),
      col('Access Modes'),
      col('StorageClass'),
      col('VolumeAttributesClass'),
      ageColumn,
      col('VolumeMode', 'string', 1),
    ],
    cells(pvc, now) {
      const spec = specOf(pvc);
      const status = statusOf(pvc);
      const bound = typeof spec.volumeName === 'string' && spec.volumeName !== '';
      return [
        pvc.metadata.name,
        pvc.metadata.deletionTimestamp ? 'Terminating' : String(status.phase ?? ''),
        spec.volumeName ?? '',
        bound ? quantityText(isObj(status.capacity) ? status.capacity.storage : undefined) : '',
        bound ? accessModesText(status.accessModes) : '',
        storageClassOf(pvc),
        optionalText(spec.volumeAttributesClassName),
        objectAge(pvc, now),
        optionalText(spec.volumeMode),
      ];
    },
  },
};
