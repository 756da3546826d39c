// kube's pvc-protection-controller: a claim that is being deleted keeps its finalizer while a pod that may
// still mount it exists, so the data is not pulled from under a running workload.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { persistentVolumeClaimDescriptor } from '../../api/kinds/persistentvolumeclaim.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import type { KubeObject } from '../../api/types.js';
import type { ControllerContext, ControllerDefinition } from '../runtime/controller.js';
import { addFinalizer, isDeletionCandidate, needsFinalizer, PVC_PROTECTION_FINALIZER, removeFinalizer } from './protection-common.js';

export const PVC_PROTECTION_COMPONENT = 'pvc-protection-controller';

/** Claim names a pod refers to, including the `<pod>-<volume>` claims of its generic ephemeral volumes. */
export function claimNamesOfPod(pod: KubeObject): string[] {
  const vols = (pod as unknown as Pod).spec?.volumes ?? [];
  return vols.flatMap((v) => {
    if (v.persistentVolumeClaim?.claimName) return [v.persistentVolumeClaim.claimName];
    if (v.ephemeral) return [`${pod.metadata.name ?? ''}-${v.name}`];
    return [];
  });
}

/** The kubelet is done with a pod that finished, or whose deletion was confirmed with a zero grace period
 * (also what breaks a cycle where a pod finalizer waits on the claim). */
function podIsDone(pod: KubeObject): boolean {
  const phase = (pod as unknown as Pod).status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return true;
  return !!pod.metadata.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0;
}

/** An unscheduled pod cannot hold the claim: the kubelet refuses to start a pod whose claim is being deleted. */
export function podUsesClaim(pod: KubeObject, claim: KubeObject): boolean {
  if (pod.metadata.namespace !== claim.metadata.namespace) return false;
  if (!(pod as unknown as Pod).spec?.nodeName || podIsDone(pod)) return false;
  return claimNamesOfPod(pod).includes(claim.metadata.name ?? '');
}

/** The cache answers "in use" cheaply; "unused" is only trusted after a live list, since a pod created a
 * moment ago may not have reached the informer yet. */
async function claimInUse(ctx: ControllerContext, claim: KubeObject): Promise<boolean> {
  const ns = claim.metadata.namespace ?? '';
  if (ctx.informers.informer(podDescriptor).byIndex('namespace', ns).some((p) => podUsesClaim(p, claim))) return true;
  const live = await ctx.client.list(podDescriptor, ns);
  return live.items.some((p) => podUsesClaim(p, claim));
}

function claimKeysOfPod(pod: KubeObject): string[] {
  return claimNamesOfPod(pod).map((name) => `${pod.metadata.namespace ?? ''}/${name}`);
}

export function pvcProtectionController(): ControllerDefinition {
  return {
    name: PVC_PROTECTION_COMPONENT,
    for: persistentVolumeClaimDescriptor,
    // Any pod change may be the one that frees a claim (it finished, was deleted, or its name was reused).
    watches: [{ resource: podDescriptor, map: claimKeysOfPod }],
    setup(ctx) {
      ctx.informers.informer(persistentVolumeClaimDescriptor);
      ctx.informers.informer(podDescriptor);
    },
    async reconcile(key, ctx) {
      const claim = ctx.informers.informer(persistentVolumeClaimDescriptor).getByKey(key);
      if (!claim) return undefined;
      if (isDeletionCandidate(claim, PVC_PROTECTION_FINALIZER)) {
        if (await claimInUse(ctx, claim)) {
          ctx.log(`keeping claim ${key}: a pod still uses it`);
          return undefined;
        }
        await removeFinalizer(ctx, persistentVolumeClaimDescriptor, claim, PVC_PROTECTION_FINALIZER);
        return undefined;
      }
      if (needsFinalizer(claim, PVC_PROTECTION_FINALIZER)) await addFinalizer(ctx, persistentVolumeClaimDescriptor, claim, PVC_PROTECTION_FINALIZER);
      return undefined;
    },
  };
}
