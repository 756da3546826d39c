// The filter plugins of kube-scheduler's default profile that matter here, in the profile's order; a node is
// rejected by the first one that fails, and only that plugin's reasons are reported for it. Reason texts and
// codes are kube's (v1.35): "Unresolvable" means preemption could not help on that node.
import { anyTolerates, type Taint } from './affinity.js';
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';

export type Plugin = 'NodeUnschedulable' | 'TaintToleration' | 'NodeAffinity' | 'NodePorts' | 'NodeResourcesFit' | 'VolumeBinding';
export type Code = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface FilterStatus {
  readonly plugin: Plugin;
  readonly code: Code;
  readonly reasons: readonly string[];
}

export const REASON = {
  unschedulable: 'node(s) were unschedulable',
  // Since v1.35 (and v1.34.2) the taint's key and value are left out: they may be sensitive.
  taint: 'node(s) had untolerated taint(s)',
  affinity: "node(s) didn't match Pod's node affinity/selector",
  ports: "node(s) didn't have free ports for the requested pod ports",
  tooManyPods: 'Too many pods',
} as const;

const status = (plugin: Plugin, code: Code, reason: string): FilterStatus => Object.freeze({ plugin, code, reasons: Object.freeze([reason]) });

const UNSCHEDULABLE = status('NodeUnschedulable', 'UnschedulableAndUnresolvable', REASON.unschedulable);
const TAINTED = status('TaintToleration', 'UnschedulableAndUnresolvable', REASON.taint);
const AFFINITY = status('NodeAffinity', 'UnschedulableAndUnresolvable', REASON.affinity);
const PORTS = status('NodePorts', 'Unschedulable', REASON.ports);

const CORDON_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function nodeUnschedulable(p: PodInfo, n: NodeInfo): FilterStatus | undefined {
  if (!n.unschedulable) return undefined;
  return anyTolerates(p.tolerations, CORDON_TAINT) ? undefined : UNSCHEDULABLE;
}

export function untoleratedTaint(p: PodInfo, n: NodeInfo): Taint | undefined {
  for (const t of n.blockingTaints) if (!anyTolerates(p.tolerations, t)) return t;
  return undefined;
}

export function taintToleration(p: PodInfo, n: NodeInfo): FilterStatus | undefined {
  return untoleratedTaint(p, n) ? TAINTED : undefined;
}

export function nodeAffinity(p: PodInfo, n: NodeInfo): FilterStatus | undefined {
  if (!p.required) return undefined;
  return p.required(n) ? undefined : AFFINITY;
}

export function nodePorts(p: PodInfo, n: NodeInfo): FilterStatus | undefined {
  if (p.hostPorts.length === 0) return undefined;
  return n.portsConflict(p.hostPorts) ? PORTS : undefined;
}

export function nodeResourcesFit(p: PodInfo, n: NodeInfo): FilterStatus | undefined {
  const a = n.allocatable;
  const used = n.requested;
  const r = p.requests;
  // Plain locals rather than a helper closure: this runs for every pod on every node.
  let reasons: string[] | undefined;
  let unresolvable = false;
  if (n.podCount + 1 > a.pods) reasons = [REASON.tooManyPods];
  if (r.milliCPU > 0 && r.milliCPU > a.milliCPU - used.milliCPU) {
    (reasons ??= []).push('Insufficient cpu');
    if (r.milliCPU > a.milliCPU) unresolvable = true;
  }
  if (r.memory > 0 && r.memory > a.memory - used.memory) {
    (reasons ??= []).push('Insufficient memory');
    if (r.memory > a.memory) unresolvable = true;
  }
  if (r.ephemeralStorage > 0 && r.ephemeralStorage > a.ephemeralStorage - used.ephemeralStorage) {
    (reasons ??= []).push('Insufficient ephemeral-storage');
    if (r.ephemeralStorage > a.ephemeralStorage) unresolvable = true;
  }
  if (r.scalar) {
    for (const [name, q] of r.scalar) {
      if (q === 0) continue;
      const cap = a.scalar?.get(name) ?? 0;
      if (q <= cap - (used.scalar.get(name) ?? 0)) continue;
      (reasons ??= []).push(`Insufficient ${name}`);
      if (q > cap) unresolvable = true;
    }
  }
  if (!reasons) return undefined;
  return { plugin: 'NodeResourcesFit', code: unresolvable ? 'UnschedulableAndUnresolvable' : 'Unschedulable', reasons };
}

const FILTERS = [nodeUnschedulable, taintToleration, nodeAffinity, nodePorts, nodeResourcesFit];

/** Runs the filters in profile order; undefined when the node can take the pod. */
export function runFilters(p: PodInfo, n: NodeInfo): FilterStatus | undefined {
  for (const f of FILTERS) {
    const s = f(p, n);
    if (s) return s;
  }
  return undefined;
}
