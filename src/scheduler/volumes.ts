// kube-scheduler's VolumeBinding plugin. PreFilter reads the pod's claims: a missing, lost or terminating claim,
// or an unbound claim of an Immediate class, rejects the pod outright. Filter checks each node: the volumes of
// bound claims must allow the node (their node affinity: a local volume pins its pods), and every unbound claim
// of a WaitForFirstConsumer class must find either a free static volume usable from the node or a provisioner
// that can make one there. Reserve remembers the choice (an assume cache, so two pods cannot take the same
// volume or steer the same claim to two nodes), and PreBind writes it — the volume's claimRef or the claim's
// `volume.kubernetes.io/selected-node` — then waits until the PV controller reports every claim bound. Only then
// is the pod bound to the node.
import { persistentVolumeDescriptor } from '../api/kinds/persistentvolume.js';
import { persistentVolumeClaimDescriptor } from '../api/kinds/persistentvolumeclaim.js';
import { storageClassDescriptor } from '../api/kinds/storageclass.js';
import type { KubeObject } from '../api/types.js';
import type { Clock, Timer } from '../clock/clock.js';
import type { Client } from '../client/client.js';
import type { InformerFactory, SharedInformer } from '../client/informer.js';
import { findVolume, claimClass } from '../controllers/volume/matching.js';
import { BIND_COMPLETED, BOUND_BY_CONTROLLER, SELECTED_NODE } from '../controllers/volume/types.js';
import { compileTerm, type NodeView } from './affinity.js';
import type { FilterStatus } from './filters.js';

export const VOLUME_BINDING = 'VolumeBinding';

export const VOLUME_REASON = {
  bindConflict: "node(s) didn't find available persistent volumes to bind",
  nodeConflict: 'node(s) had volume node affinity conflict',
  pvNotExist: 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)',
  unboundImmediate: 'pod has unbound immediate PersistentVolumeClaims',
} as const;

/** kube's default bindTimeoutSeconds. */
export const BIND_TIMEOUT_MS = 600_000;

const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

const status = (reason: string): FilterStatus => Object.freeze({ plugin: VOLUME_BINDING, code: 'UnschedulableAndUnresolvable', reasons: Object.freeze([reason]) });
const BIND_CONFLICT = status(VOLUME_REASON.bindConflict);
const NODE_CONFLICT = status(VOLUME_REASON.nodeConflict);
const PV_NOT_EXIST = status(VOLUME_REASON.pvNotExist);

/** What PreFilter learnt about a pod's claims. */
export interface VolumePlan {
  /** Fully bound claims and their volumes (undefined when the volume is gone). */
  bound: Array<{ claim: KubeObject; pv: KubeObject | undefined }>;
  /** Unbound claims of WaitForFirstConsumer classes. */
  delayed: Array<{ claim: KubeObject; sc: KubeObject | undefined }>;
}

export type PreFilterResult = { skip: true } | { reject: string } | { plan: VolumePlan };

/** What Reserve decided for one node: volumes to pre-bind and claims to provision there. */
export interface VolumeDecision {
  node: string;
  statics: Array<{ claim: KubeObject; pv: KubeObject }>;
  provisions: KubeObject[];
}

type Match = (n: NodeView) => boolean;

function claimKey(claim: KubeObject): string {
  return `${claim.metadata.namespace ?? ''}/${claim.metadata.name ?? ''}`;
}

/** Claim names of a pod in volume order, with whether each is a generic ephemeral volume. */
export function podClaims(pod: KubeObject): Array<{ name: string; ephemeral: boolean }> {
  const vols: any[] = Array.isArray((pod.spec as any)?.volumes) ? (pod.spec as any).volumes : [];
  const out: Array<{ name: string; ephemeral: boolean }> = [];
  for (const v of vols) {
    if (v?.persistentVolumeClaim?.claimName) out.push({ name: String(v.persistentVolumeClaim.claimName), ephemeral: false });
    else if (v?.ephemeral) out.push({ name: `${pod.metadata.name ?? ''}-${v.name ?? ''}`, ephemeral: true });
  }
  return out;
}

/** Bound as the scheduler sees it: a volume named and the binder's bind-completed mark. */
export function claimFullyBound(claim: KubeObject): boolean {
  return !!(claim.spec as any)?.volumeName && claim.metadata.annotations?.[BIND_COMPLETED] !== undefined;
}

export class VolumeBinding {
  private readonly pvcs: SharedInformer;
  private readonly pvs: SharedInformer;
  private readonly classes: SharedInformer;
  private readonly affinities = new WeakMap<KubeObject, Match | null>();
  /** Volumes promised to a claim by a reservation whose write is not visible yet: pv name -> claim key. */
  private readonly assumedVolumes = new Map<string, string>();
  /** Nodes chosen for claims whose annotation is not visible yet: claim key -> node. */
  private readonly assumedNodes = new Map<string, string>();
  private readonly waiters = new Map<() => void, (err: Error) => void>();

  constructor(
    informers: InformerFactory,
    private readonly client: Client,
    private readonly clock: Clock,
    private readonly bindTimeoutMs = BIND_TIMEOUT_MS,
  ) {
    this.pvcs = informers.informer(persistentVolumeClaimDescriptor);
    this.pvs = informers.informer(persistentVolumeDescriptor);
    this.classes = informers.informer(storageClassDescriptor);
  }

  /** The informers this plugin reads, for hosts that start and sync informers themselves. */
  get informers(): SharedInformer[] {
    return [this.pvcs, this.pvs, this.classes];
  }

  /** Registers handlers: `onChange` hears every claim, volume or class change (they may make pods schedulable). */
  attach(onChange: () => void): void {
    const changed = () => {
      for (const w of [...this.waiters.keys()]) w();
      onChange();
    };
    for (const inf of this.informers) inf.addHandler({ add: changed, update: changed, delete: () => changed() });
  }

  preFilter(pod: KubeObject): PreFilterResult {
    const claims = podClaims(pod);
    if (claims.length === 0) return { skip: true };
    const ns = pod.metadata.namespace ?? '';
    const found: KubeObject[] = [];
    for (const c of claims) {
      const claim = this.pvcs.get(ns, c.name);
      if (!claim) {
        return { reject: c.ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${c.name}"` : `persistentvolumeclaim "${c.name}" not found` };
      }
      if ((claim.status as any)?.phase === 'Lost') {
        return { reject: `persistentvolumeclaim "${c.name}" bound to non-existent persistentvolume "${(claim.spec as any)?.volumeName ?? ''}"` };
      }
      if (claim.metadata.deletionTimestamp) return { reject: `persistentvolumeclaim "${c.name}" is being deleted` };
      if (c.ephemeral && !claim.metadata.ownerReferences?.some((r) => r.controller && r.uid === pod.metadata.uid)) {
        return { reject: `PVC ${ns}/${c.name} was not created for pod ${ns}/${pod.metadata.name ?? ''} (pod is not owner)` };
      }
      found.push(claim);
    }
    const plan: VolumePlan = { bound: [], delayed: [] };
    let immediate = false;
    for (const claim of found) {
      if (claimFullyBound(claim)) {
        plan.bound.push({ claim, pv: this.pvs.get(undefined, (claim.spec as any).volumeName) });
        continue;
      }
      const className = claimClass(claim);
      const sc = className ? this.classes.get(undefined, className) : undefined;
      if (sc?.volumeBindingMode === 'WaitForFirstConsumer') plan.delayed.push({ claim, sc });
      else immediate = true;
    }
    if (immediate) return { reject: VOLUME_REASON.unboundImmediate };
    return { plan };
  }

  private affinity(pv: KubeObject): Match | null {
    let m = this.affinities.get(pv);
    if (m === undefined) {
      const terms = (pv.spec as any)?.nodeAffinity?.required?.nodeSelectorTerms;
      if (!Array.isArray(terms)) m = null;
      else {
        const compiled = terms.map(compileTerm);
        m = (n) => compiled.some((t) => t(n));
      }
      this.affinities.set(pv, m);
    }
    return m;
  }

  private volumeAllows(pv: KubeObject, n: NodeView): boolean {
    const m = this.affinity(pv);
    return !m || m(n);
  }

  /** Filter: undefined when the node can serve every claim; `decide` also returns what Reserve would do. */
  filter(plan: VolumePlan, n: NodeView): FilterStatus | undefined {
    const r = this.decide(plan, n);
    return 'status' in r ? r.status : undefined;
  }

  decide(plan: VolumePlan, n: NodeView): { status: FilterStatus } | { decision: VolumeDecision } {
    for (const b of plan.bound) {
      if (!b.pv) return { status: PV_NOT_EXIST };
      if (!this.volumeAllows(b.pv, n)) return { status: NODE_CONFLICT };
    }
    const decision: VolumeDecision = { node: n.name, statics: [], provisions: [] };
    if (plan.delayed.length === 0) return { decision };
    const taken = new Set<string>();
    let volumes: KubeObject[] | undefined;
    for (const { claim, sc } of plan.delayed) {
      const key = claimKey(claim);
      const selected = claim.metadata.annotations?.[SELECTED_NODE] ?? this.assumedNodes.get(key);
      if (selected !== undefined) {
        if (selected !== n.name) return { status: BIND_CONFLICT };
        decision.provisions.push(claim);
        continue;
      }
      volumes ??= this.pvs.list().filter((pv) => this.volumeAllows(pv, n));
      const pv = findVolume(
        claim,
        volumes.filter((v) => {
          const name = v.metadata.name ?? '';
          const owner = this.assumedVolumes.get(name);
          return !taken.has(name) && (owner === undefined || owner === key);
        }),
      );
      if (pv) {
        taken.add(pv.metadata.name ?? '');
        decision.statics.push({ claim, pv });
        continue;
      }
      const provisioner = String(sc?.provisioner ?? '');
      if (!provisioner || provisioner === NO_PROVISIONER || !topologyAllows(sc, n)) return { status: BIND_CONFLICT };
      decision.provisions.push(claim);
    }
    return { decision };
  }

  /** Reserve: holds the chosen volumes and nodes until `release`. */
  reserve(d: VolumeDecision): void {
    for (const s of d.statics) this.assumedVolumes.set(s.pv.metadata.name ?? '', claimKey(s.claim));
    for (const c of d.provisions) this.assumedNodes.set(claimKey(c), d.node);
  }

  release(d: VolumeDecision): void {
    for (const s of d.statics) if (this.assumedVolumes.get(s.pv.metadata.name ?? '') === claimKey(s.claim)) this.assumedVolumes.delete(s.pv.metadata.name ?? '');
    for (const c of d.provisions) if (this.assumedNodes.get(claimKey(c)) === d.node) this.assumedNodes.delete(claimKey(c));
  }

  /**
   * PreBind: writes the reservations (a volume's claimRef, a claim's selected node) and waits until every claim
   * of the pod is bound. Rejects when a claim goes away, provisioning is given up, or the timeout passes.
   */
  async bindPodVolumes(pod: KubeObject, d: VolumeDecision): Promise<void> {
    if (d.statics.length === 0 && d.provisions.length === 0) return;
    try {
      for (const { claim, pv } of d.statics) {
        const cur = this.pvs.get(undefined, pv.metadata.name ?? '') ?? pv;
        if ((cur.spec as any)?.claimRef?.uid === claim.metadata.uid) continue;
        await this.client.patch(persistentVolumeDescriptor, undefined, cur.metadata.name ?? '', 'merge', {
          metadata: { annotations: { [BOUND_BY_CONTROLLER]: 'yes' }, resourceVersion: cur.metadata.resourceVersion },
          spec: {
            claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion },
          },
        });
      }
      for (const claim of d.provisions) {
        const cur = this.pvcs.get(claim.metadata.namespace, claim.metadata.name ?? '') ?? claim;
        if (cur.metadata.annotations?.[SELECTED_NODE] === d.node) continue;
        await this.client.patch(persistentVolumeClaimDescriptor, claim.metadata.namespace, claim.metadata.name ?? '', 'merge', {
          metadata: { annotations: { [SELECTED_NODE]: d.node }, resourceVersion: cur.metadata.resourceVersion },
        });
      }
      await this.waitBound(pod, d);
    } finally {
      this.release(d);
    }
  }

  /** Resolves once every claim of the pod is bound (checked on every claim and volume change). */
  private waitBound(pod: KubeObject, d: VolumeDecision): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: Timer | undefined;
      const finish = (err?: Error) => {
        this.waiters.delete(check);
        timer?.cancel();
        if (err) reject(err);
        else resolve();
      };
      const seen = new Set<string>();
      const check = () => {
        try {
          if (this.checkBindings(pod, d, seen)) finish();
        } catch (err) {
          finish(err as Error);
        }
      };
      this.waiters.set(check, finish);
      timer = this.clock.after(this.bindTimeoutMs, () => finish(new Error('binding volumes: context deadline exceeded')));
      check();
    });
  }

  /** Gives up every PreBind still waiting (the scheduler stops). */
  close(): void {
    for (const abort of [...this.waiters.values()]) abort(new Error('binding volumes: scheduler stopped'));
  }

  /** True when all claims are bound; throws when the binding cannot complete any more. */
  private checkBindings(pod: KubeObject, d: VolumeDecision, seen: Set<string>): boolean {
    const ns = pod.metadata.namespace ?? '';
    let done = true;
    for (const claim of [...d.statics.map((s) => s.claim), ...d.provisions]) {
      const name = claim.metadata.name ?? '';
      const cur = this.pvcs.get(ns, name);
      if (!cur || cur.metadata.uid !== claim.metadata.uid) throw new Error(`binding volumes: failed to check binding: persistentvolumeclaim "${name}" not found`);
      if (d.provisions.includes(claim) && !(cur.spec as any)?.volumeName) {
        // Once our note is seen, its removal means the provisioner gave up on this node.
        if (cur.metadata.annotations?.[SELECTED_NODE] !== undefined) seen.add(name);
        else if (seen.has(name)) throw new Error(`binding volumes: provisioning failed for PVC "${name}"`);
      }
      if (!claimFullyBound(cur)) {
        done = false;
        continue;
      }
      const pv = this.pvs.get(undefined, (cur.spec as any).volumeName);
      if (!pv || (pv.spec as any)?.claimRef?.uid !== cur.metadata.uid) done = false;
    }
    return done;
  }
}

/** A class's allowedTopologies: any term whose every expression the node's labels satisfy. */
function topologyAllows(sc: KubeObject | undefined, n: NodeView): boolean {
  const terms: any[] = Array.isArray((sc as any)?.allowedTopologies) ? (sc as any).allowedTopologies : [];
  if (terms.length === 0) return true;
  return terms.some((t) => {
    const exprs: any[] = Array.isArray(t?.matchLabelExpressions) ? t.matchLabelExpressions : [];
    return exprs.every((e) => Array.isArray(e?.values) && n.labels[e.key] !== undefined && e.values.includes(n.labels[e.key]));
  });
}
