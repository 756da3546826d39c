// The volume side of the PV controller: a volume's phase follows its claim (Available with none, Bound while
// the claim holds it, Released once the claim is gone), and a released volume of the Delete policy that our
// provisioner made is deleted, as the provisioner's deleter would.
import { persistentVolumeDescriptor } from '../../api/kinds/persistentvolume.js';
import { persistentVolumeClaimDescriptor } from '../../api/kinds/persistentvolumeclaim.js';
import type { KubeObject } from '../../api/types.js';
import type { ControllerContext, ControllerDefinition } from '../runtime/controller.js';
import { isNotFound } from '../runtime/claim.js';
import { annotation, asClaim, asVolume, BINDER_COMPONENT, LOCAL_PATH_PROVISIONER, PROVISIONED_BY } from './types.js';

async function setPhase(ctx: ControllerContext, pv: KubeObject, phase: string): Promise<void> {
  if (asVolume(pv).status?.phase === phase) return;
  await ctx.client.update(persistentVolumeDescriptor, undefined, { ...pv, status: { ...(pv.status as object), phase } }, { subresource: 'status' });
}

/** Whether the claim the volume points at still exists (asked of the server: a lagging cache must not
 * release a volume whose claim was just created). */
async function claimExists(ctx: ControllerContext, ns: string, name: string, uid: string | undefined): Promise<boolean> {
  const cached = ctx.informers.informer(persistentVolumeClaimDescriptor).get(ns, name);
  if (cached && (!uid || cached.metadata.uid === uid)) return true;
  try {
    const live = await ctx.client.get(persistentVolumeClaimDescriptor, ns, name);
    return !uid || live.metadata.uid === uid;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export function volumePhaseController(): ControllerDefinition {
  return {
    name: `${BINDER_COMPONENT}-volumes`,
    for: persistentVolumeDescriptor,
    watches: [{ resource: persistentVolumeClaimDescriptor, map: (c) => (asClaim(c).spec?.volumeName ? [asClaim(c).spec!.volumeName!] : []) }],
    setup(ctx) {
      ctx.informers.informer(persistentVolumeDescriptor);
      ctx.informers.informer(persistentVolumeClaimDescriptor);
    },
    async reconcile(key, ctx) {
      const pv = ctx.informers.informer(persistentVolumeDescriptor).getByKey(key);
      if (!pv || pv.metadata.deletionTimestamp) return undefined;
      const ref = asVolume(pv).spec?.claimRef;
      if (!ref?.name) return setPhase(ctx, pv, 'Available');
      if (await claimExists(ctx, ref.namespace ?? '', ref.name, ref.uid)) {
        const claim = ctx.informers.informer(persistentVolumeClaimDescriptor).get(ref.namespace, ref.name);
        // A volume reserved for a claim that has not taken it yet is still Available.
        if (asClaim(claim ?? pv).spec?.volumeName !== pv.metadata.name) return setPhase(ctx, pv, 'Available');
        return setPhase(ctx, pv, 'Bound');
      }
      // Only a volume that was handed to a claim (uid set) is released; a reservation by name waits.
      if (!ref.uid) return setPhase(ctx, pv, 'Available');
      await setPhase(ctx, pv, 'Released');
      if (asVolume(pv).spec?.persistentVolumeReclaimPolicy === 'Delete' && annotation(pv, PROVISIONED_BY) === LOCAL_PATH_PROVISIONER) {
        try {
          await ctx.client.delete(persistentVolumeDescriptor, undefined, pv.metadata.name ?? '');
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      return undefined;
    },
  };
}
