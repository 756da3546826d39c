// persistentVolumeClaimRetentionPolicy through owner references, so the garbage collector does the deleting:
// whenDeleted=Delete points in-range claims at the set, whenScaled=Delete points a condemned pod's claims at
// that pod (and only at it), so they go once the pod is gone and survive while it is still terminating.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { persistentVolumeClaimDescriptor } from '../../api/kinds/persistentvolumeclaim.js';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import type { SharedInformer } from '../../client/informer.js';
import { claimsFor } from './identity.js';
import { podOwnerRef, setOwnerRef } from './pod-writes.js';
import { setSpec } from './types.js';

function wantedRefs(set: KubeObject, pod: KubeObject | undefined, condemned: boolean): OwnerReference[] {
  const policy = setSpec(set).persistentVolumeClaimRetentionPolicy ?? {};
  if (condemned && policy.whenScaled === 'Delete' && pod) return [podOwnerRef(pod)];
  if (policy.whenDeleted === 'Delete') return [setOwnerRef(set)];
  return [];
}

/** The claim's references with ours (set or pod) brought in line; others' references are left alone. */
function adjusted(claim: KubeObject, set: KubeObject, pod: KubeObject | undefined, want: OwnerReference[]): OwnerReference[] | undefined {
  const ours = (r: OwnerReference) => (r.kind === 'StatefulSet' && r.name === set.metadata.name) || (r.kind === 'Pod' && pod && r.name === pod.metadata.name);
  const refs = claim.metadata.ownerReferences ?? [];
  const kept = refs.filter((r) => !ours(r));
  const next = [...kept, ...want];
  const same = next.length === refs.length && next.every((r) => refs.some((x) => x.uid === r.uid));
  return same ? undefined : next;
}

export async function fixClaimOwners(client: Client, claims: SharedInformer, set: KubeObject, ordinal: number, pod: KubeObject | undefined, condemned: boolean): Promise<void> {
  const want = wantedRefs(set, pod, condemned);
  for (const c of claimsFor(set, ordinal).values()) {
    const claim = claims.get(set.metadata.namespace, c.metadata.name ?? '');
    if (!claim || claim.metadata.deletionTimestamp) continue;
    const next = adjusted(claim, set, pod, want);
    if (!next) continue;
    await client.patch(persistentVolumeClaimDescriptor, claim.metadata.namespace, claim.metadata.name ?? '', 'merge', {
      metadata: { ownerReferences: next, resourceVersion: claim.metadata.resourceVersion },
    });
  }
}

/** Whether any claim management is asked for: Retain/Retain needs no reference bookkeeping. */
export function retentionActive(set: KubeObject): boolean {
  const p = setSpec(set).persistentVolumeClaimRetentionPolicy ?? {};
  return p.whenDeleted === 'Delete' || p.whenScaled === 'Delete';
}
