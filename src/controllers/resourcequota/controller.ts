// The resource quota controller (kube-controller-manager's resourcequota controller): for every ResourceQuota
// it recounts what the namespace uses of each resource named in spec.hard and writes status.hard (= spec.hard)
// and status.used. Any change of a counted object in a namespace with quotas wakes the namespace's quotas.
//
// The recount reads the quota first and then lists the objects through the API, and writes status with the
// quota's resourceVersion: if admission charged a new object in between, the write conflicts and is retried,
// so a recount can never erase a charge for an object it did not see.
import type { ResourceDescriptor } from '../../api/descriptor.js';
import { allKinds } from '../../api/kinds/index.js';
import { isObj, specOf, statusOf } from '../../api/kinds/object-helpers.js';
import { resourceQuotaDescriptor } from '../../api/kinds/resourcequota.js';
import {
  addLists, claimEvaluator, type Evaluator, fromResourceList, listsEqual, mask, objectCountEvaluator, podCountsCompute,
  podEvaluator, type ResourceList, scopeSelectorsOf, scopesSelect, serviceEvaluator, toResourceList,
} from '../../api/kinds/resourcequota-usage.js';
import { newQuantity } from '../../api/quantity.js';
import type { KubeObject } from '../../api/types.js';
import { objectKey, splitKey } from '../../client/informer.js';
import { isNotFound } from '../runtime/claim.js';
import type { ControllerDefinition, WatchSpec } from '../runtime/controller.js';

const SPECIAL = [podEvaluator, serviceEvaluator, claimEvaluator];

/** Kinds whose changes wake quotas (everything a quota commonly counts). */
const WATCHED: Array<[string, string]> = [
  ['', 'Pod'], ['', 'Service'], ['', 'PersistentVolumeClaim'], ['', 'ConfigMap'], ['', 'Secret'], ['', 'ReplicationController'],
  ['apps', 'Deployment'], ['apps', 'ReplicaSet'], ['apps', 'StatefulSet'], ['apps', 'DaemonSet'], ['batch', 'Job'], ['batch', 'CronJob'],
];

export interface QuotaUsage {
  hard: ResourceList;
  used: ResourceList;
  /** When a terminating pod stops counting, if one does later (ms of cluster time). */
  recheckAt?: number;
}

/** Every evaluator the controller can count with, for the namespaced kinds it knows. */
function evaluators(kinds: readonly ResourceDescriptor[]): Array<{ ev: Evaluator; d: ResourceDescriptor }> {
  const out: Array<{ ev: Evaluator; d: ResourceDescriptor }> = [];
  for (const d of kinds) {
    if (!d.namespaced || !d.verbs.includes('list')) continue;
    const ev = SPECIAL.find((e) => e.group === d.group && e.plural === d.plural) ?? objectCountEvaluator(d.group, d.plural);
    out.push({ ev, d });
  }
  return out;
}

export function resourceQuotaController(kinds: readonly ResourceDescriptor[] = allKinds): ControllerDefinition {
  const counted = evaluators(kinds);
  const watched = WATCHED.map(([g, k]) => kinds.find((d) => d.group === g && d.kind === k)).filter((d): d is ResourceDescriptor => !!d);
  const watches: WatchSpec[] = watched.map((resource) => ({
    resource,
    map: (obj, ctx) => {
      const ns = obj.metadata.namespace;
      if (!ns) return [];
      return ctx.informers.informer(resourceQuotaDescriptor).byIndex('namespace', ns).map(objectKey);
    },
  }));

  return {
    name: 'resourcequota-controller',
    for: resourceQuotaDescriptor,
    watches,
    setup(ctx) {
      ctx.informers.informer(resourceQuotaDescriptor);
    },
    async reconcile(key, ctx) {
      const { namespace, name } = splitKey(key);
      let quota: KubeObject;
      try {
        quota = await ctx.client.get(resourceQuotaDescriptor, namespace, name);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      if (quota.metadata.deletionTimestamp) return;
      const now = ctx.clock.now();
      const usage = await calculateUsage(quota, counted, now, (d, ns) => ctx.client.list(d, ns).then((l) => l.items));
      const status = statusOf(quota);
      const same = listsEqual(usage.hard, toResourceList(status.hard)) && listsEqual(usage.used, toResourceList(status.used)) &&
        isObj(status.hard) && isObj(status.used);
      if (!same) {
        const next = { ...quota, status: { hard: fromResourceList(usage.hard), used: fromResourceList(usage.used) } };
        // The read resourceVersion makes this a compare-and-swap against admission's charges.
        await ctx.client.update(resourceQuotaDescriptor, namespace, next, { subresource: 'status' });
      }
      if (usage.recheckAt !== undefined) return { requeueAfter: Math.max(1, usage.recheckAt - now + 1) };
      return undefined;
    },
  };
}

/** kube's CalculateUsage: for each resource named in spec.hard, what the objects in the namespace use. Names
 * no evaluator measures keep their previous used value. */
export async function calculateUsage(
  quota: KubeObject,
  counted: Array<{ ev: Evaluator; d: ResourceDescriptor }>,
  now: number,
  list: (d: ResourceDescriptor, namespace: string) => Promise<KubeObject[]>,
): Promise<QuotaUsage> {
  const hard = toResourceList(specOf(quota).hard);
  const names = [...hard.keys()];
  const selectors = scopeSelectorsOf(quota);
  const ns = quota.metadata.namespace ?? '';
  let computed: ResourceList = new Map();
  let recheckAt: number | undefined;
  for (const { ev, d } of counted) {
    const tracked = ev.matchingResources(names);
    if (tracked.length === 0) continue;
    for (const n of tracked) if (!computed.has(n)) computed.set(n, newQuantity(0));
    for (const obj of await list(d, ns)) {
      if (selectors.length && !scopesSelect(ev, selectors, obj)) continue;
      computed = addLists(computed, mask(ev.usage(obj, now), tracked));
      if (ev === podEvaluator && obj.metadata.deletionTimestamp && typeof obj.metadata.deletionGracePeriodSeconds === 'number' && podCountsCompute(obj, now)) {
        const end = Date.parse(obj.metadata.deletionTimestamp) + obj.metadata.deletionGracePeriodSeconds * 1000;
        recheckAt = recheckAt === undefined ? end : Math.min(recheckAt, end);
      }
    }
  }
  const used: ResourceList = new Map(toResourceList(statusOf(quota).used));
  for (const [k, v] of computed) used.set(k, v);
  const out: QuotaUsage = { hard, used: mask(used, names) };
  if (recheckAt !== undefined) out.recheckAt = recheckAt;
  return out;
}
