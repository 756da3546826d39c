// The deployment's status as kubectl reads it: counters summed over the ReplicaSets, the Available
// condition, and the Progressing condition whose reasons drive `kubectl rollout status` (including the
// progress deadline). Pure functions of the deployment, its ReplicaSets and the time.
import type { KubeObject } from '../../api/types.js';
import { deepEqualJson } from '../../api/validation/meta.js';
import { timeMs } from '../runtime/pods.js';
import { AVAILABLE, fromReplicaSetCondition, getCondition, newCondition, PROGRESSING, REASON, removeCondition, REPLICA_FAILURE, setCondition } from './conditions.js';
import { maxUnavailable } from './rollout-math.js';
import { actualSum, availableSum, readySum, specSum } from './replicasets.js';
import { desired, type DeploymentStatus, dSpec, dStatus, hasProgressDeadline, rsStatus } from './types.js';

/** Counters, the copied conditions and Available; `now` stamps a changed Available condition. */
export function calculateStatus(d: KubeObject, allRSs: ReadonlyArray<KubeObject | undefined>, newRS: KubeObject | undefined, now: number): DeploymentStatus {
  const available = availableSum(allRSs);
  const cur = dStatus(d);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: actualSum(allRSs),
    updatedReplicas: actualSum([newRS]),
    readyReplicas: readySum(allRSs),
    availableReplicas: available,
    // Counted against what the ReplicaSets are asked for, so surge pods not yet up count as unavailable.
    unavailableReplicas: Math.max(0, specSum(allRSs) - available),
  };
  if (cur.conditions?.length) status.conditions = cur.conditions.map((c) => ({ ...c }));
  if (cur.collisionCount !== undefined) status.collisionCount = cur.collisionCount;
  if (available >= desired(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(AVAILABLE, 'True', REASON.minimumAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition(AVAILABLE, 'False', REASON.minimumUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** Every replica updated and available, and the current generation observed. */
export function deploymentComplete(d: KubeObject, s: DeploymentStatus): boolean {
  const n = desired(d);
  return (s.updatedReplicas ?? 0) === n && (s.replicas ?? 0) === n && (s.availableReplicas ?? 0) === n && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Something moved forward since the stored status: more updated, fewer old, more ready or more available. */
export function deploymentProgressing(d: KubeObject, s: DeploymentStatus): boolean {
  const old = dStatus(d);
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

function deadlineMs(d: KubeObject): number {
  return (dSpec(d).progressDeadlineSeconds ?? 0) * 1000;
}

export function deploymentTimedOut(d: KubeObject, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, PROGRESSING);
  if (!c || c.reason === REASON.newRSAvailable) return false;
  if (c.reason === REASON.timedOut) return true;
  return timeMs(c.lastUpdateTime) + deadlineMs(d) < now;
}

/** The full status a rollout step leaves: calculateStatus plus Progressing and ReplicaFailure. */
export function rolloutStatus(d: KubeObject, allRSs: ReadonlyArray<KubeObject | undefined>, newRS: KubeObject | undefined, now: number): DeploymentStatus {
  const s = calculateStatus(d, allRSs, newRS, now);
  if (!hasProgressDeadline(d)) removeCondition(s, PROGRESSING);
  const cur = getCondition(dStatus(d), PROGRESSING);
  const settled = (s.replicas ?? 0) === (s.updatedReplicas ?? 0) && cur?.reason === REASON.newRSAvailable;
  const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
  if (hasProgressDeadline(d) && !settled) {
    if (deploymentComplete(d, s)) {
      setCondition(s, newCondition(PROGRESSING, 'True', REASON.newRSAvailable, `${subject} has successfully progressed.`, now));
    } else if (deploymentProgressing(d, s)) {
      const c = newCondition(PROGRESSING, 'True', REASON.rsUpdated, `${subject} is progressing.`, now);
      if (cur) {
        // Progress refreshes lastUpdateTime (the deadline clock) but is not a transition if it was True.
        if (cur.status === 'True' && cur.lastTransitionTime) c.lastTransitionTime = cur.lastTransitionTime;
        removeCondition(s, PROGRESSING);
      }
      setCondition(s, c);
    } else if (deploymentTimedOut(d, s, now)) {
      setCondition(s, newCondition(PROGRESSING, 'False', REASON.timedOut, `${subject} has timed out progressing.`, now));
    }
  }
  const failures = replicaFailures(allRSs, newRS);
  if (failures[0]) setCondition(s, failures[0]);
  else removeCondition(s, REPLICA_FAILURE);
  return s;
}

function replicaFailures(allRSs: ReadonlyArray<KubeObject | undefined>, newRS: KubeObject | undefined) {
  const of = (rs: KubeObject) => (rsStatus(rs).conditions ?? []).filter((c) => c.type === REPLICA_FAILURE).map(fromReplicaSetCondition);
  const fromNew = newRS ? of(newRS) : [];
  if (fromNew.length) return fromNew;
  return allRSs.flatMap((rs) => (rs ? of(rs) : []));
}

/** How long until an unfinished rollout's deadline passes (ms), or undefined when nothing needs checking. */
export function untilDeadline(d: KubeObject, s: DeploymentStatus, now: number): number | undefined {
  const c = getCondition(dStatus(d), PROGRESSING);
  if (!hasProgressDeadline(d) || !c) return undefined;
  if (deploymentComplete(d, s) || c.reason === REASON.timedOut) return undefined;
  return timeMs(c.lastUpdateTime) + deadlineMs(d) - now;
}

/** Go's omitempty view of a status, so stored and computed ones compare equal when they say the same. */
export function normalizeStatus(s: DeploymentStatus): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const) {
    if (s[k]) out[k] = s[k];
  }
  if (s.conditions?.length) out.conditions = s.conditions;
  if (s.collisionCount !== undefined && s.collisionCount !== null) out.collisionCount = s.collisionCount;
  return out;
}

export function sameStatus(a: DeploymentStatus, b: DeploymentStatus): boolean {
  return deepEqualJson(normalizeStatus(a), normalizeStatus(b));
}
