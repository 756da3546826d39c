// The arithmetic of a rolling update, kept free of I/O so tests can check the invariants directly: how far
// above the desired count the ReplicaSets may go (surge, rounded up) and how far below it availability may
// drop (unavailable, rounded down), and how a change of replicas is shared out among ReplicaSets.
import type { KubeObject } from '../../api/types.js';
import { ANNOTATION_INT, replicasAnnotation } from './annotations.js';
import { byCreationNewerFirst, byCreationOlderFirst, specSum } from './replicasets.js';
import { desired, dSpec, dStatus, type IntOrPercent, isRollingUpdate, rsReplicas } from './types.js';

/** A count or a percentage of `total`; percentages round up for surge and down for unavailability. */
export function scaledValue(v: IntOrPercent | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    // A plain numeric string is how some clients send an int; anything else the server would have refused.
    return /^\d+$/.test(v) ? Number.parseInt(v, 10) : 0;
  }
  const exact = (Number.parseInt(m[1] as string, 10) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** Surge and unavailability for `replicas`; both zero would stall the rollout, so unavailability becomes one. */
export function resolveFenceposts(maxSurge: IntOrPercent | undefined, maxUnavailable: IntOrPercent | undefined, replicas: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, replicas, true);
  let unavailable = scaledValue(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: KubeObject): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = dSpec(d).strategy?.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, desired(d)).surge;
}

export function maxUnavailable(d: KubeObject): number {
  const replicas = desired(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = dSpec(d).strategy?.rollingUpdate ?? {};
  return Math.min(resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas).unavailable, replicas);
}

/** The size the new ReplicaSet may grow to now: as far as the room under replicas+surge allows, never past
 * replicas. Readiness does not matter here; only the scale-down side waits for available pods. */
export function newRSNewReplicas(d: KubeObject, allRSs: readonly KubeObject[], newRS: KubeObject): number {
  const replicas = desired(d);
  if (!isRollingUpdate(d)) return replicas;
  const surge = scaledValue(dSpec(d).strategy?.rollingUpdate?.maxSurge, replicas, true);
  const current = specSum(allRSs);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return rsReplicas(newRS);
  const up = Math.min(maxTotal - current, replicas - rsReplicas(newRS));
  return rsReplicas(newRS) + up;
}

/** How many replicas `rs` gains (or loses) when the deployment's ceiling moves from the one recorded in the
 * ReplicaSet's max-replicas annotation to the current one. */
function replicaSetFraction(rs: KubeObject, d: KubeObject): number {
  const replicas = desired(d);
  if (replicas === 0) return -rsReplicas(rs);
  const maxNow = replicas + maxSurge(d);
  let maxBefore = replicasAnnotation(rs, ANNOTATION_INT.max) ?? 0;
  if (maxBefore === 0) {
    maxBefore = dStatus(d).replicas ?? 0;
    if (maxBefore === 0) return 0;
  }
  return Math.round((rsReplicas(rs) * maxNow) / maxBefore) - rsReplicas(rs);
}

function proportion(rs: KubeObject, d: KubeObject, toAdd: number, added: number): number {
  if (rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * New sizes for the active ReplicaSets of a rolling deployment whose replicas changed mid-rollout: each gets
 * its share of the change in proportion to its size, biggest first; rounding leftovers go to the biggest.
 * Returns the sizes by name, in the order the writes should happen, and whether the change was up or down.
 */
export function proportionalSizes(d: KubeObject, active: readonly KubeObject[]): { sizes: Array<[KubeObject, number]>; direction: 'up' | 'down' | '' } {
  const replicas = desired(d);
  const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowed - specSum(active);
  const ordered = [...active];
  let direction: 'up' | 'down' | '' = '';
  // Equal sizes: growth goes to newer ReplicaSets first, shrinking takes from older ones first.
  if (toAdd > 0) {
    ordered.sort((a, b) => rsReplicas(b) - rsReplicas(a) || byCreationNewerFirst(a, b));
    direction = 'up';
  } else if (toAdd < 0) {
    ordered.sort((a, b) => rsReplicas(b) - rsReplicas(a) || byCreationOlderFirst(a, b));
    direction = 'down';
  }
  let added = 0;
  const sizes: Array<[KubeObject, number]> = ordered.map((rs) => {
    if (toAdd === 0) return [rs, rsReplicas(rs)];
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return [rs, rsReplicas(rs) + p];
  });
  const first = sizes[0];
  if (toAdd !== 0 && first) first[1] = Math.max(0, first[1] + toAdd - added);
  return { sizes, direction };
}
