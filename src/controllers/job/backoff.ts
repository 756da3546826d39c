// The delay before a job replaces failed pods. Consecutive failures since the last success double the wait
// (10 s, 20 s, 40 s ... capped at 10 minutes), measured from when the last failed pod finished, so a pod
// that fails in a loop cannot hammer the scheduler and the kubelets.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/types.js';
import { timeMs } from '../runtime/pods.js';

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  /** Cluster time (ms) the latest counted failure finished; 0 when none. */
  lastFailureTime: number;
}

/** When a finished pod stopped: the latest exit of its containers when every one has exited, else when
 * it stopped being ready, else when its deletion grace period ran out, else when it was created. */
export function podFinishTime(pod: KubeObject, now: number): number {
  const p = pod as unknown as Pod;
  const statuses = p.status?.containerStatuses ?? [];
  let latest = 0;
  for (const s of statuses) {
    const at = timeMs(s.state?.terminated?.finishedAt);
    if (!at) {
      latest = 0;
      break;
    }
    latest = Math.max(latest, at);
  }
  if (latest) return latest;
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
  if (ready?.lastTransitionTime) return timeMs(ready.lastTransitionTime);
  if (pod.metadata.deletionTimestamp) {
    return timeMs(pod.metadata.deletionTimestamp) - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  }
  return pod.metadata.creationTimestamp ? timeMs(pod.metadata.creationTimestamp) : now;
}

/** The record after this sync's newly counted pods: any success resets the streak. */
export function nextBackoffRecord(prev: BackoffRecord | undefined, newSucceeded: readonly KubeObject[], newFailed: readonly KubeObject[], now: number): BackoffRecord {
  const base = prev ?? { failuresAfterLastSuccess: 0, lastFailureTime: 0 };
  if (newSucceeded.length > 0) {
    // Only failures that finished after the newest success still count against the job.
    const lastSuccess = Math.max(...newSucceeded.map((p) => podFinishTime(p, now)));
    const later = newFailed.filter((p) => podFinishTime(p, now) > lastSuccess);
    return {
      failuresAfterLastSuccess: later.length,
      lastFailureTime: later.length ? Math.max(...later.map((p) => podFinishTime(p, now))) : 0,
    };
  }
  if (newFailed.length === 0) return base;
  return {
    failuresAfterLastSuccess: base.failuresAfterLastSuccess + newFailed.length,
    lastFailureTime: Math.max(base.lastFailureTime, ...newFailed.map((p) => podFinishTime(p, now))),
  };
}

/** The wait after `failures` consecutive failures, the last one finished at `lastFailureTime`. */
export function backoffFor(failures: number, lastFailureTime: number, now: number): number {
  if (failures <= 0) return 0;
  const exp = Math.min(failures - 1, 30);
  const delay = Math.min(DEFAULT_POD_FAILURE_BACKOFF_MS * 2 ** exp, MAX_POD_FAILURE_BACKOFF_MS);
  return Math.max(0, delay - (now - lastFailureTime));
}

/** How long to wait before creating replacements; 0 when the job may create now. */
export function remainingBackoff(record: BackoffRecord | undefined, now: number): number {
  if (!record) return 0;
  return backoffFor(record.failuresAfterLastSuccess, record.lastFailureTime, now);
}
