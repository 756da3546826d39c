// Go renderings (%#v of kube's internal types) of the values kube-apiserver prints inside `Invalid value: ...`,
// and the error builders that take such a rendering as is, so messages read exactly like kube-apiserver's.
import { goValue } from '../fielderrors.js';
import type { FieldError } from '../types.js';
import { isObj, type Obj } from './object-helpers.js';

/** A map[string]string; anything but a map prints as the nil map (the decoder lets nothing else through). */
export function goStringMap(m: unknown): string {
  return isObj(m) ? goValue(m) : 'map[string]string(nil)';
}

/** A []string; anything but a list prints as the nil slice. */
export function goStringSlice(v: unknown): string {
  return Array.isArray(v) ? `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}` : '[]string(nil)';
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

/** A pointer field inside a %#v struct: Go prints an address we cannot know, so any stable one will do. */
export function goPointer(type: string, v: unknown): string {
  return v === undefined || v === null ? `(*${type})(nil)` : `(*${type})(0xc000a3c000)`;
}

/** Go's %q of a []string, as kube prints valid values inside some Required details. */
export function goQuotedList(values: string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

/** An Invalid error whose value text is already rendered (structs, or no value at all when `detail` is empty). */
export function invalidRaw(field: string, rendered: string, detail: string): FieldError {
  return { reason: 'FieldValueInvalid', field, message: detail ? `Invalid value: ${rendered}: ${detail}` : `Invalid value: ${rendered}` };
}

export function notSupportedRaw(field: string, rendered: string, valid: string[]): FieldError {
  const list = valid.map((v) => JSON.stringify(v)).join(', ');
  return { reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${rendered}: supported values: ${list}` };
}
