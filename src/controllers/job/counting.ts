// How the Job controller sees its pods: which are active, ready, terminating, and which finished pods are
// new to the count. A pod is counted once: its uid goes to uncountedTerminatedPods, its finalizer comes
// off, then the uid moves into succeeded/failed; pods whose finalizer removal is still in flight are skipped.
import type { KubeObject } from '../../api/types.js';
import { isPodActive, isPodReady, podPhase } from '../runtime/pods.js';
import { hasTrackingFinalizer, type JobSpec, type JobStatus } from './types.js';

export const phaseOf = podPhase;

/** With podReplacementPolicy Failed (or a podFailurePolicy) only a Failed phase is a failure; otherwise a
 * pod being deleted before it succeeded counts as failed too, since it may never reach a phase. */
export function onlyReplaceFailed(spec: JobSpec): boolean {
  return spec.podReplacementPolicy === 'Failed' || spec.podFailurePolicy != null;
}

export function isPodFailed(pod: KubeObject, spec: JobSpec): boolean {
  const phase = podPhase(pod);
  if (phase === 'Failed') return true;
  if (onlyReplaceFailed(spec)) return false;
  return !!pod.metadata.deletionTimestamp && phase !== 'Succeeded';
}

export function isPodTerminating(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return !!pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

export interface PodCounts {
  active: KubeObject[];
  ready: number;
  terminating: number;
  newSucceeded: KubeObject[];
  newFailed: KubeObject[];
}

export function countPods(pods: readonly KubeObject[], spec: JobSpec, status: JobStatus, pendingRemovals: ReadonlySet<string>): PodCounts {
  const uncounted = new Set([...(status.uncountedTerminatedPods?.succeeded ?? []), ...(status.uncountedTerminatedPods?.failed ?? [])]);
  const out: PodCounts = { active: [], ready: 0, terminating: 0, newSucceeded: [], newFailed: [] };
  for (const pod of pods) {
    if (isPodActive(pod)) {
      out.active.push(pod);
      if (isPodReady(pod)) out.ready++;
    }
    if (isPodTerminating(pod)) out.terminating++;
    const uid = pod.metadata.uid ?? '';
    if (!hasTrackingFinalizer(pod) || uncounted.has(uid) || pendingRemovals.has(uid)) continue;
    if (podPhase(pod) === 'Succeeded') out.newSucceeded.push(pod);
    else if (isPodFailed(pod, spec)) out.newFailed.push(pod);
  }
  return out;
}

/** With restartPolicy OnFailure failures are container restarts inside pods that are still going. */
export function pastBackoffLimitOnFailure(spec: JobSpec, pods: readonly KubeObject[]): boolean {
  if (spec.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const pod of pods) {
    const phase = podPhase(pod);
    if (phase !== 'Running' && phase !== 'Pending') continue;
    const st = (pod.status ?? {}) as { containerStatuses?: Array<{ restartCount?: number }>; initContainerStatuses?: Array<{ restartCount?: number }> };
    for (const c of [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])]) restarts += c.restartCount ?? 0;
  }
  const limit = spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}
