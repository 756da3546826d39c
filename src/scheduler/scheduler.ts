// The scheduler core: informer handlers keep an incremental cache and kube's scheduling queue current, and
// scheduling cycles take ready pods from that queue. kube's queue (priority order, backoff, an unschedulable
// pool that cluster events empty) is not a FIFO of keys, so the cycles are driven either by this class's own
// loop (`start`) or by the controller manager through one reserved key (controller.ts). Each decision is
// synchronous against the cache; the binding and the status/event writes run in the background while the
// next decisions are taken, as kube's binding cycle does. A pod with PersistentVolumeClaims goes through
// VolumeBinding (volumes.ts): its claims can reject it before any node is tried, its bound volumes' node
// affinity filters nodes, and its binding waits in PreBind until the PV controller has bound every claim.
import { podDescriptor } from '../api/kinds/pod.js';
import { nodeDescriptor } from '../api/kinds/node.js';
import type { KubeObject } from '../api/types.js';
import { rfc3339, type Clock } from '../clock/clock.js';
import type { Client } from '../client/client.js';
import type { EventRecorder } from '../client/events.js';
import type { InformerFactory, SharedInformer } from '../client/informer.js';
import { Algorithm, type ExtraPlugin } from './algorithm.js';
import { SchedulerCache } from './cache.js';
import { NO_NODES_AVAILABLE, unschedulableMessage } from './diagnosis.js';
import type { NodeChange } from './nodeinfo.js';
import { compilePod, podKey, type PodInfo } from './podinfo.js';
import { SchedulingQueue, type QueueOptions, type QueuedPod } from './queue.js';
import { seededRandom } from './score.js';
import { VOLUME_BINDING, VolumeBinding, type VolumeDecision } from './volumes.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerOptions {
  client: Client;
  informers: InformerFactory;
  clock: Clock;
  /** Recorder for the `default-scheduler` component. */
  recorder: EventRecorder;
  /** Pods whose spec.schedulerName is this are ours. */
  schedulerName?: string;
  /** Seeds the tie-break between equally good nodes; the same seed gives the same placements. */
  seed?: number;
  queue?: QueueOptions;
  /** Decisions taken before the loop lets other work (informer events, finished bindings) run. */
  batchSize?: number;
  maxInFlightBindings?: number;
  /** How long PreBind waits for the PV controller to bind a pod's claims (kube: 600 s). */
  volumeBindTimeoutMs?: number;
  log?: (message: string) => void;
}

/** Events that freed room on a node concern only the plugins counting room. */
const ROOM_FREED: ReadonlySet<string> = new Set(['NodeResourcesFit', 'NodePorts']);
/** Claim, volume and class changes concern only VolumeBinding. */
const VOLUMES_CHANGED: ReadonlySet<string> = new Set([VOLUME_BINDING]);

const NODE_CHANGE_PLUGINS: Record<Exclude<NodeChange, 'added'>, readonly string[]> = {
  labels: ['NodeAffinity', VOLUME_BINDING],
  taints: ['TaintToleration', 'NodeUnschedulable'],
  unschedulable: ['NodeUnschedulable'],
  allocatable: ['NodeResourcesFit'],
};

const NOTE_LENGTH_LIMIT = 1024;

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  private readonly algorithm: Algorithm;
  readonly volumes: VolumeBinding;
  private readonly name: string;
  private readonly pods: SharedInformer;
  private readonly nodes: SharedInformer;
  private readonly binding = new Map<string, Promise<void>>();
  /** Bindings parked in PreBind until the PV controller binds their claims: not work the scheduler can finish. */
  private readonly waitingForVolumes = new Set<string>();
  private readonly infos = new WeakMap<KubeObject, PodInfo>();
  private running = false;
  private stopped = false;
  private loop?: Promise<void>;
  private attached = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.name = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.queue = new SchedulingQueue(opts.clock, opts.queue);
    this.algorithm = new Algorithm(this.cache, seededRandom(opts.seed ?? 0x5eed));
    this.pods = opts.informers.informer(podDescriptor);
    this.nodes = opts.informers.informer(nodeDescriptor);
    this.volumes = new VolumeBinding(opts.informers, opts.client, opts.clock, opts.volumeBindTimeoutMs);
  }

  /**
   * Registers the informer handlers that keep the cache and the queue current; `onWork` hears whenever pods
   * become ready. Call before the informers start so no event is missed. Hosts that drive the scheduling
   * themselves (the controller manager, through `runBatch`) stop here; `start` does the rest on its own.
   */
  attach(onWork?: () => void): void {
    if (this.attached) return;
    this.attached = true;
    if (onWork) this.queue.onWork = onWork;
    this.nodes.addHandler({
      add: (n) => this.onNode(n),
      update: (_o, n) => this.onNode(n),
      delete: (n) => !this.stopped && this.cache.deleteNode(n.metadata.name ?? ''),
    });
    this.pods.addHandler({
      add: (p) => this.onPod(p),
      update: (_o, p) => this.onPod(p),
      delete: (p) => this.onPodGone(p),
    });
    this.volumes.attach(() => !this.stopped && this.queue.moveOnEvent(VOLUMES_CHANGED));
  }

  /** Runs on its own: attaches, starts and syncs the pod and node informers, then schedules until stopped. */
  async start(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    this.attach();
    const informers = [this.nodes, this.pods, ...this.volumes.informers];
    for (const i of informers) i.start();
    await Promise.all(informers.map((i) => i.waitForSync()));
    if (!this.running) return;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    this.queue.close();
    this.volumes.close();
    await this.loop;
    await Promise.all([...this.binding.values()]);
  }

  /**
   * Resolves once nothing is ready to schedule and no binding is in flight, except those waiting for their
   * volumes to be bound (for tests and benchmarks).
   */
  async idle(): Promise<void> {
    const busy = () => this.queue.stats().active > 0 || this.binding.size > this.waitingForVolumes.size;
    for (;;) {
      await yieldToEventLoop();
      if (!busy()) {
        await yieldToEventLoop();
        if (!busy()) return;
      }
    }
  }

  private responsible(pod: KubeObject): boolean {
    const spec: any = pod.spec ?? {};
    return (spec.schedulerName ?? DEFAULT_SCHEDULER_NAME) === this.name && !pod.metadata.deletionTimestamp && !isTerminal(pod);
  }

  private onNode(node: KubeObject): void {
    if (this.stopped) return;
    const changes = this.cache.upsertNode(node);
    if (changes.size === 0) return;
    if (changes.has('added')) {
      this.queue.moveOnEvent('all');
      return;
    }
    const plugins = new Set<string>();
    for (const c of changes) for (const p of NODE_CHANGE_PLUGINS[c as Exclude<NodeChange, 'added'>]) plugins.add(p);
    this.queue.moveOnEvent(plugins);
  }

  private onPod(pod: KubeObject): void {
    if (this.stopped) return;
    const key = podKey(pod);
    if ((pod.spec as any)?.nodeName) {
      this.queue.delete(key);
      if (isTerminal(pod)) {
        if (this.cache.remove(key)) this.queue.moveOnEvent(ROOM_FREED);
      } else {
        this.cache.setBound(pod);
      }
      return;
    }
    // Our own binding is on its way; the informer has not caught up yet.
    if (this.cache.isAssumed(key) || this.binding.has(key)) return;
    if (this.responsible(pod)) this.queue.add(pod, key);
    else this.queue.delete(key);
  }

  private onPodGone(pod: KubeObject): void {
    if (this.stopped) return;
    const key = podKey(pod);
    this.queue.delete(key);
    if (this.cache.remove(key)) this.queue.moveOnEvent(ROOM_FREED);
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (await this.runBatch()) await yieldToEventLoop();
      else await this.queue.waitForWork();
    }
  }

  /**
   * Takes up to `max` ready pods through a scheduling cycle each; resolves true when more are ready. Bindings
   * continue in the background, up to a bound on how many are in flight.
   */
  async runBatch(max = this.opts.batchSize ?? 256): Promise<boolean> {
    const maxBindings = this.opts.maxInFlightBindings ?? 4096;
    for (let i = 0; i < max && !this.stopped; i++) {
      // Bindings parked in PreBind (waiting up to 10 minutes for volumes) do not hold back the others.
      while (this.binding.size - this.waitingForVolumes.size >= maxBindings) await Promise.race(this.binding.values());
      const qp = this.queue.pop();
      if (!qp) return false;
      this.attempt(qp);
    }
    return !this.stopped && this.queue.stats().active > 0;
  }

  /** Level-triggered check of one pod against the informer: queue it if it waits for us, drop it if not. */
  syncPod(key: string): void {
    const pod = this.pods.getByKey(key);
    if (!pod) {
      this.queue.delete(key);
      return;
    }
    if (!(pod.spec as any)?.nodeName) this.onPod(pod);
  }

  private info(pod: KubeObject): PodInfo {
    let info = this.infos.get(pod);
    if (!info) this.infos.set(pod, (info = compilePod(pod)));
    return info;
  }

  /** One scheduling cycle for a popped pod. */
  private attempt(qp: QueuedPod): void {
    const pod = this.pods.getByKey(qp.key) ?? qp.pod;
    if ((pod.spec as any)?.nodeName || !this.responsible(pod) || !this.pods.getByKey(qp.key)) return;
    qp.pod = pod;
    const info = this.info(pod);
    const vol = this.volumes.preFilter(pod);
    let extra: ExtraPlugin | undefined;
    if ('reject' in vol) extra = { name: VOLUME_BINDING, reject: vol.reject };
    else if ('plan' in vol) extra = { name: VOLUME_BINDING, filter: (n) => this.volumes.filter(vol.plan, n) };
    const result = this.algorithm.schedule(info, extra);
    if ('node' in result) {
      let decision: VolumeDecision | undefined;
      if ('plan' in vol) {
        const d = this.volumes.decide(vol.plan, result.node);
        if ('decision' in d) this.volumes.reserve((decision = d.decision));
      }
      this.cache.assume(info, result.node.name);
      this.bind(qp, result.node.name, decision);
      return;
    }
    if ('noNodes' in result) {
      this.queue.addUnschedulable(qp, new Set());
      this.fail(pod, 'Unschedulable', NO_NODES_AVAILABLE);
      return;
    }
    this.queue.addUnschedulable(qp, result.diagnosis.plugins);
    this.fail(pod, 'Unschedulable', unschedulableMessage(info, result.diagnosis));
  }

  private bind(qp: QueuedPod, nodeName: string, volumes?: VolumeDecision): void {
    const pod = qp.pod;
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    const body: KubeObject = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace: ns, uid: pod.metadata.uid },
      target: { kind: 'Node', name: nodeName },
    };
    const done = (async () => {
      let stage = 'binding rejected: running Bind plugin "DefaultBinder"';
      try {
        if (volumes) {
          stage = 'running PreBind plugin "VolumeBinding"';
          this.waitingForVolumes.add(qp.key);
          try {
            await this.volumes.bindPodVolumes(pod, volumes);
          } finally {
            this.waitingForVolumes.delete(qp.key);
          }
          stage = 'binding rejected: running Bind plugin "DefaultBinder"';
        }
        await this.opts.client.createSubresource(podDescriptor, ns, name, 'binding', body);
        this.opts.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${nodeName}`);
      } catch (err) {
        this.cache.forget(qp.key);
        this.queue.moveOnEvent(ROOM_FREED);
        const current = this.pods.getByKey(qp.key);
        if (!this.stopped && current && !(current.spec as any)?.nodeName && this.responsible(current)) {
          qp.pod = current;
          this.queue.addBackoff(qp);
        }
        const message = `${stage}: ${(err as Error)?.message ?? String(err)}`;
        this.log(`binding ${ns}/${name} to ${nodeName} failed: ${message}`);
        if (!this.stopped) this.fail(pod, 'SchedulerError', message);
      } finally {
        this.binding.delete(qp.key);
      }
    })();
    this.binding.set(qp.key, done);
  }

  /** FailedScheduling event and the PodScheduled=False condition, written in the background. */
  private fail(pod: KubeObject, reason: 'Unschedulable' | 'SchedulerError', message: string): void {
    const note = message.length > NOTE_LENGTH_LIMIT ? `${message.slice(0, NOTE_LENGTH_LIMIT - 4)} ...` : message;
    this.opts.recorder.event(pod, 'Warning', 'FailedScheduling', note);
    void this.setCondition(pod, reason, message);
  }

  private async setCondition(pod: KubeObject, reason: string, message: string): Promise<void> {
    const key = podKey(pod);
    const current = this.pods.getByKey(key) ?? pod;
    const conditions: any[] = Array.isArray((current.status as any)?.conditions) ? (current.status as any).conditions : [];
    const existing = conditions.find((c) => c?.type === 'PodScheduled');
    if (existing?.status === 'False' && existing.reason === reason && existing.message === message) return;
    const lastTransitionTime = existing?.status === 'False' && existing.lastTransitionTime ? existing.lastTransitionTime : rfc3339(this.opts.clock.now());
    const condition = { type: 'PodScheduled', status: 'False', reason, message, lastTransitionTime };
    try {
      await this.opts.client.patch(podDescriptor, pod.metadata.namespace, pod.metadata.name ?? '', 'strategic', { status: { conditions: [condition] } }, { subresource: 'status' });
    } catch (err) {
      this.log(`updating the PodScheduled condition of ${key} failed: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  private log(message: string): void {
    this.opts.log?.(message);
  }
}

function isTerminal(pod: KubeObject): boolean {
  const phase = (pod.status as any)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Lets I/O, timers and promise callbacks run; not a delay. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
