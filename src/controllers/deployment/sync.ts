// One sync of one deployment, the way kube's deployment controller walks it: get (or create) the new
// ReplicaSet and keep revisions in order, then either share a replica change out (scaling event, paused) or
// take one rollout step (RollingUpdate or Recreate), then write status. Each step that scales something ends
// the sync; the ReplicaSet's own update event brings the next one. The deployment is a private working copy
// that follows our own status writes, so later writes in the same sync do not conflict with earlier ones.
import { ApiError } from '../../api/errors.js';
import { deploymentDescriptor } from '../../api/kinds/deployment.js';
import { replicaSetDescriptor } from '../../api/kinds/replicaset.js';
import { clone } from '../../api/meta.js';
import type { KubeObject } from '../../api/types.js';
import type { ControllerContext, ReconcileResult } from '../runtime/controller.js';
import { errorMessage, isNotFound, newControllerRef, ownerKindOf } from '../runtime/claim.js';
import { isNamespaceTerminatingError } from '../runtime/pod-control.js';
import { replicasAnnotation, replicasAnnotationsNeedUpdate, setNewReplicaSetAnnotations, setReplicasAnnotations, ANNOTATION_INT } from './annotations.js';
import { getCondition, newCondition, PROGRESSING, REASON, setCondition } from './conditions.js';
import { computeHash } from '../runtime/hash.js';
import { maxSurge, maxUnavailable, newRSNewReplicas, proportionalSizes } from './rollout-math.js';
import {
  availableSum,
  actualSum,
  byCreationOlderFirst,
  byRevision,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  maxRevision,
  specSum,
} from './replicasets.js';
import { calculateStatus, deploymentComplete, rolloutStatus, sameStatus, untilDeadline } from './status.js';
import { equalIgnoreHash } from './template.js';
import {
  desired,
  type DeploymentStatus,
  dSpec,
  dStatus,
  HASH_LABEL,
  hasProgressDeadline,
  isRollingUpdate,
  REVISION,
  ROLLBACK_TO,
  rsReplicas,
  rsSpec,
  rsStatus,
} from './types.js';

export interface SyncInputs {
  ctx: ControllerContext;
  /** The deployment as the cache had it (frozen); the sync works on a copy. */
  deployment: KubeObject;
  /** The ReplicaSets this deployment controls after claiming. */
  replicaSets: KubeObject[];
  /** Pods whose controller is the ReplicaSet with this uid (Recreate waits for old ones to be gone). */
  podsOf(rsUid: string): KubeObject[];
}

export class DeploymentSync {
  private d: KubeObject;
  private readonly ctx: ControllerContext;
  private readonly rsList: KubeObject[];
  private readonly podsOf: (uid: string) => KubeObject[];

  constructor(inputs: SyncInputs) {
    this.ctx = inputs.ctx;
    this.d = clone(inputs.deployment);
    this.rsList = inputs.replicaSets;
    this.podsOf = inputs.podsOf;
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  private get ns(): string | undefined {
    return this.d.metadata.namespace;
  }

  /** Writes the working copy's metadata and `status` through the status subresource (which keeps the
   * request's annotations, so the revision annotation lands without moving generation). */
  private async writeStatus(status: DeploymentStatus = dStatus(this.d)): Promise<void> {
    const written = await this.ctx.client.update(deploymentDescriptor, this.ns, { ...this.d, status }, { subresource: 'status' });
    this.d = clone(written);
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.ctx.recorder.event(this.d, type, reason, message);
  }

  /** Why the next scaling happens; recorded with it in the decision log (the dashboard's timeline). */
  private why = '';

  private decide(message: string): void {
    this.ctx.decisions?.record(this.d, message);
  }

  /** The rolling update's fenceposts in words: "desired 10, 13 allowed by maxSurge 3, 8 must stay available by maxUnavailable 2". */
  private fenceposts(): string {
    const n = desired(this.d);
    const surge = maxSurge(this.d);
    const unavailable = maxUnavailable(this.d);
    return `desired ${n}, ${n + surge} allowed by maxSurge ${surge}, ${n - unavailable} must stay available by maxUnavailable ${unavailable}`;
  }

  // --- entry points, chosen by reconcile ---

  async run(): Promise<ReconcileResult> {
    if (this.d.metadata.deletionTimestamp) return this.syncStatusOnly();
    await this.checkPausedConditions();
    if (dSpec(this.d).paused) return this.sync();
    if (await this.isScalingEvent()) return this.sync();
    return isRollingUpdate(this.d) ? this.rolloutRolling() : this.rolloutRecreate();
  }

  private async syncStatusOnly(): Promise<ReconcileResult> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  /** Paused deployments and replica changes: no rollout step, only proportional scaling. */
  private async sync(): Promise<ReconcileResult> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    await this.scale(newRS, oldRSs);
    if (dSpec(this.d).paused && this.d.metadata.annotations?.[ROLLBACK_TO] === undefined) await this.cleanupDeployment(oldRSs);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  /** Marks pause and resume on Progressing, so a long pause is not mistaken for a stalled rollout. */
  private async checkPausedConditions(): Promise<void> {
    if (!hasProgressDeadline(this.d)) return;
    const status = clone(dStatus(this.d));
    const cond = getCondition(status, PROGRESSING);
    if (cond?.reason === REASON.timedOut) return;
    const pausedCond = cond?.reason === REASON.paused;
    const paused = !!dSpec(this.d).paused;
    if (paused && !pausedCond) {
      setCondition(status, newCondition(PROGRESSING, 'Unknown', REASON.paused, 'Deployment is paused', this.now()));
    } else if (!paused && pausedCond) {
      setCondition(status, newCondition(PROGRESSING, 'Unknown', REASON.resumed, 'Deployment is resumed', this.now()));
    } else {
      return;
    }
    await this.writeStatus(status);
  }

  /** Some running ReplicaSet was sized for a different replica count than the deployment now asks for. */
  private async isScalingEvent(): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    for (const rs of filterActive([...oldRSs, newRS])) {
      const want = replicasAnnotation(rs, ANNOTATION_INT.desired);
      if (want === undefined) continue;
      if (want !== desired(this.d)) return true;
    }
    return false;
  }

  // --- ReplicaSets and revisions ---

  private async getAllReplicaSetsAndSyncRevision(create: boolean): Promise<{ newRS: KubeObject | undefined; oldRSs: KubeObject[] }> {
    const existing = findNewReplicaSet(this.d, this.rsList);
    const oldRSs = findOldReplicaSets(this.rsList, existing);
    const newRS = await this.getNewReplicaSet(existing, oldRSs, create);
    return { newRS, oldRSs };
  }

  private replicaAnnotationValues(): { desired: number; max: number } {
    const n = desired(this.d);
    return { desired: n, max: n + maxSurge(this.d) };
  }

  private async getNewReplicaSet(existing: KubeObject | undefined, oldRSs: KubeObject[], create: boolean): Promise<KubeObject | undefined> {
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) return this.syncExistingNewReplicaSet(existing, newRevision);
    if (!create) return undefined;

    const spec = dSpec(this.d);
    const template = clone(spec.template ?? {});
    const hash = computeHash(template, dStatus(this.d).collisionCount);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [HASH_LABEL]: hash } };
    const selector = clone(spec.selector ?? {});
    selector.matchLabels = { ...selector.matchLabels, [HASH_LABEL]: hash };
    const name = `${this.d.metadata.name}-${hash}`;
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: this.ns,
        labels: { ...(template.metadata.labels as Record<string, string>) },
        ownerReferences: [newControllerRef(this.d, ownerKindOf(deploymentDescriptor))],
      },
      spec: { replicas: 0, selector, template, ...(spec.minReadySeconds ? { minReadySeconds: spec.minReadySeconds } : {}) },
    };
    const replicas = newRSNewReplicas(this.d, [...oldRSs, rs], rs);
    (rs.spec as { replicas: number }).replicas = replicas;
    const annotations: Record<string, string> = {};
    setNewReplicaSetAnnotations(this.d, annotations, newRevision, false, this.replicaAnnotationValues());
    rs.metadata.annotations = annotations;

    let created: KubeObject;
    let alreadyExisted = false;
    try {
      created = await this.ctx.client.create(replicaSetDescriptor, this.ns, rs);
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) {
        const found = await this.lookupReplicaSet(name);
        const ref = found?.metadata.ownerReferences?.find((r) => r.controller);
        if (found && ref?.uid === this.d.metadata.uid && equalIgnoreHash(rsSpec(found).template, spec.template)) {
          created = found;
          alreadyExisted = true;
        } else {
          // The name is taken by something else: change the hash input and try again next sync.
          const status = clone(dStatus(this.d));
          status.collisionCount = (status.collisionCount ?? 0) + 1;
          await this.writeStatus(status);
          throw err;
        }
      } else if (isNamespaceTerminatingError(err)) {
        throw err;
      } else {
        const msg = `Failed to create new replica set "${name}": ${errorMessage(err)}`;
        if (hasProgressDeadline(this.d)) {
          const status = clone(dStatus(this.d));
          setCondition(status, newCondition(PROGRESSING, 'False', REASON.createError, msg, this.now()));
          await this.writeStatus(status).catch(() => undefined);
        }
        this.event('Warning', REASON.createError, msg);
        throw err;
      }
    }
    if (!alreadyExisted && replicas > 0) {
      this.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
    }
    if (!alreadyExisted) {
      const why = isRollingUpdate(this.d) ? `${this.fenceposts()}: ` : 'Recreate: ';
      this.decide(`${why}created new ReplicaSet ${created.metadata.name} (revision ${newRevision}) for ${newRevision === 1 ? 'its pod template' : 'the changed pod template'}, scaled up from 0 to ${replicas}`);
    }
    let needsUpdate = this.setDeploymentRevision(String(newRevision));
    const status = clone(dStatus(this.d));
    if (!alreadyExisted && hasProgressDeadline(this.d)) {
      setCondition(status, newCondition(PROGRESSING, 'True', REASON.newRSCreated, `Created new replica set "${created.metadata.name}"`, this.now()));
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus(status);
    this.rsList.push(created);
    return created;
  }

  /** The new ReplicaSet exists: bring its annotations and minReadySeconds up to date (a rollback raises its
   * revision here), then record its revision on the deployment. */
  private async syncExistingNewReplicaSet(existing: KubeObject, newRevision: number): Promise<KubeObject> {
    const copy = clone(existing);
    const annotations = (copy.metadata.annotations ??= {});
    const annotationsChanged = setNewReplicaSetAnnotations(this.d, annotations, newRevision, true, this.replicaAnnotationValues());
    const mrs = dSpec(this.d).minReadySeconds ?? 0;
    if (annotationsChanged || (rsSpec(copy).minReadySeconds ?? 0) !== mrs) {
      const spec = copy.spec as { minReadySeconds?: number };
      if (mrs) spec.minReadySeconds = mrs;
      else delete spec.minReadySeconds;
      // The deployment's revision follows on the next sync, which this update's event brings.
      const updated = await this.ctx.client.update(replicaSetDescriptor, this.ns, copy);
      this.replaceReplicaSet(updated);
      return updated;
    }
    let needsUpdate = this.setDeploymentRevision(annotations[REVISION] ?? '');
    const status = clone(dStatus(this.d));
    if (hasProgressDeadline(this.d) && !getCondition(status, PROGRESSING)) {
      setCondition(status, newCondition(PROGRESSING, 'True', REASON.foundNewRS, `Found new replica set "${copy.metadata.name}"`, this.now()));
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus(status);
    return existing;
  }

  private setDeploymentRevision(revision: string): boolean {
    const annotations = (this.d.metadata.annotations ??= {});
    if (annotations[REVISION] === revision) return false;
    annotations[REVISION] = revision;
    return true;
  }

  private async lookupReplicaSet(name: string): Promise<KubeObject | undefined> {
    const cached = this.ctx.informers.informer(replicaSetDescriptor).get(this.ns, name);
    if (cached) return cached;
    try {
      return await this.ctx.client.get(replicaSetDescriptor, this.ns, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private replaceReplicaSet(rs: KubeObject): void {
    const i = this.rsList.findIndex((x) => x.metadata.uid === rs.metadata.uid);
    if (i >= 0) this.rsList[i] = rs;
  }

  // --- scaling ---

  private async scaleAndRecord(rs: KubeObject, newScale: number): Promise<{ scaled: boolean; rs: KubeObject }> {
    const cur = rsReplicas(rs);
    if (cur === newScale) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, newScale, cur < newScale ? 'up' : 'down');
  }

  /** Sets a ReplicaSet's size and refreshes its desired/max-replicas annotations; an event only when the
   * size moved. */
  private async scaleReplicaSet(rs: KubeObject, newScale: number, direction: string): Promise<{ scaled: boolean; rs: KubeObject }> {
    const { desired: want, max } = this.replicaAnnotationValues();
    const sizeChanges = rsReplicas(rs) !== newScale;
    if (!sizeChanges && !replicasAnnotationsNeedUpdate(rs, want, max)) return { scaled: false, rs };
    const oldScale = rsReplicas(rs);
    const copy = clone(rs);
    (copy.spec as { replicas: number }).replicas = newScale;
    setReplicasAnnotations((copy.metadata.annotations ??= {}), want, max);
    const updated = await this.ctx.client.update(replicaSetDescriptor, this.ns, copy);
    this.replaceReplicaSet(updated);
    if (sizeChanges) {
      this.event('Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${updated.metadata.name} from ${oldScale} to ${newScale}`);
      const rev = updated.metadata.annotations?.[REVISION];
      const what = `scaled ${direction} ReplicaSet ${updated.metadata.name}${rev ? ` (revision ${rev})` : ''} from ${oldScale} to ${newScale}`;
      this.decide(this.why ? `${this.why}: ${what}` : what);
    }
    this.why = '';
    return { scaled: sizeChanges, rs: updated };
  }

  /** A replica change: all of it to the one running ReplicaSet, or shared out in proportion mid-rollout. */
  private async scale(newRS: KubeObject | undefined, oldRSs: KubeObject[]): Promise<void> {
    const target = findActiveOrLatest(newRS, oldRSs);
    if (target) {
      this.why = `replicas changed to ${desired(this.d)}, one active ReplicaSet takes all of it`;
      if (rsReplicas(target) !== desired(this.d)) await this.scaleAndRecord(target, desired(this.d));
      return;
    }
    if (this.isSaturated(newRS)) {
      for (const old of filterActive(oldRSs)) await this.scaleAndRecord(old, 0);
      return;
    }
    if (!isRollingUpdate(this.d)) return;
    const { sizes, direction } = proportionalSizes(this.d, filterActive([...oldRSs, newRS]));
    for (const [rs, size] of sizes) {
      this.why = `replicas changed to ${desired(this.d)} mid-rollout (${this.fenceposts()}), shared out in proportion`;
      await this.scaleReplicaSet(rs, size, direction);
    }
  }

  private isSaturated(rs: KubeObject | undefined): boolean {
    if (!rs) return false;
    const want = replicasAnnotation(rs, ANNOTATION_INT.desired);
    if (want === undefined) return false;
    const n = desired(this.d);
    return rsReplicas(rs) === n && want === n && (rsStatus(rs).availableReplicas ?? 0) === n;
  }

  // --- RollingUpdate ---

  private async rolloutRolling(): Promise<ReconcileResult> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(true);
    if (!newRS) return this.syncRolloutStatus(oldRSs, undefined);
    // The status as it stood before this step decides whether history may be cleaned up.
    const completeBefore = deploymentComplete(this.d, dStatus(this.d));
    const current = () => this.rsList.find((x) => x.metadata.uid === newRS.metadata.uid) ?? newRS;
    const all = () => [...findOldReplicaSets(this.rsList, current()), current()];
    if (await this.reconcileNewReplicaSet(all(), current())) return this.syncRolloutStatus(findOldReplicaSets(this.rsList, current()), current());
    if (await this.reconcileOldReplicaSets(filterActive(findOldReplicaSets(this.rsList, current())), current())) {
      return this.syncRolloutStatus(findOldReplicaSets(this.rsList, current()), current());
    }
    if (completeBefore) await this.cleanupDeployment(findOldReplicaSets(this.rsList, current()));
    return this.syncRolloutStatus(findOldReplicaSets(this.rsList, current()), current());
  }

  private async reconcileNewReplicaSet(allRSs: KubeObject[], newRS: KubeObject): Promise<boolean> {
    const n = desired(this.d);
    if (rsReplicas(newRS) === n) return false;
    this.why = this.fenceposts();
    if (rsReplicas(newRS) > n) return (await this.scaleAndRecord(newRS, n)).scaled;
    const next = newRSNewReplicas(this.d, allRSs, newRS);
    return (await this.scaleAndRecord(newRS, next)).scaled;
  }

  /** Shrinks old ReplicaSets as far as availability allows: first their pods that are not available anyway,
   * then healthy ones down to replicas - maxUnavailable available in total. */
  private async reconcileOldReplicaSets(oldActive: KubeObject[], newRS: KubeObject): Promise<boolean> {
    if (specSum(oldActive) === 0) return false;
    const allCount = specSum([...oldActive, newRS]);
    const minAvailable = desired(this.d) - maxUnavailable(this.d);
    const newUnavailable = rsReplicas(newRS) - (rsStatus(newRS).availableReplicas ?? 0);
    const maxScaledDown = allCount - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) {
      const surgeFull = allCount >= desired(this.d) + maxSurge(this.d);
      this.decide(
        `${this.fenceposts()}: waiting, ${allCount} pods exist${surgeFull ? ' (no room to surge)' : ''} and ${newUnavailable} of new ReplicaSet ${newRS.metadata.name}'s ${rsReplicas(newRS)} are not available yet, so no old pod may go`,
      );
      return false;
    }
    const { rss, count: cleaned } = await this.cleanupUnhealthyReplicas(oldActive, maxScaledDown);
    const scaled = await this.scaleDownOldForRollingUpdate([...rss, newRS], rss);
    return cleaned + scaled > 0;
  }

  private async cleanupUnhealthyReplicas(oldRSs: KubeObject[], maxCleanup: number): Promise<{ rss: KubeObject[]; count: number }> {
    const rss = [...oldRSs].sort(byCreationOlderFirst);
    let total = 0;
    for (let i = 0; i < rss.length; i++) {
      if (total >= maxCleanup) break;
      const rs = rss[i] as KubeObject;
      const size = rsReplicas(rs);
      const available = rsStatus(rs).availableReplicas ?? 0;
      if (size === 0 || size === available) continue;
      const down = Math.min(maxCleanup - total, size - available);
      this.why = `${size - available} of old ReplicaSet ${rs.metadata.name}'s pods are not available anyway`;
      const res = await this.scaleAndRecord(rs, size - down);
      total += down;
      rss[i] = res.rs;
    }
    return { rss, count: total };
  }

  private async scaleDownOldForRollingUpdate(allRSs: KubeObject[], oldRSs: KubeObject[]): Promise<number> {
    const minAvailable = desired(this.d) - maxUnavailable(this.d);
    const available = availableSum(allRSs);
    if (available <= minAvailable) return 0;
    const toRemove = available - minAvailable;
    let total = 0;
    for (const rs of [...oldRSs].sort(byCreationOlderFirst)) {
      if (total >= toRemove) break;
      const size = rsReplicas(rs);
      if (size === 0) continue;
      const down = Math.min(size, toRemove - total);
      this.why = `${this.fenceposts()}, ${available} available now, so ${toRemove} old may go`;
      await this.scaleAndRecord(rs, size - down);
      total += down;
    }
    return total;
  }

  // --- Recreate ---

  private async rolloutRecreate(): Promise<ReconcileResult> {
    let { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    let scaledDown = false;
    for (const rs of filterActive(oldRSs)) {
      this.why = 'Recreate: all old pods go before any new one starts';
      if ((await this.scaleAndRecord(rs, 0)).scaled) scaledDown = true;
    }
    const olds = () => findOldReplicaSets(this.rsList, newRS);
    if (scaledDown) return this.syncRolloutStatus(olds(), newRS);
    // New pods only once the old ones are gone, not merely terminating.
    if (this.oldPodsRunning(newRS, olds())) {
      this.decide('Recreate: new ReplicaSet waits until the old pods are gone, not merely terminating');
      return this.syncRolloutStatus(olds(), newRS);
    }
    if (!newRS) ({ newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(true));
    if (newRS) {
      const res = await this.scaleAndRecord(newRS, desired(this.d));
      newRS = res.rs;
    }
    if (deploymentComplete(this.d, dStatus(this.d))) await this.cleanupDeployment(olds());
    return this.syncRolloutStatus(olds(), newRS);
  }

  private oldPodsRunning(newRS: KubeObject | undefined, oldRSs: KubeObject[]): boolean {
    if (actualSum(oldRSs) > 0) return true;
    for (const rs of oldRSs) {
      if (rs.metadata.uid === newRS?.metadata.uid) continue;
      for (const pod of this.podsOf(rs.metadata.uid ?? '')) {
        const phase = (pod.status as { phase?: string } | undefined)?.phase;
        if (phase !== 'Failed' && phase !== 'Succeeded') return true;
      }
    }
    return false;
  }

  // --- history and status ---

  /** Deletes the oldest scaled-down ReplicaSets beyond revisionHistoryLimit. */
  private async cleanupDeployment(oldRSs: KubeObject[]): Promise<void> {
    const limit = dSpec(this.d).revisionHistoryLimit;
    if (limit === undefined || limit === null || limit === 2147483647) return;
    const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
    const excess = alive.length - limit;
    for (let i = 0; i < excess; i++) {
      const rs = alive[i] as KubeObject;
      const st = rsStatus(rs);
      if ((st.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0 || (rs.metadata.generation ?? 0) > (st.observedGeneration ?? 0)) continue;
      try {
        await this.ctx.client.delete(replicaSetDescriptor, this.ns, rs.metadata.name ?? '');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private async syncDeploymentStatus(allRSs: Array<KubeObject | undefined>, newRS: KubeObject | undefined): Promise<void> {
    const status = calculateStatus(this.d, allRSs, newRS, this.now());
    if (sameStatus(dStatus(this.d), status)) return;
    await this.writeStatus(status);
  }

  private async syncRolloutStatus(oldRSs: KubeObject[], newRS: KubeObject | undefined): Promise<ReconcileResult> {
    const status = rolloutStatus(this.d, [...oldRSs, newRS], newRS, this.now());
    if (sameStatus(dStatus(this.d), status)) {
      // Nothing changed, so no event will come: look again when the progress deadline would pass.
      const left = untilDeadline(this.d, status, this.now());
      if (left === undefined) return undefined;
      return { requeueAfter: Math.max(0, left) + 1000 };
    }
    await this.writeStatus(status);
    return undefined;
  }
}
