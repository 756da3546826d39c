// Why a pod fits nowhere, worded exactly as kube-scheduler v1.35 words it in the FailedScheduling event and
// the PodScheduled condition:
//   0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. no new claims to
//   deallocate, preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No
//   preemption victims found for incoming pod.
// The first sentence counts each node's reasons and sorts the "<count> <reason>" strings as Go's sort.Strings
// does. Then come the PostFilter plugins' messages joined by ", ": DynamicResources (on by default since
// v1.34; a pod without claims gets "no new claims to deallocate") and DefaultPreemption's own dry run.
import { runFilters, type Code, type FilterStatus } from './filters.js';
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';
export const AFFINITY_CONFLICT = 'pod affinity terms conflict';
export const NOT_SATISFIED_NODE_AFFINITY = "node(s) didn't satisfy plugin(s) [NodeAffinity]";
export const NO_CLAIMS_TO_DEALLOCATE = 'no new claims to deallocate';
export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
export const PREEMPT_NEVER = 'not eligible due to preemptionPolicy=Never.';

export interface Diagnosis {
  numAllNodes: number;
  /** The verdict on every node that was filtered. */
  statuses: Map<NodeInfo, FilterStatus>;
  /** Set when PreFilter narrowed the nodes: the status of those left out. */
  absent?: { code: Code; reason: string };
  /** Set when PreFilter rejected the pod outright. */
  preFilterMsg?: string;
  /** Plugins that rejected the pod somewhere: the cluster events that may help are the ones they care about. */
  plugins: Set<string>;
}

/** "<count> <reason>" strings in Go's byte order. */
export function histogram(counts: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [reason, n] of counts) out.push(`${n} ${reason}`);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function count(m: Map<string, number>, reason: string, n = 1): void {
  m.set(reason, (m.get(reason) ?? 0) + n);
}

/** The FitError sentence without the PostFilter part. */
export function fitErrorMessage(d: Diagnosis): string {
  let msg = `0/${d.numAllNodes} nodes are available:`;
  if (d.preFilterMsg) return `${msg} ${d.preFilterMsg}.`;
  const counts = new Map<string, number>();
  for (const s of d.statuses.values()) for (const r of s.reasons) count(counts, r);
  const missing = d.numAllNodes - d.statuses.size;
  if (d.absent && missing > 0) count(counts, d.absent.reason, missing);
  const h = histogram(counts);
  if (h.length > 0) msg += ` ${h.join(', ')}.`;
  return msg;
}

/**
 * DefaultPreemption's answer. Only nodes that failed for a reason eviction could fix are tried; on each, every
 * pod of lower priority is taken away and the filters run again. kubeloop does not evict: a node where that
 * would make room is reported as having no victims.
 */
export function preemptionMessage(p: PodInfo, d: Diagnosis): string {
  if (p.preemptNever) return `preemption: ${PREEMPT_NEVER}`;
  const counts = new Map<string, number>();
  let tried = 0;
  if (!d.preFilterMsg) {
    for (const [node, s] of d.statuses) {
      if (s.code !== 'Unschedulable') continue;
      tried++;
      for (const r of dryRun(p, node)) count(counts, r);
    }
  }
  if (d.numAllNodes - tried > 0) count(counts, PREEMPTION_NOT_HELPFUL, d.numAllNodes - tried);
  return `preemption: 0/${d.numAllNodes} nodes are available: ${histogram(counts).join(', ')}.`;
}

function dryRun(p: PodInfo, node: NodeInfo): readonly string[] {
  if (!node.hasPodsBelow(p.priority)) return [NO_VICTIMS];
  const victims = [...node.pods.values()].filter((v) => v.priority < p.priority);
  for (const v of victims) node.removePod(v.key);
  try {
    return runFilters(p, node)?.reasons ?? [NO_VICTIMS];
  } finally {
    for (const v of victims) node.addPod(v);
  }
}

/** The whole message of a pod that fits nowhere. */
export function unschedulableMessage(p: PodInfo, d: Diagnosis): string {
  return `${fitErrorMessage(d)} ${NO_CLAIMS_TO_DEALLOCATE}, ${preemptionMessage(p, d)}`;
}
