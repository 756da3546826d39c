// The DaemonSet controller: one pod on every eligible node. A sync claims the namespace's pods and revisions,
// settles the current revision, creates and deletes pods node by node (when no earlier writes are still in
// flight), advances a rolling update, trims history and writes status. Nodes wake only the DaemonSets whose
// placement on them changed; pods and revisions wake their owner.
import { controllerRevisionDescriptor } from '../../api/kinds/controllerrevision.js';
import { daemonSetDescriptor } from '../../api/kinds/daemonset.js';
import { nodeDescriptor } from '../../api/kinds/node.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { type LabelSelector, labelSelectorFromObject } from '../../api/selectors/labels.js';
import { deepEqualJson } from '../../api/validation/meta.js';
import type { KubeObject } from '../../api/types.js';
import { objectKey } from '../../client/informer.js';
import type { ControllerContext, ControllerDefinition, ObservedEvent } from '../runtime/controller.js';
import { ControllerRefManager, controllerRefOf, errorMessage } from '../runtime/claim.js';
import { UIDTrackingExpectations } from '../runtime/expectations.js';
import { PodControl } from '../runtime/pod-control.js';
import { isPodReady, podKey } from '../runtime/pods.js';
import { FailedPodsBackoff } from './backoff.js';
import { type Placement, placement } from './eligibility.js';
import { cleanupHistory, constructHistory } from './history.js';
import { describeIneligible, describeManage } from './decisions.js';
import { decide, podsByNode, syncNodes } from './manage.js';
import { allowsSurge, planRollingUpdate } from './rolling.js';
import { countStatus, writeStatus } from './status.js';
import { COMPONENT, dsSpec, templateGeneration } from './types.js';

const selectors = new WeakMap<object, LabelSelector>();

function selectorOf(ds: KubeObject): LabelSelector {
  const sel = dsSpec(ds).selector;
  if (!sel) return labelSelectorFromObject(sel);
  let s = selectors.get(sel);
  if (!s) selectors.set(sel, (s = labelSelectorFromObject(sel)));
  return s;
}

function placementsFor(ds: KubeObject, nodes: readonly KubeObject[]): Map<string, Placement> {
  return new Map(nodes.map((n) => [n.metadata.name ?? '', placement(n, ds)]));
}

function nodePlacementInputsChanged(old: KubeObject, cur: KubeObject): boolean {
  return !deepEqualJson(old.metadata.labels ?? {}, cur.metadata.labels ?? {}) || !deepEqualJson((old.spec as { taints?: unknown })?.taints ?? [], (cur.spec as { taints?: unknown })?.taints ?? []);
}

export function daemonSetController(): ControllerDefinition {
  let expectations: UIDTrackingExpectations | undefined;
  const backoff = new FailedPodsBackoff();
  // The last "not eligible" reasoning recorded per DaemonSet uid, so it is recorded when it changes only.
  const lastIneligible = new Map<string, string>();
  const exp = (ctx: ControllerContext) => (expectations ??= new UIDTrackingExpectations(ctx.clock));
  const daemonSets = (ctx: ControllerContext) => ctx.informers.informer(daemonSetDescriptor).list();

  const ownerOf = (pod: KubeObject, ctx: ControllerContext): KubeObject | undefined => {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'DaemonSet') return undefined;
    const ds = ctx.informers.informer(daemonSetDescriptor).get(pod.metadata.namespace, ref.name);
    return ds?.metadata.uid === ref.uid ? ds : undefined;
  };

  const wakeAdopters = (pod: KubeObject, ctx: ControllerContext, why: string) => {
    for (const ds of ctx.informers.informer(daemonSetDescriptor).byIndex('namespace', pod.metadata.namespace ?? '')) {
      try {
        const s = selectorOf(ds);
        if (!s.isEmpty() && s.matches(pod.metadata.labels)) ctx.enqueue(objectKey(ds), `${why}: ${objectKey(pod)}`);
      } catch {
        // An uncompilable selector adopts nothing.
      }
    }
  };

  const observePod = (e: ObservedEvent, ctx: ControllerContext) => {
    const pod = e.object;
    const owner = ownerOf(pod, ctx);
    if (e.type === 'DELETED' || (pod.metadata.deletionTimestamp && !e.old?.metadata.deletionTimestamp)) {
      if (owner) exp(ctx).deletionObserved(objectKey(owner), podKey(pod));
      return;
    }
    if (e.type === 'ADDED') {
      if (owner) exp(ctx).creationObserved(objectKey(owner));
      else if (!controllerRefOf(pod)) wakeAdopters(pod, ctx, 'orphan pod added');
      return;
    }
    const old = e.old;
    if (!old) return;
    if (owner) {
      const mrs = dsSpec(owner).minReadySeconds ?? 0;
      // Availability comes with time, which raises no event of its own.
      if (mrs > 0 && !isPodReady(old) && isPodReady(pod)) ctx.enqueueAfter(objectKey(owner), (mrs + 1) * 1000, `pod became ready: ${objectKey(pod)}`);
      return;
    }
    if (!controllerRefOf(pod) && (controllerRefOf(old) || !deepEqualJson(old.metadata.labels ?? {}, pod.metadata.labels ?? {}))) wakeAdopters(pod, ctx, 'orphan pod changed');
  };

  const observeNode = (e: ObservedEvent, ctx: ControllerContext) => {
    const node = e.object;
    for (const ds of daemonSets(ctx)) {
      const key = objectKey(ds);
      if (e.type === 'ADDED') {
        if (placement(node, ds).shouldRun) ctx.enqueue(key, `node added: ${node.metadata.name}`);
      } else if (e.type === 'DELETED') {
        ctx.enqueue(key, `node deleted: ${node.metadata.name}`);
      } else if (e.old && nodePlacementInputsChanged(e.old, node)) {
        const a = placement(e.old, ds);
        const b = placement(node, ds);
        if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) ctx.enqueue(key, `node changed: ${node.metadata.name}`);
      }
    }
  };

  return {
    name: COMPONENT,
    for: daemonSetDescriptor,
    owns: [podDescriptor, controllerRevisionDescriptor],
    watches: [{ resource: nodeDescriptor, map: () => [] }],
    setup(ctx) {
      exp(ctx);
      for (const r of [daemonSetDescriptor, podDescriptor, controllerRevisionDescriptor, nodeDescriptor]) ctx.informers.informer(r);
    },
    observe(e, ctx) {
      const kind = e.resource.kind;
      if (kind === 'Pod') observePod(e, ctx);
      else if (kind === 'Node') observeNode(e, ctx);
      else if (kind === 'DaemonSet') {
        if (e.type === 'DELETED') {
          exp(ctx).delete(objectKey(e.object));
          lastIneligible.delete(e.object.metadata.uid ?? '');
          backoff.forgetPrefix(`${e.object.metadata.uid}/`);
        } else if (e.old && e.old.metadata.uid !== e.object.metadata.uid) exp(ctx).delete(objectKey(e.old));
      }
    },
    async reconcile(key, ctx) {
      const e = exp(ctx);
      const ds = ctx.informers.informer(daemonSetDescriptor).getByKey(key);
      if (!ds) {
        e.delete(key);
        return;
      }
      let selector: LabelSelector;
      try {
        selector = selectorOf(ds);
      } catch (err) {
        ctx.log(`${key}: cannot use selector: ${errorMessage(err)}`);
        return;
      }
      if (selector.isEmpty()) {
        ctx.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
        return;
      }
      // While being deleted its revisions may already be gone or orphaned: acting on pods could be wrong.
      if (ds.metadata.deletionTimestamp) return;

      const podsInf = ctx.informers.informer(podDescriptor);
      const revisions = ctx.informers.informer(controllerRevisionDescriptor);
      const nodes = ctx.informers.informer(nodeDescriptor).list();
      const { old, hash } = await constructHistory(ds, { client: ctx.client, revisions, pods: podsInf, selector });
      const generation = templateGeneration(ds);
      const placements = placementsFor(ds, nodes);
      const claim = async () => new ControllerRefManager({ client: ctx.client, owner: ds, ownerResource: daemonSetDescriptor, selector }).claim(podsInf.byIndex('namespace', ds.metadata.namespace ?? ''), podDescriptor);

      const satisfied = e.satisfied(key);
      let failure: unknown;
      let retryAfter: number | undefined;
      if (satisfied) {
        const claimed = await claim();
        const podControl = new PodControl(ctx.client, ctx.recorder);
        const deps = { key, expectations: e, podControl, generation };
        const plan = decide(nodes, placements, podsByNode(claimed), { ds, hash, now: ctx.clock.now(), backoff, recorder: ctx.recorder, surge: allowsSurge(ds) });
        retryAfter = plan.retryAfter;
        if (ctx.decisions) {
          const uid = ds.metadata.uid ?? '';
          const ineligible = describeIneligible(ds, nodes, placements) ?? '';
          if (ineligible !== (lastIneligible.get(uid) ?? '')) {
            if (ineligible) ctx.decisions.record(ds, ineligible);
            lastIneligible.set(uid, ineligible);
          }
          const did = describeManage(plan, placements);
          if (did) ctx.decisions.record(ds, did);
        }
        failure = await syncNodes(ds, plan.delete, plan.create, hash, deps);
        if (failure === undefined && e.satisfied(key) && (dsSpec(ds).updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
          const fresh = podsByNode(await claim());
          const roll = planRollingUpdate(ds, nodes, placements, fresh, hash, generation, ctx.clock.now());
          if (roll.why) ctx.decisions?.record(ds, roll.why);
          if (roll.create.length || roll.delete.length) failure = await syncNodes(ds, roll.delete, roll.create, hash, deps);
        }
        if (failure === undefined) await cleanupHistory(ds, old, claimed, ctx.client);
      }
      const byNode = podsByNode(await claim());
      const counters = countStatus(ds, nodes, placements, byNode, hash, generation, ctx.clock.now());
      await writeStatus(ctx.client, ds, counters, satisfied);
      if (failure !== undefined) throw failure;
      const mrs = dsSpec(ds).minReadySeconds ?? 0;
      if (mrs > 0 && counters.numberReady !== counters.numberAvailable) return { requeueAfter: mrs * 1000 };
      if (retryAfter !== undefined) return { requeueAfter: retryAfter };
      return undefined;
    },
  };
}
