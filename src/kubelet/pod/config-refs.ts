// ConfigMaps and Secrets a pod depends on. Missing ones stop the kubelet at two different points: a volume
// that cannot be mounted keeps the whole pod in ContainerCreating (FailedMount events), while an environment
// variable that cannot be resolved fails just that container with CreateContainerConfigError. Both are retried
// until the object appears.
import type { Container, PersistentVolumeClaim, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/types.js';

export type ConfigKind = 'ConfigMap' | 'Secret';

/** Reads a ConfigMap or Secret from a cache; undefined when it does not exist. */
export type ConfigLookup = (kind: ConfigKind, namespace: string, name: string) => KubeObject | undefined;

/** The other objects the kubelet reads from caches: claims (to find their volumes) and services (for the
 * service-link variables). */
export interface NodeObjects {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  /** Every Service, all namespaces. */
  services(): readonly Service[];
}

/** The PersistentVolume a claim is bound to; undefined while it is missing or unbound. */
export function boundVolume(objects: NodeObjects, namespace: string, claim: string): string | undefined {
  const c = objects.claim(namespace, claim);
  return c?.status?.phase === 'Bound' && c.spec?.volumeName ? c.spec.volumeName : undefined;
}

/** Claims of the pod the kubelet cannot mount yet (missing or not bound), as the volume manager waits for them. */
export function unboundClaims(pod: Pod, objects: NodeObjects | undefined): string[] {
  if (!objects) return [];
  const ns = pod.metadata?.namespace ?? 'default';
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) if (v.persistentVolumeClaim && !boundVolume(objects, ns, v.persistentVolumeClaim.claimName)) out.push(v.name);
  return out;
}

function hasKey(obj: KubeObject, key: string): boolean {
  const data = (obj as { data?: Record<string, unknown>; binaryData?: Record<string, unknown>; stringData?: Record<string, unknown> });
  return !!(data.data && key in data.data) || !!(data.binaryData && key in data.binaryData) || !!(data.stringData && key in data.stringData);
}

function notFound(kind: ConfigKind, name: string): string {
  return `${kind === 'ConfigMap' ? 'configmap' : 'secret'} ${JSON.stringify(name)} not found`;
}

/** Why a container's environment cannot be built, in the kubelet's words; undefined when it can. */
export function containerConfigError(pod: Pod, container: Container, lookup: ConfigLookup): string | undefined {
  const ns = pod.metadata?.namespace ?? 'default';
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ? { kind: 'ConfigMap' as const, r: from.configMapRef } : from.secretRef ? { kind: 'Secret' as const, r: from.secretRef } : undefined;
    if (!ref || !ref.r.name) continue;
    if (!lookup(ref.kind, ns, ref.r.name) && !ref.r.optional) return notFound(ref.kind, ref.r.name);
  }
  for (const env of container.env ?? []) {
    const v = env.valueFrom;
    const ref = v?.configMapKeyRef ? { kind: 'ConfigMap' as const, r: v.configMapKeyRef } : v?.secretKeyRef ? { kind: 'Secret' as const, r: v.secretKeyRef } : undefined;
    if (!ref || !ref.r.name) continue;
    const obj = lookup(ref.kind, ns, ref.r.name);
    if (!obj) {
      if (ref.r.optional) continue;
      return notFound(ref.kind, ref.r.name);
    }
    if (!hasKey(obj, ref.r.key) && !ref.r.optional) return `couldn't find key ${ref.r.key} in ${ref.kind} ${ns}/${ref.r.name}`;
  }
  return undefined;
}

/** The first volume that cannot be mounted and why, as the FailedMount event words it. */
export function volumeMountError(pod: Pod, lookup: ConfigLookup): string | undefined {
  const ns = pod.metadata?.namespace ?? 'default';
  for (const vol of pod.spec?.volumes ?? []) {
    const sources: Array<{ kind: ConfigKind; name?: string; optional?: boolean; items?: Array<{ key: string }> }> = [];
    if (vol.configMap) sources.push({ kind: 'ConfigMap', ...vol.configMap });
    if (vol.secret) sources.push({ kind: 'Secret', ...vol.secret, name: vol.secret.secretName });
    for (const p of vol.projected?.sources ?? []) {
      if (p.configMap) sources.push({ kind: 'ConfigMap', ...p.configMap });
      if (p.secret) sources.push({ kind: 'Secret', ...p.secret });
    }
    for (const s of sources) {
      if (!s.name) continue;
      const obj = lookup(s.kind, ns, s.name);
      if (!obj) {
        if (s.optional) continue;
        return `MountVolume.SetUp failed for volume ${JSON.stringify(vol.name)} : ${notFound(s.kind, s.name)}`;
      }
      for (const item of s.items ?? []) {
        if (!hasKey(obj, item.key) && !s.optional) {
          const what = s.kind === 'ConfigMap' ? 'configmap references non-existent config key' : 'secret references non-existent secret key';
          return `MountVolume.SetUp failed for volume ${JSON.stringify(vol.name)} : ${what}: ${item.key}`;
        }
      }
    }
  }
  return undefined;
}
