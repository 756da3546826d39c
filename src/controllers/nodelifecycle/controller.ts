// The node lifecycle controller (kube-controller-manager's node-controller with its taint-eviction manager):
// every few seconds it checks each node's heartbeats, marks silent nodes Unknown, keeps the condition taints
// in line, marks pods on a failed node NotReady, and deletes pods whose NoExecute tolerance has run out so
// their controllers replace them elsewhere. All timing comes from the injected clock.
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { leaseDescriptor } from '../../api/kinds/lease.js';
import { nodeDescriptor } from '../../api/kinds/node.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import type { KubeObject } from '../../api/types.js';
import { type Clock, rfc3339, type Timer } from '../../clock/clock.js';
import type { Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { InformerFactory, SharedInformer } from '../../client/informer.js';
import { errorMessage, isNotFound } from '../runtime/claim.js';
import { evictionDelay, podTolerations } from './eviction.js';
import { observe, type Probe, readyCondition, reconcileTaints, unknownConditions } from './health.js';

export interface NodeLifecycleOptions {
  client: Client;
  informers: InformerFactory;
  clock: Clock;
  /** Events of `node-controller` (NodeNotReady on nodes and pods). */
  recorder: EventRecorder;
  /** Events of `taint-eviction-controller` (TaintManagerEviction). Default: `recorder`. */
  evictionRecorder?: EventRecorder;
  /** --node-monitor-period (kube: 5 s). */
  periodMs?: number;
  /** --node-monitor-grace-period (kube 1.32: 50 s). */
  gracePeriodMs?: number;
  /** --node-startup-grace-period (kube: 60 s), for nodes that never posted status. */
  startupGracePeriodMs?: number;
  log?(message: string): void;
}

export interface NodeLifecycleHandle {
  /** One monitoring and eviction pass now. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

const LEASE_NAMESPACE = 'kube-node-lease';

export class NodeLifecycleController implements NodeLifecycleHandle {
  private readonly nodes: SharedInformer;
  private readonly pods: SharedInformer;
  private readonly leases: SharedInformer;
  private readonly probes = new Map<string, Probe>();
  /** Pod uid -> cluster time it was first seen under a NoExecute taint it tolerates for a while. */
  private readonly underTaint = new Map<string, number>();
  private timer?: Timer;
  private wake?: Timer;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly period: number;
  private readonly grace: number;
  private readonly startupGrace: number;

  constructor(private readonly opts: NodeLifecycleOptions) {
    this.nodes = opts.informers.informer(nodeDescriptor);
    this.pods = opts.informers.informer(podDescriptor);
    this.leases = opts.informers.informer(leaseDescriptor);
    this.period = opts.periodMs ?? 5000;
    this.grace = opts.gracePeriodMs ?? 50_000;
    this.startupGrace = opts.startupGracePeriodMs ?? 60_000;
  }

  async start(): Promise<void> {
    for (const i of [this.nodes, this.pods, this.leases]) i.start();
    await Promise.all([this.nodes.waitForSync(), this.pods.waitForSync(), this.leases.waitForSync()]);
    if (!this.stopped) this.tick();
  }

  private tick(): void {
    void this.runOnce().finally(() => {
      if (!this.stopped) this.timer = this.opts.clock.after(this.period, () => this.tick());
    });
  }

  runOnce(): Promise<void> {
    // Passes never overlap: a slow one delays the next.
    this.running = this.running.then(() => this.pass()).catch((err) => this.opts.log?.(`node lifecycle pass failed: ${errorMessage(err)}`));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.wake?.cancel();
    await this.running;
  }

  private async pass(): Promise<void> {
    const now = this.opts.clock.now();
    const seen = new Set<string>();
    for (const obj of this.nodes.list()) {
      const name = obj.metadata.name ?? '';
      seen.add(name);
      try {
        await this.monitor(obj as unknown as Node, now);
      } catch (err) {
        if (!isNotFound(err)) this.opts.log?.(`node ${name}: ${errorMessage(err)}`);
      }
    }
    for (const name of this.probes.keys()) if (!seen.has(name)) this.probes.delete(name);
    await this.evict(now);
  }

  private async monitor(observed: Node, now: number): Promise<void> {
    const name = observed.metadata?.name ?? '';
    const lease = this.leases.get(LEASE_NAMESPACE, name) as { spec?: { renewTime?: string } } | undefined;
    const probe = observe(this.probes.get(name), observed, lease?.spec?.renewTime, now);
    this.probes.set(name, probe);
    const before = readyCondition(observed)?.status;
    const grace = before === undefined ? this.startupGrace : this.grace;
    let node = observed;
    if (now > probe.probeAt + grace) {
      const conditions = unknownConditions(node, now);
      if (conditions) {
        node = (await this.opts.client.update(nodeDescriptor, undefined, { ...(node as unknown as KubeObject), status: { ...node.status, conditions } }, { subresource: 'status' })) as unknown as Node;
      }
    }
    const after = readyCondition(node)?.status;
    const taints = reconcileTaints(node, now);
    if (taints) await this.opts.client.patch(nodeDescriptor, undefined, name, 'merge', { spec: { taints: taints.length ? taints : null } });
    if (before === 'True' && after !== undefined && after !== 'True') {
      // The kubelet names its node by name in the UID field too, which is what `kubectl describe node` looks for.
      const ref: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: name } };
      this.opts.recorder.event(ref, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      await this.markPodsNotReady(name, now);
    }
  }

  /** Pods on a failed node stop counting as ready (endpoints drop them) before anything is evicted. */
  private async markPodsNotReady(node: string, now: number): Promise<void> {
    for (const obj of this.pods.byIndex('node', node)) {
      const pod = obj as unknown as Pod;
      const conds = pod.status?.conditions ?? [];
      const ready = conds.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False') continue;
      const next: PodCondition[] = conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(now) } : c));
      try {
        await this.opts.client.update(podDescriptor, obj.metadata.namespace, { ...obj, status: { ...pod.status, conditions: next } }, { subresource: 'status' });
        this.opts.recorder.event(obj, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isNotFound(err)) this.opts.log?.(`marking pod ${obj.metadata.namespace}/${obj.metadata.name} NotReady: ${errorMessage(err)}`);
      }
    }
  }

  private async evict(now: number): Promise<void> {
    const live = new Set<string>();
    let nextDue: number | undefined;
    for (const obj of this.nodes.list()) {
      const taints = (obj as unknown as Node).spec?.taints ?? [];
      if (!taints.some((t) => t.effect === 'NoExecute')) continue;
      for (const p of this.pods.byIndex('node', obj.metadata.name ?? '')) {
        if (p.metadata.deletionTimestamp) continue;
        const uid = p.metadata.uid ?? '';
        const delay = evictionDelay(taints, podTolerations(p as unknown as Pod));
        if (delay === undefined) continue;
        live.add(uid);
        const since = this.underTaint.get(uid) ?? now;
        this.underTaint.set(uid, since);
        const due = since + delay;
        if (due <= now) await this.deletePod(p, now);
        else nextDue = Math.min(nextDue ?? Infinity, due);
      }
    }
    // A pod no longer under a taint (node recovered, pod gone) starts afresh next time.
    for (const uid of this.underTaint.keys()) if (!live.has(uid)) this.underTaint.delete(uid);
    this.wake?.cancel();
    if (nextDue !== undefined && !this.stopped) this.wake = this.opts.clock.after(nextDue - now, () => void this.runOnce());
  }

  private async deletePod(obj: KubeObject, now: number): Promise<void> {
    const ns = obj.metadata.namespace;
    const name = obj.metadata.name ?? '';
    const pod = obj as unknown as Pod;
    const recorder = this.opts.evictionRecorder ?? this.opts.recorder;
    recorder.event(obj, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${ns}/${name}`);
    try {
      if (!pod.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True')) {
        const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: rfc3339(now) }];
        await this.opts.client.update(podDescriptor, ns, { ...obj, status: { ...pod.status, conditions } }, { subresource: 'status' });
      }
      await this.opts.client.delete(podDescriptor, ns, name);
    } catch (err) {
      if (!isNotFound(err)) this.opts.log?.(`evicting pod ${ns}/${name}: ${errorMessage(err)}`);
    }
  }
}
