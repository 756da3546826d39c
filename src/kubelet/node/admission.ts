// The checks a kubelet runs before it accepts a pod bound to its node (the scheduler's predicates, re-run
// locally): enough allocatable cpu, memory, ephemeral storage and pod slots, matching node selector and
// required affinity, free host ports, and no untolerated NoExecute taint. A pod that fails is marked Failed with
// the kubelet's reason (`OutOfcpu`, `NodePorts`, ...); only the first failure is reported.
import type { Node, NodeSelectorRequirement, Pod } from 'kubernetes-types/core/v1.js';
import { quantityOf } from '../../api/kinds/podspec-quantities.js';
import { anyTolerates } from '../../scheduler/affinity.js';

export interface Resources {
  cpuMilli: number;
  memoryBytes: number;
  ephemeralBytes: number;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface PodDemand extends Resources {
  ports: HostPort[];
}

export interface NodeUsage extends Resources {
  pods: number;
}

export interface Allocatable extends Resources {
  pods: number;
}

export type Admission = { ok: true } | { ok: false; reason: string; message: string };

function amount(list: Record<string, unknown> | undefined, name: string, milli: boolean): number {
  const q = quantityOf(list?.[name]);
  if (!q) return 0;
  return Number(milli ? q.milliValue() : q.value());
}

function containerRequests(c: { resources?: { requests?: Record<string, unknown> } }): Resources {
  const r = c.resources?.requests;
  return { cpuMilli: amount(r, 'cpu', true), memoryBytes: amount(r, 'memory', false), ephemeralBytes: amount(r, 'ephemeral-storage', false) };
}

function add(a: Resources, b: Resources): Resources {
  return { cpuMilli: a.cpuMilli + b.cpuMilli, memoryBytes: a.memoryBytes + b.memoryBytes, ephemeralBytes: a.ephemeralBytes + b.ephemeralBytes };
}

function max(a: Resources, b: Resources): Resources {
  return { cpuMilli: Math.max(a.cpuMilli, b.cpuMilli), memoryBytes: Math.max(a.memoryBytes, b.memoryBytes), ephemeralBytes: Math.max(a.ephemeralBytes, b.ephemeralBytes) };
}

const NONE: Resources = { cpuMilli: 0, memoryBytes: 0, ephemeralBytes: 0 };

/** What the pod asks of a node: the larger of its running containers (with sidecars) and any init step, plus
 * overhead; and the host ports its containers bind. */
export function podDemand(pod: Pod): PodDemand {
  const spec = pod.spec;
  let sidecars = NONE;
  let initPeak = NONE;
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c as never);
    if (c.restartPolicy === 'Always') sidecars = add(sidecars, r);
    else initPeak = max(initPeak, add(sidecars, r));
  }
  let running = sidecars;
  for (const c of spec?.containers ?? []) running = add(running, containerRequests(c as never));
  let total = max(running, initPeak);
  const overhead = spec?.overhead as Record<string, unknown> | undefined;
  if (overhead) total = add(total, { cpuMilli: amount(overhead, 'cpu', true), memoryBytes: amount(overhead, 'memory', false), ephemeralBytes: amount(overhead, 'ephemeral-storage', false) });
  const ports: HostPort[] = [];
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      ports.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return { ...total, ports };
}

function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0';
}

function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const have = Number.parseInt(value, 10);
      const want = Number.parseInt(values[0] as string, 10);
      if (Number.isNaN(have) || Number.isNaN(want)) return false;
      return req.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** nodeSelector and required node affinity, as both the scheduler and the kubelet evaluate them. */
export function nodeMatchesPod(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((t) => {
    const exprs = t.matchExpressions ?? [];
    const fields = t.matchFields ?? [];
    if (exprs.length === 0 && fields.length === 0) return false;
    return (
      exprs.every((r) => requirementMatches(r, labels[r.key])) &&
      fields.every((r) => requirementMatches(r, r.key === 'metadata.name' ? node.metadata?.name : undefined))
    );
  });
}

function insufficient(resource: string, requested: number, used: number, capacity: number): Admission {
  return {
    ok: false,
    reason: `OutOf${resource}`,
    message: `Node didn't have enough resource: ${resource}, requested: ${requested}, used: ${used}, capacity: ${capacity}`,
  };
}

/** The node's own allocatable when its status has one (machines of other sizes), else `fallback`. */
export function allocatableOfNode(node: Node, fallback: Allocatable): Allocatable {
  const a = node.status?.allocatable as Record<string, unknown> | undefined;
  if (!a || Object.keys(a).length === 0) return fallback;
  const pods = quantityOf(a.pods);
  return {
    cpuMilli: a.cpu === undefined ? fallback.cpuMilli : amount(a, 'cpu', true),
    memoryBytes: a.memory === undefined ? fallback.memoryBytes : amount(a, 'memory', false),
    ephemeralBytes: a['ephemeral-storage'] === undefined ? fallback.ephemeralBytes : amount(a, 'ephemeral-storage', false),
    pods: pods ? Number(pods.value()) : fallback.pods,
  };
}

export function admitPod(pod: Pod, node: Node, fallback: Allocatable, used: NodeUsage, usedPorts: readonly HostPort[]): Admission {
  const allocatable = allocatableOfNode(node, fallback);
  const demand = podDemand(pod);
  if (used.pods + 1 > allocatable.pods) return insufficient('pods', 1, used.pods, allocatable.pods);
  if (demand.cpuMilli > 0 || demand.memoryBytes > 0 || demand.ephemeralBytes > 0) {
    if (demand.cpuMilli > 0 && allocatable.cpuMilli < demand.cpuMilli + used.cpuMilli) {
      return insufficient('cpu', demand.cpuMilli, used.cpuMilli, allocatable.cpuMilli);
    }
    if (demand.memoryBytes > 0 && allocatable.memoryBytes < demand.memoryBytes + used.memoryBytes) {
      return insufficient('memory', demand.memoryBytes, used.memoryBytes, allocatable.memoryBytes);
    }
    if (demand.ephemeralBytes > 0 && allocatable.ephemeralBytes < demand.ephemeralBytes + used.ephemeralBytes) {
      return insufficient('ephemeral-storage', demand.ephemeralBytes, used.ephemeralBytes, allocatable.ephemeralBytes);
    }
  }
  if (!nodeMatchesPod(pod, node)) {
    return { ok: false, reason: 'NodeAffinity', message: "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector" };
  }
  if (demand.ports.some((p) => usedPorts.some((u) => portsConflict(p, u)))) {
    return { ok: false, reason: 'NodePorts', message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports" };
  }
  const tolerations = pod.spec?.tolerations ?? [];
  const untolerated = (node.spec?.taints ?? []).some((taint) => taint.effect === 'NoExecute' && !anyTolerates(tolerations, taint));
  if (untolerated) {
    return { ok: false, reason: 'TaintToleration', message: "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate" };
  }
  return { ok: true };
}
