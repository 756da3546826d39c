// The arithmetic of a disruption budget, free of I/O: how many pods the budget expects (from the scale of
// the pods' controllers, or simply the pods found when minAvailable is a number), how many must stay healthy,
// which approved evictions are still pending, how many pods count as healthy, and the status that results.
import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/types.js';
import { pdbSpec, type PdbStatus } from '../../api/kinds/poddisruptionbudget-status.js';
import { isPodReady } from '../runtime/pods.js';

/** After an eviction is approved, the pod has this long to start terminating before the budget counts it again. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

/** A pod's controller resolved to the object that sets its scale: uid and desired replicas. */
export interface ControllerScale {
  uid: string;
  scale: number;
}

/**
 * Finds the scale behind a pod's controller reference. Returns undefined when no known controller matches
 * (deleted, or a different uid); throws when the reference names something that has no scale at all.
 */
export type ScaleFinder = (pod: KubeObject) => ControllerScale | undefined;

/**
 * intstr.GetScaledValueFromIntOrPercent: a number as is, or a percentage of `total`, rounded up when
 * `roundUp` (which the disruption controller always asks for). A string that is not a percentage is an error.
 */
export function scaledValue(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const digits = v.slice(0, -1);
  if (!/^[+-]?\d+$/.test(digits)) throw new Error(`invalid value for IntOrString: invalid value "${v}": strconv.Atoi: parsing "${digits}": invalid syntax`);
  const exact = (Number.parseInt(digits, 10) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export interface ExpectedScale {
  expected: number;
  /** Names of selected pods without a controller: they cannot be weighed against a scale. */
  unmanaged: string[];
}

/**
 * The sum of the scales of the controllers of the selected pods, each controller counted once. A pod
 * without a controller is noted as unmanaged and skipped; a pod whose controller cannot be found fails the
 * whole computation.
 */
export function expectedScale(pods: readonly KubeObject[], find: ScaleFinder, controllerUid: (pod: KubeObject) => string | undefined): ExpectedScale {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const uid = controllerUid(pod);
    if (uid === undefined) {
      unmanaged.push(pod.metadata.name ?? '');
      continue;
    }
    if (scales.has(uid)) continue;
    const found = find(pod);
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata.name ?? '')}`);
    scales.set(found.uid, found.scale);
  }
  let expected = 0;
  for (const n of scales.values()) expected += n;
  return { expected, unmanaged };
}

export interface ExpectedCount extends ExpectedScale {
  desiredHealthy: number;
}

/**
 * expectedPods and desiredHealthy for a budget. maxUnavailable and a percentage minAvailable are measured
 * against the controllers' scale; an integer minAvailable needs no controller and expects the pods found.
 */
export function expectedCount(pdb: KubeObject, pods: readonly KubeObject[], scaleOf: () => ExpectedScale): ExpectedCount {
  const spec = pdbSpec(pdb);
  if (spec.maxUnavailable != null) {
    const s = scaleOf();
    const maxUnavailable = scaledValue(spec.maxUnavailable, s.expected, true);
    return { ...s, desiredHealthy: Math.max(0, s.expected - maxUnavailable) };
  }
  if (spec.minAvailable != null) {
    if (typeof spec.minAvailable === 'number') return { expected: pods.length, unmanaged: [], desiredHealthy: spec.minAvailable };
    const s = scaleOf();
    return { ...s, desiredHealthy: scaledValue(spec.minAvailable, s.expected, true) };
  }
  // A budget with neither field (policy/v1 does not default one) protects nothing.
  return { expected: 0, unmanaged: [], desiredHealthy: 0 };
}

export interface DisruptedPods {
  /** Approved evictions still within their deletion timeout. */
  pending: Record<string, string>;
  /** The earliest moment one of them expires: when to look again. */
  recheckAt?: number;
  /** Pods whose eviction was approved but which were never deleted. */
  expired: KubeObject[];
}

/**
 * Rebuilds status.disruptedPods: entries for pods that are gone, already terminating, or no longer selected
 * drop out, and so do entries older than the deletion timeout (those pods count again).
 */
export function disruptedPods(pods: readonly KubeObject[], recorded: Readonly<Record<string, string>> | undefined, now: number): DisruptedPods {
  const out: DisruptedPods = { pending: {}, expired: [] };
  if (!recorded) return out;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const name = pod.metadata.name ?? '';
    const at = Object.hasOwn(recorded, name) ? recorded[name] : undefined;
    if (at === undefined) continue;
    const approved = Date.parse(at);
    const deadline = (Number.isNaN(approved) ? 0 : approved) + DELETION_TIMEOUT_MS;
    if (deadline < now) {
      out.expired.push(pod);
      continue;
    }
    out.pending[name] = at;
    if (out.recheckAt === undefined || deadline < out.recheckAt) out.recheckAt = deadline;
  }
  return out;
}

/** Ready pods that are neither terminating nor about to be evicted. */
export function countHealthy(pods: readonly KubeObject[], pending: Readonly<Record<string, string>>, now: number): number {
  let n = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const name = pod.metadata.name ?? '';
    if (Object.hasOwn(pending, name)) {
      const approved = Date.parse(pending[name] as string);
      if (!Number.isNaN(approved) && approved + DELETION_TIMEOUT_MS > now) continue;
    }
    if (isPodReady(pod)) n++;
  }
  return n;
}

/**
 * How many more pods may be disrupted. A budget that expects no pods allows nothing, so pods that appear
 * before the controller has looked at them are safe.
 */
export function disruptionsAllowed(currentHealthy: number, desiredHealthy: number, expected: number): number {
  const n = currentHealthy - desiredHealthy;
  return expected <= 0 || n <= 0 ? 0 : n;
}

/** Maps compared as apimachinery's semantic equality does: missing and empty are the same, times by instant. */
export function sameDisruptedPods(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    const vb = b?.[k];
    if (vb === undefined) return false;
    if (Date.parse(a?.[k] as string) !== Date.parse(vb)) return false;
  }
  return true;
}

/** Whether the stored status already has these numbers. */
export function sameCounts(s: PdbStatus, next: Pick<PdbStatus, 'currentHealthy' | 'desiredHealthy' | 'expectedPods' | 'disruptionsAllowed'>): boolean {
  return (
    s.currentHealthy === next.currentHealthy &&
    s.desiredHealthy === next.desiredHealthy &&
    s.expectedPods === next.expectedPods &&
    s.disruptionsAllowed === next.disruptionsAllowed
  );
}

/** Go's String() of a *metav1.LabelSelector, as the UnmanagedPods event prints the budget's selector. */
export function goLabelSelector(sel: LabelSelectorObject | null | undefined): string {
  if (!sel) return 'nil';
  const labels = sel.matchLabels ?? {};
  const keys = Object.keys(labels).sort();
  const labelText = `map[string]string{${keys.map((k) => `${k}: ${labels[k]},`).join('')}}`;
  const exprs = (sel.matchExpressions ?? [])
    .map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`)
    .join('');
  return `&LabelSelector{MatchLabels:${labelText},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}
