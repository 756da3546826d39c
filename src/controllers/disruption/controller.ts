// The disruption controller keeps each PodDisruptionBudget's status true to the pods it selects: how many
// are expected (the scale of their controllers), how many must stay healthy, how many are healthy now, and
// from that how many may be disrupted. The eviction subresource spends that allowance (and notes the pods it
// approved in status.disruptedPods); this controller gives it back once those pods are gone, or when an
// approved pod was never deleted within the deletion timeout.
import { allKinds } from '../../api/kinds/index.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { podDisruptionBudgetDescriptor } from '../../api/kinds/poddisruptionbudget.js';
import {
  conditionsAreUpToDate,
  DISRUPTION_ALLOWED,
  pdbSelector,
  pdbSpec,
  pdbStatus,
  type PdbStatus,
  REASON_SYNC_FAILED,
  serializeStatus,
  setCondition,
  updateDisruptionAllowedCondition,
} from '../../api/kinds/poddisruptionbudget-status.js';
import { deploymentDescriptor } from '../../api/kinds/deployment.js';
import { replicaSetDescriptor } from '../../api/kinds/replicaset.js';
import { replicationControllerDescriptor } from '../../api/kinds/replicationcontroller.js';
import { statefulSetDescriptor } from '../../api/kinds/statefulset.js';
import { qualifiedResource, type ResourceDescriptor } from '../../api/descriptor.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/types.js';
import { rfc3339 } from '../../clock/clock.js';
import { objectKey } from '../../client/informer.js';
import type { ControllerContext, ControllerDefinition, ReconcileResult } from '../runtime/controller.js';
import { controllerRefOf, errorMessage } from '../runtime/claim.js';
import {
  type ControllerScale,
  countHealthy,
  disruptedPods,
  disruptionsAllowed,
  expectedCount,
  expectedScale,
  goLabelSelector,
  sameCounts,
  sameDisruptedPods,
} from './budget.js';

export const COMPONENT = 'disruption-controller';

/** The group of an ownerReference's apiVersion (`apps/v1` → `apps`, `v1` → ``). */
function groupOf(ref: OwnerReference): string {
  const v = ref.apiVersion ?? '';
  const i = v.indexOf('/');
  return i < 0 ? '' : v.slice(0, i);
}

function isRef(ref: OwnerReference | undefined, kind: string, groups: readonly string[]): ref is OwnerReference {
  return !!ref && ref.kind === kind && groups.includes(groupOf(ref));
}

function replicasOf(obj: KubeObject): number {
  return (obj.spec as { replicas?: number } | undefined)?.replicas ?? 1;
}

function isConflict(err: unknown): boolean {
  return (err as { code?: number } | undefined)?.code === 409;
}

/** The scale behind a pod's controller, looked up in the informer caches as kube's finders do. */
function scaleFinder(ctx: ControllerContext) {
  const lookup = (d: ResourceDescriptor, ns: string | undefined, ref: OwnerReference): KubeObject | undefined => {
    const obj = ctx.informers.informer(d).get(ns, ref.name);
    return obj && obj.metadata.uid === ref.uid ? obj : undefined;
  };
  const scaled = (obj: KubeObject): ControllerScale => ({ uid: obj.metadata.uid ?? '', scale: replicasOf(obj) });

  return (pod: KubeObject): ControllerScale | undefined => {
    const ref = controllerRefOf(pod);
    if (!ref) return undefined;
    const ns = pod.metadata.namespace;
    // A ReplicationController.
    if (isRef(ref, 'ReplicationController', [''])) {
      const rc = lookup(replicationControllerDescriptor, ns, ref);
      if (rc) return scaled(rc);
    }
    if (isRef(ref, 'ReplicaSet', ['apps', 'extensions'])) {
      const rs = lookup(replicaSetDescriptor, ns, ref);
      if (rs) {
        // A Deployment's ReplicaSet: the Deployment's replicas are what the budget weighs.
        const owner = controllerRefOf(rs);
        if (owner?.kind !== 'Deployment') return scaled(rs);
        if (isRef(owner, 'Deployment', ['apps', 'extensions'])) {
          const d = lookup(deploymentDescriptor, ns, owner);
          if (d) return scaled(d);
        }
      }
    }
    if (isRef(ref, 'StatefulSet', ['apps'])) {
      const ss = lookup(statefulSetDescriptor, ns, ref);
      if (ss) return scaled(ss);
    }
    // Anything else goes through its scale subresource, if the kind has one.
    const group = groupOf(ref);
    const d = allKinds.find((k) => k.group === group && k.kind === ref.kind);
    if (!d) throw new Error(`no matches for kind ${JSON.stringify(ref.kind)} in version ${JSON.stringify(ref.apiVersion ?? '')}`);
    if (!d.scale) throw new Error(`${qualifiedResource(d)} does not implement the scale subresource`);
    const owner = lookup(d, ns, ref);
    return owner ? scaled(owner) : undefined;
  };
}

/** Budgets of the pod's namespace whose selector matches it. */
function budgetsFor(pod: KubeObject, ctx: ControllerContext): KubeObject[] {
  return ctx.informers
    .informer(podDisruptionBudgetDescriptor)
    .byIndex('namespace', pod.metadata.namespace ?? '')
    .filter((pdb) => {
      try {
        return pdbSelector(pdb).matches(pod.metadata.labels);
      } catch {
        return false;
      }
    });
}

async function writeStatus(ctx: ControllerContext, pdb: KubeObject, status: PdbStatus): Promise<void> {
  await ctx.client.update(podDisruptionBudgetDescriptor, pdb.metadata.namespace, { ...pdb, status: serializeStatus(status) }, { subresource: 'status' });
}

/** One pass over a budget; returns when to look again (an approved eviction about to expire). */
async function trySync(pdb: KubeObject, ctx: ControllerContext): Promise<number | undefined> {
  const { recorder, clock } = ctx;
  let pods: KubeObject[];
  try {
    const selector = pdbSelector(pdb);
    pods = ctx.informers
      .informer(podDescriptor)
      .byIndex('namespace', pdb.metadata.namespace ?? '')
      .filter((p) => selector.matches(p.metadata.labels));
  } catch (err) {
    recorder.event(pdb, 'Warning', 'NoPods', `Failed to get pods: ${errorMessage(err)}`);
    throw err;
  }
  if (pods.length === 0) recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');

  let counts;
  try {
    const find = scaleFinder(ctx);
    counts = expectedCount(pdb, pods, () => expectedScale(pods, find, (p) => controllerRefOf(p)?.uid));
  } catch (err) {
    recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${errorMessage(err)}`);
    throw err;
  }
  if (counts.unmanaged.length > 0) {
    ctx.log(`${objectKey(pdb)}: unmanaged pods selected: ${counts.unmanaged.join(', ')}`);
    recorder.event(
      pdb,
      'Warning',
      'UnmanagedPods',
      `Pods selected by this PodDisruptionBudget (selector: ${goLabelSelector(pdbSpec(pdb).selector)}) were found to be unmanaged. ` +
        'As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. ' +
        'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
    );
  }

  const now = clock.now();
  const old = pdbStatus(pdb);
  const disrupted = disruptedPods(pods, old.disruptedPods, now);
  for (const pod of disrupted.expired) {
    ctx.log(`${objectKey(pod)}: eviction approved by ${objectKey(pdb)} but the pod was not deleted; counting it again`);
    // kube's message names the budget's namespace twice rather than namespace/name; kept as users see it.
    recorder.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata.namespace ?? ''}/${pdb.metadata.namespace ?? ''} to be deleted but it wasn't`);
  }
  const currentHealthy = countHealthy(pods, disrupted.pending, now);
  const next: PdbStatus = {
    disruptionsAllowed: disruptionsAllowed(currentHealthy, counts.desiredHealthy, counts.expected),
    currentHealthy,
    desiredHealthy: counts.desiredHealthy,
    expectedPods: counts.expected,
  };
  const generation = pdb.metadata.generation ?? 0;
  const upToDate =
    sameCounts(old, next) &&
    sameDisruptedPods(old.disruptedPods, disrupted.pending) &&
    (old.observedGeneration ?? 0) === generation &&
    conditionsAreUpToDate(pdb);
  if (!upToDate) {
    const status: PdbStatus = { ...next, disruptedPods: disrupted.pending };
    if (generation) status.observedGeneration = generation;
    if (old.conditions) status.conditions = old.conditions;
    updateDisruptionAllowedCondition(status, rfc3339(now));
    await writeStatus(ctx, pdb, status);
  }
  return disrupted.recheckAt === undefined ? undefined : Math.max(0, disrupted.recheckAt - now);
}

/**
 * When a sync fails for any reason but a conflict, the budget is closed (no disruptions allowed, condition
 * SyncFailed with the error) so that the eviction subresource cannot approve anything on stale numbers.
 */
async function failSafe(pdb: KubeObject, ctx: ControllerContext, err: unknown): Promise<void> {
  const status = pdbStatus(pdb);
  status.disruptionsAllowed = 0;
  const conditions = (status.conditions ??= []);
  const cond = { type: DISRUPTION_ALLOWED, status: 'False' as const, reason: REASON_SYNC_FAILED, message: errorMessage(err) } as Parameters<typeof setCondition>[1];
  if (status.observedGeneration) cond.observedGeneration = status.observedGeneration;
  setCondition(conditions, cond, rfc3339(ctx.clock.now()));
  await writeStatus(ctx, pdb, status);
}

export function disruptionController(): ControllerDefinition {
  return {
    name: COMPONENT,
    for: podDisruptionBudgetDescriptor,
    watches: [{ resource: podDescriptor, map: (pod, ctx) => budgetsFor(pod, ctx).map(objectKey) }],
    setup(ctx) {
      // The caches the scale lookups read.
      for (const d of [podDescriptor, podDisruptionBudgetDescriptor, replicaSetDescriptor, deploymentDescriptor, statefulSetDescriptor, replicationControllerDescriptor]) {
        ctx.informers.informer(d);
      }
    },
    async reconcile(key, ctx): Promise<ReconcileResult> {
      const pdb = ctx.informers.informer(podDisruptionBudgetDescriptor).getByKey(key);
      if (!pdb) return undefined;
      let recheck: number | undefined;
      try {
        recheck = await trySync(pdb, ctx);
      } catch (err) {
        // A conflict only means our cache is behind: retry with backoff, the status is not at fault.
        if (isConflict(err)) throw err;
        ctx.log(`${key}: sync failed: ${errorMessage(err)}`);
        await failSafe(pdb, ctx, err);
        return undefined;
      }
      return recheck === undefined ? undefined : { requeueAfter: recheck };
    },
  };
}
