// What the apps/v1 workload kinds share: the selector-versus-template rules, the restart policy and deadline a
// controller-owned pod may carry, and the zero-value shape Go gives a status when it serializes one.
import { clone } from '../meta.js';
import type { ScaleSpec } from '../descriptor.js';
import { fieldErr } from '../fielderrors.js';
import type { FieldError, KubeObject } from '../types.js';
import { labelSelectorString } from '../printing.js';
import { labelSelectorFromObject, validateLabelSelector } from '../selectors/labels.js';
import { goLabelSelector, goStringMap, invalidRaw } from './go-render.js';
import { isObj, isZero, type Obj, selectorConvertible, semanticEqual, specOf } from './object-helpers.js';
import { validatePodTemplateSpec } from './podspec.js';

/** Scale's status.selector is the selector's string form, empty when the selector selects nothing. */
export function scaleSelector(obj: KubeObject): string {
  const sel = specOf(obj).selector;
  return selectorConvertible(sel) ? labelSelectorString(sel) : '';
}

/** `/scale` of the apps kinds: spec.replicas against status.replicas, pods picked by the label selector. */
export const REPLICAS_SCALE: ScaleSpec = { specReplicasPath: ['spec', 'replicas'], statusReplicasPath: ['status', 'replicas'], selector: scaleSelector };

// ---- selector and template ----

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

// ---- status ----

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
    else obj.metadata[k] = clone(v);
  }
}
