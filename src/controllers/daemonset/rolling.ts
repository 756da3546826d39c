// RollingUpdate for DaemonSets. Without surge, old pods are deleted while the number of unavailable nodes
// stays within maxUnavailable, and `manage` recreates them at the new revision. With surge, a new pod is
// started beside an old one on up to maxSurge nodes, and the old pod goes once the new one is available.
// Both budgets are fractions of the nodes that should run the daemon, rounded up.
import type { KubeObject } from '../../api/types.js';
import { scaledValue } from '../deployment/rollout-math.js';
import type { IntOrPercent } from '../deployment/types.js';
import { isPodAvailable } from '../runtime/pods.js';
import type { Placement } from './eligibility.js';
import { targetNode } from './template.js';
import { dsSpec, isPodUpdated } from './types.js';

export interface Budgets {
  maxSurge: number;
  maxUnavailable: number;
  desired: number;
}

export function budgets(ds: KubeObject, desired: number): Budgets {
  const strategy = dsSpec(ds).updateStrategy;
  let maxSurge = 0;
  let maxUnavailable = 0;
  if (strategy?.type === 'RollingUpdate' || strategy?.type === undefined) {
    maxSurge = scaledValue(strategy?.rollingUpdate?.maxSurge as IntOrPercent | undefined, desired, true);
    maxUnavailable = scaledValue(strategy?.rollingUpdate?.maxUnavailable as IntOrPercent | undefined, desired, true);
  }
  // The API forbids both being zero; should it happen anyway, updating one node at a time is the safe reading.
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable, desired };
}

/** Whether the DaemonSet is configured to surge (independent of how many nodes there are). */
export function allowsSurge(ds: KubeObject): boolean {
  const s = dsSpec(ds).updateStrategy;
  return (s?.type ?? 'RollingUpdate') === 'RollingUpdate' && scaledValue(s?.rollingUpdate?.maxSurge as IntOrPercent | undefined, 1, true) > 0;
}

/** The node's single live new and old pod; `ok` is false when there are several of either (manage's job). */
function splitNode(pods: readonly KubeObject[], hash: string, generation: number | undefined): { ok: boolean; fresh?: KubeObject; stale?: KubeObject } {
  let fresh: KubeObject | undefined;
  let stale: KubeObject | undefined;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    if (isPodUpdated(p, hash, generation)) {
      if (fresh) return { ok: false };
      fresh = p;
    } else {
      if (stale) return { ok: false };
      stale = p;
    }
  }
  const out: { ok: boolean; fresh?: KubeObject; stale?: KubeObject } = { ok: true };
  if (fresh) out.fresh = fresh;
  if (stale) out.stale = stale;
  return out;
}

export interface RollingPlan {
  delete: KubeObject[];
  create: string[];
  /** The budget arithmetic behind the plan, for the decision log; absent when no node has an old pod. */
  why?: string;
}

const names = (xs: readonly string[]) => (xs.length > 5 ? `${xs.slice(0, 5).join(', ')} and ${xs.length - 5} more` : xs.join(', '));

export function planRollingUpdate(
  ds: KubeObject,
  nodes: readonly KubeObject[],
  placements: ReadonlyMap<string, Placement>,
  byNode: ReadonlyMap<string, KubeObject[]>,
  hash: string,
  generation: number | undefined,
  now: number,
): RollingPlan {
  const perNode = new Map(byNode);
  let desired = 0;
  for (const n of nodes) {
    const name = n.metadata.name ?? '';
    if (!placements.get(name)?.shouldRun) continue;
    desired++;
    if (!perNode.has(name)) perNode.set(name, []);
  }
  const { maxSurge, maxUnavailable } = budgets(ds, desired);
  const mrs = dsSpec(ds).minReadySeconds ?? 0;
  const available = (p: KubeObject) => isPodAvailable(p, mrs, now);

  if (maxSurge === 0) {
    let unavailable = 0;
    const replace: KubeObject[] = [];
    const candidates: KubeObject[] = [];
    for (const pods of perNode.values()) {
      const { ok, fresh, stale } = splitNode(pods, hash, generation);
      if (!ok || (!fresh && !stale) || (fresh && stale)) {
        unavailable++;
        continue;
      }
      if (fresh) {
        if (!available(fresh)) unavailable++;
        continue;
      }
      // An old pod that is not serving anyway costs nothing to replace.
      if (!available(stale!)) {
        replace.push(stale!);
        unavailable++;
      } else if (unavailable < maxUnavailable) candidates.push(stale!);
    }
    const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
    const victims = [...replace, ...candidates.slice(0, room)];
    const plan: RollingPlan = { delete: victims, create: [] };
    if (replace.length + candidates.length > 0) {
      const head = `rolling update: ${desired} node${desired === 1 ? '' : 's'} want the daemon, maxUnavailable ${maxUnavailable}, ${unavailable - replace.length} unavailable now`;
      const onNode = (p: KubeObject) => `${p.metadata.name} on ${targetNode(p) ?? '?'}`;
      plan.why = victims.length
        ? `${head}: deleting old pod${victims.length === 1 ? '' : 's'} ${names(victims.map(onNode))} to replace ${victims.length === 1 ? 'it' : 'them'}${replace.length ? ` (${replace.length} not available anyway)` : ''}`
        : `${head}: ${candidates.length} old pod${candidates.length === 1 ? '' : 's'} wait${candidates.length === 1 ? 's' : ''} until an updated pod is available`;
    }
    return plan;
  }

  let surging = 0;
  const allowed: string[] = [];
  const candidates: string[] = [];
  const oldToDelete: KubeObject[] = [];
  for (const [node, pods] of perNode) {
    const { ok, fresh, stale } = splitNode(pods, hash, generation);
    if (!ok) {
      surging++;
      continue;
    }
    if (!stale) continue;
    if (!fresh) {
      if (!available(stale)) allowed.push(node);
      else if (surging < maxSurge) candidates.push(node);
      continue;
    }
    if (!available(fresh)) surging++;
    else oldToDelete.push(stale);
  }
  const room = Math.min(Math.max(0, maxSurge - surging), candidates.length);
  const create = [...allowed, ...candidates.slice(0, room)];
  const plan: RollingPlan = { delete: oldToDelete, create };
  if (allowed.length + candidates.length + oldToDelete.length > 0) {
    const parts: string[] = [];
    if (create.length) parts.push(`creating new pod${create.length === 1 ? '' : 's'} beside the old on ${names(create)}`);
    if (candidates.length > room) parts.push(`${candidates.length - room} node${candidates.length - room === 1 ? '' : 's'} wait for surge room`);
    if (oldToDelete.length) parts.push(`deleting old pod${oldToDelete.length === 1 ? '' : 's'} ${names(oldToDelete.map((p) => p.metadata.name ?? ''))} (the new one is available)`);
    plan.why = `rolling update: ${desired} node${desired === 1 ? '' : 's'} want the daemon, maxSurge ${maxSurge}, ${surging} surging now: ${parts.join('; ')}`;
  }
  return plan;
}
