// The `statefulset-controller` definition. Pod and ControllerRevision events wake the owning set; an orphan
// pod or revision wakes the sets that could adopt it. A sync claims members and revisions, settles the
// revisions, takes the algorithm's step(s), writes status and prunes history no pod refers to any more.
import { controllerRevisionDescriptor } from '../../api/kinds/controllerrevision.js';
import { persistentVolumeClaimDescriptor } from '../../api/kinds/persistentvolumeclaim.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { statefulSetDescriptor } from '../../api/kinds/statefulset.js';
import { type LabelSelector, labelSelectorFromObject } from '../../api/selectors/labels.js';
import type { KubeObject } from '../../api/types.js';
import { objectKey } from '../../client/informer.js';
import type { ControllerContext, ControllerDefinition } from '../runtime/controller.js';
import { ControllerRefManager, controllerRefOf, errorMessage, isNotFound } from '../runtime/claim.js';
import { ensureRevisions } from './history.js';
import { isMemberOf, revisionLabel } from './identity.js';
import { PodWrites } from './pod-writes.js';
import { fixClaimOwners, retentionActive } from './retention.js';
import { revisionsToPrune } from './revisions.js';
import { computeStatus, writeStatus } from './status.js';
import { syncPods } from './sync.js';
import { COMPONENT, setSpec } from './types.js';

const compiled = new WeakMap<object, LabelSelector>();

function selectorOf(set: KubeObject): LabelSelector {
  const sel = setSpec(set).selector;
  if (!sel) return labelSelectorFromObject(sel);
  let s = compiled.get(sel);
  if (!s) compiled.set(sel, (s = labelSelectorFromObject(sel)));
  return s;
}

/** Sets of the object's namespace that would adopt it as an orphan. */
function adopters(obj: KubeObject, ctx: ControllerContext): string[] {
  if (controllerRefOf(obj)) return [];
  const out: string[] = [];
  for (const set of ctx.informers.informer(statefulSetDescriptor).byIndex('namespace', obj.metadata.namespace ?? '')) {
    try {
      const s = selectorOf(set);
      if (!s.isEmpty() && s.matches(obj.metadata.labels)) out.push(objectKey(set));
    } catch {
      // A selector that does not compile adopts nothing.
    }
  }
  return out;
}

export function statefulSetController(): ControllerDefinition {
  return {
    name: COMPONENT,
    for: statefulSetDescriptor,
    owns: [podDescriptor, controllerRevisionDescriptor],
    watches: [
      { resource: podDescriptor, map: adopters },
      { resource: controllerRevisionDescriptor, map: adopters },
    ],
    setup(ctx) {
      for (const r of [statefulSetDescriptor, podDescriptor, controllerRevisionDescriptor, persistentVolumeClaimDescriptor]) ctx.informers.informer(r);
    },
    async reconcile(key, ctx) {
      const set = ctx.informers.informer(statefulSetDescriptor).getByKey(key);
      if (!set) return undefined;
      let selector: LabelSelector;
      try {
        selector = selectorOf(set);
      } catch (err) {
        ctx.log(`${key}: cannot use selector: ${errorMessage(err)}`);
        return undefined;
      }
      const ns = set.metadata.namespace ?? '';
      const refs = new ControllerRefManager({ client: ctx.client, owner: set, ownerResource: statefulSetDescriptor, selector });
      const revisionCandidates = ctx.informers.informer(controllerRevisionDescriptor).byIndex('namespace', ns);
      const owned = await refs.claim(revisionCandidates, controllerRevisionDescriptor);
      const podCandidates = ctx.informers.informer(podDescriptor).byIndex('namespace', ns);
      const members = await refs.claim(podCandidates, podDescriptor, [(p) => isMemberOf(set, p)]);

      const revs = await ensureRevisions(ctx.client, set, owned);
      const claims = ctx.informers.informer(persistentVolumeClaimDescriptor);
      const writes = new PodWrites(ctx.client, ctx.recorder, claims);
      const now = ctx.clock.now();
      const outcome = await syncPods(set, members, revs, {
        writes,
        now,
        ...(ctx.decisions ? { decide: (m: string) => ctx.decisions?.record(set, m) } : {}),
        fixClaims: async (ordinal, pod, condemned) => {
          if (retentionActive(set)) await fixClaimOwners(ctx.client, claims, set, ordinal, pod, condemned);
        },
      });
      const status = computeStatus(set, {
        pods: outcome.pods,
        currentRevision: revs.current.metadata.name ?? '',
        updateRevision: revs.update.metadata.name ?? '',
        collisionCount: revs.collisionCount,
        now,
      });
      await writeStatus(ctx.client, set, status);

      const live = new Set([status.currentRevision ?? '', status.updateRevision ?? '', ...outcome.pods.map(revisionLabel)]);
      for (const r of revisionsToPrune(revs.all, live, setSpec(set).revisionHistoryLimit ?? 10)) {
        try {
          await ctx.client.delete(controllerRevisionDescriptor, ns, r.metadata.name ?? '');
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      const mrs = setSpec(set).minReadySeconds ?? 0;
      if (outcome.waitMs) return { requeueAfter: outcome.waitMs };
      if (mrs > 0 && status.readyReplicas !== status.availableReplicas) return { requeueAfter: mrs * 1000 };
      return undefined;
    },
  };
}
