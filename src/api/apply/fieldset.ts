// Field sets as server-side apply tracks them, kept directly in their FieldsV1 wire form so a stored
// managedFields entry needs no parsing: a node maps path elements to child nodes. Path elements are
// `f:<field>` (a struct field or map key), `k:<json>` (a list-map element by its key fields),
// `v:<json>` (a set element) and `i:<n>` (an element by index). A child node `{}` is a member with no
// children; a child with children is a member only when it holds the `.` key. The top-level node is
// never a member itself.
//
// Sets are treated as immutable: operations build new nodes and return an operand unchanged (the same
// reference) where nothing changes, so untouched managedFields entries are reused as they are.
import type { SchemaNode } from '../schema/types.js';

export interface FieldSet {
  [element: string]: FieldSet;
}

export const SELF = '.';
const EMPTY: FieldSet = Object.freeze({}) as FieldSet;

export function emptySet(): FieldSet {
  return {};
}

function rank(k: string): number {
  if (k === SELF) return 0;
  switch (k.charCodeAt(0)) {
    case 102: // f
      return 1;
    case 107: // k
      return 2;
    case 118: // v
      return 3;
    default:
      return 4;
  }
}

/** The order structured-merge-diff serializes elements in: `.`, fields, keys, values, indexes. */
export function compareElements(a: string, b: string): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 4) return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  if (keys.length > 1) keys.sort(compareElements);
  return keys;
}

/** Whether a child node is itself a member of the set. */
export function isMember(node: FieldSet): boolean {
  for (const k in node) return k === SELF || Object.hasOwn(node, SELF);
  return true;
}

function hasChildren(node: FieldSet): boolean {
  for (const k in node) if (k !== SELF) return true;
  return false;
}

/** Whether the set (a top-level node, or a node's children) has no members. */
export function isEmpty(set: FieldSet): boolean {
  return !hasChildren(set);
}

function build(member: boolean, children: FieldSet | undefined): FieldSet | undefined {
  const has = children !== undefined && hasChildren(children);
  if (!has) return member ? {} : undefined;
  if (!member) return children;
  const out: FieldSet = { [SELF]: {} };
  for (const k in children) if (k !== SELF) out[k] = children[k] as FieldSet;
  return out;
}

function childrenOf(node: FieldSet): FieldSet {
  if (!Object.hasOwn(node, SELF)) return node;
  const out: FieldSet = {};
  for (const k in node) if (k !== SELF) out[k] = node[k] as FieldSet;
  return out;
}

/** a ∪ b (top-level nodes). */
export function union(a: FieldSet, b: FieldSet): FieldSet {
  if (isEmpty(b)) return a;
  if (isEmpty(a)) return b;
  return unionChildren(a, b);
}

function unionChildren(a: FieldSet, b: FieldSet): FieldSet {
  const keys = new Set<string>();
  for (const k in a) if (k !== SELF) keys.add(k);
  for (const k in b) if (k !== SELF) keys.add(k);
  const out: FieldSet = {};
  let same = true;
  for (const k of [...keys].sort(compareElements)) {
    const x = a[k];
    const y = b[k];
    let node: FieldSet;
    if (x === undefined) node = y as FieldSet;
    else if (y === undefined) node = x;
    else node = unionNodes(x, y);
    if (node !== x) same = false;
    out[k] = node;
  }
  return same && keys.size === countChildren(a) ? a : out;
}

function countChildren(a: FieldSet): number {
  let n = 0;
  for (const k in a) if (k !== SELF) n++;
  return n;
}

function unionNodes(x: FieldSet, y: FieldSet): FieldSet {
  if (x === y) return x;
  const member = isMember(x) || isMember(y);
  const cx = childrenOf(x);
  const cy = childrenOf(y);
  const children = hasChildren(cy) ? (hasChildren(cx) ? unionChildren(cx, cy) : cy) : cx;
  const out = build(member, children) as FieldSet;
  return deepSame(out, x) ? x : out;
}

function deepSame(a: FieldSet, b: FieldSet): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const y = b[k];
    if (y === undefined || !deepSame(a[k] as FieldSet, y)) return false;
  }
  return true;
}

/** a \ b: members of a that are not members of b (top-level nodes). Returns a itself when nothing is removed. */
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  if (isEmpty(a) || isEmpty(b)) return a;
  return differenceChildren(a, b) ?? {};
}

function differenceChildren(a: FieldSet, b: FieldSet): FieldSet | undefined {
  let out: FieldSet | undefined;
  let changed = false;
  const kept: Array<[string, FieldSet]> = [];
  for (const k in a) {
    if (k === SELF) continue;
    const x = a[k] as FieldSet;
    const y = b[k];
    if (y === undefined) {
      kept.push([k, x]);
      continue;
    }
    const member = isMember(x) && !isMember(y);
    const cx = childrenOf(x);
    const rest = hasChildren(cx) && hasChildren(y) ? differenceChildren(cx, childrenOf(y)) : cx;
    const node = build(member, rest);
    if (node === undefined) {
      changed = true;
      continue;
    }
    if (!deepSame(node, x)) changed = true;
    kept.push([k, deepSame(node, x) ? x : node]);
  }
  if (!changed) return a;
  if (kept.length === 0) return undefined;
  out = {};
  for (const [k, v] of kept) out[k] = v;
  return out;
}

/** a ∩ b (top-level nodes). */
export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  if (isEmpty(a) || isEmpty(b)) return {};
  return intersectChildren(a, b) ?? {};
}

function intersectChildren(a: FieldSet, b: FieldSet): FieldSet | undefined {
  let out: FieldSet | undefined;
  for (const k of sortedKeys(a)) {
    if (k === SELF) continue;
    const y = b[k];
    if (y === undefined) continue;
    const x = a[k] as FieldSet;
    const member = isMember(x) && isMember(y);
    const cx = childrenOf(x);
    const cy = childrenOf(y);
    const children = hasChildren(cx) && hasChildren(cy) ? intersectChildren(cx, cy) : undefined;
    const node = build(member, children);
    if (node !== undefined) (out ??= {})[k] = node;
  }
  return out;
}

/** A set with every element sorted (after building one in arbitrary order). */
export function normalize(set: FieldSet): FieldSet {
  const out: FieldSet = {};
  for (const k of sortedKeys(set)) out[k] = normalize(set[k] as FieldSet);
  return out;
}

/** The member paths of a set as element lists, in set order. */
export function members(set: FieldSet): string[][] {
  const out: string[][] = [];
  const walk = (node: FieldSet, path: string[]) => {
    for (const k of sortedKeys(node)) {
      if (k === SELF) continue;
      const child = node[k] as FieldSet;
      const p = [...path, k];
      if (isMember(child)) out.push(p);
      walk(child, p);
    }
  };
  walk(set, []);
  return out;
}

/** A path as structured-merge-diff prints it: `.spec.replicas`, `.spec.containers[name="nginx"].image`. */
export function pathString(path: readonly string[]): string {
  let s = '';
  for (const el of path) {
    const body = el.slice(2);
    switch (el[0]) {
      case 'f':
        s += `.${body}`;
        break;
      case 'k': {
        const key = JSON.parse(body) as Record<string, unknown>;
        s += `[${Object.keys(key)
          .sort()
          .map((k) => `${k}=${JSON.stringify(key[k])}`)
          .join(',')}]`;
        break;
      }
      case 'v':
        s += `[=${body}]`;
        break;
      default:
        s += `[${body}]`;
    }
  }
  return s;
}

/** Builds a set from member paths (tests and conversions). */
export function setOf(paths: ReadonlyArray<readonly string[]>): FieldSet {
  let set: FieldSet = {};
  for (const p of paths) {
    let node: FieldSet = {};
    for (let i = p.length - 1; i >= 0; i--) node = { [p[i] as string]: node };
    set = union(set, node);
  }
  return set;
}

// ---- walking objects with their schema ----

type Json = unknown;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Whether server-side apply treats a value at this schema node as one unit (a leaf). */
export function isAtomic(node: SchemaNode | undefined, value: Json): boolean {
  if (!node) return true;
  switch (node.type) {
    case 'object':
    case 'map':
      return node.mapType === 'atomic' || !isObject(value);
    case 'array':
      return (node.listType !== 'map' && node.listType !== 'set') || !Array.isArray(value);
    default:
      return true;
  }
}

/** Default values of list-map key fields that may be left out (Kubernetes' schemas default them). */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

/** The path element of a list item, or undefined when the list has no usable key for it. */
export function itemElement(list: SchemaNode, item: Json, index: number): string {
  if (list.listType === 'set') return `v:${JSON.stringify(item)}`;
  const keys = list.listMapKeys ?? [];
  if (isObject(item) && keys.length) {
    const key: Record<string, unknown> = {};
    let n = 0;
    for (const k of [...keys].sort()) {
      const v = item[k] ?? KEY_DEFAULTS[k];
      if (v === undefined || v === null) continue;
      key[k] = v;
      n++;
    }
    if (n) return `k:${JSON.stringify(key)}`;
  }
  return `i:${index}`;
}

function childNode(parent: SchemaNode | undefined, key: string): SchemaNode | undefined {
  if (!parent) return undefined;
  if (parent.type === 'object') return parent.field(key);
  if (parent.type === 'map') return parent.items();
  return undefined;
}

/** Whether a map entry's path is a member by itself (not only through its children). */
function entryIsMember(parent: SchemaNode | undefined, child: SchemaNode | undefined, value: Json): boolean {
  if (value === null || isAtomic(child, value)) return true;
  if (isObject(value) && Object.keys(value).length === 0) return true;
  // Keys of a map (as opposed to fields of a struct) are members themselves.
  return !parent || parent.type !== 'object' || !child;
}

/** The fields a value sets, under a node (its children only). */
function fieldsOfChildren(value: Json, node: SchemaNode | undefined): FieldSet | undefined {
  if (isAtomic(node, value)) return undefined;
  let out: FieldSet | undefined;
  if (Array.isArray(value)) {
    const elem = (node as SchemaNode).items();
    value.forEach((item, i) => {
      const el = itemElement(node as SchemaNode, item, i);
      const children = fieldsOfChildren(item, elem);
      (out ??= {})[el] = build(true, children) as FieldSet;
    });
    return out;
  }
  for (const key in value as Record<string, unknown>) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const child = childNode(node, key);
    const children = fieldsOfChildren(v, child);
    const n = build(entryIsMember(node, child, v), children);
    if (n) (out ??= {})[`f:${key}`] = n;
  }
  return out;
}

/** The set of fields an object sets (ToFieldSet), before stripping server-owned fields. */
export function fieldsOf(value: Json, schema: SchemaNode | undefined): FieldSet {
  return normalize(fieldsOfChildren(value, schema) ?? {});
}

export interface Comparison {
  /** Added or modified members. */
  changed: FieldSet;
  removed: FieldSet;
}

/** Compares two values under a schema: which member paths were added or modified, and which were removed. */
export function compare(oldValue: Json, newValue: Json, schema: SchemaNode | undefined): Comparison {
  const changed: FieldSet = {};
  const removed: FieldSet = {};
  diffChildren(oldValue, newValue, schema, changed, removed);
  return { changed: normalize(changed), removed: normalize(removed) };
}

function put(target: FieldSet, el: string, node: FieldSet | undefined): void {
  if (node !== undefined) target[el] = node;
}

function diffEntry(
  el: string,
  a: Json,
  b: Json,
  node: SchemaNode | undefined,
  member: (v: Json) => boolean,
  changed: FieldSet,
  removed: FieldSet,
): void {
  if (a === b) return;
  if (a === undefined) {
    put(changed, el, build(member(b), fieldsOfChildren(b, node)));
    return;
  }
  if (b === undefined) {
    put(removed, el, build(member(a), fieldsOfChildren(a, node)));
    return;
  }
  const atomicA = isAtomic(node, a);
  const atomicB = isAtomic(node, b);
  if (atomicA || atomicB) {
    if (atomicA && atomicB) {
      if (!jsonEqual(a, b)) changed[el] = {};
      return;
    }
    // The shape changed (e.g. null became a map): everything under the old value went, the new came.
    put(removed, el, build(member(a), fieldsOfChildren(a, node)));
    put(changed, el, build(member(b), fieldsOfChildren(b, node)));
    return;
  }
  const c: FieldSet = {};
  const r: FieldSet = {};
  diffChildren(a, b, node, c, r);
  const ma = member(a);
  const mb = member(b);
  put(changed, el, build(mb && !ma, c));
  put(removed, el, build(ma && !mb, r));
}

function diffChildren(a: Json, b: Json, node: SchemaNode | undefined, changed: FieldSet, removed: FieldSet): void {
  if (a === b) return;
  if (Array.isArray(a) || Array.isArray(b)) {
    const list = node as SchemaNode;
    const elem = list.items();
    const left = new Map<string, Json>();
    (Array.isArray(a) ? a : []).forEach((item, i) => left.set(itemElement(list, item, i), item));
    const seen = new Set<string>();
    const always = () => true;
    (Array.isArray(b) ? b : []).forEach((item, i) => {
      const el = itemElement(list, item, i);
      seen.add(el);
      diffEntry(el, left.get(el), item, elem, always, changed, removed);
    });
    for (const [el, item] of left) if (!seen.has(el)) diffEntry(el, item, undefined, elem, always, changed, removed);
    return;
  }
  const ao = isObject(a) ? a : {};
  const bo = isObject(b) ? b : {};
  for (const key in bo) {
    const child = childNode(node, key);
    diffEntry(`f:${key}`, ao[key], bo[key], child, (v) => entryIsMember(node, child, v), changed, removed);
  }
  for (const key in ao) {
    if (Object.hasOwn(bo, key) && bo[key] !== undefined) continue;
    const child = childNode(node, key);
    diffEntry(`f:${key}`, ao[key], undefined, child, (v) => entryIsMember(node, child, v), changed, removed);
  }
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let n = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    n++;
    if (!jsonEqual(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (bo[k] !== undefined) n--;
  return n === 0;
}

export { EMPTY as EMPTY_SET };
