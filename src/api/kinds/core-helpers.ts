// Small pieces the core, batch, storage and networking kinds share: loose object access, the standard verb
// list, Go-flavoured renderings of values inside `Invalid value: ...`, and selector matching that never throws.
import type { SubresourceDescriptor } from '../descriptor.js';
import { goValue } from '../fielderrors.js';
import { labelSelectorFromObject } from '../selectors/labels.js';
import type { FieldError, KubeObject } from '../types.js';

export type Obj = Record<string, any>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object under `key`, created when missing or null, so defaulting can fill it. */
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

export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const STATUS_SUBRESOURCE: SubresourceDescriptor = { name: 'status', verbs: ['get', 'patch', 'update'] };

export function goStringMap(m: unknown): string {
  return isObj(m) ? goValue(m) : 'map[string]string(nil)';
}

function goStringSlice(v: unknown): string {
  return Array.isArray(v) ? goValue(v) : '[]string(nil)';
}

export function goLabelSelector(sel: unknown): string {
  if (!isObj(sel)) return 'null';
  const exprs = Array.isArray(sel.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions
        .map((e: Obj) => `v1.LabelSelectorRequirement{Key:${goValue(e?.key ?? '')}, Operator:${goValue(e?.operator ?? '')}, Values:${goStringSlice(e?.values)}}`)
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`;
}

export function goIntOrString(v: unknown): string {
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goValue(v)}}`;
  return `intstr.IntOrString{Type:0, IntVal:${typeof v === 'number' ? Math.trunc(v) : 0}, StrVal:""}`;
}

/** An Invalid error whose value text is already rendered (structs, or no value at all when `detail` is empty). */
export function invalidRaw(field: string, rendered: string, detail: string): FieldError {
  return { reason: 'FieldValueInvalid', field, message: detail ? `Invalid value: ${rendered}: ${detail}` : `Invalid value: ${rendered}` };
}

/** Go's %q of a []string, as kube prints valid values inside some Required details. */
export function goQuotedList(values: string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObj(v) && Object.keys(v).length === 0;
}

/** apimachinery's semantic equality on decoded JSON: an absent field equals its zero value. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isZero(a) && isZero(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

/** Whether a LabelSelector object matches `labels`; undefined when the selector cannot be converted. */
export function selectorMatches(sel: unknown, labels: Record<string, string>): boolean | undefined {
  try {
    return labelSelectorFromObject(isObj(sel) ? (sel as Parameters<typeof labelSelectorFromObject>[0]) : null).matches(labels);
  } catch {
    return undefined;
  }
}
