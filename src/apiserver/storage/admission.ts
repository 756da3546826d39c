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
}
