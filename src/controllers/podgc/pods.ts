// Pod and node facts the pod garbage collector decides on.
import type { KubeObject } from '../../api/types.js';

export const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

interface PodView {
  spec?: { nodeName?: string };
  status?: { phase?: string; reason?: string; conditions?: Array<{ type?: string; status?: string; lastTransitionTime?: string }> };
}

export function podNodeName(pod: KubeObject): string {
  return (pod as PodView).spec?.nodeName ?? '';
}

export function podPhase(pod: KubeObject): string {
  return (pod as PodView).status?.phase ?? '';
}

/** kube counts anything not Pending, Running or Unknown as terminated (a pod without a phase included). */
export function isTerminated(pod: KubeObject): boolean {
  const p = podPhase(pod);
  return p !== 'Pending' && p !== 'Running' && p !== 'Unknown';
}

export function isEvicted(pod: KubeObject): boolean {
  const s = (pod as PodView).status;
  return s?.phase === 'Failed' && s.reason === 'Evicted';
}

export function isNodeReady(node: KubeObject): boolean {
  const conds = (node.status as { conditions?: Array<{ type?: string; status?: string }> } | undefined)?.conditions ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

export function hasTaint(node: KubeObject, key: string): boolean {
  const taints = (node.spec as { taints?: Array<{ key?: string }> } | undefined)?.taints ?? [];
  return taints.some((t) => t.key === key);
}

/** Evicted pods go first (they are rarely what a controller still wants to look at), then the oldest. */
export function byEvictionThenAge(a: KubeObject, b: KubeObject): number {
  const ea = isEvicted(a);
  const eb = isEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return (Date.parse(ta) || 0) - (Date.parse(tb) || 0);
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}
