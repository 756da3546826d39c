// ObjectMeta validation shared by every kind (apimachinery's ValidateObjectMeta and its update twin).
import { fieldErr, path } from '../fielderrors.js';
import type { FieldError, KubeObject, ObjectMeta } from '../types.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPathSegmentName } from './names.js';

export type NameValidator = (name: string, prefix: boolean) => string[];

/** Most kinds: a DNS-1123 subdomain. When checking a generateName prefix a trailing '-' is allowed. */
export const dnsSubdomainName: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const dnsLabelName: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const pathSegmentName: NameValidator = (name) => isValidPathSegmentName(name);

/** generateName prefixes may end in '-': a stand-in letter lets the full-name rules check the rest. */
export function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name;
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabels(labels: Record<string, string> | undefined, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(fieldErr.invalid(fld, k, m));
    if (typeof v !== 'string') continue;
    for (const m of isValidLabelValue(v)) errs.push(fieldErr.invalid(fld, v, m));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fieldErr.invalid(fld, k, m));
    total += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errs.push({ reason: 'FieldValueTooLong', field: fld, message: `Too long: may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
  }
  return errs;
}

function validateOwnerReferences(refs: ObjectMeta['ownerReferences'], fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const controllers: string[] = [];
  (refs ?? []).forEach((r, i) => {
    const p = path(fld, i);
    if (!r.apiVersion) errs.push(fieldErr.invalid(path(p, 'apiVersion'), r.apiVersion ?? '', 'version must not be empty'));
    if (!r.kind) errs.push(fieldErr.invalid(path(p, 'kind'), r.kind ?? '', 'kind must not be empty'));
    if (!r.name) errs.push(fieldErr.invalid(path(p, 'name'), r.name ?? '', 'name must not be empty'));
    if (!r.uid) errs.push(fieldErr.invalid(path(p, 'uid'), r.uid ?? '', 'uid must not be empty'));
    if (r.controller) controllers.push(`${r.kind}/${r.name}`);
  });
  if (controllers.length > 1) {
    errs.push(
      fieldErr.invalid(
        fld,
        refs,
        `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`,
      ),
    );
  }
  return errs;
}

function validateFinalizers(finalizers: string[] | undefined, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (finalizers ?? []).forEach((f) => {
    for (const m of isQualifiedName(f)) errs.push(fieldErr.invalid(fld, f, m));
    if (seen.has(f)) errs.push(fieldErr.duplicate(fld, f));
    seen.add(f);
  });
  return errs;
}

/** What create and update both check in metadata, whatever else changed. */
function metadataContentErrors(m: ObjectMeta): FieldError[] {
  return [
    ...validateLabels(m.labels, 'metadata.labels'),
    ...validateAnnotations(m.annotations, 'metadata.annotations'),
    ...validateOwnerReferences(m.ownerReferences, 'metadata.ownerReferences'),
    ...validateFinalizers(m.finalizers, 'metadata.finalizers'),
  ];
}

/** Validates metadata on create. `nameFn` picks the name syntax of the kind. */
export function validateObjectMeta(obj: KubeObject, namespaced: boolean, nameFn: NameValidator = dnsSubdomainName): FieldError[] {
  const m = obj.metadata ?? {};
  const errs: FieldError[] = [];
  if (m.generateName && !m.name) {
    for (const msg of nameFn(m.generateName, true)) errs.push(fieldErr.invalid('metadata.generateName', m.generateName, msg));
  }
  if (!m.name) {
    errs.push(fieldErr.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const msg of nameFn(m.name, false)) errs.push(fieldErr.invalid('metadata.name', m.name, msg));
  }
  if (namespaced) {
    if (!m.namespace) errs.push(fieldErr.required('metadata.namespace'));
    else for (const msg of isDNS1123Label(m.namespace)) errs.push(fieldErr.invalid('metadata.namespace', m.namespace, msg));
  } else if (m.namespace) {
    errs.push(fieldErr.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (m.generation !== undefined && m.generation < 0) {
    errs.push(fieldErr.invalid('metadata.generation', m.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...metadataContentErrors(m));
  return errs;
}

/** Update rules: identity fields are immutable. */
export function validateObjectMetaUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const m = obj.metadata;
  const o = old.metadata;
  const immutable = (fld: string, a: unknown, b: unknown) => {
    if (a !== b) errs.push(fieldErr.invalid(fld, a, 'field is immutable'));
  };
  immutable('metadata.name', m.name, o.name);
  immutable('metadata.namespace', m.namespace, o.namespace);
  immutable('metadata.uid', m.uid, o.uid);
  immutable('metadata.creationTimestamp', m.creationTimestamp, o.creationTimestamp);
  if (o.deletionTimestamp && m.deletionTimestamp !== o.deletionTimestamp) {
    errs.push(fieldErr.invalid('metadata.deletionTimestamp', m.deletionTimestamp, 'field is immutable; may only be changed via deletion'));
  }
  errs.push(...metadataContentErrors(m));
  return errs;
}

/** Shared numeric rule: `must be greater than or equal to 0`. */
export function nonNegative(value: unknown, fld: string): FieldError[] {
  if (typeof value === 'number' && value < 0) return [fieldErr.invalid(fld, value, 'must be greater than or equal to 0')];
  return [];
}

/** Immutable-field helper comparing JSON values structurally. */
export function immutableField(a: unknown, b: unknown, fld: string): FieldError[] {
  return deepEqualJson(a, b) ? [] : [fieldErr.invalid(fld, a, 'field is immutable')];
}

export function deepEqualJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqualJson(x, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b as object, k) && deepEqualJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
