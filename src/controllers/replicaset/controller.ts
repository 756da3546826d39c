// One reconciler for ReplicaSets and ReplicationControllers. A sync claims the active pods of the namespace
// (adopting matching orphans, releasing pods whose labels no longer match), creates or deletes pods when no
// earlier writes are still in flight (expectations), and writes status. Pod events lower expectations and
// wake the owners that may care: the controller of the pod, or every matching owner for an orphan.
import { podDescriptor } from '../../api/kinds/pod.js';
import type { KubeObject } from '../../api/types.js';
import { objectKey } from '../../client/informer.js';
import { deepEqualJson } from '../../api/validation/meta.js';
import type { ControllerContext, ControllerDefinition, ObservedEvent } from '../runtime/controller.js';
import { ControllerRefManager, controllerRefOf, errorMessage } from '../runtime/claim.js';
import { UIDTrackingExpectations } from '../runtime/expectations.js';
import { PodControl } from '../runtime/pod-control.js';
import { filterActivePods, isPodReady, podKey } from '../runtime/pods.js';
import { desiredReplicas, type ReplicaKind, specOf } from './kind.js';
import { manageReplicas } from './manage.js';
import { calculateStatus, statusOf, writeStatus } from './status.js';

export function replicaController(kind: ReplicaKind): ControllerDefinition {
  let expectations: UIDTrackingExpectations | undefined;
  const expectationsFor = (ctx: ControllerContext) => (expectations ??= new UIDTrackingExpectations(ctx.clock));

  /** The owner a pod's controller reference points at, if it is one of ours and still the same object. */
  const ownerOf = (pod: KubeObject, ctx: ControllerContext): KubeObject | undefined => {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== kind.resource.kind) return undefined;
    const owner = ctx.informers.informer(kind.resource).get(pod.metadata.namespace, ref.name);
    return owner?.metadata.uid === ref.uid ? owner : undefined;
  };

  /** Owners of the pod's namespace whose (non-empty) selector matches it: candidates to adopt an orphan. */
  const matchingOwners = (pod: KubeObject, ctx: ControllerContext): KubeObject[] =>
    ctx.informers
      .informer(kind.resource)
      .byIndex('namespace', pod.metadata.namespace ?? '')
      .filter((o) => {
        try {
          const s = kind.selector(o);
          return !s.isEmpty() && s.matches(pod.metadata.labels);
        } catch {
          return false;
        }
      });

  const podGone = (pod: KubeObject, ctx: ControllerContext) => {
    const owner = ownerOf(pod, ctx);
    if (owner) expectationsFor(ctx).deletionObserved(objectKey(owner), podKey(pod));
  };

  const wakeAdopters = (pod: KubeObject, ctx: ControllerContext, why: string) => {
    for (const o of matchingOwners(pod, ctx)) ctx.enqueue(objectKey(o), `${why}: ${objectKey(pod)}`);
  };

  const observePod = (e: ObservedEvent, ctx: ControllerContext) => {
    const pod = e.object;
    const old = e.old;
    if (e.type === 'DELETED') return podGone(pod, ctx);
    if (e.type === 'ADDED' || !old) {
      // A pod first seen already terminating (e.g. after a restart) is a deletion, not a creation.
      if (pod.metadata.deletionTimestamp) return podGone(pod, ctx);
      const owner = ownerOf(pod, ctx);
      if (owner) expectationsFor(ctx).creationObserved(objectKey(owner));
      else if (!controllerRefOf(pod)) wakeAdopters(pod, ctx, 'orphan pod added');
      return;
    }
    if (pod.metadata.resourceVersion === old.metadata.resourceVersion) return;
    const labelsChanged = !deepEqualJson(pod.metadata.labels ?? {}, old.metadata.labels ?? {});
    if (pod.metadata.deletionTimestamp) {
      // Replacements should start as soon as a pod begins terminating, not when it is finally gone.
      podGone(pod, ctx);
      if (labelsChanged) podGone(old, ctx);
      return;
    }
    const ref = controllerRefOf(pod);
    if (ref) {
      const owner = ownerOf(pod, ctx);
      const mrs = owner ? (specOf(owner).minReadySeconds ?? 0) : 0;
      // Availability is a matter of time passing, which produces no event of its own.
      if (owner && mrs > 0 && !isPodReady(old) && isPodReady(pod)) {
        ctx.enqueueAfter(objectKey(owner), (mrs + 1) * 1000, `pod became ready, check availability: ${objectKey(pod)}`);
      }
      return;
    }
    // Here the pod is an orphan, so a controller reference on the old version means it was just released.
    if (labelsChanged || controllerRefOf(old)) wakeAdopters(pod, ctx, 'orphan pod changed');
  };

  return {
    name: kind.component,
    for: kind.resource,
    owns: [podDescriptor],
    setup(ctx) {
      expectationsFor(ctx);
      ctx.informers.informer(podDescriptor);
      ctx.informers.informer(kind.resource);
    },
    observe(e, ctx) {
      if (e.resource.kind === kind.resource.kind && e.resource.group === kind.resource.group) {
        // A deleted (or deleted and re-created) owner must start from clean expectations.
        if (e.type === 'DELETED') expectationsFor(ctx).delete(objectKey(e.object));
        else if (e.old && e.old.metadata.uid !== e.object.metadata.uid) expectationsFor(ctx).delete(objectKey(e.old));
        return;
      }
      if (e.resource.kind === 'Pod' && e.resource.group === '') observePod(e, ctx);
    },
    async reconcile(key, ctx) {
      const exp = expectationsFor(ctx);
      const owners = ctx.informers.informer(kind.resource);
      const pods = ctx.informers.informer(podDescriptor);
      const owner = owners.getByKey(key);
      if (!owner) {
        exp.delete(key);
        return;
      }
      const needsSync = exp.satisfied(key);
      let selector;
      try {
        selector = kind.selector(owner);
      } catch (err) {
        // A selector the server accepted but we cannot compile will not get better by retrying.
        ctx.log(`${key}: cannot use selector: ${errorMessage(err)}`);
        return;
      }
      const active = filterActivePods(pods.byIndex('namespace', owner.metadata.namespace ?? ''));
      const refs = new ControllerRefManager({ client: ctx.client, owner, ownerResource: kind.resource, selector });
      const claimed = await refs.claim(active, podDescriptor);

      let manageError: unknown;
      if (needsSync && !owner.metadata.deletionTimestamp) {
        const podControl = new PodControl(ctx.client, ctx.recorder);
        const decide = (m: string) => ctx.decisions?.record(owner, m);
        manageError = await manageReplicas(owner, claimed, { kind, key, expectations: exp, podControl, owners, pods, now: ctx.clock.now(), decide });
      } else if (!needsSync && claimed.length !== desiredReplicas(owner)) {
        ctx.decisions?.record(owner, `wants ${desiredReplicas(owner)}, sees ${claimed.length}: waits for earlier creates/deletes to show up in its cache (expectations)`);
      }
      const status = calculateStatus(owner, claimed, manageError, ctx.clock.now());
      const updated = await writeStatus(ctx.client, kind.resource, owner, status);
      if (manageError !== undefined) throw manageError;

      const mrs = specOf(updated).minReadySeconds ?? 0;
      const st = statusOf(updated);
      const want = desiredReplicas(updated);
      if (mrs > 0 && (st.readyReplicas ?? 0) === want && (st.availableReplicas ?? 0) !== want) return { requeueAfter: mrs * 1000 };
      return undefined;
    },
  };
}
