// What the apps/v1 workload kinds share: the selector-versus-template rules, the restart policy and deadline a
// controller-owned pod may carry, int-or-percent fields, Go-style renderings of the values kube-apiserver prints
// inside `Invalid value: ...`, and the zero-value shape Go gives a status when it serializes one.
import { fieldErr, goValue } from '../fielderrors.js';
import type { SubresourceDescriptor } from '../descriptor.js';
import type { FieldError, KubeObject } from '../types.js';
import { labelSelectorString } from '../printing.js';
import { labelSelectorFromObject, validateLabelSelector } from '../selectors/labels.js';
import { validatePodTemplateSpec } from './podspec.js';

export type Obj = Record<string, any>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object under `key`, created when missing or null (Go decodes a struct value there either way). */
export function ensureObj(parent: Obj, key: string): Obj {
  if (!isObj(parent[key])) parent[key] = {};
  return parent[key] as Obj;
}

/** Go leaves omitempty fields out when they hold their zero value, so a stored `paused: false` never shows. */
export function dropZeroFields(o: Obj, keys: string[]): void {
  for (const k of keys) if (o[k] === 0 || o[k] === false || o[k] === null) delete o[k];
}

export function specOf(obj: KubeObject): Obj {
  return isObj(obj.spec) ? obj.spec : {};
}

// ---- descriptor pieces every workload kind repeats ----

export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const statusSubresource: SubresourceDescriptor = { name: 'status', verbs: ['get', 'patch', 'update'] };
export const scaleSubresource: SubresourceDescriptor = {
  name: 'scale',
  group: 'autoscaling',
  version: 'v1',
  kind: 'Scale',
  verbs: ['get', 'patch', 'update'],
};

/** Scale's status.selector is the selector's string form, empty when the selector selects nothing. */
export function scaleSelector(obj: KubeObject): string {
  const sel = specOf(obj).selector;
  return selectorConvertible(sel) ? labelSelectorString(sel) : '';
}

// ---- Go renderings (%#v of the internal types), so messages read exactly like kube-apiserver's ----

export function goStringMap(m: unknown): string {
  return m === undefined || m === null ? 'map[string]string(nil)' : goValue(m);
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
  const n = typeof v === 'number' ? Math.trunc(v) : 0;
  return `intstr.IntOrString{Type:0, IntVal:${n}, StrVal:""}`;
}

/** A pointer field inside a %#v struct: Go prints an address we cannot know, so any stable one will do. */
export function goPointer(type: string, v: unknown): string {
  return v === undefined || v === null ? `(*${type})(nil)` : `(*${type})(0xc000a3c000)`;
}

export function invalidRaw(field: string, rendered: string, detail: string): FieldError {
  return { reason: 'FieldValueInvalid', field, message: detail ? `Invalid value: ${rendered}: ${detail}` : `Invalid value: ${rendered}` };
}

export function notSupportedRaw(field: string, rendered: string, valid: string[]): FieldError {
  const list = valid.map((v) => JSON.stringify(v)).join(', ');
  return { reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${rendered}: supported values: ${list}` };
}

// ---- int-or-percent (maxSurge, maxUnavailable) ----

const PERCENT_RE = /^[0-9]+%$/;
const PERCENT_MSG =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

function percentOf(v: unknown): number | undefined {
  return typeof v === 'string' && PERCENT_RE.test(v) ? Number.parseInt(v.slice(0, -1), 10) : undefined;
}

/** The number kube compares against zero: a percent's digits, an int, or a numeric string read as an int. */
export function intOrPercentValue(v: unknown): number {
  const p = percentOf(v);
  if (p !== undefined) return p;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return Number.parseInt(v, 10);
  return 0;
}

export function validateIntOrPercent(v: unknown, fld: string): FieldError[] {
  if (typeof v === 'string') return PERCENT_RE.test(v) ? [] : [invalidRaw(fld, goIntOrString(v), PERCENT_MSG)];
  if (typeof v === 'number' && v < 0) return [fieldErr.invalid(fld, Math.trunc(v), 'must be greater than or equal to 0')];
  return [];
}

export function notMoreThan100Percent(v: unknown, fld: string): FieldError[] {
  const p = percentOf(v);
  return p !== undefined && p > 100 ? [invalidRaw(fld, goIntOrString(v), 'must not be greater than 100%')] : [];
}

// ---- selector and template ----

/** A missing selector converts to "select nothing"; only a malformed one fails to convert. */
export function selectorConvertible(sel: unknown): boolean {
  try {
    labelSelectorFromObject(isObj(sel) ? sel : null);
    return true;
  } catch {
    return false;
  }
}

export function isEmptySelector(sel: unknown): boolean {
  if (!isObj(sel)) return false;
  const labels = isObj(sel.matchLabels) ? Object.keys(sel.matchLabels).length : 0;
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0;
  return labels + exprs === 0;
}

/** `spec.selector: Required value`, the selector's own syntax errors, and the empty-selector refusal. */
export function requiredSelectorErrors(sel: unknown, kindWord: string): FieldError[] {
  if (sel === undefined || sel === null) return [fieldErr.required('spec.selector')];
  return [...validateLabelSelector(sel as Obj, 'spec.selector'), ...emptySelectorErrors(sel, kindWord)];
}

export function emptySelectorErrors(sel: unknown, kindWord: string): FieldError[] {
  return isEmptySelector(sel) ? [invalidRaw('spec.selector', goLabelSelector(sel), `empty selector is invalid for ${kindWord}`)] : [];
}

/** An empty selector matches everything and is refused elsewhere; a missing one matches nothing. */
export function templateMatchErrors(sel: unknown, tpl: unknown): FieldError[] {
  if (isEmptySelector(sel)) return [];
  const labels = isObj(tpl) && isObj(tpl.metadata) ? tpl.metadata.labels : undefined;
  const matches = labelSelectorFromObject(isObj(sel) ? sel : null).matches(isObj(labels) ? labels : {});
  if (matches) return [];
  return [invalidRaw('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`')];
}

/** Controllers keep their pods running forever, so only restartPolicy Always and no deadline make sense. */
export function restartAndDeadlineErrors(tpl: unknown, kindWord: string): FieldError[] {
  const podSpec = isObj(tpl) && isObj(tpl.spec) ? tpl.spec : {};
  const errs: FieldError[] = [];
  if (podSpec.restartPolicy !== 'Always') {
    errs.push(fieldErr.notSupported('spec.template.spec.restartPolicy', podSpec.restartPolicy ?? '', ['Always']));
  }
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(fieldErr.forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${kindWord} is not Supported`));
  }
  return errs;
}

/** Deployment and ReplicaSet share kube's ReplicaSet template rules, wording included ("for deployment"). */
export function replicaSetTemplateErrors(spec: Obj): FieldError[] {
  const sel = spec.selector;
  const errs = requiredSelectorErrors(sel, 'deployment');
  // A selector that cannot be built leaves nothing to check the template against.
  if (!selectorConvertible(sel)) return [...errs, invalidRaw('spec.selector', goLabelSelector(sel), 'invalid label selector')];
  errs.push(...templateMatchErrors(sel, spec.template));
  errs.push(...validatePodTemplateSpec(isObj(spec.template) ? spec.template : {}, 'spec.template'));
  errs.push(...restartAndDeadlineErrors(spec.template, 'ReplicaSet'));
  return errs;
}

export function immutableSelectorErrors(sel: unknown, oldSel: unknown): FieldError[] {
  return semanticEqual(sel, oldSel) ? [] : [invalidRaw('spec.selector', goLabelSelector(sel), 'field is immutable')];
}

// ---- Go's notion of equality and zero values ----

function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObj(v) && Object.keys(v).length === 0;
}

/** apimachinery's semantic equality on decoded JSON: an absent field equals its zero value, nil equals empty. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isZero(a) && isZero(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

/** A status as Go serializes it: non-omitempty counters always present, omitempty zero fields dropped. */
export function goStatus(status: unknown, always: string[], omitEmpty: string[]): Obj {
  const out: Obj = isObj(status) ? { ...status } : {};
  for (const k of always) if (typeof out[k] !== 'number') out[k] = 0;
  for (const k of omitEmpty) if (isZero(out[k])) delete out[k];
  return out;
}

/** Status writes through the subresource take these metadata maps from the request, as kube's status strategies do. */
export function copyRequestMetadata(obj: KubeObject, request: KubeObject, keys: Array<'labels' | 'annotations'>): void {
  for (const k of keys) {
    const v = request.metadata?.[k];
    if (v === undefined) delete obj.metadata[k];
    else obj.metadata[k] = structuredClone(v);
  }
}
