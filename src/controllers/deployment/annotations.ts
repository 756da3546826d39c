// The annotations that tie ReplicaSets to a deployment's history: the revision each one stands for, the
// revisions it stood for before (a rollback makes an old ReplicaSet new again), the replica counts it was
// last sized for (proportional scaling reads them), and the deployment's own annotations, copied so that
// `kubectl rollout history` finds each revision's change-cause on its ReplicaSet.
import type { KubeObject } from '../../api/types.js';
import { DESIRED_REPLICAS, LAST_APPLIED, MAX_REPLICAS, REVISION, REVISION_HISTORY, ROLLBACK_TO } from './types.js';

/** Longest revision-history value kept; the oldest entries go first. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

const NOT_COPIED = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO]);

export const ANNOTATION_INT = { desired: DESIRED_REPLICAS, max: MAX_REPLICAS } as const;

/** The revision a ReplicaSet stands for; 0 when it has none or it does not parse. */
export function revisionOf(obj: KubeObject): number {
  const v = obj.metadata.annotations?.[REVISION];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  return Number.parseInt(v, 10);
}

/** desired-replicas or max-replicas as a number; undefined when absent or malformed. */
export function replicasAnnotation(rs: KubeObject, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number.parseInt(v, 10);
}

/** Copies the deployment's annotations (except the controller's own bookkeeping) onto `annotations`. */
export function copyDeploymentAnnotations(d: KubeObject, annotations: Record<string, string>): boolean {
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: KubeObject, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

export function setReplicasAnnotations(annotations: Record<string, string>, desired: number, max: number): boolean {
  let changed = false;
  if (annotations[DESIRED_REPLICAS] !== String(desired)) {
    annotations[DESIRED_REPLICAS] = String(desired);
    changed = true;
  }
  if (annotations[MAX_REPLICAS] !== String(max)) {
    annotations[MAX_REPLICAS] = String(max);
    changed = true;
  }
  return changed;
}

/**
 * Brings the annotations of the deployment's new ReplicaSet up to date: the deployment's own annotations,
 * the revision (raised to `newRevision` only when lower, remembering the number it had), and, for a
 * ReplicaSet about to be created, the replica counts. Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(
  d: KubeObject,
  annotations: Record<string, string>,
  newRevision: number,
  exists: boolean,
  replicas: { desired: number; max: number },
): boolean {
  let changed = copyDeploymentAnnotations(d, annotations);
  const had = annotations[REVISION];
  let oldRevision = 0;
  if (had !== undefined && had !== '') {
    // A revision we cannot read is left alone rather than overwritten with a guess.
    if (!/^[+-]?\d+$/.test(had)) return changed;
    oldRevision = Number.parseInt(had, 10);
  }
  if (oldRevision < newRevision) {
    annotations[REVISION] = String(newRevision);
    changed = true;
    if (had !== undefined) appendRevisionHistory(annotations, had);
  }
  if (!exists && setReplicasAnnotations(annotations, replicas.desired, replicas.max)) changed = true;
  return changed;
}

function appendRevisionHistory(annotations: Record<string, string>, oldRevision: string): void {
  const current = annotations[REVISION_HISTORY] ?? '';
  if (current === '') {
    annotations[REVISION_HISTORY] = oldRevision;
    return;
  }
  const entries = current.split(',');
  let total = current.length + oldRevision.length + 1;
  let start = 0;
  while (total > MAX_REVISION_HISTORY_CHARS && start < entries.length) {
    total -= (entries[start] as string).length + 1;
    start++;
  }
  if (total <= MAX_REVISION_HISTORY_CHARS) annotations[REVISION_HISTORY] = [...entries.slice(start), oldRevision].join(',');
}
