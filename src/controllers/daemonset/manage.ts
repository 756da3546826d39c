// Reconciling daemon pods node by node: create a pod where one belongs and none exists, delete finished
// pods (with backoff for failed ones), duplicates and pods on nodes that no longer take the daemon, then
// issue the writes under expectations so a lagging cache never causes a second pod on a node.
import type { KubeObject } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import { newControllerRef, ownerKindOf, isNotFound } from '../runtime/claim.js';
import type { UIDTrackingExpectations } from '../runtime/expectations.js';
import { BURST_REPLICAS, isNamespaceTerminatingError, type PodControl, SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../runtime/pod-control.js';
import { isPodAvailable, isPodReady, podKey, podPhase } from '../runtime/pods.js';
import { daemonSetDescriptor } from '../../api/kinds/daemonset.js';
import type { FailedPodsBackoff } from './backoff.js';
import type { Placement } from './eligibility.js';
import { daemonPodTemplate, targetNode, templateForNode } from './template.js';
import { dsSpec, HASH_LABEL, oldestFirst } from './types.js';

/** Claimed pods by the node they are on or pinned to. Finished pods already being deleted are left out
 * unless asked for: nothing remains to be done with them. */
export function podsByNode(pods: readonly KubeObject[], includeDeletedTerminal = false): Map<string, KubeObject[]> {
  const out = new Map<string, KubeObject[]>();
  for (const p of pods) {
    const phase = podPhase(p);
    if (!includeDeletedTerminal && (phase === 'Succeeded' || phase === 'Failed') && p.metadata.deletionTimestamp) continue;
    const node = targetNode(p);
    if (!node) continue;
    const list = out.get(node);
    if (list) list.push(p);
    else out.set(node, [p]);
  }
  return out;
}

export interface NodeDecision {
  create: string[];
  delete: KubeObject[];
  /** Earliest moment a backed-off failed pod may be deleted (ms from now). */
  retryAfter?: number;
}

export interface ManageContext {
  ds: KubeObject;
  hash: string;
  now: number;
  backoff: FailedPodsBackoff;
  recorder: EventRecorder;
  surge: boolean;
}

function podsShouldBeOnNode(node: string, place: Placement, pods: readonly KubeObject[], c: ManageContext, out: NodeDecision): void {
  const exists = pods.length > 0;
  if (place.shouldRun && !exists) {
    out.create.push(node);
    return;
  }
  if (place.shouldContinueRunning) {
    const running: KubeObject[] = [];
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp) continue;
      const phase = podPhase(pod);
      const where = `${pod.metadata.namespace}/${pod.metadata.name} on node ${node}`;
      if (phase === 'Failed') {
        const key = `${c.ds.metadata.uid}/${node}`;
        const wait = c.backoff.remaining(key, c.now);
        if (wait > 0) {
          out.retryAfter = Math.min(out.retryAfter ?? wait, wait);
          continue;
        }
        c.backoff.next(key, c.now);
        c.recorder.event(c.ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${where}, will try to kill it`);
        out.delete.push(pod);
      } else if (phase === 'Succeeded') {
        c.recorder.event(c.ds, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${where}, will try to delete it`);
        out.delete.push(pod);
      } else running.push(pod);
    }
    running.sort(oldestFirst);
    if (!c.surge) {
      out.delete.push(...running.slice(1));
      return;
    }
    if (running.length === 0) {
      if (place.shouldRun) out.create.push(node);
      return;
    }
    // With surge a node may briefly hold one old and one new pod; anything beyond that goes.
    let newest: KubeObject | undefined;
    let oldest: KubeObject | undefined;
    for (const pod of running) {
      if (pod.metadata.labels?.[HASH_LABEL] === c.hash) {
        if (!newest) newest = pod;
        else out.delete.push(pod);
      } else if (!oldest) oldest = pod;
      else out.delete.push(pod);
    }
    if (newest && oldest && (!isPodReady(oldest) || isPodAvailable(newest, dsSpec(c.ds).minReadySeconds ?? 0, c.now))) out.delete.push(oldest);
    return;
  }
  if (exists) for (const pod of pods) if (!pod.metadata.deletionTimestamp) out.delete.push(pod);
}

/** What `manage` wants done: nodes needing a pod and pods to remove. */
export function decide(nodes: readonly KubeObject[], placements: ReadonlyMap<string, Placement>, byNode: ReadonlyMap<string, KubeObject[]>, c: ManageContext): NodeDecision {
  const out: NodeDecision = { create: [], delete: [] };
  const known = new Set<string>();
  for (const n of nodes) {
    const name = n.metadata.name ?? '';
    known.add(name);
    podsShouldBeOnNode(name, placements.get(name)!, byNode.get(name) ?? [], c, out);
  }
  // Pods still waiting for a node that has since gone would wait forever.
  for (const [node, pods] of byNode) {
    if (known.has(node)) continue;
    for (const p of pods) if (!(p.spec as { nodeName?: string } | undefined)?.nodeName && !p.metadata.deletionTimestamp) out.delete.push(p);
  }
  return out;
}

export interface SyncNodesDeps {
  key: string;
  expectations: UIDTrackingExpectations;
  podControl: PodControl;
  generation: number | undefined;
}

/** Creates pods on `create` nodes and deletes `remove`, at most 500 of each; resolves with the first error. */
export async function syncNodes(ds: KubeObject, remove: readonly KubeObject[], create: readonly string[], hash: string, d: SyncNodesDeps): Promise<unknown> {
  const ns = ds.metadata.namespace ?? '';
  const nodes = create.slice(0, BURST_REPLICAS);
  const victims = [...new Map(remove.map((p) => [podKey(p), p])).values()].slice(0, BURST_REPLICAS);
  d.expectations.expectCreations(d.key, nodes.length);
  if (victims.length) {
    d.expectations.expectDeletions(d.key, victims.map(podKey));
    d.expectations.counts.raise(d.key, nodes.length, 0);
  }
  const base = daemonPodTemplate(ds, d.generation, hash);
  const ref = newControllerRef(ds, ownerKindOf(daemonSetDescriptor));
  let next = 0;
  const { successes, error } = await slowStartBatch(nodes.length, SLOW_START_INITIAL_BATCH_SIZE, async () => {
    const node = nodes[next++]!;
    try {
      await d.podControl.createPod(ns, templateForNode(base, node), ds, ref);
    } catch (err) {
      if (!isNamespaceTerminatingError(err)) throw err;
    }
  });
  for (let i = successes; i < nodes.length; i++) d.expectations.creationObserved(d.key);
  const results = await Promise.allSettled(victims.map((p) => d.podControl.deletePod(ns, p.metadata.name ?? '', ds)));
  let first: unknown = error;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return;
    d.expectations.deletionObserved(d.key, podKey(victims[i]!));
    if (!isNotFound(r.reason) && first === undefined) first = r.reason;
  });
  return first;
}
