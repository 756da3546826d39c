// Views over a deployment's ReplicaSets: which one is new (its template is the deployment's), which are old,
// the orders kube walks them in, and the sums status and rollout math are made of.
import type { KubeObject } from '../../api/types.js';
import { timeMs } from '../runtime/pods.js';
import { revisionOf } from './annotations.js';
import { equalIgnoreHash } from './template.js';
import { dSpec, rsReplicas, rsStatus } from './types.js';

export function byCreationOlderFirst(a: KubeObject, b: KubeObject): number {
  const d = timeMs(a.metadata.creationTimestamp) - timeMs(b.metadata.creationTimestamp);
  if (d !== 0) return d;
  const an = a.metadata.name ?? '';
  const bn = b.metadata.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}

export function byCreationNewerFirst(a: KubeObject, b: KubeObject): number {
  return byCreationOlderFirst(b, a);
}

export function byRevision(a: KubeObject, b: KubeObject): number {
  return revisionOf(a) - revisionOf(b) || byCreationOlderFirst(a, b);
}

export function isActive(rs: KubeObject): boolean {
  return rsReplicas(rs) > 0;
}

export function filterActive(rss: readonly (KubeObject | undefined)[]): KubeObject[] {
  return rss.filter((rs): rs is KubeObject => !!rs && isActive(rs));
}

/** Sum of spec.replicas: what the ReplicaSets are asked to run. */
export function specSum(rss: readonly (KubeObject | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rsReplicas(rs);
  return n;
}

/** Sum of status.replicas: the pods that exist and are not terminating. */
export function actualSum(rss: readonly (KubeObject | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rsStatus(rs).replicas ?? 0;
  return n;
}

export function readySum(rss: readonly (KubeObject | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rsStatus(rs).readyReplicas ?? 0;
  return n;
}

export function availableSum(rss: readonly (KubeObject | undefined)[]): number {
  let n = 0;
  for (const rs of rss) if (rs) n += rsStatus(rs).availableReplicas ?? 0;
  return n;
}

/** The oldest ReplicaSet whose template is the deployment's, ignoring the hash label. Oldest wins so that a
 * duplicate made in a race is the one left to scale down. */
export function findNewReplicaSet(d: KubeObject, rss: readonly KubeObject[]): KubeObject | undefined {
  const tpl = dSpec(d).template;
  return [...rss].sort(byCreationOlderFirst).find((rs) => equalIgnoreHash((rs.spec as { template?: unknown })?.template, tpl));
}

/** Every ReplicaSet but the new one. */
export function findOldReplicaSets(rss: readonly KubeObject[], newRS: KubeObject | undefined): KubeObject[] {
  return rss.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid);
}

export function maxRevision(rss: readonly KubeObject[]): number {
  let max = 0;
  for (const rs of rss) max = Math.max(max, revisionOf(rs));
  return max;
}

/**
 * With at most one ReplicaSet running, the one a replica change should go to: that one, or (none running)
 * the new one, or else the most recently created old one. Undefined when several run (share proportionally).
 */
export function findActiveOrLatest(newRS: KubeObject | undefined, oldRSs: readonly KubeObject[]): KubeObject | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestOld = [...oldRSs].sort(byCreationNewerFirst);
  const active = filterActive([...newestOld, newRS]);
  if (active.length === 0) return newRS ?? newestOld[0];
  if (active.length === 1) return active[0];
  return undefined;
}
