// Creating and deleting pods on behalf of an owner (kube's RealPodControl), with the events `kubectl describe`
// shows on the owner, and slow-start batching: creates go out in batches of 1, 2, 4, ... so that a
// controller facing a quota or an admission error fails after one call rather than after hundreds.
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../api/errors.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { clone } from '../../api/meta.js';
import { dns1123SubdomainErrors } from '../../api/selectors/labels.js';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import { errorMessage, isNotFound } from './claim.js';

/** Most pods one ReplicaSet/RC/DaemonSet sync creates or deletes. */
export const BURST_REPLICAS = 500;
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

export interface PodTemplate {
  metadata?: Pick<ObjectMeta, 'labels' | 'annotations' | 'finalizers'> & Record<string, unknown>;
  spec?: unknown;
}

/** `<owner>-`, or the bare owner name when the dashed form could not prefix a valid pod name. */
export function podNamePrefix(ownerName: string): string {
  const prefix = `${ownerName}-`;
  // A generateName prefix is validated as if its trailing dash were a letter.
  return dns1123SubdomainErrors(`${ownerName}a`).length === 0 ? prefix : ownerName;
}

/** The pod a template describes: its labels, annotations, finalizers and spec, a generated name and the
 * owner's controller reference. Nothing else of the template's metadata is carried over. */
export function podFromTemplate(template: PodTemplate | undefined, owner: KubeObject, controllerRef?: OwnerReference, generateName?: string): KubeObject {
  const tm = template?.metadata ?? {};
  const metadata: ObjectMeta = { generateName: generateName ?? podNamePrefix(owner.metadata.name ?? '') };
  // Empty maps are left out, as Go's omitempty would.
  if (tm.labels && Object.keys(tm.labels).length) metadata.labels = { ...tm.labels };
  if (tm.annotations && Object.keys(tm.annotations).length) metadata.annotations = { ...tm.annotations };
  if (tm.finalizers?.length) metadata.finalizers = [...tm.finalizers];
  if (controllerRef) metadata.ownerReferences = [{ ...controllerRef }];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: clone(template?.spec ?? {}) };
}

function checkControllerRef(ref: OwnerReference): void {
  if (!ref.apiVersion) throw new Error('controllerRef has empty APIVersion');
  if (!ref.kind) throw new Error('controllerRef has empty Kind');
  if (ref.controller !== true) throw new Error('controllerRef.Controller is not set to true');
  if (ref.blockOwnerDeletion !== true) throw new Error('controllerRef.BlockOwnerDeletion is not set');
}

/** The API server refused a create because the namespace is going away: nothing a controller can fix. */
export function isNamespaceTerminatingError(err: unknown): boolean {
  return err instanceof ApiError && !!err.status.details?.causes?.some((c) => c.reason === 'NamespaceTerminating');
}

export interface CreatePodOptions {
  /** Overrides the `<owner>-` name prefix (indexed Jobs use `<job>-<index>-`). */
  generateName?: string;
  /** Binds the pod to a node at creation. */
  nodeName?: string;
}

export class PodControl {
  constructor(
    private readonly client: Client,
    private readonly recorder: EventRecorder,
  ) {}

  /** Creates one pod for `owner`; throws the API error (after a FailedCreate event, unless the namespace is
   * terminating), returns the created pod (after a SuccessfulCreate event). */
  async createPod(namespace: string, template: PodTemplate | undefined, owner: KubeObject, controllerRef: OwnerReference, opts: CreatePodOptions = {}): Promise<KubeObject> {
    checkControllerRef(controllerRef);
    const pod = podFromTemplate(template, owner, controllerRef, opts.generateName);
    if (opts.nodeName) (pod.spec as { nodeName?: string }).nodeName = opts.nodeName;
    if (Object.keys(pod.metadata.labels ?? {}).length === 0) throw new Error('unable to create pods, no labels');
    let created: KubeObject;
    try {
      created = await this.client.create(podDescriptor, namespace, pod);
    } catch (err) {
      if (!isNamespaceTerminatingError(err)) this.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
      throw err;
    }
    this.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    return created;
  }

  /** Deletes a pod of `owner`. A 404 is rethrown as is and without an event (the pod is already gone);
   * other failures get a FailedDelete event and are rethrown as "unable to delete pods: ...". */
  async deletePod(namespace: string, name: string, owner: KubeObject): Promise<void> {
    try {
      await this.client.delete(podDescriptor, namespace, name);
    } catch (err) {
      if (isNotFound(err)) throw err;
      this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
      throw new Error(`unable to delete pods: ${errorMessage(err)}`);
    }
    this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }
}

/**
 * Calls `fn` `count` times in concurrent batches of `initial`, then twice the previous size, and so on. A
 * batch with any failure ends the run after the whole batch has settled. Returns how many calls succeeded
 * and the first failure.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let size = Math.min(remaining, initial); size > 0; size = Math.min(2 * size, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: size }, async () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += size - failed.length;
    if (failed.length) return { successes, error: failed[0]!.reason };
    remaining -= size;
  }
  return { successes };
}
