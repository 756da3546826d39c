// The claim side of kube's PersistentVolume controller (`persistentvolume-controller`): bind a claim to a
// fitting volume, or hand it to its class's provisioner, and finish a binding from either end. With a
// WaitForFirstConsumer class nothing happens until the scheduler's VolumeBinding step has chosen a node for a
// pod using the claim and noted it on the claim (`volume.kubernetes.io/selected-node`); the pod is bound to
// the node only once the claim is bound.
import { persistentVolumeDescriptor } from '../../api/kinds/persistentvolume.js';
import { persistentVolumeClaimDescriptor } from '../../api/kinds/persistentvolumeclaim.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { storageClassDescriptor } from '../../api/kinds/storageclass.js';
import type { KubeObject } from '../../api/types.js';
import type { ControllerContext, ControllerDefinition } from '../runtime/controller.js';
import { isPodActive } from '../runtime/pods.js';
import { claimClass, findVolume } from './matching.js';
import {
  annotation, asClaim, asVolume, BETA_STORAGE_PROVISIONER, BIND_COMPLETED, BINDER_COMPONENT, BOUND_BY_CONTROLLER, claimKeysOfPod, SELECTED_NODE, STORAGE_PROVISIONER,
} from './types.js';

function claimKeyOfVolume(pv: KubeObject): string[] {
  const ref = asVolume(pv).spec?.claimRef;
  return ref?.name ? [`${ref.namespace ?? ''}/${ref.name}`] : [];
}

/** Pods of the claim's namespace that mount it and have not finished. */
function usersOf(claim: KubeObject, ctx: ControllerContext): KubeObject[] {
  const key = `${claim.metadata.namespace}/${claim.metadata.name}`;
  return ctx.informers.informer(podDescriptor).byIndex('namespace', claim.metadata.namespace ?? '').filter((p) => isPodActive(p) && claimKeysOfPod(p).includes(key));
}

/** Writes both halves of a binding that are not written yet: the volume's claimRef and phase, then the claim's
 * volumeName, annotations and phase. Each write is skipped when already done, so a retry resumes. */
async function bind(ctx: ControllerContext, claim: KubeObject, pv: KubeObject): Promise<void> {
  const pvName = pv.metadata.name ?? '';
  let volume = pv;
  if (!asVolume(volume).spec?.claimRef?.uid) {
    volume = await ctx.client.patch(persistentVolumeDescriptor, undefined, pvName, 'merge', {
      metadata: { annotations: { [BOUND_BY_CONTROLLER]: 'yes' }, resourceVersion: pv.metadata.resourceVersion },
      spec: {
        claimRef: { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion },
      },
    });
  }
  if (asVolume(volume).status?.phase !== 'Bound') {
    volume = await ctx.client.update(persistentVolumeDescriptor, undefined, { ...volume, status: { ...(volume.status as object), phase: 'Bound' } }, { subresource: 'status' });
  }
  let c = claim;
  const byUs = !asClaim(claim).spec?.volumeName;
  if (byUs || annotation(claim, BIND_COMPLETED) !== 'yes') {
    c = await ctx.client.patch(persistentVolumeClaimDescriptor, claim.metadata.namespace, claim.metadata.name ?? '', 'merge', {
      metadata: { annotations: { [BIND_COMPLETED]: 'yes', ...(byUs ? { [BOUND_BY_CONTROLLER]: 'yes' } : {}) }, resourceVersion: claim.metadata.resourceVersion },
      spec: { volumeName: pvName },
    });
  }
  if (asClaim(c).status?.phase !== 'Bound') {
    const spec = asVolume(volume).spec ?? {};
    const status = { ...(c.status as object), phase: 'Bound', accessModes: spec.accessModes, capacity: spec.capacity };
    await ctx.client.update(persistentVolumeClaimDescriptor, c.metadata.namespace, { ...c, status }, { subresource: 'status' });
  }
}

async function syncBound(ctx: ControllerContext, claim: KubeObject): Promise<void> {
  const name = asClaim(claim).spec?.volumeName ?? '';
  const pv = ctx.informers.informer(persistentVolumeDescriptor).get(undefined, name);
  if (!pv) {
    if (asClaim(claim).status?.phase === 'Bound') {
      ctx.recorder.event(claim, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      await ctx.client.update(persistentVolumeClaimDescriptor, claim.metadata.namespace, { ...claim, status: { ...(claim.status as object), phase: 'Lost' } }, { subresource: 'status' });
    }
    return;
  }
  const ref = asVolume(pv).spec?.claimRef;
  if (ref?.uid && ref.uid !== claim.metadata.uid) return;
  await bind(ctx, claim, pv);
}

async function syncUnbound(ctx: ControllerContext, claim: KubeObject): Promise<void> {
  const pv = findVolume(claim, ctx.informers.informer(persistentVolumeDescriptor).list());
  if (pv) return bind(ctx, claim, pv);
  const className = claimClass(claim);
  if (!className) {
    ctx.recorder.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    return;
  }
  const sc = ctx.informers.informer(storageClassDescriptor).get(undefined, className);
  if (!sc) {
    ctx.recorder.event(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
    return;
  }
  if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !annotation(claim, SELECTED_NODE)) {
    // The scheduler's VolumeBinding plugin picks the node and notes it on the claim; until then, only say why.
    const waiting = usersOf(claim, ctx)
      .filter((p) => !(p.spec as { nodeName?: string } | undefined)?.nodeName)
      .map((p) => p.metadata.name ?? '');
    if (waiting.length > 0) {
      const message = waiting.length === 1 ? `waiting for pod ${waiting[0]} to be scheduled` : `waiting for pods ${waiting.join(',')} to be scheduled`;
      ctx.recorder.event(claim, 'Normal', 'WaitForPodScheduled', message);
    } else {
      ctx.recorder.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    }
    return;
  }
  const provisioner = String(sc.provisioner ?? '');
  if (annotation(claim, STORAGE_PROVISIONER) === provisioner) return;
  await ctx.client.patch(persistentVolumeClaimDescriptor, claim.metadata.namespace, claim.metadata.name ?? '', 'merge', {
    metadata: { annotations: { [STORAGE_PROVISIONER]: provisioner, [BETA_STORAGE_PROVISIONER]: provisioner } },
  });
  ctx.recorder.event(
    claim,
    'Normal',
    'ExternalProvisioning',
    `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
  );
}

/** Binds claims to volumes; PV and pod events wake the claims they concern. */
export function volumeBinderController(): ControllerDefinition {
  return {
    name: BINDER_COMPONENT,
    for: persistentVolumeClaimDescriptor,
    watches: [
      { resource: persistentVolumeDescriptor, map: claimKeyOfVolume },
      { resource: podDescriptor, map: (p) => ((p.spec as { nodeName?: string } | undefined)?.nodeName ? claimKeysOfPod(p) : []) },
      { resource: storageClassDescriptor, map: () => [] },
    ],
    setup(ctx) {
      for (const r of [persistentVolumeClaimDescriptor, persistentVolumeDescriptor, podDescriptor, storageClassDescriptor]) ctx.informers.informer(r);
    },
    async reconcile(key, ctx) {
      const claim = ctx.informers.informer(persistentVolumeClaimDescriptor).getByKey(key);
      if (!claim || claim.metadata.deletionTimestamp) return undefined;
      if (asClaim(claim).spec?.volumeName) await syncBound(ctx, claim);
      else await syncUnbound(ctx, claim);
      return undefined;
    },
  };
}
