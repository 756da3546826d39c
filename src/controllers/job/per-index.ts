// backoffLimitPerIndex (Indexed jobs): every index has its own failure budget. A pod carries how often its
// index failed before it in the annotation `job-index-failure-count` (failures a podFailurePolicy Ignore
// rule forgave go to `job-index-ignored-failure-count`); the index is given up (status.failedIndexes) when a
// pod fails with that count already at the limit, or a FailIndex rule matches. To hand the count on, the
// failed pod keeps its tracking finalizer until its replacement exists, and the replacement waits the usual
// exponential backoff computed from that index's failures alone.
import type { KubeObject } from '../../api/types.js';
import { backoffFor, podFinishTime } from './backoff.js';
import { isPodFailed } from './counting.js';
import { failureCounts, matchFailurePolicy } from './failure-policy.js';
import { isIndexed, parseIntervals, podIndex } from './indexed.js';
import { hasTrackingFinalizer, type JobSpec, type JobStatus } from './types.js';

export const INDEX_FAILURE_COUNT_KEY = 'batch.kubernetes.io/job-index-failure-count';
export const INDEX_IGNORED_FAILURE_COUNT_KEY = 'batch.kubernetes.io/job-index-ignored-failure-count';

const MAX_INT32 = 2147483647;

export function hasBackoffLimitPerIndex(spec: JobSpec): boolean {
  return isIndexed(spec) && spec.completions != null && spec.backoffLimitPerIndex != null;
}

/** An annotation's count; anything missing, unparsable, negative or beyond int32 reads as 0. */
function annotationCount(pod: KubeObject, key: string): number {
  const raw = pod.metadata.annotations?.[key];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) return 0;
  const n = Number.parseInt(raw, 10);
  return n < 0 || n > MAX_INT32 ? 0 : n;
}

export function indexFailureCount(pod: KubeObject): number {
  return annotationCount(pod, INDEX_FAILURE_COUNT_KEY);
}

export function indexIgnoredFailureCount(pod: KubeObject): number {
  return annotationCount(pod, INDEX_IGNORED_FAILURE_COUNT_KEY);
}

/** Failures of the index before this pod, forgiven ones included. */
function absoluteFailureCount(pod: KubeObject): number {
  return indexFailureCount(pod) + indexIgnoredFailureCount(pod);
}

/** Whether this pod's failure uses up its index: a FailIndex rule matched, or a counted failure happened
 * with the index's count already at backoffLimitPerIndex. */
export function isIndexFailed(spec: JobSpec, pod: KubeObject): boolean {
  if (!isPodFailed(pod, spec)) return false;
  if (spec.podFailurePolicy) {
    const action = matchFailurePolicy(spec.podFailurePolicy, pod)?.action;
    if (action === 'FailIndex') return true;
    if (action === 'Ignore') return false;
  }
  return indexFailureCount(pod) >= (spec.backoffLimitPerIndex ?? 0);
}

function validIndex(pod: KubeObject, completions: number): number | undefined {
  const i = podIndex(pod);
  return i !== undefined && i < completions ? i : undefined;
}

/** status.failedIndexes plus the indexes that failed since (pods not counted yet still hold the finalizer). */
export function computeFailedIndexes(spec: JobSpec, status: JobStatus, pods: readonly KubeObject[]): Set<number> {
  const completions = spec.completions ?? 0;
  const out = parseIntervals(status.failedIndexes, completions);
  for (const pod of pods) {
    const i = validIndex(pod, completions);
    if (i !== undefined && hasTrackingFinalizer(pod) && isIndexFailed(spec, pod)) out.add(i);
  }
  return out;
}

/** Per index that will get a replacement pod: the failed pod whose count the replacement inherits. These
 * pods keep their finalizer (they are neither counted nor released) until the replacement runs. The latest
 * failure wins, judged by count and then by finish time. */
export function podsAwaitingReplacement(
  spec: JobSpec,
  pods: readonly KubeObject[],
  pendingRemovals: ReadonlySet<string>,
  succeeded: ReadonlySet<number>,
  failed: ReadonlySet<number>,
  active: readonly KubeObject[],
  now: number,
): Map<number, KubeObject> {
  const completions = spec.completions ?? 0;
  const running = new Set(active.map(podIndex));
  const out = new Map<number, KubeObject>();
  for (const pod of pods) {
    if (!hasTrackingFinalizer(pod) || pendingRemovals.has(pod.metadata.uid ?? '') || !isPodFailed(pod, spec)) continue;
    const i = validIndex(pod, completions);
    if (i === undefined || succeeded.has(i) || failed.has(i) || running.has(i)) continue;
    const prev = out.get(i);
    if (!prev || (absoluteFailureCount(prev) <= absoluteFailureCount(pod) && podFinishTime(pod, now) >= podFinishTime(prev, now))) out.set(i, pod);
  }
  return out;
}

/** The failure-count annotations of a new pod for an index whose last pod was `replaced` (none: a first try). */
export function replacementAnnotations(spec: JobSpec, replaced: KubeObject | undefined): Record<string, string> {
  if (!replaced) return { [INDEX_FAILURE_COUNT_KEY]: '0' };
  let failures = indexFailureCount(replaced);
  let ignored = indexIgnoredFailureCount(replaced);
  if (failureCounts(spec.podFailurePolicy, replaced)) failures++;
  else ignored++;
  const out: Record<string, string> = { [INDEX_FAILURE_COUNT_KEY]: String(failures) };
  if (ignored > 0) out[INDEX_IGNORED_FAILURE_COUNT_KEY] = String(ignored);
  return out;
}

/** How long the index must wait before its replacement: the job backoff, fed with this index's failures. */
export function indexBackoff(replaced: KubeObject | undefined, now: number): number {
  if (!replaced) return 0;
  return backoffFor(absoluteFailureCount(replaced) + 1, podFinishTime(replaced, now), now);
}
