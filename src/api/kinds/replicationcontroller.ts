// ReplicationController (core/v1): the map-selector ancestor of ReplicaSet, still served and still reconciled.
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr } from '../fielderrors.js';
import { age, col, labelMap, nameColumn } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { dnsSubdomainName, nonNegative, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.js';
import { CONTAINER_COLUMNS, containerCells, SCALE_SUBRESOURCE, SELECTOR_COLUMN, STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { defaultPodTemplateSpec, validatePodTemplateSpec } from './podspec.js';
import { restartAndDeadlineErrors } from './workload-validation.js';

/** v1 defaults: one replica; an empty selector and empty object labels are copied from the template labels. */
export function defaultReplicationController(rc: KubeObject): void {
  if (!rc.spec || typeof rc.spec !== 'object') rc.spec = {};
  const spec: any = rc.spec;
  const tpl = spec.template && typeof spec.template === 'object' ? spec.template : undefined;
  const labels = tpl?.metadata?.labels;
  if (labels && typeof labels === 'object') {
    if (!spec.selector || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...labels };
  }
  spec.replicas ??= 1;
  if (tpl) defaultPodTemplateSpec(tpl);
}

function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export function validateReplicationControllerSpec(spec: any): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  const selector: Record<string, string> = s.selector && typeof s.selector === 'object' ? s.selector : {};
  errs.push(...nonNegative(s.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  if (Object.keys(selector).length === 0) errs.push(fieldErr.required('spec.selector'));
  errs.push(...nonNegative(s.replicas ?? 0, 'spec.replicas'));
  const tpl = s.template;
  if (!tpl || typeof tpl !== 'object') {
    errs.push(fieldErr.required('spec.template'));
    return errs;
  }
  const tplLabels = tpl.metadata?.labels;
  if (Object.keys(selector).length > 0 && !selectorMatches(selector, tplLabels)) {
    errs.push(fieldErr.invalid('spec.template.metadata.labels', tplLabels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(tpl, 'spec.template'));
  errs.push(...restartAndDeadlineErrors(tpl, 'ReplicationController'));
  return errs;
}

function validateRC(rc: KubeObject): FieldError[] {
  return [...validateObjectMeta(rc, true, dnsSubdomainName), ...validateReplicationControllerSpec(rc.spec)];
}

export const replicationControllerDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'ReplicationController',
  listKind: 'ReplicationControllerList',
  plural: 'replicationcontrollers',
  singular: 'replicationcontroller',
  shortNames: ['rc'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [STATUS_SUBRESOURCE, SCALE_SUBRESOURCE],
  schemaType: 'io.k8s.api.core.v1.ReplicationController',
  defaults: defaultReplicationController,
  validate: validateRC,
  // kube validates the new object in full and then repeats the spec checks in its update rules; the repeats only
  // ever duplicate causes (its message dedupes them), so they are left out here.
  validateUpdate(obj, old) {
    return [...validateRC(obj), ...validateObjectMetaUpdate(obj, old)];
  },
  prepareForCreate(obj) {
    obj.status = { replicas: 0 };
  },
  prepareForUpdate(obj, old) {
    obj.status = old.status;
  },
  hasStatus: true,
  generation: 'spec',
  defaultPropagation: 'Orphan',
  fieldLabels: {
    'status.replicas': (o) => String((o.status as any)?.replicas ?? 0),
  },
  scale: {
    specReplicasPath: ['spec', 'replicas'],
    statusReplicasPath: ['status', 'replicas'],
    selector(obj) {
      const sel: Record<string, string> = (obj.spec as any)?.selector ?? {};
      return Object.keys(sel).sort().map((k) => `${k}=${sel[k]}`).join(',');
    },
  },
  table: {
    columns: [
      nameColumn,
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      col('Age'),
      ...CONTAINER_COLUMNS,
      SELECTOR_COLUMN,
    ],
    cells(obj, now) {
      const rc: any = obj;
      return [
        rc.metadata?.name ?? '',
        rc.spec?.replicas ?? 0,
        rc.status?.replicas ?? 0,
        rc.status?.readyReplicas ?? 0,
        age(rc.metadata?.creationTimestamp, now),
        ...containerCells(rc.spec?.template),
        labelMap(rc.spec?.selector),
      ];
    },
  },
};
