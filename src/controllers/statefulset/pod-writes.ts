// The writes a StatefulSet makes for one pod (kube's StatefulPodControl): create its claims and then the pod,
// delete it, or restore its identity, each with the event `kubectl describe sts` shows.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../api/errors.js';
import { persistentVolumeClaimDescriptor } from '../../api/kinds/persistentvolumeclaim.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { SharedInformer } from '../../client/informer.js';
import { errorMessage, isNotFound } from '../runtime/claim.js';
import { claimsFor } from './identity.js';
import { setSpec } from './types.js';

function isAlreadyExists(err: unknown): boolean {
  return err instanceof ApiError && err.code === 409;
}

export class PodWrites {
  constructor(
    private readonly client: Client,
    private readonly recorder: EventRecorder,
    private readonly claims: SharedInformer,
  ) {}

  /** Claims the pod at `ordinal` mounts and that do not exist yet; a claim being deleted is an error to wait on. */
  async createMissingClaims(set: KubeObject, ordinal: number, podName: string): Promise<void> {
    const ns = set.metadata.namespace ?? '';
    const setRef = setOwnerRef(set);
    for (const claim of claimsFor(set, ordinal).values()) {
      const name = claim.metadata.name ?? '';
      const cached = this.claims.get(ns, name);
      if (cached?.metadata.deletionTimestamp) throw new Error(`pvc ${name} is being deleted`);
      if (cached) continue;
      if (setSpec(set).persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete') claim.metadata.ownerReferences = [setRef];
      try {
        await this.client.create(persistentVolumeClaimDescriptor, ns, claim);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        this.recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(err)}`);
        throw err;
      }
      this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${podName} in StatefulSet ${set.metadata.name} success`);
    }
  }

  /** Creates claims, then the pod. Resolves with the created pod, or undefined when the name was already taken
   * (the cache is behind; the next sync sees the pod). */
  async createPod(set: KubeObject, ordinal: number, pod: KubeObject): Promise<KubeObject | undefined> {
    const name = pod.metadata.name ?? '';
    await this.createMissingClaims(set, ordinal, name);
    try {
      const created = await this.client.create(podDescriptor, set.metadata.namespace, pod);
      this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${set.metadata.name} successful`);
      return created;
    } catch (err) {
      if (isAlreadyExists(err)) return undefined;
      this.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${name} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(err)}`);
      throw err;
    }
  }

  async deletePod(set: KubeObject, pod: KubeObject): Promise<void> {
    const name = pod.metadata.name ?? '';
    try {
      await this.client.delete(podDescriptor, pod.metadata.namespace, name, { preconditions: { uid: pod.metadata.uid ?? '' } });
    } catch (err) {
      if (isNotFound(err) || isAlreadyExists(err)) return;
      this.recorder.event(set, 'Warning', 'FailedDelete', `delete Pod ${name} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(err)}`);
      throw err;
    }
    this.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${name} in StatefulSet ${set.metadata.name} successful`);
  }

  async updatePod(set: KubeObject, pod: KubeObject): Promise<KubeObject> {
    const name = pod.metadata.name ?? '';
    try {
      const updated = await this.client.update(podDescriptor, pod.metadata.namespace, pod);
      this.recorder.event(set, 'Normal', 'SuccessfulUpdate', `update Pod ${name} in StatefulSet ${set.metadata.name} successful`);
      return updated;
    } catch (err) {
      this.recorder.event(set, 'Warning', 'FailedUpdate', `update Pod ${name} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(err)}`);
      throw err;
    }
  }
}

/** Claims point at the set without being controlled by it: the garbage collector deletes them with the set. */
export function setOwnerRef(set: KubeObject): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata.name ?? '', uid: set.metadata.uid ?? '' };
}

export function podOwnerRef(pod: KubeObject): OwnerReference {
  return { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
}
