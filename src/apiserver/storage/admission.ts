// Admission: cluster-level rules that run on writes besides a kind's own defaulting and validation
// (NamespaceLifecycle, default storage class, service IP allocation…). Plugins are registered by the server.
import type { ResourceDescriptor } from '../../api/descriptor.js';
import type { KubeObject } from '../../api/types.js';

export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  descriptor: ResourceDescriptor;
  subresource?: string;
  object: KubeObject; // mutable on CREATE/UPDATE
  old?: KubeObject;
  dryRun: boolean;
}

export interface AdmissionPlugin {
  name: string;
  /** May change `req.object`; throws an ApiError to refuse. */
  admit(req: AdmissionRequest): void;
  /** Validating admission: runs after the kind's own validation passed (kube's second admission phase), in
   * registration order; throws an ApiError to refuse. May reserve what `rollback` releases. */
  validate?(req: AdmissionRequest): void | Promise<void>;
  /** Called after a write failed: release what admit or validate reserved. */
  rollback?(req: AdmissionRequest): void | Promise<void>;
  /** Called once the request's write is in the store (never for a dry run); `removed` when the object is gone
   * (a delete, or an update that dropped the last finalizer). Frees what the object no longer holds: freeing
   * earlier would hand out a value the old object keeps if its write then fails. Must not throw. */
  committed?(req: AdmissionRequest, removed: boolean): void | Promise<void>;
}
