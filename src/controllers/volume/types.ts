// Names and annotations the volume controllers share with the scheduler, the provisioner and kubectl.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/types.js';

export const BINDER_COMPONENT = 'persistentvolume-controller';
export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
export const PROVISIONER_COMPONENT = 'rancher.io/local-path_local-path-provisioner';
export const LOCAL_PATH_BASE = '/var/local-path-provisioner';

export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';

export function asClaim(o: KubeObject): PersistentVolumeClaim {
  return o as unknown as PersistentVolumeClaim;
}

export function asVolume(o: KubeObject): PersistentVolume {
  return o as unknown as PersistentVolume;
}

export function annotation(o: KubeObject, key: string): string | undefined {
  return o.metadata.annotations?.[key];
}

/** Claims a pod mounts, as `namespace/name` keys. */
export function claimKeysOfPod(pod: KubeObject): string[] {
  const vols = (pod.spec as { volumes?: Array<{ persistentVolumeClaim?: { claimName?: string } }> } | undefined)?.volumes ?? [];
  return vols.flatMap((v) => (v.persistentVolumeClaim?.claimName ? [`${pod.metadata.namespace ?? ''}/${v.persistentVolumeClaim.claimName}`] : []));
}
