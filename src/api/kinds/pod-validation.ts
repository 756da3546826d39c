// Pod validation on create and update (kube-apiserver's ValidatePodCreate / ValidatePodUpdate).
import { clone } from '../meta.js';
import { fieldErr, key, path } from '../fielderrors.js';
import type { FieldError, KubeObject } from '../types.js';
import { deepEqualJson, dnsSubdomainName, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.js';
import { APPARMOR_PREFIX, INT32_MAX, MIRROR_POD, validatePodAnnotations, validatePodSpec, validateTolerations } from './podspec.js';
import { specDiff } from './spec-diff.js';

/** Checks shared by create and update: metadata, pod annotations, the spec, and pod-only container rules. */
export function validatePodMetadataAndSpec(pod: KubeObject): FieldError[] {
  const spec: any = pod.spec ?? {};
  const errs = validateObjectMeta(pod, true, dnsSubdomainName);
  errs.push(...validatePodAnnotations(pod.metadata?.annotations, spec, 'metadata.annotations'));
  errs.push(...validatePodSpec(spec, 'spec', { resourceIsPod: true, podName: pod.metadata?.name }));
  if (!spec.serviceAccountName) {
    (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((vol: any, vi: number) => {
      (Array.isArray(vol?.projected?.sources) ? vol.projected.sources : []).forEach((src: any, si: number) => {
        if (src?.serviceAccountToken) {
          errs.push(fieldErr.forbidden(`spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`, 'must not be specified when serviceAccountName is not set'));
        }
      });
    });
  }
  for (const list of ['containers', 'initContainers']) {
    (Array.isArray(spec[list]) ? spec[list] : []).forEach((c: any, i: number) => {
      if (typeof c?.image === 'string' && c.image !== c.image.trim()) {
        errs.push(fieldErr.invalid(`spec.${list}[${i}].image`, c.image, 'must not have leading or trailing whitespace'));
      }
    });
  }
  return errs;
}

export function validatePodCreate(pod: KubeObject): FieldError[] {
  const spec: any = pod.spec ?? {};
  const errs = validatePodMetadataAndSpec(pod);
  if (Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length > 0) {
    errs.push(fieldErr.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  }
  if (spec.nodeName && Array.isArray(spec.schedulingGates) && spec.schedulingGates.length > 0) {
    errs.push(fieldErr.forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs;
}

const UPDATABLE_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
].join(',');

export function validatePodUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  return dedupe(podUpdateErrors(pod, old));
}

// kube re-runs some checks on update (tolerations, pod annotations); its message lists each problem once.
function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = `${e.reason}\u0000${e.field}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function podUpdateErrors(pod: KubeObject, old: KubeObject): FieldError[] {
  const spec: any = pod.spec ?? {};
  const oldSpec: any = old.spec ?? {};
  const errs = validateObjectMetaUpdate(pod, old);
  errs.push(...validatePodMetadataAndSpec(pod));
  errs.push(...annotationUpdates(pod.metadata?.annotations ?? {}, old.metadata?.annotations ?? {}));

  for (const list of ['containers', 'initContainers']) {
    const now: any[] = Array.isArray(spec[list]) ? spec[list] : [];
    const before: any[] = Array.isArray(oldSpec[list]) ? oldSpec[list] : [];
    if (now.length !== before.length) {
      errs.push(fieldErr.forbidden(`spec.${list}`, 'pod updates may not add or remove containers'));
      return errs;
    }
    now.forEach((c, i) => {
      if (!c?.image) errs.push(fieldErr.required(`spec.${list}[${i}].image`));
      if (typeof c?.image === 'string' && c.image.trim() !== c.image) {
        errs.push(fieldErr.invalid(`spec.${list}[${i}].image`, c.image, 'must not have leading or trailing whitespace'));
      }
    });
  }

  const ads = spec.activeDeadlineSeconds;
  const oldAds = oldSpec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null) {
    if (typeof ads !== 'number' || ads < 0 || ads > INT32_MAX) {
      errs.push(fieldErr.invalid('spec.activeDeadlineSeconds', ads, `must be between 0 and ${INT32_MAX}, inclusive`));
      return errs;
    }
    if (typeof oldAds === 'number' && oldAds < ads) {
      errs.push(fieldErr.invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (oldAds !== undefined && oldAds !== null) {
    errs.push(fieldErr.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }

  errs.push(...onlyAddedTolerations(spec.tolerations, oldSpec.tolerations));
  errs.push(...onlyDeletedSchedulingGates(spec.schedulingGates, oldSpec.schedulingGates));

  if (equalIgnoringEmpty(spec, oldSpec)) return errs;
  const munged = mungeUpdatableFields(spec, oldSpec, errs);
  if (!equalIgnoringEmpty(munged, oldSpec)) {
    errs.push(fieldErr.forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_FIELDS}\n${specDiff('core.PodSpec', oldSpec, munged)}`));
  }
  return errs;
}

// Puts the old values back into the fields an update may change, so whatever still differs is forbidden.
function mungeUpdatableFields(spec: any, oldSpec: any, errs: FieldError[]): any {
  const m = clone(spec);
  for (const list of ['containers', 'initContainers']) {
    if (!Array.isArray(m[list])) continue;
    m[list].forEach((c: any, i: number) => {
      if (c && typeof c === 'object') {
        if (oldSpec[list]?.[i]?.image === undefined) delete c.image;
        else c.image = oldSpec[list][i].image;
      }
    });
  }
  setOrDelete(m, 'activeDeadlineSeconds', oldSpec.activeDeadlineSeconds);
  setOrDelete(m, 'schedulingGates', oldSpec.schedulingGates);
  setOrDelete(m, 'tolerations', oldSpec.tolerations);
  if (typeof oldSpec.terminationGracePeriodSeconds === 'number' && oldSpec.terminationGracePeriodSeconds < 0 && m.terminationGracePeriodSeconds === 1) {
    m.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  // A pod still held by scheduling gates may gain node selector entries (but not lose or change them).
  if (Array.isArray(oldSpec.schedulingGates) && oldSpec.schedulingGates.length > 0 && !equalIgnoringEmpty(m.nodeSelector, oldSpec.nodeSelector)) {
    const before: Record<string, string> = oldSpec.nodeSelector ?? {};
    const after: Record<string, string> = m.nodeSelector ?? {};
    for (const [k, v] of Object.entries(before)) {
      if (after[k] !== v) errs.push(fieldErr.invalid(key('spec.nodeSelector', k), after[k] ?? null, 'field is immutable'));
    }
    setOrDelete(m, 'nodeSelector', oldSpec.nodeSelector);
  }
  return m;
}

function setOrDelete(obj: any, k: string, v: unknown): void {
  if (v === undefined) delete obj[k];
  else obj[k] = clone(v);
}

// Go's semantic equality treats nil and empty slices/maps alike; JSON needs the same leniency.
function pruneEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.map(pruneEmpty);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = pruneEmpty(x);
      if (p !== undefined && p !== null) out[k] = p;
    }
    return out;
  }
  return v;
}

// Not object-helpers' semanticEqual: only empty lists and nulls vanish here; 0, false and "" still count as set.
function equalIgnoringEmpty(a: unknown, b: unknown): boolean {
  return deepEqualJson(pruneEmpty(a ?? {}), pruneEmpty(b ?? {}));
}

function onlyAddedTolerations(now: unknown, before: unknown): FieldError[] {
  const newList: any[] = Array.isArray(now) ? now : [];
  for (const o of Array.isArray(before) ? before : []) {
    const found = newList.some((n) => {
      const a = { ...o, tolerationSeconds: undefined };
      const b = { ...n, tolerationSeconds: undefined };
      return equalIgnoringEmpty(a, b);
    });
    if (!found) return [fieldErr.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(newList, 'spec.tolerations');
}

function onlyDeletedSchedulingGates(now: unknown, before: unknown): FieldError[] {
  const newGates: any[] = Array.isArray(now) ? now : [];
  if (newGates.length === 0) return [];
  const oldNames = new Set((Array.isArray(before) ? before : []).map((g: any) => g?.name));
  const errs: FieldError[] = [];
  newGates.forEach((g, i) => {
    if (!oldNames.has(g?.name)) {
      errs.push(fieldErr.forbidden(path(`spec.schedulingGates[${i}]`, 'name'), `only deletion is allowed, but found new scheduling gate '${g?.name}'`));
    }
  });
  return errs;
}

function annotationUpdates(now: Record<string, string>, before: Record<string, string>): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(before)) {
    if (k in now && now[k] === v) continue;
    if (k.startsWith(APPARMOR_PREFIX)) errs.push(fieldErr.forbidden(key('metadata.annotations', k), 'may not remove or update AppArmor annotations'));
    if (k === MIRROR_POD) errs.push(fieldErr.forbidden(key('metadata.annotations', k), 'may not remove or update mirror pod annotation'));
  }
  for (const k of Object.keys(now)) {
    if (k in before) continue;
    if (k.startsWith(APPARMOR_PREFIX)) errs.push(fieldErr.forbidden(key('metadata.annotations', k), 'may not add AppArmor annotations'));
    if (k === MIRROR_POD) errs.push(fieldErr.forbidden(key('metadata.annotations', k), 'may not add mirror pod annotation'));
  }
  return errs;
}
