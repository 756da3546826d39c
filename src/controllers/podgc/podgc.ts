// Pod garbage collection, as kube-controller-manager's podgc does it: a periodic pass over the pod cache that
// force-deletes pods nobody else will ever finish: pods bound to nodes that are gone (no kubelet is left to
// remove them), terminating pods on nodes an administrator declared out of service, terminating pods that
// were never scheduled, and the oldest finished pods beyond a threshold.
import type { KubeObject } from '../../api/types.js';
import { type Clock, rfc3339, type Timer } from '../../clock/clock.js';
import type { Client, Resource } from '../../client/client.js';
import type { InformerFactory, SharedInformer } from '../../client/informer.js';
import { byEvictionThenAge, hasTaint, isNodeReady, isTerminated, OUT_OF_SERVICE_TAINT, podNodeName, podPhase } from './pods.js';

export const PODS: Resource = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };
export const NODES: Resource = { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false };

export interface PodGCOptions {
  client: Client;
  informers: InformerFactory;
  clock: Clock;
  /** Finished pods kept before the oldest are deleted (--terminated-pod-gc-threshold); 0 keeps them all. */
  terminatedPodThreshold?: number;
  /** Time between passes (kube: 20 s). */
  periodMs?: number;
  /** How long a node must stay missing before its pods are deleted (kube: 40 s), so a node that is merely
   * late to appear in the cache does not lose its pods. */
  quarantineMs?: number;
  log?(message: string): void;
}

export interface PodGCHandle {
  waitForSync(): Promise<void>;
  /** One pass now (tests, or a caller that knows a node just went). */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

export function startPodGC(opts: PodGCOptions): PodGCHandle {
  const gc = new PodGC(opts);
  gc.start();
  return gc;
}

const DISRUPTION_CONDITION = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' };

class PodGC implements PodGCHandle {
  private readonly pods: SharedInformer;
  private readonly nodes: SharedInformer;
  /** Missing node name -> cluster time from which its absence may be confirmed. */
  private readonly quarantine = new Map<string, number>();
  private timer: Timer | undefined;
  private running: Promise<void> = Promise.resolve();
  private sync: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly log: (m: string) => void;

  constructor(private readonly opts: PodGCOptions) {
    this.pods = opts.informers.informer(PODS);
    this.nodes = opts.informers.informer(NODES);
    this.log = (m) => opts.log?.(m);
  }

  start(): void {
    this.pods.start();
    this.nodes.start();
    this.sync = Promise.all([this.pods.waitForSync(), this.nodes.waitForSync()]).then(() => {
      if (!this.stopped) this.tick();
    });
  }

  waitForSync(): Promise<void> {
    return this.sync;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
  }

  runOnce(): Promise<void> {
    // Passes never overlap: a slow one simply delays the next.
    this.running = this.running.then(() => this.pass());
    return this.running;
  }

  private tick(): void {
    void this.runOnce().then(() => {
      if (!this.stopped) this.timer = this.opts.clock.after(this.opts.periodMs ?? 20_000, () => this.tick());
    });
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    try {
      const pods = this.pods.list();
      const threshold = this.opts.terminatedPodThreshold ?? 12_500;
      if (threshold > 0) await this.gcTerminated(pods, threshold);
      await this.gcOutOfService(pods);
      await this.gcOrphaned(pods);
      await this.gcUnscheduledTerminating(pods);
    } catch (err) {
      this.log(`pod gc pass failed: ${(err as Error).message}`);
    }
  }

  private async gcTerminated(pods: KubeObject[], threshold: number): Promise<void> {
    const done = pods.filter(isTerminated);
    const excess = done.length - threshold;
    if (excess <= 0) return;
    this.log(`garbage collecting ${excess} terminated pods`);
    await this.deleteAll(done.sort(byEvictionThenAge).slice(0, excess));
  }

  /** A node declared out of service will not report its pods gone, so their termination is finished here. */
  private async gcOutOfService(pods: KubeObject[]): Promise<void> {
    const victims = pods.filter((p) => {
      if (!p.metadata.deletionTimestamp) return false;
      const node = this.nodes.get(undefined, podNodeName(p));
      return !!node && !isNodeReady(node) && hasTaint(node, OUT_OF_SERVICE_TAINT);
    });
    if (victims.length > 0) await this.deleteAll(victims.sort(byEvictionThenAge));
  }

  private async gcOrphaned(pods: KubeObject[]): Promise<void> {
    const now = this.opts.clock.now();
    const quarantineMs = this.opts.quarantineMs ?? 40_000;
    for (const p of pods) {
      const n = podNodeName(p);
      if (n && !this.nodes.get(undefined, n) && !this.quarantine.has(n)) this.quarantine.set(n, now + quarantineMs);
    }
    const gone = new Set<string>();
    for (const [name, readyAt] of [...this.quarantine]) {
      if (readyAt > now) continue;
      this.quarantine.delete(name);
      if (this.nodes.get(undefined, name)) continue;
      // The cache may lag; only the API server can say the node is really gone.
      try {
        await this.opts.client.get(NODES, undefined, name);
      } catch (err) {
        if ((err as { code?: number }).code === 404) gone.add(name);
        else this.log(`checking node ${name}: ${(err as Error).message}`);
      }
    }
    if (gone.size === 0) return;
    const orphans = pods.filter((p) => gone.has(podNodeName(p)));
    for (const p of orphans) this.log(`deleting pod ${p.metadata.namespace}/${p.metadata.name}: node ${podNodeName(p)} no longer exists`);
    await this.deleteAll(orphans, DISRUPTION_CONDITION);
  }

  private async gcUnscheduledTerminating(pods: KubeObject[]): Promise<void> {
    const victims = pods.filter((p) => p.metadata.deletionTimestamp && !podNodeName(p));
    if (victims.length > 0) await this.deleteAll(victims);
  }

  private async deleteAll(pods: KubeObject[], condition?: typeof DISRUPTION_CONDITION): Promise<void> {
    const results = await Promise.allSettled(pods.map((p) => this.failAndDelete(p, condition)));
    for (const r of results) if (r.status === 'rejected') this.log(`pod gc delete failed: ${(r.reason as Error)?.message ?? String(r.reason)}`);
  }

  /** Marks the pod Failed before removing it, so controllers that count finished pods (Job) see how it ended
   * rather than a pod that silently vanished while running. */
  private async failAndDelete(pod: KubeObject, condition?: typeof DISRUPTION_CONDITION): Promise<void> {
    const { client, clock } = this.opts;
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name ?? '';
    const uid = pod.metadata.uid;
    try {
      const phase = podPhase(pod);
      if (phase !== 'Succeeded' && phase !== 'Failed') {
        const ops: unknown[] = [{ op: 'test', path: '/metadata/uid', value: uid }, { op: 'add', path: '/status/phase', value: 'Failed' }];
        if (condition) ops.push({ op: 'add', path: '/status/conditions', value: withCondition(pod, condition, rfc3339(clock.now())) });
        await client.patch(PODS, ns, name, 'json', ops, { subresource: 'status' });
      }
      const pre = uid ? { preconditions: { uid } } : {};
      await client.delete(PODS, ns, name, { gracePeriodSeconds: 0, ...pre });
    } catch (err) {
      if ((err as { code?: number }).code === 404) return;
      throw err;
    }
  }
}

type Condition = { type?: string; status?: string; lastTransitionTime?: string; [k: string]: unknown };

/** The pod's conditions with `c` set; the transition time only moves when the status actually changes. */
function withCondition(pod: KubeObject, c: typeof DISRUPTION_CONDITION, now: string): Condition[] {
  const conds = ((pod.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).map((x) => ({ ...x }));
  const i = conds.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? conds[i] : undefined;
  const next: Condition = { ...c, lastProbeTime: null, lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now };
  if (i >= 0) conds[i] = next;
  else conds.push(next);
  return conds;
}
