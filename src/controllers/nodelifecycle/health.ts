// Judging node health from heartbeats, and the taints that follow from it. A node is alive while either its
// Lease renewTime or its Ready condition's heartbeat moves; once neither has moved for the grace period the
// controller speaks for the silent kubelet: its conditions become Unknown.
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../clock/clock.js';

export const NOT_READY = 'node.kubernetes.io/not-ready';
export const UNREACHABLE = 'node.kubernetes.io/unreachable';

/** What the controller last saw of a node, in its own clock. */
export interface Probe {
  /** Cluster time of the last sign of life. */
  probeAt: number;
  heartbeat?: string;
  leaseRenew?: string;
}

export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

/** Refreshes the probe: any new heartbeat or lease renewal counts as a sign of life now. */
export function observe(prev: Probe | undefined, node: Node, leaseRenew: string | undefined, now: number): Probe {
  const heartbeat = readyCondition(node)?.lastHeartbeatTime;
  // A node first seen without a Ready condition has only its creation to go by (startup grace applies).
  if (!prev) {
    const created = Date.parse(node.metadata?.creationTimestamp ?? '');
    const probeAt = heartbeat || Number.isNaN(created) ? now : created;
    return { probeAt, ...(heartbeat ? { heartbeat } : {}), ...(leaseRenew ? { leaseRenew } : {}) };
  }
  const next: Probe = { ...prev };
  if (heartbeat !== prev.heartbeat) {
    next.probeAt = now;
    if (heartbeat) next.heartbeat = heartbeat;
    else delete next.heartbeat;
  }
  if (leaseRenew && (!prev.leaseRenew || prev.leaseRenew < leaseRenew)) {
    next.probeAt = now;
    next.leaseRenew = leaseRenew;
  }
  return next;
}

const WATCHED = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** The conditions a silent node gets, or undefined when they are already all Unknown. Heartbeat times stay:
 * they record when the kubelet last spoke. */
export function unknownConditions(node: Node, now: number): NodeCondition[] | undefined {
  const conds = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const type of WATCHED) {
    const c = conds.find((x) => x.type === type);
    if (!c) {
      conds.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata?.creationTimestamp ?? rfc3339(now), lastTransitionTime: rfc3339(now) });
      changed = true;
    } else if (c.status !== 'Unknown') {
      Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: rfc3339(now) });
      changed = true;
    }
  }
  return changed ? conds : undefined;
}

/** The condition taints a node should carry: NoSchedule ones from its conditions and cordon (so the scheduler
 * keeps new pods away) and the NoExecute one from Ready (which starts evictions). */
export function conditionTaints(node: Node): Taint[] {
  const out: Taint[] = [];
  const ready = readyCondition(node)?.status;
  if (ready === 'False') out.push({ key: NOT_READY, effect: 'NoSchedule' }, { key: NOT_READY, effect: 'NoExecute' });
  if (ready === 'Unknown') out.push({ key: UNREACHABLE, effect: 'NoSchedule' }, { key: UNREACHABLE, effect: 'NoExecute' });
  const pressure: Record<string, string> = { MemoryPressure: 'memory-pressure', DiskPressure: 'disk-pressure', PIDPressure: 'pid-pressure', NetworkUnavailable: 'network-unavailable' };
  for (const c of node.status?.conditions ?? []) {
    const key = pressure[c.type];
    if (key && c.status === 'True') out.push({ key: `node.kubernetes.io/${key}`, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) out.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
  return out;
}

const MANAGED = new Set([NOT_READY, UNREACHABLE, ...['memory-pressure', 'disk-pressure', 'pid-pressure', 'network-unavailable', 'unschedulable'].map((k) => `node.kubernetes.io/${k}`)]);

/** The node's taints with the managed ones brought in line (new NoExecute ones stamped with timeAdded, which eviction counts from), or undefined
 * when nothing changes. Taints of others are kept as they are. */
export function reconcileTaints(node: Node, now: number): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const want = conditionTaints(node);
  const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
  const kept = current.filter((t) => !MANAGED.has(t.key) || want.some((w) => same(w, t)));
  const added = want.filter((w) => !current.some((t) => same(t, w))).map((w) => (w.effect === 'NoExecute' ? { ...w, timeAdded: rfc3339(now) } : w));
  if (!added.length && kept.length === current.length) return undefined;
  return [...kept, ...added];
}
