// apps/v1 ReplicaSet: defaults, validation and strategy hooks of kube-apiserver, and the `kubectl get` table.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { ageColumn, col, formatLabelSelector, nameColumn, objectAge } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { nonNegative } from '../validation/meta.js';
import { CONTAINER_COLUMNS, containerCells, SCALE_SUBRESOURCE, SELECTOR_COLUMN, STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { dropZeroFields, ensureObj, type Obj, selectorConvertible, specOf } from './object-helpers.js';
import { defaultPodTemplateSpec } from './podspec.js';
import { copyRequestMetadata, goStatus, immutableSelectorErrors, replicaSetTemplateErrors, REPLICAS_SCALE } from './workload-validation.js';

function defaults(obj: KubeObject): void {
  const spec = ensureObj(obj as Obj, 'spec');
  dropZeroFields(spec, ['minReadySeconds']);
  spec.replicas ??= 1;
  defaultPodTemplateSpec(ensureObj(spec, 'template'));
}

function validate(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  return [
    ...nonNegative(spec.replicas, 'spec.replicas'),
    ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...replicaSetTemplateErrors(spec),
  ];
}

// `replicas` has no omitempty in ReplicaSetStatus; terminatingReplicas sits behind a gate that is off.
function normalizeStatus(status: unknown): Obj {
  const out = goStatus(status, ['replicas'], ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration', 'conditions']);
  delete out.terminatingReplicas;
  return out;
}

function cells(obj: KubeObject, now: number): unknown[] {
  const rs = obj as unknown as ReplicaSet;
  const sel = rs.spec?.selector;
  return [
    rs.metadata?.name ?? '',
    rs.spec?.replicas ?? 0,
    rs.status?.replicas ?? 0,
    rs.status?.readyReplicas ?? 0,
    objectAge(obj, now),
    ...containerCells(rs.spec?.template),
    selectorConvertible(sel) ? formatLabelSelector(sel) : '<error>',
  ];
}

export const replicaSetDescriptor: ResourceDescriptor = {
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  listKind: 'ReplicaSetList',
  plural: 'replicasets',
  singular: 'replicaset',
  shortNames: ['rs'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [STATUS_SUBRESOURCE, SCALE_SUBRESOURCE],
  schemaType: 'io.k8s.api.apps.v1.ReplicaSet',
  defaults,
  validate,
  validateUpdate: (obj, old) => immutableSelectorErrors(specOf(obj).selector, specOf(old).selector),
  prepareForCreate(obj) {
    obj.status = normalizeStatus({});
  },
  hasStatus: true,
  // kube's status strategy only pins spec, so metadata maps come from the request.
  prepareForStatusUpdate(obj, request) {
    copyRequestMetadata(obj, request, ['labels', 'annotations']);
    obj.status = normalizeStatus(obj.status);
  },
  generation: 'spec',
  defaultPropagation: 'Background',
  fieldLabels: { 'status.replicas': (obj) => String((obj.status as Obj | undefined)?.replicas ?? 0) },
  scale: REPLICAS_SCALE,
  table: {
    columns: [
      nameColumn,
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      ageColumn,
      ...CONTAINER_COLUMNS,
      SELECTOR_COLUMN,
    ],
    cells,
  },
};
