// core/v1 PersistentVolume (cluster-scoped): defaults, spec rules, the immutable volume source, `kubectl get pv`.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr, path } from '../fielderrors.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { isDNS1123Subdomain } from '../validation/names.js';
import { STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { invalidRaw } from './go-render.js';
import { arrayOf, ensureObj, isObj, type Obj, semanticEqual, specOf, statusOf } from './object-helpers.js';
import { HOST_PATH_TYPES } from './podspec-volumes.js';
import { normalizeQuantities, quantityOf, quantityText } from './quantity-helpers.js';
import { specDiff } from './spec-diff.js';
import { accessModesText, optionalText, storageClassOf, validateAccessModes, VOLUME_MODES } from './storage-common.js';

const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const NODE_SELECTOR_OPERATORS = ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'];

/** The PersistentVolumeSource members, in the order kube checks them. */
export const PV_SOURCES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'flocker', 'nfs', 'rbd', 'quobyte', 'cephfs', 'iscsi',
  'cinder', 'fc', 'flexVolume', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk',
  'scaleIO', 'local', 'storageos', 'csi',
];

function defaultVolume(pv: KubeObject): void {
  const spec = ensureObj(pv as Obj, 'spec');
  spec.persistentVolumeReclaimPolicy ||= 'Retain';
  spec.volumeMode ??= 'Filesystem';
  if (isObj(spec.hostPath)) spec.hostPath.type ??= '';
  normalizeQuantities(spec.capacity);
  if (isObj(pv.status)) pv.status.phase ||= 'Pending';
}

function validateSource(spec: Obj, key: string, fld: string, nodeAffinitySet: boolean): FieldError[] {
  const src = isObj(spec[key]) ? spec[key] : {};
  const errs: FieldError[] = [];
  const requireField = (k: string) => {
    if (!src[k]) errs.push(fieldErr.required(path(fld, k)));
  };
  switch (key) {
    case 'hostPath':
      if (!src.path) return [fieldErr.required(path(fld, 'path'))];
      if (String(src.path).split(/[\\/]/).includes('..')) errs.push(fieldErr.invalid(path(fld, 'path'), src.path, "must not contain '..'"));
      if (src.type != null && !HOST_PATH_TYPES.includes(src.type)) errs.push(fieldErr.notSupported(path(fld, 'type'), src.type, HOST_PATH_TYPES));
      break;
    case 'local':
      requireField('path');
      if (!nodeAffinitySet) errs.push(fieldErr.required('spec.nodeAffinity', 'Local volume requires node affinity'));
      break;
    case 'nfs':
      requireField('server');
      if (!src.path) errs.push(fieldErr.required(path(fld, 'path')));
      else if (!String(src.path).startsWith('/')) errs.push(fieldErr.invalid(path(fld, 'path'), src.path, 'must be an absolute path'));
      break;
    case 'csi':
      requireField('driver');
      requireField('volumeHandle');
      break;
    default:
  }
  return errs;
}

function validateNodeAffinity(na: Obj): FieldError[] {
  const fld = 'spec.nodeAffinity';
  if (!isObj(na.required)) return [fieldErr.required(`${fld}.required`, 'must specify required node constraints')];
  const terms = arrayOf(na.required.nodeSelectorTerms);
  const tfld = `${fld}.required.nodeSelectorTerms`;
  if (terms.length === 0) return [fieldErr.required(tfld, 'must have at least one node selector term')];
  const errs: FieldError[] = [];
  terms.forEach((t, i) => {
    arrayOf((t as Obj)?.matchExpressions).forEach((e, j) => {
      const r = isObj(e) ? e : {};
      const p = `${path(tfld, i)}.matchExpressions[${j}]`;
      const values = arrayOf(r.values);
      if (['In', 'NotIn'].includes(r.operator) && values.length === 0) errs.push(fieldErr.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      else if (['Exists', 'DoesNotExist'].includes(r.operator) && values.length > 0) errs.push(fieldErr.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      else if (['Gt', 'Lt'].includes(r.operator) && values.length !== 1) errs.push(fieldErr.required(`${p}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      else if (!NODE_SELECTOR_OPERATORS.includes(r.operator)) errs.push(fieldErr.invalid(`${p}.operator`, r.operator ?? '', 'not a valid selector operator'));
    });
  });
  return errs;
}

function validateVolumeSpec(pv: KubeObject): FieldError[] {
  const spec = specOf(pv);
  const errs: FieldError[] = [];
  const modes = arrayOf(spec.accessModes);
  if (modes.length === 0) errs.push(fieldErr.required('spec.accessModes'));
  errs.push(...validateAccessModes(modes, 'spec.accessModes'));
  const capacity = isObj(spec.capacity) ? spec.capacity : {};
  const keys = Object.keys(capacity);
  if (keys.length === 0) errs.push(fieldErr.required('spec.capacity'));
  if (!keys.includes('storage') || keys.length > 1) errs.push(fieldErr.notSupported('spec.capacity', capacity, ['storage']));
  for (const k of keys) {
    const q = quantityOf(capacity[k]);
    if (!q) continue;
    if (q.value() < 0n) errs.push(fieldErr.invalid(`spec.capacity[${k}]`, Number(q.value()), 'must be a valid resource quantity'));
    if (q.sign <= 0) errs.push(fieldErr.invalid(`spec.capacity[${k}]`, q.toString(), 'must be greater than zero'));
  }
  const rp = spec.persistentVolumeReclaimPolicy;
  if (rp && !RECLAIM_POLICIES.includes(rp)) errs.push(fieldErr.notSupported('spec.persistentVolumeReclaimPolicy', rp, RECLAIM_POLICIES));
  const affinitySet = isObj(spec.nodeAffinity);
  if (affinitySet) errs.push(...validateNodeAffinity(spec.nodeAffinity));
  let count = 0;
  for (const key of PV_SOURCES) {
    if (spec[key] == null) continue;
    if (count > 0 && key !== 'flexVolume') errs.push(fieldErr.forbidden(path('spec', key), 'may not specify more than 1 volume type'));
    else {
      count++;
      errs.push(...validateSource(spec, key, path('spec', key), affinitySet));
    }
  }
  if (count === 0) errs.push(fieldErr.required('spec', 'must specify a volume type'));
  if (isObj(spec.hostPath) && String(spec.hostPath.path).replace(/\/+$/, '') === '' && String(spec.hostPath.path).startsWith('/') && rp === 'Recycle') {
    errs.push(fieldErr.forbidden('spec.persistentVolumeReclaimPolicy', "may not be 'recycle' for a hostPath mount of '/'"));
  }
  if (typeof spec.storageClassName === 'string' && spec.storageClassName) {
    for (const m of isDNS1123Subdomain(spec.storageClassName)) errs.push(fieldErr.invalid('spec.storageClassName', spec.storageClassName, m));
  }
  if (spec.volumeMode != null && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(fieldErr.notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  return errs;
}

function sourceOf(spec: Obj): Obj {
  const out: Obj = {};
  for (const k of PV_SOURCES) if (spec[k] !== undefined) out[k] = spec[k];
  return out;
}

function validateVolumeUpdate(pv: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(pv);
  const o = specOf(old);
  const next = sourceOf(spec);
  const prev = sourceOf(o);
  // The CSI controller-expand secret may be added later; it is not part of what the volume is.
  if (isObj(prev.csi) && prev.csi.controllerExpandSecretRef == null && isObj(next.csi) && next.csi.controllerExpandSecretRef != null) {
    next.csi = { ...next.csi };
    delete next.csi.controllerExpandSecretRef;
  }
  if (!semanticEqual(next, prev)) {
    errs.push(fieldErr.forbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n${specDiff('core.PersistentVolumeSource', prev, next)}`));
  }
  if ((spec.volumeMode ?? null) !== (o.volumeMode ?? null)) errs.push(fieldErr.invalid('volumeMode', spec.volumeMode ?? null, 'field is immutable'));
  if (o.nodeAffinity != null && !semanticEqual(spec.nodeAffinity, o.nodeAffinity)) {
    errs.push(invalidRaw('nodeAffinity', JSON.stringify(spec.nodeAffinity ?? null), 'field is immutable'));
  }
  return errs;
}

export const persistentVolumeDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  listKind: 'PersistentVolumeList',
  plural: 'persistentvolumes',
  singular: 'persistentvolume',
  shortNames: ['pv'],
  categories: [],
  namespaced: false,
  verbs: STANDARD_VERBS,
  subresources: [STATUS_SUBRESOURCE],
  schemaType: 'io.k8s.api.core.v1.PersistentVolume',
  hasStatus: true,
  defaultPropagation: 'Background',
  defaults: defaultVolume,
  // The phase starts at Pending and records when it last changed; creation is the first change.
  prepareForCreate(pv) {
    pv.status = { phase: 'Pending' };
    if (pv.metadata.creationTimestamp) (pv.status as Obj).lastPhaseTransitionTime = pv.metadata.creationTimestamp;
  },
  prepareForUpdate(pv, old) {
    pv.status = old.status;
  },
  validate: validateVolumeSpec,
  validateUpdate: validateVolumeUpdate,
  table: {
    columns: [
      nameColumn,
      col('Capacity'),
      col('Access Modes'),
      col('Reclaim Policy'),
      col('Status'),
      col('Claim'),
      col('StorageClass'),
      col('VolumeAttributesClass'),
      col('Reason'),
      ageColumn,
      col('VolumeMode', 'string', 1),
    ],
    cells(pv, now) {
      const spec = specOf(pv);
      const status = statusOf(pv);
      const ref = isObj(spec.claimRef) ? spec.claimRef : undefined;
      return [
        pv.metadata.name,
        quantityText(isObj(spec.capacity) ? spec.capacity.storage : undefined),
        accessModesText(spec.accessModes),
        String(spec.persistentVolumeReclaimPolicy ?? ''),
        pv.metadata.deletionTimestamp ? 'Terminating' : String(status.phase ?? ''),
        ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '',
        storageClassOf(pv),
        optionalText(spec.volumeAttributesClassName),
        String(status.reason ?? ''),
        objectAge(pv, now),
        optionalText(spec.volumeMode),
      ];
    },
  },
};
