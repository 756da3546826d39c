// apps/v1 ControllerRevision: the immutable template snapshots StatefulSet and DaemonSet keep for rollbacks.
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { fieldErr } from '../fielderrors.js';
import { ageColumn, col, nameColumn, objectAge } from '../printing.js';
import type { FieldError, KubeObject } from '../types.js';
import { nonNegative } from '../validation/meta.js';
import { STANDARD_VERBS } from './descriptor-parts.js';
import { invalidRaw } from './go-render.js';
import { semanticEqual } from './object-helpers.js';

function validate(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.data === undefined || obj.data === null) errs.push(fieldErr.required('data', 'data is mandatory'));
  errs.push(...nonNegative(obj.revision, 'revision'));
  return errs;
}

/** kube holds `data` as raw JSON bytes and prints them Go-style when it refuses a change. */
function goRawData(data: unknown): string {
  const bytes = [...Buffer.from(JSON.stringify(data ?? null))].map((b) => `0x${b.toString(16)}`).join(', ');
  return `runtime.Unknown{TypeMeta:runtime.TypeMeta{APIVersion:"", Kind:""}, Raw:[]uint8{${bytes}}, ContentEncoding:"", ContentType:"application/json"}`;
}

// Controllers renumber a revision on rollback, so `revision` may change; the snapshot itself may not.
function validateUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  return semanticEqual(obj.data, old.data) ? [] : [invalidRaw('data', goRawData(obj.data), 'field is immutable')];
}

/** `statefulset.apps/web`: kind and group of the controlling owner, lower-cased, as kubectl prints owners. */
export function controllerName(obj: KubeObject): string {
  const ref = (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  const kind = group ? `${ref.kind}.${group}` : ref.kind;
  return `${kind.toLowerCase()}/${ref.name}`;
}

export const controllerRevisionDescriptor: ResourceDescriptor = {
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  listKind: 'ControllerRevisionList',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [],
  schemaType: 'io.k8s.api.apps.v1.ControllerRevision',
  validate,
  validateUpdate,
  hasStatus: false,
  defaultPropagation: 'Background',
  table: {
    columns: [nameColumn, col('Controller'), col('Revision'), ageColumn],
    cells: (obj, now) => [obj.metadata.name ?? '', controllerName(obj), (obj as unknown as ControllerRevision).revision ?? 0, objectAge(obj, now)],
  },
};
