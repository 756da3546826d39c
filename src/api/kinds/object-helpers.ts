// Loose access to decoded objects. Defaulting and validation run on whatever the client sent, so nothing here
// throws on a missing or malformed value: it reads as empty instead, and the validators report it.
import { labelSelectorFromObject } from '../selectors/labels.js';
import type { KubeObject } from '../types.js';

export type Obj = Record<string, any>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object under `key`, created when missing or null (Go decodes a struct value there either way). */
export function ensureObj(parent: Obj, key: string): Obj {
  if (!isObj(parent[key])) parent[key] = {};
  return parent[key] as Obj;
}

export function specOf(obj: KubeObject): Obj {
  return isObj(obj.spec) ? obj.spec : {};
}

export function statusOf(obj: KubeObject): Obj {
  return isObj(obj.status) ? obj.status : {};
}

export function arrayOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Go leaves omitempty fields out when they hold their zero value, so a stored `paused: false` never shows. */
export function dropZeroFields(o: Obj, keys: string[]): void {
  for (const k of keys) if (o[k] === 0 || o[k] === false || o[k] === null) delete o[k];
}

/** Go's zero value as decoded JSON shows it: absent, null, "", 0, false, or an empty list or map. */
export function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObj(v) && Object.keys(v).length === 0;
}

/** apimachinery's semantic equality on decoded JSON: an absent field equals its zero value, nil equals empty. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isZero(a) && isZero(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

type SelectorObject = Parameters<typeof labelSelectorFromObject>[0];

/** Whether a LabelSelector object matches `labels`; undefined when the selector cannot be converted. */
export function selectorMatches(sel: unknown, labels: Record<string, string>): boolean | undefined {
  try {
    return labelSelectorFromObject(isObj(sel) ? (sel as SelectorObject) : null).matches(labels);
  } catch {
    return undefined;
  }
}

/** A missing selector converts to "select nothing"; only a malformed one fails to convert. */
export function selectorConvertible(sel: unknown): boolean {
  try {
    labelSelectorFromObject(isObj(sel) ? (sel as SelectorObject) : null);
    return true;
  } catch {
    return false;
  }
}
