// DaemonSet status: per node that should run the daemon, whether it has a pod and whether the oldest pod
// there is ready, available and up to date; pods on nodes that should not run it are misscheduled. Written
// only when a figure changed or a newer generation was acted on, since each write wakes every watcher.
import type { DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import { daemonSetDescriptor } from '../../api/kinds/daemonset.js';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import { isPodAvailable, isPodReady } from '../runtime/pods.js';
import type { Placement } from './eligibility.js';
import { dsSpec, dsStatus, isPodUpdated, oldestFirst } from './types.js';

export type Counters = Required<Pick<DaemonSetStatus, 'desiredNumberScheduled' | 'currentNumberScheduled' | 'numberMisscheduled' | 'numberReady' | 'numberAvailable' | 'numberUnavailable' | 'updatedNumberScheduled'>>;

export function countStatus(
  ds: KubeObject,
  nodes: readonly KubeObject[],
  placements: ReadonlyMap<string, Placement>,
  byNode: ReadonlyMap<string, KubeObject[]>,
  hash: string,
  generation: number | undefined,
  now: number,
): Counters {
  const c: Counters = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, numberAvailable: 0, numberUnavailable: 0, updatedNumberScheduled: 0 };
  const mrs = dsSpec(ds).minReadySeconds ?? 0;
  for (const n of nodes) {
    const name = n.metadata.name ?? '';
    const pods = byNode.get(name) ?? [];
    if (!placements.get(name)?.shouldRun) {
      if (pods.length) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!pods.length) continue;
    c.currentNumberScheduled++;
    const pod = [...pods].sort(oldestFirst)[0]!;
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, mrs, now)) c.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, generation)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}

/** Stores the counters (and, when `observed`, the generation acted on) unless nothing changed. */
export async function writeStatus(client: Client, ds: KubeObject, c: Counters, observed: boolean): Promise<KubeObject> {
  const cur = dsStatus(ds);
  const gen = ds.metadata.generation ?? 0;
  const same = (Object.keys(c) as Array<keyof Counters>).every((k) => (cur[k] ?? 0) === c[k]);
  if (same && (cur.observedGeneration ?? 0) >= gen) return ds;
  const ns = ds.metadata.namespace;
  let target = ds;
  for (let attempt = 0; ; attempt++) {
    const status: DaemonSetStatus = { ...dsStatus(target), ...c };
    if (observed) status.observedGeneration = gen;
    try {
      return await client.update(daemonSetDescriptor, ns, { ...target, status } as KubeObject, { subresource: 'status' });
    } catch (err) {
      if (attempt >= 1) throw err;
      target = await client.get(daemonSetDescriptor, ns, ds.metadata.name ?? '');
    }
  }
}
