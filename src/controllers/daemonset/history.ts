// ControllerRevisions: one immutable snapshot per distinct pod template, which is what `kubectl rollout
// history ds` lists and `rollout undo ds` patches back. The snapshot's data is a strategic merge patch that
// replaces spec.template wholesale, exactly the body kubectl sends on undo, so a rollback lands back on an
// existing revision (renumbered to the top) instead of creating a new one.
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { controllerRevisionDescriptor } from '../../api/kinds/controllerrevision.js';
import { daemonSetDescriptor } from '../../api/kinds/daemonset.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { semanticEqual } from '../../api/kinds/object-helpers.js';
import type { LabelSelector } from '../../api/selectors/labels.js';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import type { SharedInformer } from '../../client/informer.js';
import { computeHash } from '../runtime/hash.js';
import { ControllerRefManager, isNotFound, newControllerRef, ownerKindOf } from '../runtime/claim.js';
import { dsSpec, dsStatus, HASH_LABEL } from './types.js';

export function revisionData(ds: KubeObject): unknown {
  return { spec: { template: { ...(dsSpec(ds).template ?? {}), $patch: 'replace' } } };
}

function revisionOf(r: KubeObject): number {
  return (r as unknown as ControllerRevision).revision ?? 0;
}

export function byRevision(a: KubeObject, b: KubeObject): number {
  return revisionOf(a) - revisionOf(b);
}

export interface History {
  current: KubeObject;
  old: KubeObject[];
  hash: string;
}

export interface HistoryDeps {
  client: Client;
  revisions: SharedInformer;
  pods: SharedInformer;
  selector: LabelSelector;
}

/** Finds (or writes) the revision of the DaemonSet's current template and sorts the others out as old. */
export async function constructHistory(ds: KubeObject, d: HistoryDeps): Promise<History> {
  const ns = ds.metadata.namespace ?? '';
  const refs = new ControllerRefManager({ client: d.client, owner: ds, ownerResource: daemonSetDescriptor, selector: d.selector });
  const claimed = await refs.claim(d.revisions.byIndex('namespace', ns), controllerRevisionDescriptor);
  const data = revisionData(ds);
  const current: KubeObject[] = [];
  const old: KubeObject[] = [];
  for (let r of claimed) {
    // The name is as unique as a hash and cannot collide, so it stands in for a missing label.
    if (!r.metadata.labels?.[HASH_LABEL]) {
      r = await d.client.update(controllerRevisionDescriptor, ns, { ...r, metadata: { ...r.metadata, labels: { ...r.metadata.labels, [HASH_LABEL]: r.metadata.name ?? '' } } });
    }
    (semanticEqual(r.data, data) ? current : old).push(r);
  }
  const next = old.reduce((m, r) => Math.max(m, revisionOf(r)), 0) + 1;
  let cur: KubeObject;
  if (current.length === 0) cur = await snapshot(ds, next, d);
  else {
    cur = await dedupe(ds, current, d);
    if (revisionOf(cur) < next) cur = await d.client.update(controllerRevisionDescriptor, ns, { ...cur, revision: next } as KubeObject);
  }
  return { current: cur, old, hash: cur.metadata.labels?.[HASH_LABEL] ?? '' };
}

async function snapshot(ds: KubeObject, revision: number, d: HistoryDeps): Promise<KubeObject> {
  const ns = ds.metadata.namespace ?? '';
  const hash = computeHash(dsSpec(ds).template, dsStatus(ds).collisionCount);
  const obj: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${(ds.metadata.name ?? '').slice(0, 223)}-${hash}`,
      namespace: ns,
      labels: { ...(dsSpec(ds).template?.metadata?.labels ?? {}), [HASH_LABEL]: hash },
      ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(ds, ownerKindOf(daemonSetDescriptor))],
    },
    data: revisionData(ds),
    revision,
  };
  try {
    return await d.client.create(controllerRevisionDescriptor, ns, obj);
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
  const existing = await d.client.get(controllerRevisionDescriptor, ns, obj.metadata.name ?? '');
  if (semanticEqual(existing.data, obj.data)) return existing;
  // Another template owns this name: bump the collision count so the next sync hashes to a new name.
  const fresh = await d.client.get(daemonSetDescriptor, ns, ds.metadata.name ?? '');
  const count = (dsStatus(fresh).collisionCount ?? 0) + 1;
  await d.client.update(daemonSetDescriptor, ns, { ...fresh, status: { ...dsStatus(fresh), collisionCount: count } } as KubeObject, { subresource: 'status' });
  throw new Error(`found a stale collision for DaemonSet ${ns}/${ds.metadata.name}: revision name ${obj.metadata.name} is taken`);
}

/** Several revisions for the current template (a race or an old controller): keep the newest and move its
 * pods' hash labels over from the others before deleting them. */
async function dedupe(ds: KubeObject, current: KubeObject[], d: HistoryDeps): Promise<KubeObject> {
  if (current.length === 1) return current[0]!;
  const sorted = [...current].sort(byRevision);
  const keep = sorted[sorted.length - 1]!;
  const keepHash = keep.metadata.labels?.[HASH_LABEL] ?? '';
  const ns = ds.metadata.namespace ?? '';
  for (const dup of sorted.slice(0, -1)) {
    const dupHash = dup.metadata.labels?.[HASH_LABEL];
    for (const pod of d.pods.byIndex('owner', ds.metadata.uid ?? '')) {
      if (pod.metadata.labels?.[HASH_LABEL] !== dupHash) continue;
      await d.client.patch(podDescriptor, ns, pod.metadata.name ?? '', 'merge', { metadata: { labels: { [HASH_LABEL]: keepHash } } });
    }
    try {
      await d.client.delete(controllerRevisionDescriptor, ns, dup.metadata.name ?? '');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return keep;
}

/** Deletes the oldest old revisions beyond revisionHistoryLimit, sparing any a live pod still refers to. */
export async function cleanupHistory(ds: KubeObject, old: readonly KubeObject[], pods: readonly KubeObject[], client: Client): Promise<void> {
  let toKill = old.length - (dsSpec(ds).revisionHistoryLimit ?? 10);
  if (toKill <= 0) return;
  const live = new Set(pods.map((p) => p.metadata.labels?.[HASH_LABEL]).filter((h): h is string => !!h));
  for (const r of [...old].sort(byRevision)) {
    if (toKill <= 0) break;
    if (live.has(r.metadata.labels?.[HASH_LABEL] ?? '')) continue;
    try {
      await client.delete(controllerRevisionDescriptor, ds.metadata.namespace, r.metadata.name ?? '');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    toKill--;
  }
}
