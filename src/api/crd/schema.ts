// Structural schemas of custom resources (apiextensions.k8s.io/v1 openAPIV3Schema): pruning of unknown fields,
// defaulting from `default`, and validation with the field paths and wording kube-apiserver uses for custom
// objects (`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`).
import { fieldErr, goValue } from '../fielderrors.js';
import { clone } from '../meta.js';
import type { FieldError } from '../types.js';
import { deepEqualJson } from '../validation/meta.js';

/** The subset of JSONSchemaProps that structural schemas use. */
export interface JsonSchema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  not?: JsonSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(base: string, child: string): string {
  return base ? `${base}.${child}` : child;
}

/** ObjectMeta's JSON fields: what survives pruning of `metadata` at the root and in embedded resources. */
const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

// ---- pruning ----

/**
 * Drops fields the schema does not specify (unless x-kubernetes-preserve-unknown-fields), in place. Returns the
 * paths of the dropped fields as kube reports them (`spec.foo`, `spec.items[0].bar`). `root` keeps apiVersion,
 * kind and metadata at the top, as for every custom object.
 */
export function prune(value: unknown, schema: JsonSchema | undefined, root = true): string[] {
  const dropped: string[] = [];
  pruneAt(value, schema, '', root, dropped);
  return dropped;
}

function pruneAt(value: unknown, s: JsonSchema | undefined, path: string, typeMetaHere: boolean, dropped: string[]): void {
  if (Array.isArray(value)) {
    if (!s) return;
    if (s.items) value.forEach((v, i) => pruneAt(v, s.items, `${path}[${i}]`, !!s.items?.['x-kubernetes-embedded-resource'], dropped));
    return;
  }
  if (!isObj(value)) return;
  const preserve = !!s?.['x-kubernetes-preserve-unknown-fields'];
  for (const key of Object.keys(value)) {
    const p = join(path, key);
    if (typeMetaHere && (key === 'apiVersion' || key === 'kind')) continue;
    if (typeMetaHere && key === 'metadata') {
      const m = value[key];
      if (isObj(m)) for (const mk of Object.keys(m)) if (!OBJECT_META_FIELDS.has(mk)) {
        delete m[mk];
        dropped.push(join(p, mk));
      }
      continue;
    }
    const prop = s?.properties?.[key];
    if (prop) {
      pruneAt(value[key], prop, p, !!prop['x-kubernetes-embedded-resource'], dropped);
      continue;
    }
    const ap = s?.additionalProperties;
    if (ap !== undefined && ap !== false) {
      if (typeof ap === 'object') pruneAt(value[key], ap, p, !!ap['x-kubernetes-embedded-resource'], dropped);
      continue;
    }
    if (preserve) continue;
    delete value[key];
    dropped.push(p);
  }
}

// ---- defaulting ----

/** Fills in `default`s of missing (and null, non-nullable) fields, in place; recurses into what is present. */
export function applyDefaults(value: unknown, s: JsonSchema | undefined): void {
  if (!s) return;
  if (Array.isArray(value)) {
    if (s.items) for (const v of value) applyDefaults(v, s.items);
    return;
  }
  if (!isObj(value)) return;
  if (s.properties) {
    for (const [key, prop] of Object.entries(s.properties)) {
      const present = Object.prototype.hasOwnProperty.call(value, key);
      if (prop.default !== undefined && (!present || (value[key] === null && !prop.nullable))) value[key] = clone(prop.default);
      if (key in value) applyDefaults(value[key], prop);
    }
  }
  if (isObj(s.additionalProperties)) {
    const ap = s.additionalProperties;
    for (const key of Object.keys(value)) if (!s.properties?.[key]) applyDefaults(value[key], ap);
  }
}

// ---- validation ----

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function typeMatches(v: unknown, s: JsonSchema): boolean {
  if (s['x-kubernetes-int-or-string']) return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  switch (s.type) {
    case undefined:
    case '':
      return true;
    case 'object':
      return isObj(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
  }
  return true;
}

const FORMATS: Record<string, (v: string) => boolean> = {
  'date-time': (v) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T'))),
  datetime: (v) => FORMATS['date-time']!(v),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  byte: (v) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v),
  uuid: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v),
  ipv4: (v) => /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(v),
  ipv6: (v) => /^[0-9a-fA-F:.]+$/.test(v) && v.includes(':'),
  email: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v),
  hostname: (v) => v.length <= 253 && /^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/.test(v),
  duration: (v) => /^(-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+|0)$/.test(v),
  mac: (v) => /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(v),
  cidr: (v) => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(v),
};

const patternCache = new Map<string, RegExp | null>();

function compilePattern(p: string): RegExp | null {
  let re = patternCache.get(p);
  if (re === undefined) {
    try {
      re = new RegExp(p, 'u');
    } catch {
      re = null;
    }
    patternCache.set(p, re);
  }
  return re;
}

/**
 * Validates a custom object (or a part of one at `path`) against its structural schema. apiVersion, kind and
 * metadata at the root are the server's business and skipped here.
 */
export function validateValue(value: unknown, s: JsonSchema | undefined, path = '', root = true): FieldError[] {
  const errs: FieldError[] = [];
  if (s) check(value, s, path, root, errs);
  return errs;
}

function check(v: unknown, s: JsonSchema, path: string, typeMetaHere: boolean, errs: FieldError[]): void {
  const name = path || '<root>';
  if (v === null) {
    if (s.nullable || (!s.type && !s['x-kubernetes-int-or-string'])) return;
    errs.push(fieldErr.typeInvalid(path, 'null', `${name} in body must be of type ${s.type ?? 'string'}: "null"`));
    return;
  }
  if (!typeMatches(v, s)) {
    const expected = s['x-kubernetes-int-or-string'] ? 'integer,string' : (s.type as string);
    errs.push(fieldErr.typeInvalid(path, jsonType(v), `${name} in body must be of type ${expected}: ${JSON.stringify(jsonType(v))}`));
    return;
  }
  if (s.enum && s.enum.length && !s.enum.some((e) => deepEqualJson(e, v))) {
    errs.push({ reason: 'FieldValueNotSupported', field: path, message: `Unsupported value: ${goValue(v)}: supported values: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` });
  }
  if (typeof v === 'number') checkNumber(v, s, path, name, errs);
  else if (typeof v === 'string') checkString(v, s, path, name, errs);
  else if (Array.isArray(v)) checkArray(v, s, path, name, errs);
  else if (isObj(v)) checkObject(v, s, path, name, typeMetaHere, errs);
  for (const sub of s.allOf ?? []) check(v, sub, path, false, errs);
  if (s.anyOf?.length && !s.anyOf.some((sub) => validateValue(v, sub, path, false).length === 0)) {
    errs.push(fieldErr.invalid(path, v, `${name} in body must validate at least one schema (anyOf)`));
  }
  if (s.oneOf?.length && s.oneOf.filter((sub) => validateValue(v, sub, path, false).length === 0).length !== 1) {
    errs.push(fieldErr.invalid(path, v, `${name} in body must validate one and only one schema (oneOf)`));
  }
  if (s.not && validateValue(v, s.not, path, false).length === 0) {
    errs.push(fieldErr.invalid(path, v, `${name} in body must not validate the schema (not)`));
  }
}

function checkNumber(v: number, s: JsonSchema, path: string, name: string, errs: FieldError[]): void {
  if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
    errs.push(fieldErr.invalid(path, v, `${name} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
  }
  if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
    errs.push(fieldErr.invalid(path, v, `${name} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0 && Math.abs(v / s.multipleOf - Math.round(v / s.multipleOf)) > 1e-9) {
    errs.push(fieldErr.invalid(path, v, `${name} in body should be a multiple of ${s.multipleOf}`));
  }
  if (s.format === 'int32' && (v < -2147483648 || v > 2147483647)) errs.push(fieldErr.invalid(path, v, `${name} in body must be of type int32: "${v}"`));
}

function checkString(v: string, s: JsonSchema, path: string, name: string, errs: FieldError[]): void {
  const len = [...v].length;
  if (s.maxLength !== undefined && len > s.maxLength) errs.push(fieldErr.tooLong(path, v, s.maxLength));
  if (s.minLength !== undefined && len < s.minLength) errs.push(fieldErr.invalid(path, v, `${name} in body should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined) {
    const re = compilePattern(s.pattern);
    if (re && !re.test(v)) errs.push(fieldErr.invalid(path, v, `${name} in body should match '${s.pattern}'`));
  }
  if (s.format && !s['x-kubernetes-int-or-string']) {
    const ok = FORMATS[s.format];
    if (ok && !ok(v)) errs.push(fieldErr.invalid(path, v, `${name} in body must be of type ${s.format}: ${JSON.stringify(v)}`));
  }
}

function checkArray(v: unknown[], s: JsonSchema, path: string, name: string, errs: FieldError[]): void {
  if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(fieldErr.tooMany(path, v.length, s.maxItems));
  if (s.minItems !== undefined && v.length < s.minItems) errs.push(fieldErr.invalid(path, v, `${name} in body should have at least ${s.minItems} items`));
  if (s.items) v.forEach((x, i) => check(x, s.items as JsonSchema, `${path}[${i}]`, !!s.items?.['x-kubernetes-embedded-resource'], errs));
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set' || s.uniqueItems) {
    v.forEach((x, i) => {
      if (v.findIndex((y) => deepEqualJson(x, y)) < i) errs.push(fieldErr.duplicate(`${path}[${i}]`, x));
    });
  } else if (listType === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const seen: string[] = [];
    v.forEach((x, i) => {
      if (!isObj(x)) return;
      const kv = keys.map((k) => [k, x[k] ?? s.items?.properties?.[k]?.default] as const);
      const sig = JSON.stringify(kv);
      if (seen.includes(sig)) {
        const shown = kv.filter(([, val]) => val !== undefined).map(([k, val]) => `${JSON.stringify(k)}:${typeof val === 'string' ? JSON.stringify(val) : String(val)}`);
        errs.push({ reason: 'FieldValueDuplicate', field: `${path}[${i}]`, message: `Duplicate value: map[string]interface {}{${shown.join(', ')}}` });
      }
      seen.push(sig);
    });
  }
}

function checkObject(v: Obj, s: JsonSchema, path: string, name: string, typeMetaHere: boolean, errs: FieldError[]): void {
  const n = Object.keys(v).length;
  if (s.maxProperties !== undefined && n > s.maxProperties) errs.push(fieldErr.tooMany(path, n, s.maxProperties));
  if (s.minProperties !== undefined && n < s.minProperties) errs.push(fieldErr.invalid(path, v, `${name} in body should have at least ${s.minProperties} properties`));
  for (const r of s.required ?? []) {
    if (!(r in v)) errs.push(fieldErr.required(join(path, r)));
  }
  for (const [key, val] of Object.entries(v)) {
    if (typeMetaHere && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    const prop = s.properties?.[key];
    if (prop) check(val, prop, join(path, key), !!prop['x-kubernetes-embedded-resource'], errs);
    else if (isObj(s.additionalProperties)) check(val, s.additionalProperties, join(path, key), !!s.additionalProperties['x-kubernetes-embedded-resource'], errs);
  }
  if (s['x-kubernetes-embedded-resource']) {
    if (typeof v.apiVersion !== 'string' || v.apiVersion === '') errs.push(fieldErr.required(join(path, 'apiVersion'), 'must not be empty'));
    if (typeof v.kind !== 'string' || v.kind === '') errs.push(fieldErr.required(join(path, 'kind'), 'must not be empty'));
  }
}

// ---- structural checks of a CRD's schema ----

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

/**
 * The most common ways a schema fails to be structural, worded as kube-apiserver words them. `path` is the
 * schema's field path in the CRD, e.g. `spec.versions[0].schema.openAPIV3Schema`.
 */
export function structuralErrors(s: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(s)) return [fieldErr.required(path, 'schemas are required')];
  const schema = s as JsonSchema;
  if (!schema.type) errs.push(fieldErr.required(join(path, 'type'), 'must not be empty at the root'));
  else if (schema.type !== 'object') errs.push(fieldErr.invalid(join(path, 'type'), schema.type, 'must be object at the root'));
  const meta = schema.properties?.metadata;
  if (isObj(meta)) {
    const extra = Object.keys(meta).filter((k) => k !== 'type' && k !== 'properties' && k !== 'description');
    const props = Object.keys(meta.properties ?? {}).filter((k) => k !== 'name' && k !== 'generateName');
    if (extra.length || props.length) {
      errs.push(fieldErr.forbidden(`${join(path, 'properties')}[metadata]`, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  walkStructural(schema, path, true, errs);
  return errs;
}

function walkStructural(s: JsonSchema, path: string, root: boolean, errs: FieldError[]): void {
  const intOrString = !!s['x-kubernetes-int-or-string'];
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  if (s.type !== undefined && !TYPES.includes(s.type)) {
    errs.push({ reason: 'FieldValueNotSupported', field: join(path, 'type'), message: `Unsupported value: ${JSON.stringify(s.type)}: supported values: ${TYPES.map((t) => JSON.stringify(t)).join(', ')}` });
  }
  if (!root && !s.type && !intOrString && !preserve) errs.push(fieldErr.required(join(path, 'type'), 'must not be empty for specified object fields'));
  if (intOrString && s.type) errs.push(fieldErr.invalid(join(path, 'type'), s.type, 'must be empty if x-kubernetes-int-or-string is true'));
  if (s.type === 'array' && !s.items) errs.push(fieldErr.required(join(path, 'items'), 'must be specified'));
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    errs.push(fieldErr.forbidden(join(path, 'additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
  }
  if (s.uniqueItems === true) errs.push(fieldErr.forbidden(join(path, 'uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s['x-kubernetes-embedded-resource'] && s.type !== 'object') {
    errs.push(fieldErr.invalid(join(path, 'type'), s.type ?? '', 'must be object if x-kubernetes-embedded-resource is true'));
  }
  const lt = s['x-kubernetes-list-type'];
  if (lt !== undefined) {
    if (!['atomic', 'set', 'map'].includes(lt)) errs.push(fieldErr.notSupported(join(path, 'x-kubernetes-list-type'), lt, ['atomic', 'set', 'map']));
    else if (s.type !== 'array') errs.push(fieldErr.invalid(join(path, 'x-kubernetes-list-type'), lt, 'must only be used if type is array'));
    if (lt === 'map' && !(s['x-kubernetes-list-map-keys'] ?? []).length) {
      errs.push(fieldErr.required(join(path, 'x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
    }
  }
  const mt = s['x-kubernetes-map-type'];
  if (mt !== undefined && !['granular', 'atomic'].includes(mt)) errs.push(fieldErr.notSupported(join(path, 'x-kubernetes-map-type'), mt, ['granular', 'atomic']));
  if (s.pattern !== undefined && compilePattern(s.pattern) === null) errs.push(fieldErr.invalid(join(path, 'pattern'), s.pattern, 'must be a valid regular expression'));
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    if (isObj(p)) walkStructural(p, `${join(path, 'properties')}[${k}]`, false, errs);
  }
  if (isObj(s.items)) walkStructural(s.items, join(path, 'items'), false, errs);
  else if (Array.isArray(s.items)) errs.push(fieldErr.forbidden(join(path, 'items'), 'items must be a schema object and not an array'));
  if (isObj(s.additionalProperties)) walkStructural(s.additionalProperties, join(path, 'additionalProperties'), false, errs);
  if (s.default !== undefined && root) errs.push(fieldErr.forbidden(join(path, 'default'), 'must not be set at the root'));
}
