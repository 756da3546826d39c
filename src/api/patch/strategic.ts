// Strategic merge patch as kube-apiserver applies it (apimachinery strategicpatch, server side: parallel
// lists merged, unmatched nulls dropped). Struct-tag metadata comes from the SchemaNode tree; a field the
// schema does not know behaves as in a JSON merge patch (maps merge, lists are replaced).
//
// The algorithm works on a private deep copy and may rearrange it freely; the caller's values are never
// touched. Error texts are kube's, because they reach the client in the Status message.
import type { SchemaNode } from '../schema/types.js';
import { cloneJson, hasOwn, isJsonObject, setOwn, type JsonObject } from './merge.js';

const DIRECTIVE = '$patch';
const DELETE = 'delete';
const REPLACE = 'replace';
const MERGE = 'merge';
const RETAIN_KEYS_STRATEGY = 'retainKeys';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

export const SMP_BAD_PRIMITIVE_LIST = 'invalid patch format of primitive list';
export const SMP_BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';
export const SMP_BAD_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';
export const SMP_NO_LIST_OF_LISTS = 'lists of lists are not supported';
/** kube-apiserver's fixed text for a 422 raised while merging. */
export const SMP_INVALID_MESSAGE = 'the server rejected our request due to an error in our request';

export type SmpStatus = 400 | 422 | 500;

/** The plain-text body kube-apiserver sends (status 500, not a Status object) when a handler panics. */
export const APISERVER_PANIC_MESSAGE = "This request caused apiserver to panic. Look in the logs for details.";

/**
 * A strategic merge patch kube-apiserver refuses, with the answer it gives: 400 BadRequest for malformed
 * directives, 422 Invalid (fixed message) for lists of lists, and 500 with an empty reason and the raw
 * text for everything else (kube passes those errors through unconverted). Inputs that make kube's Go
 * code panic set `panicked`: kube then answers 500 with APISERVER_PANIC_MESSAGE as text/plain.
 * `detail` is the underlying text.
 */
export class StrategicMergePatchError extends Error {
  override name = 'StrategicMergePatchError';
  constructor(
    readonly status: SmpStatus,
    readonly reason: 'BadRequest' | 'Invalid' | '',
    message: string,
    readonly detail: string = message,
    readonly panicked = false,
  ) {
    super(message);
  }
}

function badRequest(msg: string): StrategicMergePatchError {
  return new StrategicMergePatchError(400, 'BadRequest', msg);
}

function failure(msg: string): StrategicMergePatchError {
  return new StrategicMergePatchError(500, '', msg);
}

function goPanic(detail: string): StrategicMergePatchError {
  return new StrategicMergePatchError(500, '', APISERVER_PANIC_MESSAGE, `runtime error: ${detail}`, true);
}

function noListOfLists(): StrategicMergePatchError {
  return new StrategicMergePatchError(422, 'Invalid', SMP_INVALID_MESSAGE, SMP_NO_LIST_OF_LISTS);
}

// ---------------------------------------------------------------------------------------------------------
// Go formatting, for messages that embed values (kube prints them with %v and reflect type names).

const INT64_LIMIT = 9223372036854775808;

function goNumber(n: number): string {
  // Integral JSON numbers decode to int64 in kube, everything else to float64, which %v prints in the
  // shortest form and switches to an exponent from 1e6 on.
  if (Number.isInteger(n) && Math.abs(n) < INT64_LIMIT) return BigInt(n).toString();
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  const [mant, expText] = n.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

function goV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goV).join(' ')}]`;
  if (isJsonObject(v)) {
    const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${keys.map((k) => `${k}:${goV(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < INT64_LIMIT ? 'int64' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** %s of an arbitrary value, as in "unknown patch type: %s". */
function goS(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (typeof v === 'number' || typeof v === 'boolean') return `%!s(${goTypeName(v)}=${goV(v)})`;
  return goV(v);
}

function errNoMergeKey(m: unknown, key: string): StrategicMergePatchError {
  return failure(`map: ${goV(m)} does not contain declared merge key: ${key}`);
}

function errBadArgType(expected: string, actual: unknown): StrategicMergePatchError {
  return failure(`expected a ${expected}, but received a ${goTypeName(actual)}`);
}

function errBadPatchType(t: unknown, m: unknown): StrategicMergePatchError {
  return failure(`unknown patch type: ${goS(t)} in map: ${goV(m)}`);
}

const MAP_TYPE = 'map[string]interface {}';
const SLICE_TYPE = '[]interface {}';

// ---------------------------------------------------------------------------------------------------------
// Schema metadata.

interface FieldMeta {
  /** The field's own node (object/map node for maps, array node for lists). */
  node: SchemaNode | undefined;
  strategy: string;
  mergeKey: string;
}

function fieldNode(schema: SchemaNode | undefined, key: string): SchemaNode | undefined {
  if (!schema) return undefined;
  if (schema.type === 'map') return schema.items();
  if (schema.type === 'object') return schema.field(key);
  return undefined;
}

function lookupMeta(schema: SchemaNode | undefined, key: string): FieldMeta {
  const node = fieldNode(schema, key);
  const strategies = node?.patchStrategy ? node.patchStrategy.split(',') : [];
  return { node, strategy: extractStrategy(strategies), mergeKey: node?.patchMergeKey ?? '' };
}

// A field may combine retainKeys with one other strategy; retainKeys itself needs no schema when applying.
function extractStrategy(strategies: string[]): string {
  switch (strategies.length) {
    case 0:
      return '';
    case 1:
      return strategies[0] === RETAIN_KEYS_STRATEGY ? '' : strategies[0]!;
    case 2:
      if (strategies[0] === RETAIN_KEYS_STRATEGY) return strategies[1]!;
      if (strategies[1] === RETAIN_KEYS_STRATEGY) return strategies[0]!;
  }
  throw failure(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

function elementSchema(node: SchemaNode | undefined): SchemaNode | undefined {
  return node?.type === 'array' ? node.items() : undefined;
}

/** What Go's reflect Kind would call the element type (used in one error message). */
function kindName(schema: SchemaNode | undefined): string {
  switch (schema?.type) {
    case 'object':
    case 'int-or-string':
    case 'quantity':
    case 'time':
      return 'struct';
    case 'map':
      return 'map';
    case 'string':
      return 'string';
    case 'integer':
      return schema.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    default:
      return 'interface';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Value helpers.

type Kind = 'map' | 'slice' | 'string' | 'int64' | 'float64' | 'bool' | 'nil';

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return Number.isInteger(v) && Math.abs(v as number) < INT64_LIMIT ? 'int64' : 'float64';
}

function get(o: JsonObject, k: string): unknown {
  return hasOwn(o, k) ? o[k] : undefined;
}

/** Go's == on interface values: different dynamic types differ, two maps (or slices) panic. */
function scalarEqual(a: unknown, b: unknown): boolean {
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return false;
  if (ka === 'map' || ka === 'slice') throw goPanic(`comparing uncomparable type ${ka === 'map' ? MAP_TYPE : SLICE_TYPE}`);
  return a === b;
}

/** Go panics when a map or slice is used as a map key; kube does that with list items in a few places. */
function requireHashable(list: readonly unknown[]): void {
  for (const v of list) {
    const k = kindOf(v);
    if (k === 'map' || k === 'slice') throw goPanic(`hash of unhashable type ${k === 'map' ? MAP_TYPE : SLICE_TYPE}`);
  }
}

function discardNulls(v: unknown): void {
  if (Array.isArray(v)) {
    for (const x of v) discardNulls(x);
  } else if (isJsonObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNulls(v[k]);
    }
  }
}

/** Drops every map that carries a $patch directive; returns [value, keep]. */
function removeDirectives(v: unknown): [unknown, boolean] {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const [nx, keep] = removeDirectives(x);
      if (keep) out.push(nx);
    }
    return [out, true];
  }
  if (isJsonObject(v)) {
    if (hasOwn(v, DIRECTIVE)) return [undefined, false];
    for (const k of Object.keys(v)) {
      const [nx, keep] = removeDirectives(v[k]);
      if (keep) setOwn(v, k, nx);
      else delete v[k];
    }
    return [v, true];
  }
  return [v, true];
}

/** Sets original[k] to a patch value that is taken whole, without merging. */
function takePatchValue(original: JsonObject, k: string, patchV: unknown): void {
  discardNulls(patchV);
  const [v, keep] = removeDirectives(patchV);
  if (keep) setOwn(original, k, v);
  else delete original[k];
}

function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST) throw badRequest(SMP_BAD_PRIMITIVE_LIST);
    throw badRequest(SMP_BAD_SET_ELEMENT_ORDER);
  }
  return s.slice(slash + 1);
}

// ---------------------------------------------------------------------------------------------------------
// Maps.

function handleDirectiveInMergeMap(directive: unknown, patch: JsonObject): JsonObject {
  if (directive === REPLACE) {
    // The replacement is used exactly as written, nested directives and nulls included.
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === DELETE) return {};
  throw errBadPatchType(directive, patch);
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRequest(SMP_BAD_RETAIN_KEYS);
  requireHashable(list);
  const keep = new Set<unknown>(list);
  for (const k of Object.keys(patch)) {
    if (patch[k] === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw badRequest(SMP_BAD_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

function mergeMap(original: JsonObject, patch: JsonObject, schema: SchemaNode | undefined): JsonObject {
  if (hasOwn(patch, DIRECTIVE)) return handleDirectiveInMergeMap(patch[DIRECTIVE], patch);
  applyRetainKeys(original, patch);
  mergeSetElementOrderLists(original, patch, schema);

  for (const patchKey of Object.keys(patch)) {
    const patchV = patch[patchKey];
    let k = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      k = extractKey(patchKey, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete original[k];
      continue;
    }
    if (!hasOwn(original, k)) {
      if (!isDeleteList) takePatchValue(original, k, patchV);
      continue;
    }
    const cur = original[k];
    const kind = kindOf(cur);
    if (kind !== kindOf(patchV)) {
      if (!isDeleteList) takePatchValue(original, k, patchV);
      continue;
    }
    if (kind === 'map') {
      const meta = lookupMeta(schema, k);
      const merged = meta.strategy === REPLACE ? (patchV as JsonObject) : mergeMap(cur as JsonObject, patchV as JsonObject, meta.node);
      setOwn(original, k, merged);
    } else if (kind === 'slice') {
      const meta = lookupMeta(schema, k);
      setOwn(original, k, mergeSliceHandler(cur as unknown[], patchV as unknown[], meta, isDeleteList));
    } else {
      takePatchValue(original, k, patchV);
    }
  }
  return original;
}

// ---------------------------------------------------------------------------------------------------------
// Lists.

// kube edits the live list in place while merging (Go slices share their backing array), and the
// $setElementOrder step afterwards reads that same array back as "the live order". LiveView replays those
// writes on a copy of the live list so the final ordering comes out as kube's does. Only the first n
// slots (the original length) are ever read back, so the array's spare capacity never matters.
class LiveView {
  readonly slots: unknown[];
  private len: number;
  private detached = false;

  constructor(original: readonly unknown[]) {
    this.slots = original.slice();
    this.len = original.length;
  }

  /** The live list lost one entry and is now `current`; the slot past its end keeps its old value. */
  removed(current: readonly unknown[]): void {
    if (this.detached) return;
    for (let i = 0; i < current.length; i++) this.slots[i] = current[i];
    this.len = current.length;
  }

  appended(v: unknown): void {
    if (this.detached) return;
    if (this.len < this.slots.length) this.slots[this.len] = v;
    this.len++;
  }

  set(i: number, v: unknown): void {
    if (!this.detached && i < this.slots.length) this.slots[i] = v;
  }

  /** The list was replaced by a new one; nothing reaches the old array any more. */
  detach(): void {
    this.detached = true;
  }
}

function mergeSliceHandler(original: unknown[], patch: unknown[], meta: FieldMeta, isDeleteList: boolean, live?: LiveView): unknown[] {
  // A deletion list applies whatever the field's strategy; any other list without merge is replaced.
  if (meta.strategy === MERGE || isDeleteList) return mergeSlice(original, patch, elementSchema(meta.node), meta.mergeKey, isDeleteList, live);
  return patch;
}

/** The common element kind of the lists, as kube checks it before merging. */
function sliceElementKind(...lists: (readonly unknown[])[]): Kind {
  let prev: Kind | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = kindOf(v);
      if (prev === undefined) {
        if (k === 'slice') throw noListOfLists();
        if (k === 'nil') throw goPanic('invalid memory address or nil pointer dereference');
        prev = k;
      } else if (prev !== k) {
        throw failure(`list element types are not identical: ${goV(lists)}`);
      }
    }
  }
  if (prev === undefined) throw failure('no elements in any of the given slices');
  return prev;
}

function findByKey(list: readonly unknown[], key: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isJsonObject(v)) throw failure(`value for key ${i} is not a map`);
    if (hasOwn(v, key) && scalarEqual(v[key], value)) return i;
  }
  return -1;
}

function mergeSlice(
  original: unknown[],
  patch: unknown[],
  schema: SchemaNode | undefined,
  mergeKey: string,
  isDeleteList: boolean,
  live?: LiveView,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  let base = original;
  let items = patch;
  let merged: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) {
      requireHashable(patch);
      requireHashable(original);
      return original.filter((v) => !patch.some((d) => scalarEqual(d, v)));
    }
    merged = dedupeScalars([...original, ...patch]);
  } else {
    if (mergeKey === '') throw failure(`cannot merge lists without merge key for ${kindName(schema)}`);
    [base, items] = applySpecialElements(original, patch, mergeKey, live);
    merged = mergeByKey(base.slice(), items, mergeKey, schema, live);
  }
  const [patchItems, serverOnly] = mergeKey === '' ? partitionScalars(merged, items) : partitionMaps(merged, items, mergeKey);
  return normalizeElementOrder(patchItems, serverOnly, items, base, mergeKey, kind);
}

// Handles elements carrying $patch: delete removes by merge key, replace makes the remaining patch
// elements the whole list, merge is refused.
function applySpecialElements(original: unknown[], patch: unknown[], mergeKey: string, live?: LiveView): [unknown[], unknown[]] {
  const base = original.slice();
  const plain: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const m = v as JsonObject;
    if (!hasOwn(m, DIRECTIVE)) {
      plain.push(v);
      continue;
    }
    const directive = m[DIRECTIVE];
    if (directive === DELETE) {
      if (!hasOwn(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
      const value = m[mergeKey];
      for (let i = findByKey(base, mergeKey, value); i >= 0; i = findByKey(base, mergeKey, value)) {
        base.splice(i, 1);
        live?.removed(base);
      }
    } else if (directive === REPLACE) {
      replace = true;
    } else if (directive === MERGE) {
      throw failure('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(directive, m);
    }
  }
  if (replace) {
    live?.detach();
    return [plain, []];
  }
  return [base, plain];
}

function mergeByKey(original: unknown[], patch: unknown[], mergeKey: string, schema: SchemaNode | undefined, live?: LiveView): unknown[] {
  for (const v of patch) {
    const m = v as JsonObject;
    if (!hasOwn(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
    const i = findByKey(original, mergeKey, m[mergeKey]);
    if (i >= 0) {
      original[i] = mergeMap(original[i] as JsonObject, m, schema);
      live?.set(i, original[i]);
    } else {
      // A new element is appended as sent, directives and nulls included, exactly as kube does.
      original.push(v);
      live?.appended(v);
    }
  }
  return original;
}

// kube's in-place de-duplication: a later duplicate is overwritten by the last element.
function dedupeScalars(s: unknown[]): unknown[] {
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (scalarEqual(s[i], s[j])) {
        s[j] = s[length];
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

function partitionScalars(list: unknown[], by: readonly unknown[]): [unknown[], unknown[]] {
  requireHashable(by);
  requireHashable(list);
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of list) (by.some((b) => scalarEqual(b, v)) ? inPatch : serverOnly).push(v);
  return [inPatch, serverOnly];
}

function partitionMaps(list: unknown[], by: readonly unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw errBadArgType(MAP_TYPE, v);
    if (!hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (findByKey(by, mergeKey, v[mergeKey]) >= 0 ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

// ---------------------------------------------------------------------------------------------------------
// Ordering. Patch items follow the order the patch asks for, server-only items keep their live order, and
// the two are interleaved by live position where both are known.

function indexIn(list: readonly unknown[], item: unknown, mergeKey: string, kind: Kind): number {
  // A missing merge key reads as nil, and kube's nil == nil holds.
  const key = (x: unknown): unknown => (kind === 'map' ? (isJsonObject(x) ? (get(x, mergeKey) ?? null) : null) : x);
  const want = key(item);
  for (let i = 0; i < list.length; i++) if (scalarEqual(want, key(list[i]))) return i;
  return -1;
}

function validateMergeKeys(mergeKey: string, ...lists: (readonly unknown[])[]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isJsonObject(item)) throw errBadArgType(MAP_TYPE, item);
      if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

function splitDeleteItems(list: readonly unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const del: unknown[] = [];
  for (const v of list) {
    if (!isJsonObject(v)) throw errBadArgType(MAP_TYPE, v);
    (hasOwn(v, DIRECTIVE) && v[DIRECTIVE] === DELETE ? del : keep).push(v);
  }
  return [keep, del];
}

// kube's comparison says "less" whenever either element is missing from `order`; that is not a consistent
// ordering, so the result depends on the sort algorithm. Small lists replay Go's insertion sort step by
// step to get the same answer; longer ones (never seen in practice) use a stable sort.
function sortByOrder(list: unknown[], order: readonly unknown[], mergeKey: string, kind: Kind): unknown[] {
  const s = list.slice();
  const idx = (x: unknown): number => indexIn(order, x, mergeKey, kind);
  const less = (a: unknown, b: unknown): boolean => {
    const ia = idx(a);
    if (ia < 0) return true;
    const ib = idx(b);
    return ib < 0 ? true : ia < ib;
  };
  if (s.length <= 20) {
    for (let i = 1; i < s.length; i++) {
      for (let j = i; j > 0 && less(s[j], s[j - 1]); j--) [s[j], s[j - 1]] = [s[j - 1], s[j]];
    }
    return s;
  }
  const rank = new Map(s.map((x) => [x, idx(x)] as const));
  return s.sort((a, b) => {
    const ra = rank.get(a)!;
    const rb = rank.get(b)!;
    return ra < 0 || rb < 0 ? 0 : ra - rb;
  });
}

function normalizeSliceOrder(list: unknown[], order: readonly unknown[], mergeKey: string, kind: Kind): unknown[] {
  let toSort = list;
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeys(mergeKey, list, order);
    [toSort, toDelete] = splitDeleteItems(list);
  }
  return [...sortByOrder(toSort, order, mergeKey, kind), ...toDelete];
}

function mergeSorted(left: unknown[], right: unknown[], serverOrder: readonly unknown[], mergeKey: string, kind: Kind): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const li = indexIn(serverOrder, left[i], mergeKey, kind);
    const ri = indexIn(serverOrder, right[j], mergeKey, kind);
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
    else out.push(right[j++]);
  }
  return out.concat(left.slice(i), right.slice(j));
}

function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: Kind,
): unknown[] {
  const p = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSorted(s, p, serverOrder, mergeKey, kind);
}

// ---------------------------------------------------------------------------------------------------------
// $setElementOrder/<list>: merges the named list now and orders it as the directive says (the directive
// outranks the patch list's own order, which outranks the live order).

function validateAgainstOrder(patchList: readonly unknown[], order: readonly unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? splitDeleteItems(patchList)[0] : patchList;
  let pi = 0;
  let si = 0;
  while (pi < items.length && si < order.length) {
    const item = items[pi];
    if (isJsonObject(item) && hasOwn(item, DIRECTIVE)) {
      pi++;
      continue;
    }
    if (keyEqual(item, order[si], mergeKey)) pi++;
    si++;
  }
  if (pi < items.length && si >= order.length) {
    throw failure(`The order in patch list:\n${goV(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goV(order)}\n`);
  }
}

function keyEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey === '') return scalarEqual(left, right);
  if (!isJsonObject(left)) throw errBadArgType(MAP_TYPE, left);
  if (!isJsonObject(right)) throw errBadArgType(MAP_TYPE, right);
  if (!hasOwn(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!hasOwn(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return scalarEqual(left[mergeKey], right[mergeKey]);
}

function mergeSetElementOrderLists(original: JsonObject, patch: JsonObject, schema: SchemaNode | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER) || !hasOwn(patch, key)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw errBadArgType(SLICE_TYPE, order);
    const listKey = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = hasOwn(original, listKey);
    const foundPatch = hasOwn(patch, listKey);
    const originalList = foundOriginal ? original[listKey] : undefined;
    const patchList = foundPatch ? patch[listKey] : undefined;
    if (foundOriginal && !Array.isArray(originalList)) throw errBadArgType(SLICE_TYPE, originalList);
    if (foundPatch && !Array.isArray(patchList)) throw errBadArgType(SLICE_TYPE, patchList);
    const origValue = (originalList as unknown[] | undefined) ?? [];
    const patchValue = (patchList as unknown[] | undefined) ?? [];
    const meta = lookupMeta(schema, listKey);
    validateAgainstOrder(patchValue, order, meta.mergeKey);

    let merged: unknown[];
    const live = new LiveView(origValue);
    if (foundOriginal && !foundPatch) merged = origValue;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchValue)[0] as unknown[];
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(origValue, patchValue, meta, false, live);
    else continue;

    const [patchItems, serverOnly] = meta.mergeKey === '' ? partitionScalars(merged, order) : partitionMaps(merged, order, meta.mergeKey);
    const kind = sliceElementKind(live.slots, patchValue);
    setOwn(original, listKey, normalizeElementOrder(patchItems, serverOnly, order, live.slots, meta.mergeKey, kind));
    delete patch[listKey];
  }
}

// ---------------------------------------------------------------------------------------------------------

/**
 * Applies a strategic merge patch to `original` and returns the result; neither argument is modified.
 * `schema` describes the object's type (e.g. the Deployment node). Throws StrategicMergePatchError.
 */
export function strategicMergePatch(original: JsonObject, patch: unknown, schema?: SchemaNode): JsonObject {
  if (patch === null) return cloneJson(original);
  if (!isJsonObject(patch)) {
    const t = Array.isArray(patch) ? 'array' : typeof patch === 'boolean' ? 'bool' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${t} into Go value of type map[string]interface {}`);
  }
  return mergeMap(cloneJson(original), cloneJson(patch), schema);
}
