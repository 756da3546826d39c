// The ResourceQuota admission step (kube-apiserver's validating plugin of that name). After a write passed
// validation it measures what the object costs, refuses it when any matching quota would go over its hard
// limit, and otherwise charges the cost to status.used at once, so that the next write sees it even before
// the quota controller has recounted. Storage calls are synchronous, so check-and-charge is atomic here; a
// write that fails afterwards (a name clash, a store conflict) gets its charge back through `rollback`.
import { errors } from '../../api/errors.js';
import { isObj } from '../../api/kinds/object-helpers.js';
import {
  addLists, type Evaluator, evaluatorFor, exceeded, fromResourceList, mask, prettyPrint, quotaMatches, removeZeros,
  type ResourceList, subtractLists, subtractNonNegative, toResourceList,
} from '../../api/kinds/resourcequota-usage.js';
import type { KubeObject } from '../../api/types.js';
import type { Clock } from '../../clock/clock.js';
import type { AdmissionPlugin, AdmissionRequest } from '../storage/admission.js';

export interface QuotaAccess {
  /** The ResourceQuotas of a namespace as stored now. */
  list(namespace: string): readonly KubeObject[];
  /** Replaces status.used of the stored quota (a server-internal write without admission). */
  writeUsed(quota: KubeObject, used: Record<string, string>): void;
}

interface Charge {
  namespace: string;
  name: string;
  uid: string | undefined;
  amount: ResourceList;
}

function hardOf(q: KubeObject): ResourceList {
  return toResourceList(isObj(q.status) ? q.status.hard : undefined);
}

function usedOf(q: KubeObject): ResourceList {
  return toResourceList(isObj(q.status) ? q.status.used : undefined);
}

function byName(a: KubeObject, b: KubeObject): number {
  const x = a.metadata.name ?? '';
  const y = b.metadata.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Throws the 403 kube-apiserver answers; returns the charges to make (nothing when no quota applies). */
export function checkQuotas(req: AdmissionRequest, quotas: readonly KubeObject[], now: number): Charge[] {
  const d = req.descriptor;
  const obj = req.object;
  const objName = obj.metadata.name || obj.metadata.generateName || '';
  const forbidden = (why: string) => errors.forbidden(d, objName, why);
  const ev: Evaluator = evaluatorFor(d.group, d.plural);
  if (!ev.handles(req.operation)) return [];

  const interesting: KubeObject[] = [];
  for (const q of [...quotas].sort(byName)) {
    if (!quotaMatches(ev, q, obj)) continue;
    const restricted = ev.matchingResources(hardOf(q).keys());
    const why = ev.constraints?.(restricted, obj);
    if (why) throw forbidden(`failed quota: ${q.metadata.name}: ${why}`);
    const used = usedOf(q);
    const unknown = restricted.filter((r) => !used.has(r));
    if (unknown.length) throw forbidden(`status unknown for quota: ${q.metadata.name}, resources: ${[...restricted].sort().join(',')}`);
    interesting.push(q);
  }
  if (interesting.length === 0) return [];

  const input = ev.usage(obj, now);
  const negative = [...input].filter(([, v]) => v.sign < 0).map(([k]) => k).sort();
  if (negative.length) throw forbidden(`quota usage is negative for resource(s): ${negative.join(',')}`);

  const deltas = new Map<KubeObject, ResourceList>();
  for (const q of interesting) deltas.set(q, input);
  if (req.operation === 'UPDATE' && req.old?.metadata.resourceVersion) {
    const old = req.old;
    const delta = subtractNonNegative(input, ev.usage(old, now));
    for (const q of interesting) if (quotaMatches(ev, q, old)) deltas.set(q, delta);
  }

  const charges: Charge[] = [];
  for (const q of interesting) {
    const delta = removeZeros(deltas.get(q)!);
    if (delta.size === 0) continue;
    const hard = hardOf(q);
    const used = usedOf(q);
    const requested = mask(delta, hard.keys());
    if (requested.size === 0) continue;
    const next = addLists(used, requested);
    const over = exceeded(mask(next, requested.keys()), hard);
    if (over.length) {
      throw forbidden(
        `exceeded quota: ${q.metadata.name}, requested: ${prettyPrint(mask(requested, over))}, ` +
          `used: ${prettyPrint(mask(used, over))}, limited: ${prettyPrint(mask(hard, over))}`,
      );
    }
    charges.push({ namespace: q.metadata.namespace ?? '', name: q.metadata.name ?? '', uid: q.metadata.uid, amount: requested });
  }
  return charges;
}

export function resourceQuotaAdmission(access: QuotaAccess, clock: Clock): AdmissionPlugin {
  const charged = new WeakMap<AdmissionRequest, Charge[]>();

  const apply = (charges: Charge[], sign: 1 | -1) => {
    for (const c of charges) {
      const q = access.list(c.namespace).find((x) => x.metadata.name === c.name);
      if (!q || (c.uid && q.metadata.uid !== c.uid)) continue;
      const used = usedOf(q);
      let next = sign === 1 ? addLists(used, c.amount) : subtractLists(used, c.amount);
      // Never hand back more than is there (the controller may have recounted in between).
      next = new Map([...next].map(([k, v]) => [k, v.sign < 0 ? v.sub(v) : v]));
      access.writeUsed(q, fromResourceList(next));
    }
  };

  return {
    name: 'ResourceQuota',
    admit() {},
    validate(req) {
      if (req.subresource || !req.descriptor.namespaced || req.operation === 'DELETE') return;
      const ns = req.object.metadata.namespace;
      if (!ns) return;
      const quotas = access.list(ns);
      if (quotas.length === 0) return;
      const charges = checkQuotas(req, quotas, clock.now());
      if (charges.length === 0 || req.dryRun) return;
      apply(charges, 1);
      charged.set(req, charges);
    },
    rollback(req) {
      const charges = charged.get(req);
      if (!charges) return;
      charged.delete(req);
      apply(charges, -1);
    },
  };
}
