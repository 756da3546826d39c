// Which existing PersistentVolume a claim may bind to: same class and volume mode, every requested access
// mode, at least the requested size, and not promised to another claim. The smallest fit wins, and a volume
// already reserved for this very claim (claimRef by name) wins over all.
import { quantityOf } from '../../api/kinds/quantity-helpers.js';
import { storageClassOf } from '../../api/kinds/storage-common.js';
import { compareQuantity, type Quantity } from '../../api/quantity.js';
import type { KubeObject } from '../../api/types.js';
import { asClaim, asVolume } from './types.js';

/** The class a claim asks for: the beta annotation wins over the field, as in kube. */
export function claimClass(claim: KubeObject): string {
  return storageClassOf(claim);
}

function volumeClass(pv: KubeObject): string {
  return storageClassOf(pv);
}

function size(v: unknown): Quantity | undefined {
  return quantityOf(v);
}

export function volumeFits(claim: KubeObject, pv: KubeObject): boolean {
  const c = asClaim(claim).spec ?? {};
  const v = asVolume(pv).spec ?? {};
  if (volumeClass(pv) !== claimClass(claim)) return false;
  if ((v.volumeMode ?? 'Filesystem') !== (c.volumeMode ?? 'Filesystem')) return false;
  if (!(c.accessModes ?? []).every((m) => (v.accessModes ?? []).includes(m))) return false;
  const want = size(c.resources?.requests?.storage);
  const have = size(v.capacity?.storage);
  return !want || (!!have && compareQuantity(have, want) >= 0);
}

function reservedFor(pv: KubeObject, claim: KubeObject): boolean {
  const ref = asVolume(pv).spec?.claimRef;
  return !!ref && ref.name === claim.metadata.name && (ref.namespace ?? '') === (claim.metadata.namespace ?? '') && (!ref.uid || ref.uid === claim.metadata.uid);
}

export function findVolume(claim: KubeObject, volumes: readonly KubeObject[]): KubeObject | undefined {
  const free = volumes.filter((pv) => !pv.metadata.deletionTimestamp && (asVolume(pv).status?.phase ?? 'Available') !== 'Released' && (asVolume(pv).status?.phase ?? '') !== 'Failed');
  const reserved = free.find((pv) => reservedFor(pv, claim) && volumeFits(claim, pv));
  if (reserved) return reserved;
  const open = free.filter((pv) => !asVolume(pv).spec?.claimRef && volumeFits(claim, pv));
  open.sort((a, b) => {
    const qa = size(asVolume(a).spec?.capacity?.storage);
    const qb = size(asVolume(b).spec?.capacity?.storage);
    return qa && qb ? compareQuantity(qa, qb) : 0;
  });
  return open[0];
}
