// Everything the filters and scores need from a pod, worked out once per pod version instead of once per node.
import type { KubeObject } from '../api/types.js';
import { compilePreferred, compileRequired, pinnedNodeNames, type NodeView, type Toleration, type WeightedTerm } from './affinity.js';
import { podRequests, type Resources } from './resources.js';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface PodInfo {
  key: string;
  pod: KubeObject;
  priority: number;
  requests: Resources;
  /** Requests with kube's defaults for unset cpu/memory: what spreading counts. */
  nonZero: Resources;
  hostPorts: HostPort[];
  tolerations: Toleration[];
  required?: (n: NodeView) => boolean;
  preferred: WeightedTerm[];
  /** From required affinity on metadata.name: the only nodes worth filtering (empty = contradictory terms). */
  pinned?: Set<string>;
  preemptNever: boolean;
  /** Controller owner whose pods kube's default topology spreading keeps apart (see spread.ts). */
  spreadOwner?: string;
}

// kube's default spreading selects a pod's siblings through the Services, ReplicationControllers, ReplicaSets and
// StatefulSets that select it; the controller owner stands in for that selector.
const SPREAD_OWNER_KINDS = new Set(['ReplicaSet', 'ReplicationController', 'StatefulSet']);

export function spreadOwnerOf(pod: KubeObject): string | undefined {
  const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
  return ref && SPREAD_OWNER_KINDS.has(ref.kind) ? ref.uid : undefined;
}

export function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

export function podPriority(pod: KubeObject): number {
  const p = (pod.spec as any)?.priority;
  return typeof p === 'number' ? p : 0;
}

/** Host ports a pod holds: its containers' and its sidecars' (init containers that keep running). */
export function hostPortsOf(spec: any): HostPort[] {
  const out: HostPort[] = [];
  for (const c of Array.isArray(spec?.initContainers) ? spec.initContainers : []) if (c?.restartPolicy === 'Always') addHostPorts(c, out);
  for (const c of Array.isArray(spec?.containers) ? spec.containers : []) addHostPorts(c, out);
  return out;
}

function addHostPorts(container: any, out: HostPort[]): void {
  for (const p of Array.isArray(container?.ports) ? container.ports : []) {
    const port = Number(p?.hostPort ?? 0);
    if (!(port > 0)) continue;
    out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port });
  }
}

export function compilePod(pod: KubeObject): PodInfo {
  const spec: any = pod.spec ?? {};
  const info: PodInfo = {
    key: podKey(pod),
    pod,
    priority: podPriority(pod),
    requests: podRequests(spec),
    nonZero: podRequests(spec, true),
    hostPorts: hostPortsOf(spec),
    tolerations: Array.isArray(spec.tolerations) ? spec.tolerations : [],
    preferred: compilePreferred(spec),
    preemptNever: spec.preemptionPolicy === 'Never',
  };
  const required = compileRequired(spec);
  if (required) info.required = required;
  const owner = spreadOwnerOf(pod);
  if (owner) info.spreadOwner = owner;
  const pinned = pinnedNodeNames(spec);
  if (pinned) info.pinned = pinned;
  return info;
}
