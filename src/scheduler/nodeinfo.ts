// Per-node bookkeeping kept up to date incrementally: what each node offers and what its pods (bound or just
// assumed) already take. Filters read these numbers instead of walking the node's pods.
import type { KubeObject } from '../api/types.js';
import type { NodeView, Taint } from './affinity.js';
import type { HostPort } from './podinfo.js';
import { allocatableOf, type Resources } from './resources.js';

/** A pod as counted against its node. */
export interface AccountedPod {
  key: string;
  uid: string;
  nodeName: string;
  priority: number;
  requests: Resources;
  nonZero: Resources;
  hostPorts: HostPort[];
  spreadOwner?: string;
  /** Bound by us but not yet seen bound through the informer. */
  assumed: boolean;
}

export class NodeInfo implements NodeView {
  node?: KubeObject;
  labels: Readonly<Record<string, string>> = {};
  unschedulable = false;
  /** NoSchedule and NoExecute taints, in the node's order: the ones filtering cares about. */
  blockingTaints: Taint[] = [];
  preferNoScheduleTaints: Taint[] = [];
  allocatable: Resources & { pods: number } = { milliCPU: 0, memory: 0, ephemeralStorage: 0, pods: 0 };
  readonly requested = { milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: new Map<string, number>() };
  readonly nonZeroRequested = { milliCPU: 0, memory: 0 };
  readonly pods = new Map<string, AccountedPod>();
  /** protocol/port -> host IP -> how many pods hold it. */
  private readonly ports = new Map<string, Map<string, number>>();
  private readonly priorities = new Map<number, number>();
  private readonly owners = new Map<string, number>();

  constructor(readonly name: string) {}

  get podCount(): number {
    return this.pods.size;
  }

  /** Takes the node's current spec and status; returns which scheduling-relevant aspects changed. */
  setNode(node: KubeObject): Set<NodeChange> {
    const changes = new Set<NodeChange>();
    const spec: any = node.spec ?? {};
    const status: any = node.status ?? {};
    const labels = node.metadata.labels ?? {};
    const taints: Taint[] = Array.isArray(spec.taints) ? spec.taints : [];
    const blocking = taints.filter((t) => t?.effect === 'NoSchedule' || t?.effect === 'NoExecute');
    const prefer = taints.filter((t) => t?.effect === 'PreferNoSchedule');
    const alloc = allocatableOf(status.allocatable);
    if (!this.node) changes.add('added');
    if (!sameRecord(labels, this.labels)) changes.add('labels');
    if (!sameTaints(blocking, this.blockingTaints) || !sameTaints(prefer, this.preferNoScheduleTaints)) changes.add('taints');
    if (Boolean(spec.unschedulable) !== this.unschedulable) changes.add('unschedulable');
    if (!sameResources(alloc, this.allocatable)) changes.add('allocatable');
    this.node = node;
    this.labels = labels;
    this.blockingTaints = blocking;
    this.preferNoScheduleTaints = prefer;
    this.unschedulable = Boolean(spec.unschedulable);
    this.allocatable = alloc;
    return changes;
  }

  addPod(p: AccountedPod): void {
    this.pods.set(p.key, p);
    this.shift(p, 1);
  }

  removePod(key: string): AccountedPod | undefined {
    const p = this.pods.get(key);
    if (!p) return undefined;
    this.pods.delete(key);
    this.shift(p, -1);
    return p;
  }

  private shift(p: AccountedPod, sign: 1 | -1): void {
    const r = this.requested;
    r.milliCPU += sign * p.requests.milliCPU;
    r.memory += sign * p.requests.memory;
    r.ephemeralStorage += sign * p.requests.ephemeralStorage;
    if (p.requests.scalar) for (const [k, v] of p.requests.scalar) r.scalar.set(k, (r.scalar.get(k) ?? 0) + sign * v);
    this.nonZeroRequested.milliCPU += sign * p.nonZero.milliCPU;
    this.nonZeroRequested.memory += sign * p.nonZero.memory;
    bump(this.priorities, p.priority, sign);
    if (p.spreadOwner) bump(this.owners, p.spreadOwner, sign);
    for (const hp of p.hostPorts) {
      const pp = `${hp.protocol}/${hp.port}`;
      let ips = this.ports.get(pp);
      if (!ips) this.ports.set(pp, (ips = new Map()));
      bump(ips, hp.ip, sign);
      if (ips.size === 0) this.ports.delete(pp);
    }
  }

  /** kube's HostPortInfo conflict rule: 0.0.0.0 clashes with every address on the same protocol/port. */
  portsConflict(want: readonly HostPort[]): boolean {
    for (const hp of want) {
      const ips = this.ports.get(`${hp.protocol}/${hp.port}`);
      if (!ips) continue;
      if (hp.ip === '0.0.0.0' || ips.has(hp.ip) || ips.has('0.0.0.0')) return true;
    }
    return false;
  }

  /** Pods of one controller on this node: what default topology spreading counts. */
  podsOwnedBy(owner: string): number {
    return this.owners.get(owner) ?? 0;
  }

  hasPodsBelow(priority: number): boolean {
    for (const p of this.priorities.keys()) if (p < priority) return true;
    return false;
  }
}

export type NodeChange = 'added' | 'labels' | 'taints' | 'unschedulable' | 'allocatable';

function bump<K>(m: Map<K, number>, k: K, d: number): void {
  const n = (m.get(k) ?? 0) + d;
  if (n === 0) m.delete(k);
  else m.set(k, n);
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Taint;
    const y = b[i] as Taint;
    if (x.key !== y.key || (x.value ?? '') !== (y.value ?? '') || x.effect !== y.effect) return false;
  }
  return true;
}

function sameResources(a: Resources & { pods: number }, b: Resources & { pods: number }): boolean {
  if (a.milliCPU !== b.milliCPU || a.memory !== b.memory || a.ephemeralStorage !== b.ephemeralStorage || a.pods !== b.pods) return false;
  const sa = a.scalar ?? new Map();
  const sb = b.scalar ?? new Map();
  if (sa.size !== sb.size) return false;
  for (const [k, v] of sa) if (sb.get(k) !== v) return false;
  return true;
}
