// The coordinates the collector knows an object by. An owner reference names its owner by apiVersion, kind,
// name and uid but not by namespace; the namespace is inferred from the dependent, which is why two
// dependents can disagree about who their owner "is" and why identities are compared field by field.
import type { Resource } from '../../client/client.js';
import type { KubeObject, ObjectMeta } from '../../api/types.js';

export type OwnerRef = NonNullable<ObjectMeta['ownerReferences']>[number];

export interface Identity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** Empty for cluster-scoped objects. */
  namespace: string;
}

export function apiVersionOf(r: Pick<Resource, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

export function identityOf(r: Resource, obj: KubeObject): Identity {
  const m = obj.metadata;
  return {
    apiVersion: apiVersionOf(r),
    kind: r.kind,
    name: m.name ?? '',
    uid: m.uid ?? '',
    namespace: r.namespaced ? (m.namespace ?? '') : '',
  };
}

export function identityOfRef(ref: OwnerRef, namespace: string): Identity {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace };
}

export function sameIdentity(a: Identity, b: Identity): boolean {
  return a.uid === b.uid && a.name === b.name && a.kind === b.kind && a.apiVersion === b.apiVersion && a.namespace === b.namespace;
}

/** Does the reference name exactly this object (ignoring namespace, which references do not carry)? */
export function refMatches(ref: OwnerRef, id: Identity): boolean {
  return ref.uid === id.uid && ref.name === id.name && ref.kind === id.kind && ref.apiVersion === id.apiVersion;
}

/** The form kube-controller-manager prints identities in, so event messages read the same. */
export function describeIdentity(id: Identity): string {
  return `[${id.apiVersion}/${id.kind}, namespace: ${id.namespace}, name: ${id.name}, uid: ${id.uid}]`;
}

export function identityKey(id: Identity): string {
  return `${id.apiVersion}\u0000${id.kind}\u0000${id.namespace}\u0000${id.name}\u0000${id.uid}`;
}

/** A stand-in object for event recording, which needs only the involved object's coordinates. */
export function objectFor(id: Identity): KubeObject {
  const metadata: ObjectMeta = { name: id.name, uid: id.uid };
  if (id.namespace) metadata.namespace = id.namespace;
  return { apiVersion: id.apiVersion, kind: id.kind, metadata };
}

export function beingDeleted(obj: KubeObject): boolean {
  return !!obj.metadata.deletionTimestamp;
}

export function hasFinalizer(obj: KubeObject, f: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(f);
}

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
