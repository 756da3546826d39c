// The descriptor of one served resource kind. Everything kind-specific that the API server needs lives in one
// object per kind, in src/api/kinds/<kind>.ts; the registry (src/api/registry.ts) collects them.
import type { FieldError, KubeObject } from './types.js';
import type { NameValidator } from './validation/meta.js';

export interface ColumnDefinition {
  name: string;
  type: string; // string | integer | number | boolean | date
  format: string; // "name" on the name column, else ""
  description: string;
  priority: number; // 0 always shown, 1 only with -o wide
}

export interface TablePrinter {
  columns: ColumnDefinition[];
  /** One cell per column, in order. `now` is the clock's current time in ms. */
  cells(obj: KubeObject, now: number): unknown[];
}

export interface SubresourceDescriptor {
  name: 'status' | 'scale' | 'binding' | 'eviction' | 'log' | 'exec' | 'attach' | 'portforward' | 'proxy';
  /** The kind the subresource speaks; defaults to the parent kind. */
  group?: string;
  version?: string;
  kind?: string;
  verbs: string[];
}

/** Where `/scale` finds the replica count and the selector of a kind. */
export interface ScaleSpec {
  /** e.g. ['spec','replicas'] */
  specReplicasPath: string[];
  statusReplicasPath: string[];
  /** Returns the selector of the object as a label-selector string (`app=nginx`). */
  selector(obj: KubeObject): string;
}

export interface ResourceDescriptor {
  group: string; // '' for the core group
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  verbs: string[];
  subresources: SubresourceDescriptor[];
  /** Name of the type in the schema catalog, e.g. `io.k8s.api.apps.v1.Deployment`. */
  schemaType: string;
  /** Syntax of metadata.name (default: DNS-1123 subdomain). The server checks metadata; `validate` need not. */
  nameValidator?: NameValidator;
  /** Fills in defaults the way the apiserver's defaulting does. Mutates `obj` (an unfrozen copy). */
  defaults?(obj: KubeObject): void;
  /** Validation of an object's content, on create and (with `old`) on update. Returns the causes of a 422
   * Invalid; empty when valid. Create-only rules check that `old` is absent. */
  validate?(obj: KubeObject, old?: KubeObject): FieldError[];
  /** Validation on update (after `validate` of the new object passed or together with it). */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /** Strategy hook on create, after defaulting: reset fields the client may not set (e.g. status). */
  prepareForCreate?(obj: KubeObject): void;
  /** Strategy hook on update of the main resource: keep old status and other server-owned fields. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Does this kind have a status that the main resource ignores (status subresource present)? */
  hasStatus: boolean;
  /** Status-subresource writes keep the stored object except `status`: `obj` is that copy, `request` the
   * object the client sent. The hook may carry more over from the request (Deployment keeps the request's
   * annotations, as kube-apiserver's status strategy does). */
  prepareForStatusUpdate?(obj: KubeObject, request: KubeObject): void;
  /** metadata.generation: absent = the kind has none; 'spec' = starts at 1, +1 on any change outside
   * metadata and status; 'spec+annotations' = also on annotation changes (Deployment). */
  generation?: 'spec' | 'spec+annotations';
  /** Garbage-collection policy when a DELETE names none (kube-apiserver: Orphan for Job and RC). */
  defaultPropagation: 'Background' | 'Orphan';
  /** Extra field-selector attributes beyond metadata.name and metadata.namespace. */
  fieldLabels?: Record<string, (obj: KubeObject) => string | undefined>;
  scale?: ScaleSpec;
  table: TablePrinter;
  /** Decodes a request body itself instead of by `schemaType` from the catalog (custom resources: pruning,
   * defaulting and unknown-field reporting from the CRD's schema). `body` is parsed JSON or a RawJson. */
  decodeBody?(body: unknown, mode: 'Strict' | 'Warn' | 'Ignore', warnings: string[]): KubeObject;
  /** False for kinds that refuse strategic merge patches (custom resources, as kube-apiserver's CRD handler). */
  strategicMergePatch?: boolean;
  /** Finalizers the server adds when the object is first deleted (CRDs: customresourcecleanup). */
  finalizersOnDelete?: readonly string[];
}

export function groupVersion(d: Pick<ResourceDescriptor, 'group' | 'version'>): string {
  return d.group ? `${d.group}/${d.version}` : d.version;
}

/** `deployments.apps`, `pods` — how kube-apiserver names a resource in NotFound messages. */
export function qualifiedResource(d: Pick<ResourceDescriptor, 'group' | 'plural'>): string {
  return d.group ? `${d.plural}.${d.group}` : d.plural;
}
