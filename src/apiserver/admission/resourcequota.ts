// The ResourceQuota admission step (kube-apiserver's validating plugin of that name). After a write passed
// validation it measures what the object costs, refuses it when any matching quota would go over its hard
// limit, and otherwise charges the cost to status.used at once, so that the next write sees it even before
// the quota controller has recounted. The charge is a status write preconditioned on the resourceVersion the
// check read, as kube's quota admission does: when another write (another API server's admission, the quota
// controller's recount) changed the quota in between, the check is redone on the new state and charged again.
// A write that fails afterwards (a name clash, a store conflict) gets its charge back through `rollback`.
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
  /** Replaces status.used of the stored quota (a server-internal write without admission) if it is still at
   * `quota`'s resourceVersion; resolves false when it changed or went away meanwhile. */
  writeUsed(quota: KubeObject, used: Record<string, string>): Promise<boolean>;
  /** The same, applied before it returns (embedded stores). With it, the charge and the object's own write
   * happen in one turn of the event loop, so the quota controller can never recount in between and erase
   * the charge of an object it does not see yet. */
  writeUsedNow?(quota: KubeObject, used: Record<string, string>): boolean;
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

/** How many times a charge is recomputed after losing a race on the quota's resourceVersion. */
const CHARGE_ATTEMPTS = 10;

export function resourceQuotaAdmission(access: QuotaAccess, clock: Clock): AdmissionPlugin {
  const charged = new WeakMap<AdmissionRequest, Charge[]>();

  const current = (c: Charge): KubeObject | undefined => {
    const q = access.list(c.namespace).find((x) => x.metadata.name === c.name);
    return q && (!c.uid || q.metadata.uid === c.uid) ? q : undefined;
  };

  const refunded = (q: KubeObject, c: Charge): Record<string, string> => {
    const next = subtractLists(usedOf(q), c.amount);
    return fromResourceList(new Map([...next].map(([k, v]) => [k, v.sign < 0 ? v.sub(v) : v])));
  };

  /** Gives charges back, each retried on conflict; never below zero (the controller may have recounted). */
  const refund = async (charges: Charge[]): Promise<void> => {
    for (const c of charges) {
      for (let attempt = 0; attempt < CHARGE_ATTEMPTS; attempt++) {
        const q = current(c);
        if (!q) break;
        const used = refunded(q, c);
        if (access.writeUsedNow ? access.writeUsedNow(q, used) : await access.writeUsed(q, used)) break;
      }
    }
  };

  /** charge() without a pause, for stores that write at once. */
  const chargeNow = (req: AdmissionRequest, ns: string, writeNow: (q: KubeObject, used: Record<string, string>) => boolean): void => {
    const done: Charge[] = [];
    const undo = () => {
      for (const c of done) {
        for (let attempt = 0; attempt < CHARGE_ATTEMPTS; attempt++) {
          const q = current(c);
          if (!q || writeNow(q, refunded(q, c))) break;
        }
      }
    };
    for (let attempt = 0; ; attempt++) {
      const quotas = access.list(ns).filter((q) => !done.some((c) => c.name === q.metadata.name));
      if (quotas.length === 0) break;
      let charges: Charge[];
      try {
        charges = checkQuotas(req, quotas, clock.now());
      } catch (err) {
        undo();
        throw err;
      }
      if (charges.length === 0 || req.dryRun) break;
      let lost = false;
      for (const c of charges) {
        const q = quotas.find((x) => x.metadata.name === c.name) as KubeObject;
        if (writeNow(q, fromResourceList(addLists(usedOf(q), c.amount)))) done.push(c);
        else lost = true;
      }
      if (!lost) break;
      if (attempt + 1 >= CHARGE_ATTEMPTS) {
        undo();
        throw errors.internal('resource quota evaluation timed out');
      }
    }
    if (done.length) charged.set(req, done);
  };

  return {
    name: 'ResourceQuota',
    admit() {},
    // Synchronous when no quota applies (most writes): the storage then reaches the store without a pause.
    validate(req) {
      if (req.subresource || !req.descriptor.namespaced || req.operation === 'DELETE') return;
      const ns = req.object.metadata.namespace;
      if (!ns || access.list(ns).length === 0) return;
      if (access.writeUsedNow) return chargeNow(req, ns, access.writeUsedNow);
      return charge(req, ns);
    },
    rollback(req) {
      const charges = charged.get(req);
      if (!charges) return;
      charged.delete(req);
      return refund(charges);
    },
  };

  async function charge(req: AdmissionRequest, ns: string): Promise<void> {
      const done: Charge[] = [];
      for (let attempt = 0; ; attempt++) {
        // Quotas already charged in an earlier round are settled; the rest are checked on their newest state.
        const quotas = access.list(ns).filter((q) => !done.some((c) => c.name === q.metadata.name));
        if (quotas.length === 0) break;
        let charges: Charge[];
        try {
          charges = checkQuotas(req, quotas, clock.now());
        } catch (err) {
          await refund(done);
          throw err;
        }
        if (charges.length === 0 || req.dryRun) break;
        let lost = false;
        for (const c of charges) {
          const q = quotas.find((x) => x.metadata.name === c.name) as KubeObject;
          if (await access.writeUsed(q, fromResourceList(addLists(usedOf(q), c.amount)))) done.push(c);
          else lost = true;
        }
        if (!lost) break;
        if (attempt + 1 >= CHARGE_ATTEMPTS) {
          await refund(done);
          throw errors.internal('resource quota evaluation timed out');
        }
      }
      if (done.length) charged.set(req, done);
  }
}
