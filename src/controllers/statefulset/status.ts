// The status `kubectl get sts` and `kubectl rollout status` read, counted from the pods one sync ended with.
import { statefulSetDescriptor } from '../../api/kinds/statefulset.js';
import { semanticEqual } from '../../api/kinds/object-helpers.js';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import { revisionLabel } from './identity.js';
import { isCreated, isRunningAndAvailable, isRunningAndReady, isTerminating } from './pod-state.js';
import { type SetStatus, setSpec, setStatus } from './types.js';

export interface StatusInput {
  pods: readonly KubeObject[];
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  now: number;
}

export function computeStatus(set: KubeObject, input: StatusInput): SetStatus {
  const mrs = setSpec(set).minReadySeconds ?? 0;
  const s: SetStatus = {
    observedGeneration: set.metadata.generation ?? 0,
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
    currentRevision: input.currentRevision,
    updateRevision: input.updateRevision,
  };
  if (input.collisionCount) s.collisionCount = input.collisionCount;
  for (const pod of input.pods) {
    if (!isCreated(pod)) continue;
    s.replicas! += 1;
    if (isRunningAndReady(pod)) s.readyReplicas! += 1;
    if (isRunningAndAvailable(pod, mrs, input.now)) s.availableReplicas! += 1;
    if (isTerminating(pod)) continue;
    const rev = revisionLabel(pod);
    if (rev === input.currentRevision) s.currentReplicas! += 1;
    if (rev === input.updateRevision) s.updatedReplicas! += 1;
  }
  // A finished rolling update makes the update revision the current one.
  if (setSpec(set).updateStrategy?.type !== 'OnDelete' && s.updatedReplicas === s.replicas && s.readyReplicas === s.replicas) {
    s.currentReplicas = s.updatedReplicas;
    s.currentRevision = s.updateRevision;
  }
  return s;
}

/** Writes the status when it differs from what the set shows; returns the set as it now stands. */
export async function writeStatus(client: Client, set: KubeObject, status: SetStatus): Promise<KubeObject> {
  const old = setStatus(set);
  const merged = { ...old, ...status };
  if (semanticEqual(merged, old) && old.observedGeneration === status.observedGeneration) return set;
  return client.update(statefulSetDescriptor, set.metadata.namespace, { ...set, status: merged }, { subresource: 'status' });
}
