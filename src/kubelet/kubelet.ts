// One simulated kubelet: owns a Node object (labels, pod CIDR, status), keeps its Lease fresh, admits the pods
// bound to it and runs a pod worker for each.
import type { Node, NodeStatus, Pod } from 'kubernetes-types/core/v1.js';
import { nodeDescriptor } from '../api/kinds/node.js';
import { podDescriptor } from '../api/kinds/pod.js';
import type { KubeObject } from '../api/types.js';
import type { Client } from '../client/client.js';
import type { EventRecorder } from '../client/events.js';
import type { Clock } from '../clock/clock.js';
import type { ImageCatalog, ImageInfo } from './images/catalog.js';
import { NodeImageStore } from './images/image-store.js';
import { admitPod, type HostPort, type NodeUsage, type PodDemand, podDemand } from './node/admission.js';
import { type MachineIdentity, machineIdentity, nodeInternalIP, nodePodCIDR, PodIPAllocator } from './node/identity.js';
import { NodeLease } from './node/lease.js';
import { kubeletStopped } from './node/power.js';
import { ALLOCATABLE_AMOUNTS, buildNodeStatus, CONDITION_EVENTS, DEFAULT_ANNOTATIONS, defaultLabels, sameNodeStatus } from './node/node-status.js';
import type { ConfigLookup, NodeObjects } from './pod/config-refs.js';
import { isTerminalPhase } from './pod/phase.js';
import { PodWorker, type PodWorkerContext } from './pod/pod-worker.js';
import { errorCode } from './pod/status-writer.js';
import { Random } from './random.js';
import { KUBELET_ENDPOINT_ANNOTATION } from './server/endpoint-record.js';
import type { ContainerRuntime } from './runtime/process.js';
import type { TimerWheel, WheelHandle } from './timer-wheel.js';
import type { TimingProfile } from './timing.js';

export interface KubeletOptions {
  node: Node;
  /** The node's number: its InternalIP and default pod CIDR derive from it. */
  index: number;
  client: Client;
  clock: Clock;
  wheel: TimerWheel;
  timing: TimingProfile;
  seed: number | string;
  catalog: ImageCatalog;
  runtime: ContainerRuntime;
  recorder: EventRecorder;
  lookupConfig: ConfigLookup;
  objects?: NodeObjects;
  /** The simulation created this Node a moment ago with its first status (so no condition flips later). */
  registeredNow?: boolean;
  /** This process's kubelet server (several processes share the cluster): its port goes in the status, and the
   * Node's annotation names the record API servers find it by. */
  endpoint?: KubeletEndpointRef;
  log(message: string, err?: unknown): void;
}

export interface KubeletEndpointRef {
  port: number;
  record: string;
}

export class SimulatedKubelet {
  readonly name: string;
  readonly index: number;
  readonly internalIP: string;
  private node: Node;
  private podCIDR: string;
  private readonly random: Random;
  private readonly identity: MachineIdentity;
  private readonly images: NodeImageStore;
  private ips: PodIPAllocator;
  private readonly lease: NodeLease;
  private readonly workers = new Map<string, PodWorker>();
  private readonly demands = new Map<string, PodDemand>();
  private readonly usage: NodeUsage = { cpuMilli: 0, memoryBytes: 0, ephemeralBytes: 0, pods: 0 };
  private portsInUse = 0;
  private readonly ctx: PodWorkerContext;
  private lastPosted?: NodeStatus;
  private lastPostAt = -Infinity;
  private statusTimer?: WheelHandle;
  private leaseTimer?: WheelHandle;
  private stopped = false;
  private posting = false;
  /** Switched off through the Node's annotation: alive inside (timers, containers) but silent to the API. */
  private off: boolean;
  /** Pod events that arrived while switched off, latest per pod, handled when switched back on. */
  private readonly missed = new Map<string, { pod: Pod; removed: boolean }>();
  /** Finished pods being deleted whose final delete this kubelet has sent. */
  private readonly finalDeletes = new Set<string>();

  constructor(private readonly opts: KubeletOptions) {
    this.node = opts.node;
    this.off = kubeletStopped(opts.node);
    this.name = opts.node.metadata?.name ?? '';
    this.index = opts.index;
    this.internalIP = nodeInternalIP(opts.index);
    this.podCIDR = opts.node.spec?.podCIDR || nodePodCIDR(opts.index);
    this.random = new Random(`${opts.seed}/node/${this.name}`);
    this.identity = machineIdentity(new Random(`${opts.seed}/machine/${this.name}`));
    this.images = new NodeImageStore(opts.catalog, opts.timing, this.random, () => opts.clock.now());
    this.ips = new PodIPAllocator(this.podCIDR);
    this.lease = new NodeLease(opts.client, opts.clock, this.name, () => this.node.metadata?.uid);
    this.ctx = {
      nodeName: this.name,
      client: opts.client,
      clock: opts.clock,
      wheel: opts.wheel,
      timing: opts.timing,
      random: this.random,
      images: this.images,
      runtime: opts.runtime,
      recorder: opts.recorder,
      hostIP: () => this.internalIP,
      allocateIP: () => this.ips.allocate(),
      reserveIP: (ip) => this.ips.reserve(ip),
      releaseIP: (ip) => this.ips.release(ip),
      describeImage: (spec) => this.describeImage(spec),
      lookupConfig: opts.lookupConfig,
      ...(opts.objects ? { objects: opts.objects } : {}),
      released: (w) => this.unaccount(w.uid),
      held: () => this.off,
      log: opts.log,
    };
  }

  /** Takes the node over and starts every pod already bound to it. */
  start(pods: readonly Pod[]): void {
    this.nodeEvent('Starting', 'Starting kubelet.');
    if (this.opts.registeredNow) {
      for (const e of CONDITION_EVENTS.filter((x) => x !== 'NodeReady')) this.nodeEvent(e, `Node ${this.name} status is now: ${e}`);
    }
    void this.register().catch((err) => this.opts.log(`registering node ${this.name} failed`, err));
    this.renewLease();
    this.scheduleStatus();
    // Admission follows creation order, as the kubelet sorts the pods it receives at startup.
    const sorted = [...pods].sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''));
    for (const p of sorted) this.podChanged(p);
  }

  stop(): void {
    this.stopped = true;
    this.statusTimer?.cancel();
    this.leaseTimer?.cancel();
    for (const w of this.workers.values()) w.stop();
    this.workers.clear();
  }

  nodeChanged(node: Node): void {
    this.node = node;
    const off = kubeletStopped(node);
    if (off !== this.off) {
      this.off = off;
      if (!off) this.switchedOn();
    }
    if (node.spec?.podCIDR && node.spec.podCIDR !== this.podCIDR && this.workers.size === 0) {
      this.podCIDR = node.spec.podCIDR;
      this.ips = new PodIPAllocator(this.podCIDR);
    }
  }

  // ---- pods ----

  /** Whether the kubelet is switched off through its Node's annotation. */
  get switchedOff(): boolean {
    return this.off;
  }

  /** Back on: heartbeats at once (so the node is Ready without waiting a period), then catches up with pods. */
  private switchedOn(): void {
    void this.postStatus(true).catch((err) => this.opts.log(`posting status of node ${this.name} failed`, err));
    // One renewal now, outside the timer chain, which carries on at its own pace.
    void this.lease.renew().catch((err) => this.opts.log(`renewing the lease of node ${this.name} failed`, err));
    const missed = [...this.missed.values()];
    this.missed.clear();
    for (const { pod, removed } of missed) {
      if (removed) this.podRemoved(pod);
      else this.podChanged(pod);
    }
    for (const w of this.workers.values()) w.resumed();
  }

  podChanged(pod: Pod): void {
    if (this.stopped) return;
    const uid = pod.metadata?.uid ?? '';
    if (this.off) {
      this.missed.set(uid, { pod, removed: false });
      return;
    }
    const existing = this.workers.get(uid);
    if (existing) {
      existing.update(pod);
      return;
    }
    if (isTerminalPhase(pod.status?.phase)) {
      // Finished under another kubelet (a nodes process that was killed or lost its lease) between its terminal
      // status and its final delete: that last step falls to whoever runs the node now.
      if (pod.metadata?.deletionTimestamp) this.finalDelete(pod);
      return;
    }
    const worker = new PodWorker(this.ctx, pod);
    this.workers.set(uid, worker);
    // A pod a kubelet already started (an earlier run) is not admitted again.
    if (!pod.status?.startTime && !pod.metadata?.deletionTimestamp) {
      const verdict = admitPod(pod, this.node, ALLOCATABLE_AMOUNTS, this.usage, this.usedPorts());
      if (!verdict.ok) {
        worker.reject(verdict.reason, verdict.message);
        return;
      }
    }
    this.account(uid, podDemand(pod));
    worker.start();
  }

  private finalDelete(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    if (this.finalDeletes.has(uid)) return;
    this.finalDeletes.add(uid);
    const { namespace, name } = pod.metadata ?? {};
    void this.opts.client
      .delete(podDescriptor, namespace, name ?? '', { gracePeriodSeconds: 0, preconditions: { uid } })
      .catch((err) => {
        const code = errorCode(err);
        if (code === 404 || code === 409) return;
        // Let a later event of the pod try again.
        this.finalDeletes.delete(uid);
        this.opts.log(`deleting pod ${namespace}/${name} failed`, err);
      });
  }

  podRemoved(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    this.finalDeletes.delete(uid);
    if (this.off && !this.stopped) {
      this.missed.set(uid, { pod, removed: true });
      return;
    }
    const w = this.workers.get(uid);
    if (!w) return;
    this.workers.delete(uid);
    w.removed();
    this.unaccount(uid);
  }

  /** Pods this kubelet is running or finishing (for tests and the dashboard). */
  podCount(): number {
    let n = 0;
    for (const w of this.workers.values()) if (w.counts) n++;
    return n;
  }

  private account(uid: string, d: PodDemand): void {
    if (this.demands.has(uid)) return;
    this.demands.set(uid, d);
    this.usage.cpuMilli += d.cpuMilli;
    this.usage.memoryBytes += d.memoryBytes;
    this.usage.ephemeralBytes += d.ephemeralBytes;
    this.usage.pods++;
    if (d.ports.length) this.portsInUse++;
  }

  private unaccount(uid: string): void {
    const d = this.demands.get(uid);
    if (!d) return;
    this.demands.delete(uid);
    this.usage.cpuMilli -= d.cpuMilli;
    this.usage.memoryBytes -= d.memoryBytes;
    this.usage.ephemeralBytes -= d.ephemeralBytes;
    this.usage.pods--;
    if (d.ports.length) this.portsInUse--;
  }

  private usedPorts(): HostPort[] {
    if (this.portsInUse === 0) return [];
    const out: HostPort[] = [];
    for (const d of this.demands.values()) out.push(...d.ports);
    return out;
  }

  private describeImage(spec: string): ImageInfo | undefined {
    const r = this.opts.catalog.lookup(spec);
    return r.ok ? r.image : undefined;
  }

  // ---- node object, status, lease ----

  private nodeEvent(reason: string, message: string): void {
    // The kubelet names its node by name in the UID field too, which is what `kubectl describe node` looks for.
    const ref: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: this.name, uid: this.name } };
    this.opts.recorder.event(ref, 'Normal', reason, message);
  }

  /** Brings a node someone else created in line with what a kubelet registers: labels, annotation, pod CIDR. */
  private async register(): Promise<void> {
    for (let attempt = 0; attempt < 5 && !this.stopped; attempt++) {
      const node = this.node;
      const labels = { ...(node.metadata?.labels ?? {}) };
      const annotations = { ...(node.metadata?.annotations ?? {}) };
      let changed = false;
      for (const [k, v] of Object.entries({ ...defaultLabels(this.name) })) {
        if (labels[k] !== v) {
          labels[k] = v;
          changed = true;
        }
      }
      for (const [k, v] of Object.entries(DEFAULT_ANNOTATIONS)) {
        if (annotations[k] === undefined) {
          annotations[k] = v;
          changed = true;
        }
      }
      const endpoint = this.opts.endpoint;
      if (endpoint && annotations[KUBELET_ENDPOINT_ANNOTATION] !== endpoint.record) {
        // A new nodes process took over: API servers must reach this kubelet server from now on.
        annotations[KUBELET_ENDPOINT_ANNOTATION] = endpoint.record;
        changed = true;
      }
      const spec = { ...(node.spec ?? {}) };
      if (!spec.podCIDR) {
        spec.podCIDR = this.podCIDR;
        spec.podCIDRs = [this.podCIDR];
        changed = true;
      }
      if (!changed) break;
      try {
        const updated = await this.opts.client.update(nodeDescriptor, undefined, {
          ...(node as unknown as KubeObject),
          metadata: { ...(node.metadata as KubeObject['metadata']), labels, annotations },
          spec,
        });
        this.node = updated as unknown as Node;
        break;
      } catch (err) {
        if (errorCode(err) !== 409) throw err;
        this.node = (await this.opts.client.get(nodeDescriptor, undefined, this.name)) as unknown as Node;
      }
    }
    this.nodeEvent('NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
    if (this.opts.registeredNow) this.nodeEvent('NodeReady', `Node ${this.name} status is now: NodeReady`);
    await this.postStatus(true);
  }

  private scheduleStatus(): void {
    if (this.stopped) return;
    this.statusTimer = this.opts.wheel.after(this.opts.timing.nodeStatusUpdateMs, () => {
      void this.postStatus(false)
        .catch((err) => this.opts.log(`posting status of node ${this.name} failed`, err))
        .finally(() => this.scheduleStatus());
    });
  }

  /** Posts node status when it changed (or someone else changed it), or when the report period has passed. */
  private async postStatus(force: boolean): Promise<void> {
    if (this.stopped || this.posting || this.off) return;
    const now = this.opts.clock.now();
    const { status, events } = buildNodeStatus({
      name: this.name,
      internalIP: this.internalIP,
      identity: this.identity,
      images: this.images.list(),
      current: this.node.status,
      now,
      ...(this.opts.endpoint ? { kubeletPort: this.opts.endpoint.port } : {}),
    });
    const due = now - this.lastPostAt >= this.opts.timing.nodeStatusReportMs;
    if (!force && !due && sameNodeStatus(status, this.lastPosted) && sameNodeStatus(status, this.node.status)) return;
    this.posting = true;
    try {
      const updated = await this.opts.client.patch(nodeDescriptor, undefined, this.name, 'merge', { status }, { subresource: 'status' });
      this.node = updated as unknown as Node;
      this.lastPosted = status;
      this.lastPostAt = now;
      for (const e of events) this.nodeEvent(e, `Node ${this.name} status is now: ${e}`);
    } catch (err) {
      if (errorCode(err) !== 404) throw err;
    } finally {
      this.posting = false;
    }
  }

  private renewLease(): void {
    if (this.stopped) return;
    void (this.off ? Promise.resolve() : this.lease.renew())
      .catch((err) => this.opts.log(`renewing the lease of node ${this.name} failed`, err))
      .finally(() => {
        if (!this.stopped) this.leaseTimer = this.opts.wheel.after(this.opts.timing.leaseRenewMs, () => this.renewLease());
      });
  }
}
