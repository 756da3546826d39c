// The pod states the StatefulSet algorithm branches on, named as the algorithm thinks of them.
import type { KubeObject } from '../../api/types.js';
import { isPodAvailable, isPodReady, podPhase } from '../runtime/pods.js';

export function isCreated(pod: KubeObject): boolean {
  return podPhase(pod) !== '';
}

export function isFinished(pod: KubeObject): boolean {
  const p = podPhase(pod);
  return p === 'Succeeded' || p === 'Failed';
}

export function isPending(pod: KubeObject): boolean {
  return podPhase(pod) === 'Pending';
}

export function isTerminating(pod: KubeObject): boolean {
  return !!pod.metadata.deletionTimestamp;
}

export function isRunningAndReady(pod: KubeObject): boolean {
  return podPhase(pod) === 'Running' && isPodReady(pod);
}

export function isRunningAndAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  return podPhase(pod) === 'Running' && isPodAvailable(pod, minReadySeconds, now);
}

/** Healthy for ordering purposes: running, ready and not on its way out. */
export function isHealthy(pod: KubeObject): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}
