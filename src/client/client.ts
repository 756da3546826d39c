// The one Client interface every component uses to talk to the API: controllers, the scheduler and the
// simulated kubelets. Two transports implement it: in-process (src/client/inprocess.ts: no HTTP, no JSON,
// same admission/validation/concurrency rules, frozen snapshots handed out) and HTTP (src/client/http.ts:
// the Kubernetes REST API, so a component can run in another process or against another API server).
// Errors are ApiError (src/api/errors.ts) in both, carrying kube-apiserver's Status.
import type { ResourceDescriptor } from '../api/descriptor.js';
import type { KubeObject } from '../api/types.js';

/** What a client needs to address a resource; every ResourceDescriptor is one. */
export type Resource = Pick<ResourceDescriptor, 'group' | 'version' | 'plural' | 'kind' | 'namespaced'>;

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ObjectList {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Resume after this revision; absent means "send the current state as ADDED first". */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  /** The object (frozen with the in-process transport); for ERROR a metav1.Status. */
  object: KubeObject;
}

export interface WatchHandlers {
  onEvent(e: WatchEvent): void;
  /** The stream ended: `err` is set when it failed (an ApiError, e.g. 410 Gone) and absent when it just closed. */
  onClose(err?: unknown): void;
}

export interface Watch {
  stop(): void;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** 'status' writes the status subresource. */
  subresource?: 'status';
}

export type PatchType = 'json' | 'merge' | 'strategic';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface Client {
  get(r: Resource, namespace: string | undefined, name: string): Promise<KubeObject>;
  list(r: Resource, namespace: string | undefined, opts?: ListOptions): Promise<ObjectList>;
  watch(r: Resource, namespace: string | undefined, opts: WatchOptions, handlers: WatchHandlers): Watch;
  create(r: Resource, namespace: string | undefined, obj: KubeObject, opts?: WriteOptions): Promise<KubeObject>;
  /** PUT; obj.metadata.resourceVersion, when set, must match (else 409 Conflict). */
  update(r: Resource, namespace: string | undefined, obj: KubeObject, opts?: WriteOptions): Promise<KubeObject>;
  patch(r: Resource, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts?: WriteOptions): Promise<KubeObject>;
  /** Returns the object as the server answered (with deletionTimestamp while it waits for finalizers or a
   * grace period), or undefined when the server answered with a Status. */
  delete(r: Resource, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject | undefined>;
  /** POST to a subresource such as pods/binding or pods/eviction. */
  createSubresource(r: Resource, namespace: string | undefined, name: string, subresource: string, body: KubeObject): Promise<unknown>;
}
