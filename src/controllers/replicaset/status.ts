// The status a ReplicaSet/RC reports: counts over the pods it controls, the generation it acted on, and a
// ReplicaFailure condition while creating or deleting pods fails. Written through the status subresource,
// and only when something changed, because every write wakes every watcher of the kind.
import { clone } from '../../api/meta.js';
import { selectorFromSet } from '../../api/selectors/labels.js';
import { deepEqualJson } from '../../api/validation/meta.js';
import type { KubeObject } from '../../api/types.js';
import { rfc3339 } from '../../clock/clock.js';
import type { Client, Resource } from '../../client/client.js';
import { errorMessage } from '../runtime/claim.js';
import { isPodAvailable, isPodReady } from '../runtime/pods.js';
import { desiredReplicas, specOf } from './kind.js';

export interface ReplicaCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaCondition[];
  [field: string]: unknown;
}

export const REPLICA_FAILURE = 'ReplicaFailure';

export function statusOf(obj: KubeObject): ReplicaStatus {
  return (obj.status ?? {}) as ReplicaStatus;
}

/** Sets a counter the way Go's omitempty serializes it: zero means absent. */
function setCount(s: ReplicaStatus, field: 'fullyLabeledReplicas' | 'readyReplicas' | 'availableReplicas' | 'observedGeneration', n: number): void {
  if (n) s[field] = n;
  else delete s[field];
}

/**
 * The status `pods` (the claimed active pods) call for. `manageError` is the failure of this sync's creates or
 * deletes: it adds a ReplicaFailure condition (reason FailedCreate when short of pods, FailedDelete when over)
 * unless one is already there; a sync without failure removes it. observedGeneration is left as it was:
 * `writeStatus` sets it.
 */
export function calculateStatus(owner: KubeObject, pods: readonly KubeObject[], manageError: unknown, now: number): ReplicaStatus {
  const status = clone(statusOf(owner));
  const spec = specOf(owner);
  const templateLabels = selectorFromSet(spec.template?.metadata?.labels);
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, spec.minReadySeconds ?? 0, now)) available++;
    }
  }
  const conditions = status.conditions ?? [];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError !== undefined && !failure) {
    const diff = pods.length - desiredReplicas(owner);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: REPLICA_FAILURE, status: 'True', lastTransitionTime: rfc3339(now), reason, message: errorMessage(manageError) });
  }
  const kept = manageError === undefined ? conditions.filter((c) => c.type !== REPLICA_FAILURE) : conditions;
  if (kept.length) status.conditions = kept;
  else delete status.conditions;
  status.replicas = pods.length;
  setCount(status, 'fullyLabeledReplicas', fullyLabeled);
  setCount(status, 'readyReplicas', ready);
  setCount(status, 'availableReplicas', available);
  return status;
}

function sameStatus(owner: KubeObject, next: ReplicaStatus): boolean {
  const cur = statusOf(owner);
  return (
    (cur.replicas ?? 0) === (next.replicas ?? 0) &&
    (cur.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0) &&
    (cur.readyReplicas ?? 0) === (next.readyReplicas ?? 0) &&
    (cur.availableReplicas ?? 0) === (next.availableReplicas ?? 0) &&
    (owner.metadata.generation ?? 0) === (cur.observedGeneration ?? 0) &&
    deepEqualJson(cur.conditions ?? [], next.conditions ?? [])
  );
}

/**
 * Writes `next` (stamped with the generation acted on) unless the stored status already says the same; on a
 * failed write re-reads the object once and tries again. Returns the object as it now stands.
 */
export async function writeStatus(client: Client, resource: Resource, owner: KubeObject, next: ReplicaStatus): Promise<KubeObject> {
  if (sameStatus(owner, next)) return owner;
  const status = { ...next };
  setCount(status, 'observedGeneration', owner.metadata.generation ?? 0);
  const { namespace, name } = owner.metadata;
  let target = owner;
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.update(resource, namespace, { ...target, status }, { subresource: 'status' });
    } catch (err) {
      if (attempt >= 1) throw err;
      target = await client.get(resource, namespace, name ?? '');
    }
  }
}
