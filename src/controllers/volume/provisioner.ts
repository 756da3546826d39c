// A simulated local-path provisioner: for a claim handed to `rancher.io/local-path` it creates the volume
// `pvc-<claim uid>`, a host directory on the chosen node, pre-bound to the claim (the binder finishes the
// binding). Released volumes of a Delete class are removed again. No directory exists anywhere: the kubelet
// keeps each claim's files itself.
import { persistentVolumeDescriptor } from '../../api/kinds/persistentvolume.js';
import { persistentVolumeClaimDescriptor } from '../../api/kinds/persistentvolumeclaim.js';
import { storageClassDescriptor } from '../../api/kinds/storageclass.js';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { ControllerDefinition } from '../runtime/controller.js';
import { errorMessage } from '../runtime/claim.js';
import { claimClass } from './matching.js';
import { annotation, asClaim, asVolume, LOCAL_PATH_BASE, LOCAL_PATH_PROVISIONER, PROVISIONED_BY, PROVISIONER_COMPONENT, SELECTED_NODE, STORAGE_PROVISIONER } from './types.js';

export function provisionedVolume(claim: KubeObject, sc: KubeObject, node: string | undefined): KubeObject {
  const c = asClaim(claim);
  const name = `pvc-${claim.metadata.uid}`;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { [PROVISIONED_BY]: LOCAL_PATH_PROVISIONER } },
    spec: {
      capacity: { storage: c.spec?.resources?.requests?.storage ?? '0' },
      accessModes: c.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: (sc.reclaimPolicy as string | undefined) ?? 'Delete',
      storageClassName: claimClass(claim),
      volumeMode: c.spec?.volumeMode ?? 'Filesystem',
      claimRef: { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion },
      hostPath: { path: `${LOCAL_PATH_BASE}/${name}_${claim.metadata.namespace}_${claim.metadata.name}`, type: 'DirectoryOrCreate' },
      ...(node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } } : {}),
    },
  };
}

/** `local-path-provisioner`: keyed by claim; volume events wake the claim they point at. */
export function localPathProvisioner(): ControllerDefinition {
  return {
    name: PROVISIONER_COMPONENT,
    for: persistentVolumeClaimDescriptor,
    watches: [{ resource: persistentVolumeDescriptor, map: (pv) => (asVolume(pv).spec?.claimRef?.name ? [`${asVolume(pv).spec?.claimRef?.namespace}/${asVolume(pv).spec?.claimRef?.name}`] : []) }],
    setup(ctx) {
      for (const r of [persistentVolumeClaimDescriptor, persistentVolumeDescriptor, storageClassDescriptor]) ctx.informers.informer(r);
    },
    async reconcile(key, ctx) {
      const claim = ctx.informers.informer(persistentVolumeClaimDescriptor).getByKey(key);
      if (!claim || claim.metadata.deletionTimestamp || asClaim(claim).spec?.volumeName) return undefined;
      if (annotation(claim, STORAGE_PROVISIONER) !== LOCAL_PATH_PROVISIONER) return undefined;
      const sc = ctx.informers.informer(storageClassDescriptor).get(undefined, claimClass(claim));
      if (!sc || sc.provisioner !== LOCAL_PATH_PROVISIONER) return undefined;
      const node = annotation(claim, SELECTED_NODE);
      if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !node) return undefined;
      const pv = provisionedVolume(claim, sc, node);
      if (ctx.informers.informer(persistentVolumeDescriptor).get(undefined, pv.metadata.name ?? '')) return undefined;
      ctx.recorder.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`);
      try {
        await ctx.client.create(persistentVolumeDescriptor, undefined, pv);
      } catch (err) {
        if (err instanceof ApiError && err.code === 409) return undefined;
        ctx.recorder.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata.name}": ${errorMessage(err)}`);
        throw err;
      }
      ctx.recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata.name}`);
      return undefined;
    },
  };
}
