// Pod predicates every workload controller shares: which pods still count, which are ready, which have
// been ready long enough to be available. They read frozen informer objects and never change them.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/types.js';

export function asPod(obj: KubeObject): Pod {
  return obj as unknown as Pod;
}

/** Parses a metav1.Time; absent or malformed means the zero time (0). */
export function timeMs(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

export function podPhase(pod: KubeObject): string {
  return asPod(pod).status?.phase ?? '';
}

/** Neither finished (Succeeded/Failed) nor on its way out (deletionTimestamp). */
export function isPodActive(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function filterActivePods(pods: readonly KubeObject[]): KubeObject[] {
  return pods.filter(isPodActive);
}

export function podReadyCondition(pod: KubeObject): PodCondition | undefined {
  return asPod(pod).status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: KubeObject): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** When the pod last became ready, or 0 when it is not ready. */
export function podReadyTime(pod: KubeObject): number {
  const c = podReadyCondition(pod);
  return c?.status === 'True' ? timeMs(c.lastTransitionTime) : 0;
}

/** Ready, and (unless minReadySeconds is 0) ready since strictly more than minReadySeconds before `now`. */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = timeMs(c.lastTransitionTime);
  return since !== 0 && since + minReadySeconds * 1000 < now;
}

export function maxContainerRestarts(pod: KubeObject): number {
  let max = 0;
  for (const s of asPod(pod).status?.containerStatuses ?? []) max = Math.max(max, s.restartCount ?? 0);
  return max;
}

/** `namespace/name`: the identity deletion expectations track. */
export function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}
