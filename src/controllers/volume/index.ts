// Persistent volumes: the claim binder, the volume phase keeper, a simulated local-path provisioner and the
// default StorageClass a new cluster starts with.
import type { ControllerDefinition } from '../runtime/controller.js';
import { volumeBinderController } from './binder.js';
import { localPathProvisioner } from './provisioner.js';
import { volumePhaseController } from './volume-phase.js';

export { volumeBinderController } from './binder.js';
export { localPathProvisioner } from './provisioner.js';
export { volumePhaseController } from './volume-phase.js';
export { DEFAULT_STORAGE_CLASS, defaultStorageClass, ensureDefaultStorageClass } from './storageclass.js';

/** Everything the cluster runs for volumes, to add to the controller manager. */
export function volumeControllers(): ControllerDefinition[] {
  return [volumeBinderController(), volumePhaseController(), localPathProvisioner()];
}
