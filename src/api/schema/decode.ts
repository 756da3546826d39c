// What kube-apiserver's decoder does to a request body of a built-in kind, reproduced over the schema catalog:
// unknown fields are dropped (and reported for fieldValidation=Strict/Warn), wrong JSON types fail the request
// with Go's encoding/json wording, quantities and times come back in the form Go writes them, nulls vanish.
//
// Messages, as kube-apiserver builds them (handlers transformDecodeError, runtime.StrictDecodingError and
// sigs.k8s.io/json):
//   <Kind> in version "<v>" cannot be handled as a <Kind>: strict decoding error: unknown field "spec.x", duplicate field "spec.y"
//   <Kind> in version "<v>" cannot be handled as a <Kind>: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32
//   the object provided is unrecognized (must be of type <Kind>): couldn't get version/kind; json parse error: <err> (<first 30 bytes> ...)
// The first <Kind>/version come from the body (defaulting to the endpoint's), the second <Kind> is the endpoint's.
import { parseQuantity, QuantityParseError } from '../quantity.js';
import { checkBase64, goQuote, parseGoTime } from './go-compat.js';
import { embeddedStructOf, goElementType, goFieldType, goStructName, goType } from './go-names.js';
import { schemaOf } from './index.js';
import { MAX_STRICT_ERRORS, scanJSON } from './json-scan.js';
import type { SchemaNode } from './types.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface DecodeOptions {
  /** The endpoint's kind, e.g. "Deployment". */
  kindLabel: string;
  /** The endpoint's version, e.g. "v1"; used when the body names none. */
  version: string;
  validation: FieldValidation;
  /** Mutate `body` instead of copying the parts that change (only for bodies the caller owns). */
  inPlace?: boolean;
}

export interface DecodeResult {
  /**
   * The decoded object: unknown fields and nulls removed, quantities and times normalized. Without `inPlace`,
   * parts that needed no change are shared with the input. Meaningless when `error` is set.
   */
  object: Record<string, unknown>;
  /** Paths of the dropped unknown fields, e.g. `spec.template.spec.containers[0].imagee`. */
  unknownFields: string[];
  /** `unknown field "…"` / `duplicate field "…"` texts in kube's order (empty with validation Ignore). */
  strictErrors: string[];
  /** With validation Warn: the texts to send as `Warning` headers. */
  warnings: string[];
  /** When set, the request fails with 400 BadRequest and this message. */
  error?: string;
}

/** An error Go returns at once (from a custom UnmarshalJSON), ending the decode. */
class FatalDecode {
  constructor(readonly message: string) {}
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How Go's decoder names the JSON value it could not store. */
function describe(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // Assigning "__proto__" would replace the prototype instead of setting a key (legal in labels and data).
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** A new object with the first `upTo` keys of `obj` (closures here would cost on every decode). */
function copyPrefix(obj: Record<string, unknown>, keys: string[], upTo: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let j = 0; j < upTo; j++) setOwn(out, keys[j]!, obj[keys[j]!]);
  return out;
}

/** Quantities repeat ("500m", "128Mi"); their canonical text is worth remembering. */
const canonicalQuantities = new Map<string, string>();

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_LIMIT = 9223372036854775807;

/** The value Go stores for a null list element or map value (it has no null for non-pointer types). */
function zeroValue(node: SchemaNode): unknown {
  switch (node.type) {
    case 'string':
      return node.format === 'byte' ? null : '';
    case 'integer':
    case 'number':
    case 'int-or-string':
      return 0;
    case 'boolean':
      return false;
    case 'object':
      return {};
    case 'quantity':
      return '0';
    default:
      return null;
  }
}

/**
 * Per-field facts the walk needs, computed once per schema field: the field's node and, only when an error
 * message needs them, its Go names.
 */
class FieldInfo {
  private goTypeText: string | undefined;
  constructor(
    readonly node: SchemaNode,
    private readonly parent: SchemaNode,
    readonly key: string,
    readonly embedded: string | undefined,
    readonly structName: string,
  ) {}
  get goType(): string {
    return (this.goTypeText ??= goFieldType(this.parent, this.key, this.node));
  }
}

/** The Go type of the elements of a list or map field, derived from the container's own Go type on demand. */
class ElementInfo {
  private goTypeText: string | undefined;
  constructor(
    readonly node: SchemaNode,
    private readonly container: TypeInfo,
  ) {}
  get goType(): string {
    return (this.goTypeText ??= goElementType(this.container.goType, this.node));
  }
}

interface TypeInfo {
  readonly goType: string;
}

const rootInfos = new WeakMap<SchemaNode, TypeInfo>();
const fieldInfos = new WeakMap<SchemaNode, Map<string, FieldInfo | null>>();
const elementInfos = new WeakMap<TypeInfo, ElementInfo>();

function fieldInfo(parent: SchemaNode, key: string): FieldInfo | null {
  let fields = fieldInfos.get(parent);
  if (!fields) {
    fields = new Map();
    fieldInfos.set(parent, fields);
  }
  let info = fields.get(key);
  if (info === undefined) {
    const node = parent.field(key);
    info = node ? new FieldInfo(node, parent, key, embeddedStructOf(parent, key), parent.typeName ? goStructName(parent.typeName) : '') : null;
    // Unknown keys are not cached: a hostile body could grow the cache without bound.
    if (info) fields.set(key, info);
  }
  return info;
}

function elementInfo(container: SchemaNode, info: TypeInfo): ElementInfo {
  let element = elementInfos.get(info);
  if (!element) {
    element = new ElementInfo(container.items()!, info);
    elementInfos.set(info, element);
  }
  return element;
}

function rootInfo(root: SchemaNode): TypeInfo {
  let info = rootInfos.get(root);
  if (!info) {
    info = { goType: goType(root) };
    rootInfos.set(root, info);
  }
  return info;
}

class Walker {
  readonly unknown: string[] = [];
  readonly strict: string[] = [];
  private readonly seen = new Set<string>();
  saved: string | undefined;
  /**
   * Where the walk is: a struct field, a list index or a map key per level. Both error paths are derived from
   * it only when an error occurs: kube's strict path (`spec.containers[0].name`) and Go's error context (the
   * struct fields with embedded struct names, without indices or map keys).
   */
  private readonly frames: Array<FieldInfo | number | string> = [];

  constructor(
    private readonly reportUnknown: boolean,
    private readonly collectStrict: boolean,
    private readonly inPlace: boolean,
  ) {}

  private pathWith(key: string): string {
    let s = '';
    for (const frame of this.frames) {
      if (typeof frame === 'number') s = `${s}[${frame}]`;
      else {
        const seg = typeof frame === 'string' ? frame : frame.key;
        s = s ? `${s}.${seg}` : seg;
      }
    }
    return s ? `${s}.${key}` : key;
  }

  private unknownField(key: string): void {
    if (!this.reportUnknown) return;
    const path = this.pathWith(key);
    const message = `unknown field ${goQuote(path)}`;
    if (this.seen.has(message)) return;
    this.seen.add(message);
    this.unknown.push(path);
    if (this.collectStrict && this.strict.length < MAX_STRICT_ERRORS) this.strict.push(message);
  }

  /** Go's UnmarshalTypeError text with the current struct-field context. */
  private typeErrorText(value: string, goT: string): string {
    const goPath: string[] = [];
    let goStruct = '';
    for (const frame of this.frames) {
      if (typeof frame !== 'object') continue;
      if (frame.embedded) goPath.push(frame.embedded);
      goPath.push(frame.key);
      goStruct = frame.structName;
    }
    if (goPath.length === 0) return `json: cannot unmarshal ${value} into Go value of type ${goT}`;
    return `json: cannot unmarshal ${value} into Go struct field ${goStruct}.${goPath.join('.')} of type ${goT}`;
  }

  /** Go keeps the first such error and carries on decoding. */
  private typeError(value: string, goT: string): void {
    if (this.saved === undefined) this.saved = this.typeErrorText(value, goT);
  }

  walk(node: SchemaNode, v: unknown, info: TypeInfo): unknown {
    switch (node.type) {
      case 'object':
        if (!isPlainObject(v)) {
          this.typeError(describe(v), info.goType);
          return v;
        }
        return this.object(node, v);
      case 'array':
        if (Array.isArray(v)) return this.array(node, v, info);
        this.typeError(describe(v), info.goType);
        return v;
      case 'map':
        if (!isPlainObject(v)) {
          this.typeError(describe(v), info.goType);
          return v;
        }
        return this.map(node, v, info);
      case 'string':
        if (typeof v === 'string') {
          if (node.format !== 'byte') return v;
          const bad = checkBase64(v);
          if (bad) {
            if (this.saved === undefined) this.saved = bad;
            return v;
          }
          return v.includes('\n') || v.includes('\r') ? v.replace(/[\r\n]/g, '') : v;
        }
        if (node.format === 'byte' && Array.isArray(v) && v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
          // Go decodes a list of numbers into []byte as well; it writes it back as base64.
          return Buffer.from(v as number[]).toString('base64');
        }
        this.typeError(describe(v), info.goType);
        return v;
      case 'integer':
        if (typeof v === 'number') {
          const ok = Number.isInteger(v) && (node.format === 'int64' ? Math.abs(v) <= INT64_LIMIT : v >= INT32_MIN && v <= INT32_MAX);
          if (!ok) this.typeError(`number ${String(v)}`, info.goType);
          return v;
        }
        this.typeError(describe(v), info.goType);
        return v;
      case 'number':
        if (typeof v !== 'number') this.typeError(describe(v), info.goType);
        return v;
      case 'boolean':
        if (typeof v !== 'boolean') this.typeError(describe(v), info.goType);
        return v;
      case 'int-or-string':
        if (typeof v === 'string') return v;
        // IntOrString decodes anything but a string as an int32 and returns the error at once.
        if (typeof v === 'number') {
          if (Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX) return v;
          throw new FatalDecode(this.typeErrorText(`number ${String(v)}`, 'int32'));
        }
        throw new FatalDecode(this.typeErrorText(describe(v), 'int32'));
      case 'quantity':
        return this.quantity(v);
      case 'time': {
        if (typeof v !== 'string') throw new FatalDecode(this.typeErrorText(describe(v), 'string'));
        const parsed = parseGoTime(v, node.typeName?.endsWith('MicroTime') ?? false);
        if (!parsed.ok) throw new FatalDecode(parsed.error);
        return parsed.value;
      }
      case 'any':
        return v;
    }
  }

  private quantity(v: unknown): string {
    // Quantity parses the raw JSON text of anything that is not a string, so a bool or object fails to parse.
    const text = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : JSON.stringify(v);
    const known = canonicalQuantities.get(text);
    if (known !== undefined) return known;
    try {
      const canonical = parseQuantity(text).toString();
      if (canonicalQuantities.size >= 4096) canonicalQuantities.clear();
      canonicalQuantities.set(text, canonical);
      return canonical;
    } catch (e) {
      if (e instanceof QuantityParseError) throw new FatalDecode(e.message);
      throw e;
    }
  }

  private object(node: SchemaNode, obj: Record<string, unknown>): Record<string, unknown> {
    const keys = Object.keys(obj);
    // Copy-on-write: `copy` starts when the first key changes or goes away.
    let copy: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const value = obj[key];
      const field = fieldInfo(node, key);
      if (field === null || value === null || value === undefined) {
        if (field === null) this.unknownField(key);
        if (this.inPlace) delete obj[key];
        else copy ??= copyPrefix(obj, keys, i);
        continue;
      }
      this.frames.push(field);
      const next = this.walk(field.node, value, field);
      this.frames.pop();
      if (this.inPlace) {
        if (next !== value) setOwn(obj, key, next);
      } else if (copy) {
        setOwn(copy, key, next);
      } else if (next !== value) {
        copy = copyPrefix(obj, keys, i);
        setOwn(copy, key, next);
      }
    }
    return copy ?? obj;
  }

  private array(node: SchemaNode, arr: unknown[], info: TypeInfo): unknown[] {
    const elementType = elementInfo(node, info);
    const element = elementType.node;
    let copy: unknown[] | undefined;
    for (let i = 0; i < arr.length; i++) {
      const value = arr[i];
      this.frames.push(i);
      const next = value === null || value === undefined ? zeroValue(element) : this.walk(element, value, elementType);
      this.frames.pop();
      if (next !== value) {
        if (this.inPlace) arr[i] = next;
        else (copy ??= arr.slice())[i] = next;
      }
    }
    return copy ?? arr;
  }

  private map(node: SchemaNode, obj: Record<string, unknown>, info: TypeInfo): Record<string, unknown> {
    const elementType = elementInfo(node, info);
    const element = elementType.node;
    let copy: Record<string, unknown> | undefined;
    const keys = Object.keys(obj);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const value = obj[key];
      this.frames.push(key);
      const next = value === null || value === undefined ? zeroValue(element) : this.walk(element, value, elementType);
      this.frames.pop();
      if (next === value) continue;
      if (this.inPlace) setOwn(obj, key, next);
      else {
        if (!copy) {
          copy = {};
          for (const k of keys) setOwn(copy, k, obj[k]);
        }
        setOwn(copy, key, next);
      }
    }
    return copy ?? obj;
  }
}

const FIND_KIND_TYPE = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

/** First 30 bytes of the body, as kube's error messages quote it (hex when it is not a JSON object). */
function summarize(raw: string): string {
  if (raw.length === 0) return '<empty>';
  const bytes = Buffer.from(raw);
  if (raw[0] === '{') return bytes.length > 30 ? `${bytes.subarray(0, 30).toString()} ...` : raw;
  return bytes.length > 30 ? `${bytes.subarray(0, 30).toString('hex')} ...` : bytes.toString('hex');
}

interface BodyKind {
  kind: string;
  version: string;
  error?: string;
}

/**
 * The apiVersion/kind pre-read that precedes typed decoding. Go reads them with the standard (case-insensitive)
 * decoder into a two-field struct; the last key matching in any case wins.
 */
function readKind(body: unknown): BodyKind {
  if (!isPlainObject(body)) {
    return { kind: '', version: '', error: `couldn't get version/kind; json parse error: json: cannot unmarshal ${describe(body)} into Go value of type ${FIND_KIND_TYPE}` };
  }
  let apiVersion = '';
  let kind = '';
  for (const key of Object.keys(body)) {
    const lower = key.toLowerCase();
    if (lower !== 'apiversion' && lower !== 'kind') continue;
    const value = body[key];
    if (value === null || value === undefined) continue;
    const field = lower === 'kind' ? 'kind' : 'apiVersion';
    if (typeof value !== 'string') {
      return { kind: '', version: '', error: `couldn't get version/kind; json parse error: json: cannot unmarshal ${describe(value)} into Go struct field .${field} of type string` };
    }
    if (field === 'kind') kind = value;
    else apiVersion = value;
  }
  if (apiVersion === '' || apiVersion === '/') return { kind, version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { kind, version: apiVersion };
  if (parts.length === 2) return { kind, version: parts[1]! };
  return { kind, version: '', error: `unexpected GroupVersion string: ${apiVersion}` };
}

function unrecognized(kindLabel: string, message: string, raw: string): string {
  return `the object provided is unrecognized (must be of type ${kindLabel}): ${message} (${summarize(raw)})`;
}

function finish(walker: Walker, object: unknown, fatal: string | undefined, strict: string[], unknown: string[], found: BodyKind, opts: DecodeOptions): DecodeResult {
  const result: DecodeResult = {
    object: (isPlainObject(object) ? object : {}) as Record<string, unknown>,
    unknownFields: unknown,
    strictErrors: opts.validation === 'Ignore' ? [] : strict,
    warnings: [],
  };
  const dataKind = found.kind || opts.kindLabel;
  const dataVersion = found.version || opts.version;
  const prefix = `${dataKind} in version ${goQuote(dataVersion)} cannot be handled as a ${opts.kindLabel}: `;
  const failure = fatal ?? walker.saved;
  if (failure !== undefined) result.error = prefix + failure;
  else if (result.strictErrors.length > 0) {
    if (opts.validation === 'Strict') result.error = `${prefix}strict decoding error: ${result.strictErrors.join(', ')}`;
    else result.warnings = result.strictErrors;
  }
  return result;
}

function decodeParsed(body: unknown, typeName: string, opts: DecodeOptions, raw: string | undefined, scanned?: { strict: string[]; unknown: string[] }): DecodeResult {
  const input = body === null ? {} : body;
  const found = readKind(input);
  const walker = new Walker(scanned === undefined, scanned === undefined && opts.validation !== 'Ignore', opts.inPlace ?? false);
  if (found.error) {
    const text = raw ?? (body === undefined ? '' : JSON.stringify(body));
    return { object: {}, unknownFields: [], strictErrors: [], warnings: [], error: unrecognized(opts.kindLabel, found.error, text) };
  }
  const root = schemaOf(typeName);
  let object: unknown = input;
  let fatal: string | undefined;
  try {
    object = walker.walk(root, input, rootInfo(root));
  } catch (e) {
    if (!(e instanceof FatalDecode)) throw e;
    fatal = e.message;
  }
  const strict = scanned ? scanned.strict : walker.strict;
  const unknown = scanned ? scanned.unknown : walker.unknown;
  return finish(walker, object, fatal, strict, unknown, found, opts);
}

/**
 * Decodes an already-parsed body (e.g. from the in-process client or after a patch) for catalog type `typeName`.
 * Duplicate keys cannot be seen here; use decodeJSON for request bodies.
 */
export function decodeObject(body: unknown, typeName: string, opts: DecodeOptions): DecodeResult {
  return decodeParsed(body, typeName, opts, undefined);
}

/**
 * Decodes a raw JSON request body: Go-worded syntax errors, and with Strict/Warn also duplicate fields, reported
 * in document order together with unknown fields as kube-apiserver does.
 */
export function decodeJSON(text: string, typeName: string, opts: DecodeOptions): DecodeResult {
  let scanned: { strict: string[]; unknown: string[] } | undefined;
  if (opts.validation !== 'Ignore') {
    const outcome = scanJSON(text, schemaOf(typeName));
    if (outcome.syntaxError) return syntaxFailure(opts, outcome.syntaxError, text);
    scanned = outcome;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return syntaxFailure(opts, scanJSON(text, undefined).syntaxError ?? 'unexpected end of JSON input', text);
  }
  return decodeParsed(body, typeName, { ...opts, inPlace: true }, text, scanned);
}

function syntaxFailure(opts: DecodeOptions, message: string, text: string): DecodeResult {
  return {
    object: {},
    unknownFields: [],
    strictErrors: [],
    warnings: [],
    error: unrecognized(opts.kindLabel, `couldn't get version/kind; json parse error: ${message}`, text),
  };
}

/** Reads the `fieldValidation` query value; kube-apiserver treats a missing one as Warn. */
export function parseFieldValidation(value: string | null | undefined): FieldValidation | undefined {
  if (value === undefined || value === null || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  return undefined;
}
