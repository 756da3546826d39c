// Names and accessors the DaemonSet controller's parts share. The labels are the ones kube writes on daemon
// pods and revisions, so `kubectl get pods --show-labels` and `rollout history` look as on a real cluster.
import type { DaemonSetSpec, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { TEMPLATE_GENERATION_ANNOTATION } from '../../api/kinds/daemonset.js';
import type { KubeObject } from '../../api/types.js';

export const COMPONENT = 'daemonset-controller';
export const HASH_LABEL = 'controller-revision-hash';
export const GENERATION_LABEL = 'pod-template-generation';

export function dsSpec(ds: KubeObject): DaemonSetSpec {
  return (ds.spec ?? {}) as DaemonSetSpec;
}

export function dsStatus(ds: KubeObject): DaemonSetStatus {
  return (ds.status ?? {}) as DaemonSetStatus;
}

export function asPodSpec(pod: KubeObject): Pod {
  return pod as unknown as Pod;
}

/** The server-maintained template generation; a malformed one is ignored, as kube then relies on the hash. */
export function templateGeneration(ds: KubeObject): number | undefined {
  const v = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number.parseInt(v, 10);
}

/** A pod counts as updated when it carries the current revision's hash or the current template generation. */
export function isPodUpdated(pod: KubeObject, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const byGeneration = generation !== undefined && labels[GENERATION_LABEL] === String(generation);
  const byHash = hash.length > 0 && labels[HASH_LABEL] === hash;
  return byHash || byGeneration;
}

/** Oldest first: scheduled before unscheduled, then by creation time, then by name. Kube keeps the first. */
export function oldestFirst(a: KubeObject, b: KubeObject): number {
  const sa = asPodSpec(a).spec?.nodeName ? 0 : 1;
  const sb = asPodSpec(b).spec?.nodeName ? 0 : 1;
  if (sa !== sb) return sa - sb;
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}
