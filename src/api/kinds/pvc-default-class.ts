// The DefaultStorageClass admission step: a claim created without any class gets the cluster's default one.
// The server supplies the StorageClasses it has stored.
import type { AdmissionPlugin } from '../../apiserver/storage/admission.js';
import type { KubeObject } from '../types.js';
import { ensureObj, type Obj } from './object-helpers.js';
import { BETA_STORAGE_CLASS_ANNOTATION, isDefaultClass } from './storage-common.js';

/** With several defaults the newest wins (ties by name), as kube-apiserver decides since 1.28. */
export function pickDefaultStorageClass(classes: readonly KubeObject[]): KubeObject | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    if (ta !== tb) return tb - ta;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
  return defaults[0];
}

/** An empty string is an explicit "no class" and is left alone; only a missing field is filled. */
export function defaultStorageClassAdmission(listStorageClasses: () => readonly KubeObject[]): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    admit(req) {
      const d = req.descriptor;
      if (req.operation !== 'CREATE' || d.group !== '' || d.kind !== 'PersistentVolumeClaim' || req.subresource) return;
      const spec = ensureObj(req.object as Obj, 'spec');
      if (spec.storageClassName != null) return;
      if (req.object.metadata.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] !== undefined) return;
      const def = pickDefaultStorageClass(listStorageClasses());
      if (def?.metadata.name) spec.storageClassName = def.metadata.name;
    },
  };
}
