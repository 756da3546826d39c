// apps/v1 StatefulSet: defaults, validation and strategy hooks of kube-apiserver, and the `kubectl get` table.
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr } from '../fielderrors.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { dnsLabelName, nonNegative, validateAnnotations, validateLabels } from '../validation/meta.js';
import { isDNS1123Label } from '../validation/names.js';
import { CONTAINER_COLUMNS, containerCells, SCALE_SUBRESOURCE, STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { goLabelSelector, goPointer, invalidRaw } from './go-render.js';
import { dropZeroFields, ensureObj, isObj, type Obj, selectorConvertible, semanticEqual, specOf } from './object-helpers.js';
import { normalizeResourceList } from './podspec-quantities.js';
import { defaultPodTemplateSpec } from './podspec.js';
import {
  copyRequestMetadata,
  goStatus,
  requiredSelectorErrors,
  restartAndDeadlineErrors,
  REPLICAS_SCALE,
  templateMatchErrors,
} from './workload-validation.js';

/** Claim templates are stored as full PersistentVolumeClaims, with the claim defaults applied. */
function defaultClaimTemplate(pvc: Obj): void {
  pvc.apiVersion = 'v1';
  pvc.kind = 'PersistentVolumeClaim';
  const spec = ensureObj(pvc, 'spec');
  spec.volumeMode ??= 'Filesystem';
  const resources = isObj(spec.resources) ? spec.resources : {};
  for (const list of [resources.requests, resources.limits]) if (isObj(list)) normalizeResourceList(list);
  const status = ensureObj(pvc, 'status');
  status.phase ||= 'Pending';
}

function defaults(obj: KubeObject): void {
  const spec = ensureObj(obj as Obj, 'spec');
  dropZeroFields(spec, ['minReadySeconds']);
  spec.podManagementPolicy ||= 'OrderedReady';
  const strategy = ensureObj(spec, 'updateStrategy');
  // Only an unset type gets a rollingUpdate block; an explicit RollingUpdate without one stays without.
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    if (!isObj(strategy.rollingUpdate)) strategy.rollingUpdate = {};
  }
  if (strategy.type === 'RollingUpdate' && isObj(strategy.rollingUpdate)) strategy.rollingUpdate.partition ??= 0;
  const retention = ensureObj(spec, 'persistentVolumeClaimRetentionPolicy');
  retention.whenDeleted ||= 'Retain';
  retention.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec(ensureObj(spec, 'template'));
  if (Array.isArray(spec.volumeClaimTemplates)) for (const pvc of spec.volumeClaimTemplates) if (isObj(pvc)) defaultClaimTemplate(pvc);
}

function validateUpdateStrategy(strategy: Obj): FieldError[] {
  const fld = 'spec.updateStrategy';
  const ru = strategy.rollingUpdate;
  const hasRu = ru !== undefined && ru !== null;
  switch (strategy.type) {
    case undefined:
    case null:
    case '':
      return [fieldErr.required(fld)];
    case 'OnDelete': {
      if (!hasRu) return [];
      const rendered = `apps.RollingUpdateStatefulSetStrategy{Partition:${isObj(ru) && typeof ru.partition === 'number' ? ru.partition : 0}, MaxUnavailable:${goPointer('intstr.IntOrString', isObj(ru) ? ru.maxUnavailable : undefined)}}`;
      return [invalidRaw(`${fld}.rollingUpdate`, rendered, "only allowed for updateStrategy 'RollingUpdate'")];
    }
    case 'RollingUpdate':
      return isObj(ru) ? nonNegative(ru.partition, `${fld}.rollingUpdate.partition`) : [];
    default: {
      const rendered = `apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(String(strategy.type))}, RollingUpdate:${goPointer('apps.RollingUpdateStatefulSetStrategy', ru)}}`;
      return [invalidRaw(fld, rendered, "must be 'RollingUpdate' or 'OnDelete'")];
    }
  }
}

function validateRetention(policy: unknown): FieldError[] {
  if (!isObj(policy)) return [];
  const errs: FieldError[] = [];
  for (const k of ['whenDeleted', 'whenScaled']) {
    const v = policy[k];
    if (v !== 'Retain' && v !== 'Delete') {
      errs.push(fieldErr.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, v ?? '', ['Retain', 'Delete']));
    }
  }
  return errs;
}

function validate(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy;
  if (!pmp) errs.push(fieldErr.required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(fieldErr.invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  errs.push(...validateUpdateStrategy(isObj(spec.updateStrategy) ? spec.updateStrategy : {}));
  errs.push(...validateRetention(spec.persistentVolumeClaimRetentionPolicy));
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (isObj(spec.ordinals)) errs.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  // Pods get the service name as their subdomain, which must be a DNS label (checked since kube 1.33).
  if (typeof spec.serviceName === 'string' && spec.serviceName !== '') {
    for (const m of isDNS1123Label(spec.serviceName)) errs.push(fieldErr.invalid('spec.serviceName', spec.serviceName, m));
  }

  const sel = spec.selector;
  errs.push(...requiredSelectorErrors(sel, 'statefulset'));
  if (!selectorConvertible(sel)) {
    errs.push(invalidRaw('spec.selector', goLabelSelector(sel), ''));
  } else {
    // kube skips full pod-spec validation here (claim-template volumes would look undeclared) and checks the
    // template's labels and annotations under these odd paths, without `metadata`.
    const meta = isObj(spec.template) && isObj(spec.template.metadata) ? spec.template.metadata : {};
    errs.push(...templateMatchErrors(sel, spec.template));
    errs.push(...validateLabels(meta.labels, 'spec.template.labels'));
    errs.push(...validateAnnotations(meta.annotations, 'spec.template.annotations'));
  }
  errs.push(...restartAndDeadlineErrors(spec.template, 'StatefulSet'));
  return errs;
}

// Fields a StatefulSet may change after creation; everything else in spec is fixed.
const MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

function validateUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const rest = (spec: Obj): Obj => Object.fromEntries(Object.entries(spec).filter(([k]) => !MUTABLE.includes(k)));
  if (semanticEqual(rest(specOf(obj)), rest(specOf(old)))) return [];
  return [
    fieldErr.forbidden(
      'spec',
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}

/** rollingUpdate.maxUnavailable belongs to the MaxUnavailableStatefulSet gate, off by default: dropped unless in use. */
function dropMaxUnavailable(obj: KubeObject, old?: KubeObject): void {
  const ru = (specOf(obj).updateStrategy as Obj | undefined)?.rollingUpdate;
  const oldRu = old ? (specOf(old).updateStrategy as Obj | undefined)?.rollingUpdate : undefined;
  if (isObj(ru) && !(isObj(oldRu) && oldRu.maxUnavailable !== undefined)) delete ru.maxUnavailable;
}

// `replicas` and `availableReplicas` have no omitempty in StatefulSetStatus.
function normalizeStatus(status: unknown): Obj {
  return goStatus(status, ['replicas', 'availableReplicas'], [
    'observedGeneration',
    'readyReplicas',
    'currentReplicas',
    'updatedReplicas',
    'currentRevision',
    'updateRevision',
    'conditions',
  ]);
}

function cells(obj: KubeObject, now: number): unknown[] {
  const sts = obj as unknown as StatefulSet;
  return [
    sts.metadata?.name ?? '',
    `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 0}`,
    objectAge(obj, now),
    ...containerCells(sts.spec?.template),
  ];
}

export const statefulSetDescriptor: ResourceDescriptor = {
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  listKind: 'StatefulSetList',
  plural: 'statefulsets',
  singular: 'statefulset',
  shortNames: ['sts'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [STATUS_SUBRESOURCE, SCALE_SUBRESOURCE],
  schemaType: 'io.k8s.api.apps.v1.StatefulSet',
  // Pod names are `<set>-<ordinal>` and hostnames, so the set's name must be a DNS label.
  nameValidator: dnsLabelName,
  defaults,
  validate,
  validateUpdate,
  prepareForCreate(obj) {
    obj.status = normalizeStatus({});
    dropMaxUnavailable(obj);
  },
  prepareForUpdate(obj, old) {
    dropMaxUnavailable(obj, old);
  },
  hasStatus: true,
  // kube's status strategy only pins spec, so metadata maps come from the request.
  prepareForStatusUpdate(obj, request) {
    copyRequestMetadata(obj, request, ['labels', 'annotations']);
    obj.status = normalizeStatus(obj.status);
  },
  generation: 'spec',
  defaultPropagation: 'Background',
  scale: REPLICAS_SCALE,
  table: {
    columns: [nameColumn, col('Ready'), ageColumn, ...CONTAINER_COLUMNS],
    cells,
  },
};
