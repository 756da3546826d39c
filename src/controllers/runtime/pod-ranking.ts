// Which pods go first when a controller has too many: kube's ActivePodsWithRanks order. Pods that cost the
// least to lose come first (not scheduled, not running, not ready, cheap by annotation, doubled up on a node,
// ready most recently, crash-looping, youngest). Ready and creation times are compared in log2 buckets of
// their age so that among similar pods the choice is spread pseudo-randomly (by uid) instead of always
// killing the very newest, which would keep a fleet's oldest pods forever.
import type { KubeObject } from '../../api/types.js';
import { asPod, isPodActive, isPodReady, maxContainerRestarts, podReadyTime, timeMs } from './pods.js';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

function phaseOrdinal(pod: KubeObject): number {
  return PHASE_ORDER[asPod(pod).status?.phase ?? ''] ?? 0;
}

function nodeName(pod: KubeObject): string {
  return asPod(pod).spec?.nodeName ?? '';
}

/** The pod-deletion-cost annotation as an int32; absent or malformed (incl. "+1", "007") means 0. */
export function podDeletionCost(pod: KubeObject): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined || !/^(?:-[0-9]+|0|[1-9][0-9]*)$/.test(v)) return 0;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

/** True when t1 is later than t2, the zero time (0) counting as later than any other. */
function afterOrZero(t1: number, t2: number): boolean {
  if (t1 === 0 || t2 === 0) return t1 === 0;
  return t1 > t2;
}

/** Integer log2 of the age in nanoseconds, -1 for no positive age. */
function ageBucket(t: number, now: number): number {
  const ns = (now - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/** Negative when `a` should come first: the more recent time wins, by bucket, then by uid within a bucket. */
function compareRecent(a: KubeObject, ta: number, b: KubeObject, tb: number, now: number): number {
  if (now === 0 || ta === 0 || tb === 0) return afterOrZero(ta, tb) ? -1 : afterOrZero(tb, ta) ? 1 : 0;
  const diff = ageBucket(ta, now) - ageBucket(tb, now);
  if (diff !== 0) return diff;
  const ua = a.metadata.uid ?? '';
  const ub = b.metadata.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

function compareExact(ta: number, tb: number): number {
  return afterOrZero(ta, tb) ? -1 : afterOrZero(tb, ta) ? 1 : 0;
}

export interface RankedPod {
  pod: KubeObject;
  /** Pods of the same family on the pod's node: higher ranks are deleted first. */
  rank: number;
}

/**
 * Comparator for ActivePodsWithRanks: negative when `a` is the better one to delete. `now` (ms) enables the
 * logarithmic comparison of ready and creation times; 0 compares them exactly.
 */
export function compareForDeletion(a: RankedPod, b: RankedPod, now: number): number {
  const pa = a.pod;
  const pb = b.pod;
  const na = nodeName(pa);
  const nb = nodeName(pb);
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const phase = phaseOrdinal(pa) - phaseOrdinal(pb);
  if (phase !== 0) return phase;
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return ra ? 1 : -1;
  const cost = podDeletionCost(pa) - podDeletionCost(pb);
  if (cost !== 0) return cost;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (ra && rb) {
    const ta = podReadyTime(pa);
    const tb = podReadyTime(pb);
    if (ta !== tb) return compareRecent(pa, ta, pb, tb, now);
  }
  const restarts = maxContainerRestarts(pb) - maxContainerRestarts(pa);
  if (restarts !== 0) return restarts;
  const ca = timeMs(pa.metadata.creationTimestamp);
  const cb = timeMs(pb.metadata.creationTimestamp);
  if (ca !== cb) return compareRecent(pa, ca, pb, cb, now);
  return 0;
}

/** The plain ActivePods order (the Job controller's): no deletion cost, no ranks, exact times. */
export function compareActivePods(pa: KubeObject, pb: KubeObject): number {
  const na = nodeName(pa);
  const nb = nodeName(pb);
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const phase = phaseOrdinal(pa) - phaseOrdinal(pb);
  if (phase !== 0) return phase;
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return ra ? 1 : -1;
  if (ra && rb) {
    const t = compareExact(podReadyTime(pa), podReadyTime(pb));
    if (t !== 0) return t;
  }
  const restarts = maxContainerRestarts(pb) - maxContainerRestarts(pa);
  if (restarts !== 0) return restarts;
  return compareExact(timeMs(pa.metadata.creationTimestamp), timeMs(pb.metadata.creationTimestamp));
}

/** Each pod's rank: how many active pods of `related` (its whole family, e.g. every ReplicaSet of one
 * Deployment) share its node. Unscheduled pods share the node "". */
export function rankByColocation(pods: readonly KubeObject[], related: readonly KubeObject[]): RankedPod[] {
  const perNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const n = nodeName(p);
    perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  return pods.map((pod) => ({ pod, rank: perNode.get(nodeName(pod)) ?? 0 }));
}

/** The `count` pods to delete first out of `pods`; all of them (unsorted) when count covers them all. */
export function podsToDelete(pods: readonly KubeObject[], related: readonly KubeObject[], count: number, now: number): KubeObject[] {
  if (count >= pods.length) return pods.slice(0, count);
  const ranked = rankByColocation(pods, related);
  ranked.sort((a, b) => compareForDeletion(a, b, now));
  return ranked.slice(0, count).map((r) => r.pod);
}
