// Scoring of the feasible nodes with the default profile's weights: NodeResourcesFit (LeastAllocated, 1),
// NodeResourcesBalancedAllocation (1), TaintToleration (PreferNoSchedule, 3), NodeAffinity (preferred
// terms, 2) and PodTopologySpread (system defaults, 2). Plugins whose score would be the same on every node
// are skipped: they cannot change the pick.
import { anyTolerates } from './affinity.js';
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';

export const MAX_NODE_SCORE = 100;

const WEIGHT = { fit: 1, balanced: 1, taint: 3, affinity: 2, spread: 2 };

const HOSTNAME_MAX_SKEW = 3;

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** LeastAllocated over cpu and memory (equal weights), counting unset requests at kube's defaults. */
export function leastAllocatedScore(p: PodInfo, n: NodeInfo): number {
  const a = n.allocatable;
  let sum = 0;
  let weights = 0;
  if (a.milliCPU !== 0) {
    sum += leastRequested(n.nonZeroRequested.milliCPU + p.nonZero.milliCPU, a.milliCPU);
    weights++;
  }
  if (a.memory !== 0) {
    sum += leastRequested(n.nonZeroRequested.memory + p.nonZero.memory, a.memory);
    weights++;
  }
  return weights === 0 ? 0 : Math.floor(sum / weights);
}

/** Prefers nodes whose cpu and memory would be used in equal shares after placing the pod. */
export function balancedAllocationScore(p: PodInfo, n: NodeInfo): number {
  const a = n.allocatable;
  // With a single measurable resource there is nothing to balance (kube's std of one fraction is 0).
  if (a.milliCPU === 0 || a.memory === 0) return MAX_NODE_SCORE;
  const cpu = Math.min(1, (n.requested.milliCPU + p.requests.milliCPU) / a.milliCPU);
  const mem = Math.min(1, (n.requested.memory + p.requests.memory) / a.memory);
  return Math.trunc((1 - Math.abs((cpu - mem) / 2)) * MAX_NODE_SCORE);
}

export function intolerablePreferNoSchedule(p: PodInfo, n: NodeInfo): number {
  if (n.preferNoScheduleTaints.length === 0) return 0;
  const tolerations = p.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  let count = 0;
  for (const t of n.preferNoScheduleTaints) if (!anyTolerates(tolerations, t)) count++;
  return count;
}

export function preferredAffinityScore(p: PodInfo, n: NodeInfo): number {
  let s = 0;
  for (const t of p.preferred) if (t.match(n)) s += t.weight;
  return s;
}

/**
 * PodTopologySpread with kube's system-default constraint on kubernetes.io/hostname (maxSkew 3, ScheduleAnyway):
 * a node already running more siblings of the pod scores lower, so a ReplicaSet spreads evenly even while
 * resource scores tie. The zone constraint is left out: simulated nodes carry no zone label.
 */
export function topologySpreadScores(p: PodInfo, nodes: readonly NodeInfo[]): number[] | undefined {
  const owner = p.spreadOwner;
  if (!owner) return undefined;
  // Each node is its own hostname domain; the weight grows with the number of domains, as kube's does.
  const weight = Math.log(nodes.length + 2);
  const raw = nodes.map((n) => Math.round(n.podsOwnedBy(owner) * weight + (HOSTNAME_MAX_SKEW - 1)));
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const s of raw) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  if (max === 0) return raw.map(() => MAX_NODE_SCORE);
  return raw.map((s) => Math.floor((MAX_NODE_SCORE * (max + min - s)) / max));
}

/** kube's DefaultNormalizeScore: scale to 0..100 by the maximum, optionally reversed. */
export function normalize(raw: number[], reverse: boolean): number[] {
  let max = 0;
  for (const s of raw) if (s > max) max = s;
  if (max === 0) return raw.map(() => (reverse ? MAX_NODE_SCORE : 0));
  return raw.map((s) => {
    const v = Math.floor((MAX_NODE_SCORE * s) / max);
    return reverse ? MAX_NODE_SCORE - v : v;
  });
}

/** Weighted totals, one per feasible node. */
export function scoreNodes(p: PodInfo, nodes: readonly NodeInfo[]): number[] {
  const totals = new Array<number>(nodes.length);
  const balanced = p.requests.milliCPU !== 0 || p.requests.memory !== 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as NodeInfo;
    let t = WEIGHT.fit * leastAllocatedScore(p, n);
    if (balanced) t += WEIGHT.balanced * balancedAllocationScore(p, n);
    totals[i] = t;
  }
  if (nodes.some((n) => n.preferNoScheduleTaints.length > 0)) {
    const taints = normalize(nodes.map((n) => intolerablePreferNoSchedule(p, n)), true);
    for (let i = 0; i < nodes.length; i++) totals[i] = (totals[i] as number) + WEIGHT.taint * (taints[i] as number);
  }
  if (p.preferred.length > 0) {
    const aff = normalize(nodes.map((n) => preferredAffinityScore(p, n)), false);
    for (let i = 0; i < nodes.length; i++) totals[i] = (totals[i] as number) + WEIGHT.affinity * (aff[i] as number);
  }
  const spread = topologySpreadScores(p, nodes);
  if (spread) for (let i = 0; i < nodes.length; i++) totals[i] = (totals[i] as number) + WEIGHT.spread * (spread[i] as number);
  return totals;
}

/** The best-scoring node; ties are broken at random (reservoir sampling) so equal nodes share the load. */
export function selectHost(totals: readonly number[], random: () => number): number {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < totals.length; i++) {
    const t = totals[i] as number;
    const b = totals[best] as number;
    if (t > b) {
      best = i;
      ties = 1;
    } else if (t === b) {
      ties++;
      if (Math.floor(random() * ties) === 0) best = i;
    }
  }
  return best;
}

/** A small seeded generator (mulberry32): the same seed gives the same placements. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
