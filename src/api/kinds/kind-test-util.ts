// Test helper: runs a descriptor's hooks in the order the API server does on create and update
// (src/apiserver/storage/generic.ts), so descriptor tests see what a real write would store.
import { parse } from 'yaml';
import type { ResourceDescriptor } from '../descriptor.js';
import type { FieldError, KubeObject } from '../types.js';

export const TEST_UID = '8f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e';
export const TEST_CREATED = '2024-05-01T10:00:00Z';
export const TEST_NOW = Date.parse(TEST_CREATED);

export function fromYaml(src: string): KubeObject {
  return parse(src) as KubeObject;
}

/** Server-side create: identity, defaults, strategy, empty status. Returns the object that would be stored. */
export function created(d: ResourceDescriptor, src: string | KubeObject, namespace = 'default'): KubeObject {
  const obj: KubeObject = typeof src === 'string' ? fromYaml(src) : structuredClone(src);
  obj.metadata ??= {};
  if (d.namespaced) obj.metadata.namespace = namespace;
  obj.metadata.uid = TEST_UID;
  obj.metadata.creationTimestamp = TEST_CREATED;
  if (d.generation) obj.metadata.generation = 1;
  d.defaults?.(obj);
  d.prepareForCreate?.(obj);
  if (d.hasStatus && obj.status === undefined) obj.status = {};
  return obj;
}

/** Server-side update of the main resource: keeps identity, re-defaults, applies the update strategy. */
export function updated(d: ResourceDescriptor, old: KubeObject, mutate: (o: KubeObject) => void): KubeObject {
  const obj = structuredClone(old);
  mutate(obj);
  obj.metadata.uid = old.metadata.uid;
  obj.metadata.creationTimestamp = old.metadata.creationTimestamp;
  d.defaults?.(obj);
  if (d.hasStatus) obj.status = old.status;
  d.prepareForUpdate?.(obj, old);
  return obj;
}

function kubectlLines(errs: FieldError[]): string[] {
  return errs.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
}

/** `field: message` lines, as kubectl prints the causes of a 422. */
export function createErrors(d: ResourceDescriptor, obj: KubeObject): string[] {
  return kubectlLines(d.validate?.(obj) ?? []);
}

export function updateErrors(d: ResourceDescriptor, obj: KubeObject, old: KubeObject): string[] {
  return [...new Set(kubectlLines([...(d.validate?.(obj) ?? []), ...(d.validateUpdate?.(obj, old) ?? [])]))];
}

/** `field: message` for every cause, the field shown even when empty. */
export function errorTexts(errs: FieldError[]): string[] {
  return errs.map((e) => `${e.field}: ${e.message}`);
}

/** The causes of a create, or with `old` of an update (validate, then validateUpdate), undeduplicated. */
export function validationTexts(d: ResourceDescriptor, obj: KubeObject, old?: KubeObject): string[] {
  return errorTexts([...(d.validate?.(obj) ?? []), ...(old ? (d.validateUpdate?.(obj, old) ?? []) : [])]);
}

/** A manifest with some spec fields replaced; an undefined value leaves the field present but unset. */
export function manifestWithSpec(src: string | KubeObject, spec: Record<string, unknown>): KubeObject {
  const obj: KubeObject = typeof src === 'string' ? fromYaml(src) : structuredClone(src);
  Object.assign(obj.spec as object, spec);
  return obj;
}

/** Cells keyed by column name, for readable assertions. */
export function row(d: ResourceDescriptor, obj: KubeObject, now = TEST_NOW): Record<string, unknown> {
  const cells = d.table.cells(obj, now);
  return Object.fromEntries(d.table.columns.map((c, i) => [c.name, cells[i]]));
}
