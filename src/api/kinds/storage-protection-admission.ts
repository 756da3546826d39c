// The StorageObjectInUseProtection admission step: every new claim and volume starts life with its protection
// finalizer, so a delete can never slip through before the protection controllers have looked at it.
import type { AdmissionPlugin } from '../../apiserver/storage/admission.js';
import type { KubeObject } from '../types.js';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** The finalizer that guards objects of this core kind, if any. */
export function protectionFinalizerFor(group: string, kind: string): string | undefined {
  if (group !== '') return undefined;
  if (kind === 'PersistentVolumeClaim') return PVC_PROTECTION_FINALIZER;
  if (kind === 'PersistentVolume') return PV_PROTECTION_FINALIZER;
  return undefined;
}

/** Adds `finalizer` in place unless it is already listed (a client may have asked for it itself). */
function addFinalizer(obj: KubeObject, finalizer: string): void {
  const list = obj.metadata.finalizers ?? [];
  if (!list.includes(finalizer)) obj.metadata.finalizers = [...list, finalizer];
}

/** Only creates are touched: an update that drops the finalizer is how the controllers release the object. */
export function storageObjectInUseProtectionAdmission(): AdmissionPlugin {
  return {
    name: 'StorageObjectInUseProtection',
    admit(req) {
      if (req.operation !== 'CREATE' || req.subresource) return;
      const finalizer = protectionFinalizerFor(req.descriptor.group, req.descriptor.kind);
      if (finalizer) addFinalizer(req.object, finalizer);
    },
  };
}
