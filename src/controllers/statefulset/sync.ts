// One pass of the StatefulSet algorithm over the set's pods. OrderedReady ("monotonic") takes at most one step
// per pass and waits for every lower ordinal to be Running, Ready and available first; Parallel acts on all
// ordinals at once. Updates (RollingUpdate) go from the highest ordinal down to the partition, one pod at a
// time for both policies. The pass returns the pods as it left them, for the status.
import type { KubeObject } from '../../api/types.js';
import { newControllerRef } from '../runtime/claim.js';
import type { PodTemplate } from '../runtime/pod-control.js';
import { identityMatches, newPod, ordinalOf, revisionLabel, storageMatches, withIdentity } from './identity.js';
import { isFinished, isHealthy, isPending, isRunningAndAvailable, isRunningAndReady, isTerminating } from './pod-state.js';
import type { PodWrites } from './pod-writes.js';
import type { Revisions } from './history.js';
import { isParallel, replicasOf, setSpec, setStatus, startOrdinal } from './types.js';

export interface SyncDeps {
  writes: PodWrites;
  /** Brings the claim owner references of one ordinal in line with the retention policy. */
  fixClaims(ordinal: number, pod: KubeObject | undefined, condemned: boolean): Promise<void>;
  now: number;
  /** Records the pass's reasoning for the dashboard's decision timeline. */
  decide?: (message: string) => void;
}

export interface SyncOutcome {
  pods: KubeObject[];
  /** Waiting on a pod that must stay available for minReadySeconds: look again then. */
  waitMs?: number;
}

function templateOf(rev: KubeObject): PodTemplate {
  const t = ((rev.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template ?? {}) as Record<string, unknown>;
  const { $patch: _directive, ...template } = t;
  return template as PodTemplate;
}

/** Below the partition a missing pod comes back at the current revision; elsewhere at the update revision. */
function needsCurrentRevision(set: KubeObject, ordinal: number): boolean {
  const strategy = setSpec(set).updateStrategy;
  if (strategy?.type === 'OnDelete') return false;
  const start = startOrdinal(set);
  if (!strategy?.rollingUpdate) return ordinal < start + (setStatus(set).currentReplicas ?? 0);
  return ordinal < start + (strategy.rollingUpdate.partition ?? 0);
}

export async function syncPods(set: KubeObject, members: readonly KubeObject[], revs: Revisions, d: SyncDeps): Promise<SyncOutcome> {
  const start = startOrdinal(set);
  const count = replicasOf(set);
  const monotonic = !isParallel(set);
  const mrs = setSpec(set).minReadySeconds ?? 0;
  const available = (p: KubeObject) => isRunningAndAvailable(p, mrs, d.now);
  const slots: Array<KubeObject | undefined> = new Array(count).fill(undefined);
  const condemned: KubeObject[] = [];
  for (const pod of members) {
    const ord = ordinalOf(pod, set.metadata.name);
    if (ord >= start && ord < start + count) slots[ord - start] = pod;
    else if (ord >= 0) condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  const outcome = (): SyncOutcome => ({ pods: [...slots.filter((p): p is KubeObject => !!p), ...condemned] });
  if (set.metadata.deletionTimestamp) return outcome();

  const ref = newControllerRef(set, { apiVersion: 'apps/v1', kind: 'StatefulSet' });
  const build = (ord: number) => {
    const rev = needsCurrentRevision(set, ord) ? revs.current : revs.update;
    return newPod(set, ord, templateOf(rev), rev.metadata.name ?? '', ref);
  };

  const say = d.decide ?? (() => {});
  const setName = set.metadata.name ?? '';
  const nameOf = (p: KubeObject) => p.metadata.name ?? '';
  // What waits when ordinal `i` blocks an OrderedReady pass: the next ordinal, else scale down or the update.
  const updating = () => setSpec(set).updateStrategy?.type !== 'OnDelete' && slots.some((p) => p && revisionLabel(p) !== (revs.update.metadata.name ?? ''));
  const waiter = (i: number) => (i + 1 < count ? `${setName}-${start + i + 1} waits: ` : condemned.length ? 'scale down waits: ' : updating() ? 'rolling update waits: ' : '');
  let waitMs: number | undefined;
  for (let i = 0; i < count; i++) {
    const ord = start + i;
    const pod = slots[i];
    if (pod && isFinished(pod) && !isTerminating(pod)) {
      // A finished pod is replaced under the same name: delete now, recreate on a later pass.
      say(`${nameOf(pod)} ${(pod.status as { phase?: string } | undefined)?.phase === 'Succeeded' ? 'exited' : 'failed'}: deleting it to recreate it under the same name`);
      await d.writes.deletePod(set, pod);
      slots[i] = undefined;
      if (monotonic) return outcome();
      continue;
    }
    if (!pod) {
      const rev = needsCurrentRevision(set, ord) ? revs.current : revs.update;
      say(`${setName}-${ord} missing: creating it at revision ${rev.metadata.name}${monotonic ? (i > 0 ? ` (${setName}-${ord - 1} is Ready)` : '') : ' (Parallel: all at once)'}`);
      slots[i] = (await d.writes.createPod(set, ord, build(ord))) ?? undefined;
      if (monotonic) return outcome();
      continue;
    }
    if (isPending(pod)) await d.writes.createMissingClaims(set, ord, pod.metadata.name ?? '');
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod))) {
      say(`${waiter(i)}${nameOf(pod)} ${isTerminating(pod) ? 'terminating' : 'not Ready'}`);
      return outcome();
    }
    if (monotonic && !available(pod)) {
      say(`${waiter(i)}${nameOf(pod)} Ready but not available until minReadySeconds ${mrs} pass`);
      return { ...outcome(), waitMs: mrs * 1000 };
    }
    if (!isRunningAndReady(pod) && mrs > 0) waitMs = mrs * 1000;
    if (!isTerminating(pod) && !identityMatches(set, pod, ord)) slots[i] = await d.writes.updatePod(set, withIdentity(pod, ord));
    if (!storageMatches(set, pod, ord) && !isTerminating(pod)) await d.writes.createMissingClaims(set, ord, pod.metadata.name ?? '');
    await d.fixClaims(ord, pod, false);
  }

  for (const pod of condemned) await d.fixClaims(ordinalOf(pod), pod, true);

  // Scale down from the highest ordinal; OrderedReady waits for each pod to be gone before the next.
  const firstUnhealthy = [...slots, ...[...condemned].reverse()].find((p) => p && !isHealthy(p));
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) {
        say(`scale down to ${count}: waits for ${nameOf(pod)} to terminate before the next`);
        return outcome();
      }
      continue;
    }
    if (monotonic && !(isRunningAndReady(pod) && available(pod)) && pod !== firstUnhealthy) {
      say(`scale down halted: ${firstUnhealthy ? nameOf(firstUnhealthy) : nameOf(pod)} unhealthy`);
      return outcome();
    }
    say(`scale down to ${count}: deleting ${nameOf(pod)} (highest ordinal first)`);
    await d.writes.deletePod(set, pod);
    if (monotonic) return outcome();
  }

  if (setSpec(set).updateStrategy?.type === 'OnDelete') return { ...outcome(), ...(waitMs ? { waitMs } : {}) };

  const partition = setSpec(set).updateStrategy?.rollingUpdate?.partition ?? 0;
  const updateName = revs.update.metadata.name ?? '';
  for (let i = count - 1; i >= Math.min(partition, count); i--) {
    const pod = slots[i];
    if (!pod) return outcome();
    if (revisionLabel(pod) !== updateName && !isTerminating(pod)) {
      say(`updating ${nameOf(pod)} to revision ${updateName}: deleting it to recreate it (highest ordinal first${partition > 0 ? `, down to partition ${partition}` : ''})`);
      await d.writes.deletePod(set, pod);
      return outcome();
    }
    if (!isHealthy(pod) || !available(pod)) {
      if (updating()) say(`rolling update waits: ${nameOf(pod)} ${isTerminating(pod) ? 'terminating' : 'not Ready yet'} at revision ${revisionLabel(pod)}`);
      return outcome();
    }
  }
  return { ...outcome(), ...(waitMs ? { waitMs } : {}) };
}
