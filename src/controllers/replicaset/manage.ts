// Closing the gap between the pods a ReplicaSet/RC controls and the count it wants: at most 500 creates per
// sync in slow-start batches, or at most 500 deletes chosen by the deletion ranking. Expectations are raised
// before the writes and lowered for every write that will never show up in the informer.
import type { KubeObject } from '../../api/types.js';
import type { SharedInformer } from '../../client/informer.js';
import { controllerRefOf, isNotFound, newControllerRef, ownerKindOf } from '../runtime/claim.js';
import type { UIDTrackingExpectations } from '../runtime/expectations.js';
import { BURST_REPLICAS, isNamespaceTerminatingError, type PodControl, SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../runtime/pod-control.js';
import { podsToDelete } from '../runtime/pod-ranking.js';
import { podKey } from '../runtime/pods.js';
import { desiredReplicas, type ReplicaKind, specOf } from './kind.js';

export interface ManageDeps {
  kind: ReplicaKind;
  key: string;
  expectations: UIDTrackingExpectations;
  podControl: PodControl;
  owners: SharedInformer;
  pods: SharedInformer;
  now: number;
  /** Records why pods were created or deleted (the decision log). */
  decide?: (message: string) => void;
}

/** Creates or deletes pods; resolves with the first failure (undefined when every write went through). */
export async function manageReplicas(owner: KubeObject, claimed: readonly KubeObject[], d: ManageDeps): Promise<unknown> {
  const want = desiredReplicas(owner);
  const diff = claimed.length - want;
  if (diff !== 0 && d.decide) {
    const n = Math.min(Math.abs(diff), BURST_REPLICAS);
    const burst = n < Math.abs(diff) ? ` (at most ${BURST_REPLICAS} per sync)` : '';
    d.decide(`wants ${want}, has ${claimed.length} active pods: ${diff < 0 ? `creating ${n}${burst} in slow-start batches` : `deleting ${n}${burst}`}`);
  }
  if (diff < 0) return createMissing(owner, Math.min(-diff, BURST_REPLICAS), d);
  if (diff > 0) return deleteExtra(owner, claimed, Math.min(diff, BURST_REPLICAS), d);
  return undefined;
}

async function createMissing(owner: KubeObject, count: number, d: ManageDeps): Promise<unknown> {
  const namespace = owner.metadata.namespace ?? '';
  const ref = newControllerRef(owner, ownerKindOf(d.kind.resource));
  const template = specOf(owner).template;
  d.expectations.expectCreations(d.key, count);
  const { successes, error } = await slowStartBatch(count, SLOW_START_INITIAL_BATCH_SIZE, async () => {
    try {
      await d.podControl.createPod(namespace, template, owner, ref);
    } catch (err) {
      // Every create would fail the same way in a dying namespace; there is nothing to retry.
      if (!isNamespaceTerminatingError(err)) throw err;
    }
  });
  // Pods never attempted (and failed attempts) will never be observed: stop waiting for them.
  for (let i = successes; i < count; i++) d.expectations.creationObserved(d.key);
  return error;
}

async function deleteExtra(owner: KubeObject, claimed: readonly KubeObject[], count: number, d: ManageDeps): Promise<unknown> {
  const namespace = owner.metadata.namespace ?? '';
  const victims = podsToDelete(claimed, relatedPods(owner, d), count, d.now);
  d.decide?.(`deletion ranking (unscheduled, then pending, not ready, crowded nodes, deletion cost, newest first) chose ${victims.map((p) => p.metadata.name).join(', ')}`);
  d.expectations.expectDeletions(d.key, victims.map(podKey));
  const results = await Promise.allSettled(victims.map((p) => d.podControl.deletePod(namespace, p.metadata.name ?? '', owner)));
  let first: unknown;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return;
    d.expectations.deletionObserved(d.key, podKey(victims[i]!));
    if (!isNotFound(r.reason) && first === undefined) first = r.reason;
  });
  return first;
}

/** Pods of every object of this kind that shares the owner's controller (old and new ReplicaSets of one
 * Deployment): the family whose crowding on a node the ranking spreads out. None for a bare owner. */
function relatedPods(owner: KubeObject, d: ManageDeps): KubeObject[] {
  const ref = controllerRefOf(owner);
  if (!ref) return [];
  const seen = new Set<string>();
  const out: KubeObject[] = [];
  const namespacePods = d.pods.byIndex('namespace', owner.metadata.namespace ?? '');
  for (const sibling of d.owners.byIndex('owner', ref.uid)) {
    if (controllerRefOf(sibling)?.uid !== ref.uid) continue;
    let selector;
    try {
      selector = d.kind.selector(sibling);
    } catch {
      continue;
    }
    for (const p of namespacePods) {
      const uid = p.metadata.uid ?? '';
      if (seen.has(uid) || !selector.matches(p.metadata.labels)) continue;
      seen.add(uid);
      out.push(p);
    }
  }
  return out;
}
