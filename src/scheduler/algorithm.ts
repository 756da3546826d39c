// One scheduling decision, synchronous and side-effect free apart from the rotating start index: PreFilter
// (required affinity on metadata.name narrows the nodes), Filter (stopping once enough feasible nodes are
// found, as kube does in large clusters), Score and the pick.
import type { SchedulerCache } from './cache.js';
import { AFFINITY_CONFLICT, NOT_SATISFIED_NODE_AFFINITY, type Diagnosis } from './diagnosis.js';
import { runFilters, type FilterStatus } from './filters.js';
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';
import { scoreNodes, selectHost } from './score.js';

export type ScheduleResult = { node: NodeInfo } | { diagnosis: Diagnosis } | { noNodes: true };

/** Plugins beyond the pod-and-node ones (VolumeBinding): a PreFilter verdict and a Filter run after the others. */
export interface ExtraPlugin {
  name: string;
  /** PreFilter rejected the pod with this message (UnschedulableAndUnresolvable). */
  reject?: string;
  filter?: (n: NodeInfo) => FilterStatus | undefined;
}

const MIN_FEASIBLE_NODES = 100;
const MIN_FEASIBLE_PERCENT = 5;

/** kube's adaptive percentageOfNodesToScore: every node up to 100, then a shrinking share. */
export function numFeasibleNodesToFind(numNodes: number): number {
  if (numNodes < MIN_FEASIBLE_NODES) return numNodes;
  const pct = Math.max(MIN_FEASIBLE_PERCENT, 50 - Math.trunc(numNodes / 125));
  return Math.max(MIN_FEASIBLE_NODES, Math.trunc((numNodes * pct) / 100));
}

export class Algorithm {
  private nextStart = 0;

  constructor(
    private readonly cache: SchedulerCache,
    private readonly random: () => number,
  ) {}

  schedule(p: PodInfo, extra?: ExtraPlugin): ScheduleResult {
    const all = this.cache.liveNodes();
    if (all.length === 0) return { noNodes: true };
    const statuses = new Map<NodeInfo, FilterStatus>();
    const d: Diagnosis = { numAllNodes: all.length, statuses, plugins: new Set() };
    let nodes = all;
    if (p.pinned) {
      d.plugins.add('NodeAffinity');
      if (p.pinned.size === 0) {
        d.preFilterMsg = AFFINITY_CONFLICT;
        return { diagnosis: d };
      }
      nodes = [];
      for (const name of p.pinned) {
        const n = this.cache.node(name);
        if (n) nodes.push(n);
      }
      d.absent = { code: 'UnschedulableAndUnresolvable', reason: NOT_SATISFIED_NODE_AFFINITY };
    }
    if (extra?.reject !== undefined) {
      d.plugins.add(extra.name);
      d.preFilterMsg = extra.reject;
      return { diagnosis: d };
    }
    const extraFilter = extra?.filter;
    const feasible: NodeInfo[] = [];
    const want = numFeasibleNodesToFind(nodes.length);
    const start = nodes.length > 0 ? this.nextStart % nodes.length : 0;
    for (let i = 0; i < nodes.length && feasible.length < want; i++) {
      const n = nodes[(start + i) % nodes.length] as NodeInfo;
      const s = runFilters(p, n) ?? extraFilter?.(n);
      if (!s) feasible.push(n);
      else {
        statuses.set(n, s);
        d.plugins.add(s.plugin);
      }
    }
    this.nextStart = (this.nextStart + feasible.length + statuses.size) % all.length;
    if (feasible.length === 0) return { diagnosis: d };
    if (feasible.length === 1) return { node: feasible[0] as NodeInfo };
    const totals = scoreNodes(p, feasible);
    return { node: feasible[selectHost(totals, this.random)] as NodeInfo };
  }
}
