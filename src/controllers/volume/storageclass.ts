// The default StorageClass a fresh cluster starts with, like k3s's `local-path`: claims without a class get
// it, and volumes are made on the node of the first pod that uses them.
import { ApiError } from '../../api/errors.js';
import { storageClassDescriptor } from '../../api/kinds/storageclass.js';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import { LOCAL_PATH_PROVISIONER } from './types.js';

export const DEFAULT_STORAGE_CLASS = 'local-path';

export function defaultStorageClass(name = DEFAULT_STORAGE_CLASS): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

/** Creates the default class unless a class of that name exists (a restart, or an admin's own). */
export async function ensureDefaultStorageClass(client: Client, name = DEFAULT_STORAGE_CLASS): Promise<void> {
  try {
    await client.create(storageClassDescriptor, undefined, defaultStorageClass(name));
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 409)) throw err;
  }
}
