// The parts of a PodDisruptionBudget's status that both the disruption controller and the eviction
// subresource write: the typed view of the status, the DisruptionAllowed condition, and the pod selector.
// kube keeps the same shared pieces in component-helpers' poddisruptionbudget package.
import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import { type LabelSelector, labelSelectorFromObject } from '../selectors/labels.js';
import type { KubeObject } from '../types.js';

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const REASON_SUFFICIENT_PODS = 'SufficientPods';
export const REASON_INSUFFICIENT_PODS = 'InsufficientPods';
export const REASON_SYNC_FAILED = 'SyncFailed';

export interface PdbCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface PdbStatus {
  observedGeneration?: number;
  /** Pod name → when an eviction was approved for it (RFC 3339). */
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: PdbCondition[];
}

export interface PdbSpec {
  minAvailable?: number | string | null;
  maxUnavailable?: number | string | null;
  selector?: LabelSelectorObject | null;
  unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow' | null;
}

export function pdbSpec(pdb: KubeObject): PdbSpec {
  return (pdb.spec ?? {}) as PdbSpec;
}

/** The stored status with absent counters read as zero (Go's int32 zero values). */
export function pdbStatus(pdb: KubeObject): PdbStatus {
  const s = (pdb.status ?? {}) as Partial<PdbStatus>;
  const out: PdbStatus = {
    disruptionsAllowed: s.disruptionsAllowed ?? 0,
    currentHealthy: s.currentHealthy ?? 0,
    desiredHealthy: s.desiredHealthy ?? 0,
    expectedPods: s.expectedPods ?? 0,
  };
  if (s.observedGeneration !== undefined) out.observedGeneration = s.observedGeneration;
  if (s.disruptedPods) out.disruptedPods = { ...s.disruptedPods };
  if (s.conditions) out.conditions = s.conditions.map((c) => ({ ...c }));
  return out;
}

/** The status as Go serializes it: fields in declaration order, empty map and list left out. */
export function serializeStatus(s: PdbStatus): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.observedGeneration) out.observedGeneration = s.observedGeneration;
  if (s.disruptedPods && Object.keys(s.disruptedPods).length) out.disruptedPods = s.disruptedPods;
  out.disruptionsAllowed = s.disruptionsAllowed;
  out.currentHealthy = s.currentHealthy;
  out.desiredHealthy = s.desiredHealthy;
  out.expectedPods = s.expectedPods;
  if (s.conditions && s.conditions.length) out.conditions = s.conditions;
  return out;
}

/**
 * Sets a condition the way apimachinery's SetStatusCondition does: a new condition is appended, an existing
 * one takes the new status, reason, message and observedGeneration, and its transition time moves only when
 * the status changes.
 */
export function setCondition(conditions: PdbCondition[], next: Omit<PdbCondition, 'lastTransitionTime'>, now: string): void {
  const existing = conditions.find((c) => c.type === next.type);
  if (!existing) {
    const c: PdbCondition = { type: next.type, status: next.status, lastTransitionTime: now, reason: next.reason, message: next.message };
    if (next.observedGeneration) c.observedGeneration = next.observedGeneration;
    // Keep Go's field order in the stored JSON.
    conditions.push(reorder(c));
    return;
  }
  if (existing.status !== next.status) {
    existing.status = next.status;
    existing.lastTransitionTime = now;
  }
  existing.reason = next.reason;
  existing.message = next.message;
  if (next.observedGeneration) existing.observedGeneration = next.observedGeneration;
  else delete existing.observedGeneration;
  const i = conditions.indexOf(existing);
  conditions[i] = reorder(existing);
}

function reorder(c: PdbCondition): PdbCondition {
  const out = { type: c.type, status: c.status } as PdbCondition;
  if (c.observedGeneration) out.observedGeneration = c.observedGeneration;
  out.lastTransitionTime = c.lastTransitionTime;
  out.reason = c.reason;
  out.message = c.message;
  return out;
}

/** DisruptionAllowed follows disruptionsAllowed: True/SufficientPods above zero, else False/InsufficientPods. */
export function updateDisruptionAllowedCondition(s: PdbStatus, now: string): void {
  const conditions = (s.conditions ??= []);
  const allowed = s.disruptionsAllowed > 0;
  const cond: Omit<PdbCondition, 'lastTransitionTime'> = {
    type: DISRUPTION_ALLOWED,
    status: allowed ? 'True' : 'False',
    reason: allowed ? REASON_SUFFICIENT_PODS : REASON_INSUFFICIENT_PODS,
    message: '',
  };
  if (s.observedGeneration !== undefined) cond.observedGeneration = s.observedGeneration;
  setCondition(conditions, cond, now);
}

/** Whether the condition already says what the counters say, for the generation the status describes. */
export function conditionsAreUpToDate(pdb: KubeObject): boolean {
  const s = pdbStatus(pdb);
  const cond = s.conditions?.find((c) => c.type === DISRUPTION_ALLOWED);
  if (!cond) return false;
  if ((s.observedGeneration ?? 0) !== (pdb.metadata.generation ?? 0)) return false;
  if (s.disruptionsAllowed > 0) return cond.status === 'True' && cond.reason === REASON_SUFFICIENT_PODS;
  return cond.status === 'False' && cond.reason === REASON_INSUFFICIENT_PODS;
}

// Informer objects are frozen and replaced on change, so the compiled selector can hang off the stored one.
const compiled = new WeakMap<object, LabelSelector>();

/**
 * The budget's pod selector as the controller reads it: an empty selector selects every pod of the
 * namespace, a missing one none. Throws when the selector cannot be compiled.
 */
export function pdbSelector(pdb: KubeObject): LabelSelector {
  const sel = pdbSpec(pdb).selector;
  if (!sel) return labelSelectorFromObject(sel);
  let s = compiled.get(sel);
  if (!s) compiled.set(sel, (s = labelSelectorFromObject(sel)));
  return s;
}
