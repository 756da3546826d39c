// kube's pv-protection-controller: a volume that is being deleted keeps its finalizer while a claim holds it,
// so an admin's delete cannot take storage away from a claim that is bound to it.
import { persistentVolumeDescriptor } from '../../api/kinds/persistentvolume.js';
import { persistentVolumeClaimDescriptor } from '../../api/kinds/persistentvolumeclaim.js';
import type { KubeObject } from '../../api/types.js';
import { isNotFound } from '../runtime/claim.js';
import type { ControllerContext, ControllerDefinition } from '../runtime/controller.js';
import { addFinalizer, isDeletionCandidate, needsFinalizer, PV_PROTECTION_FINALIZER, removeFinalizer } from './protection-common.js';
import { asClaim, asVolume } from './types.js';

export const PV_PROTECTION_COMPONENT = 'pv-protection-controller';

/** Whether the claim named by the claimRef exists with that uid, asked of the server when the cache says no
 * (a claim created a moment ago must not lose its volume to a lagging informer). */
async function referencedClaimExists(ctx: ControllerContext, pv: KubeObject): Promise<boolean> {
  const ref = asVolume(pv).spec?.claimRef;
  if (!ref?.name) return false;
  const ns = ref.namespace ?? '';
  const matches = (c: KubeObject | undefined) => !!c && (!ref.uid || c.metadata.uid === ref.uid);
  if (matches(ctx.informers.informer(persistentVolumeClaimDescriptor).get(ns, ref.name))) return true;
  try {
    return matches(await ctx.client.get(persistentVolumeClaimDescriptor, ns, ref.name));
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** kube asks only for the Bound phase. The phase keeper here stops updating a volume once it is being deleted,
 * so a Bound phase whose claim is gone would pin the volume forever: the claim must still exist as well. */
export async function volumeInUse(ctx: ControllerContext, pv: KubeObject): Promise<boolean> {
  if (asVolume(pv).status?.phase !== 'Bound') return false;
  return referencedClaimExists(ctx, pv);
}

export function pvProtectionController(): ControllerDefinition {
  return {
    name: PV_PROTECTION_COMPONENT,
    for: persistentVolumeDescriptor,
    // A claim that goes away may be what releases a volume stuck in Bound.
    watches: [{ resource: persistentVolumeClaimDescriptor, map: (c) => (asClaim(c).spec?.volumeName ? [asClaim(c).spec!.volumeName!] : []) }],
    setup(ctx) {
      ctx.informers.informer(persistentVolumeDescriptor);
      ctx.informers.informer(persistentVolumeClaimDescriptor);
    },
    async reconcile(key, ctx) {
      const pv = ctx.informers.informer(persistentVolumeDescriptor).getByKey(key);
      if (!pv) return undefined;
      if (isDeletionCandidate(pv, PV_PROTECTION_FINALIZER)) {
        if (await volumeInUse(ctx, pv)) {
          ctx.log(`keeping volume ${key}: it is bound to a claim`);
          return undefined;
        }
        await removeFinalizer(ctx, persistentVolumeDescriptor, pv, PV_PROTECTION_FINALIZER);
        return undefined;
      }
      if (needsFinalizer(pv, PV_PROTECTION_FINALIZER)) await addFinalizer(ctx, persistentVolumeDescriptor, pv, PV_PROTECTION_FINALIZER);
      return undefined;
    },
  };
}
