// ControllerRevisions: snapshots of the pod template that `kubectl rollout history` lists and `rollout undo`
// applies. `data` is a strategic merge patch that replaces spec.template wholesale; kubectl sends it back
// verbatim on undo and compares it byte for byte with the live template encoded the same way, so the keys
// are sorted at every level, as Go's encoder writes a map.
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { clone } from '../../api/meta.js';
import { semanticEqual } from '../../api/kinds/object-helpers.js';
import type { KubeObject } from '../../api/types.js';
import { newControllerRef } from '../runtime/claim.js';
import { revisionHash } from '../runtime/hash.js';
import { REVISION_LABEL, setSpec } from './types.js';

function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortedKeys(o[k])]));
  }
  return v;
}

/** The revision `data` for the set's current template. */
export function revisionData(set: KubeObject): Record<string, unknown> {
  const template = clone((setSpec(set).template ?? {}) as Record<string, unknown>);
  // A typed Go object always carries creationTimestamp, null when unset.
  const metadata = (template.metadata ?? {}) as Record<string, unknown>;
  template.metadata = { creationTimestamp: null, ...metadata };
  template.$patch = 'replace';
  return sortedKeys({ spec: { template } }) as Record<string, unknown>;
}


export function revisionNumber(rev: KubeObject): number {
  return (rev as unknown as ControllerRevision).revision ?? 0;
}

export function sortRevisions(revs: readonly KubeObject[]): KubeObject[] {
  return [...revs].sort((a, b) => revisionNumber(a) - revisionNumber(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

export function sameData(a: KubeObject, b: KubeObject): boolean {
  return semanticEqual(a.data, b.data);
}

/** A new, unsaved revision of the set's template numbered `revision`. */
export function newRevision(set: KubeObject, revision: number, collisionCount?: number): KubeObject {
  const data = revisionData(set);
  const hash = revisionHash(data, collisionCount);
  const labels = { ...((setSpec(set).template?.metadata?.labels as Record<string, string> | undefined) ?? {}), [REVISION_LABEL]: hash };
  const annotations = set.metadata.annotations ? { ...set.metadata.annotations } : undefined;
  // Names are cut so a long set name still leaves room for the hash.
  const prefix = (set.metadata.name ?? '').slice(0, 223);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${prefix}-${hash}`,
      namespace: set.metadata.namespace ?? '',
      labels,
      ...(annotations ? { annotations } : {}),
      ownerReferences: [newControllerRef(set, { apiVersion: 'apps/v1', kind: 'StatefulSet' })],
    },
    data,
    revision,
  };
}

/** Revisions nothing refers to any more, oldest first, beyond the history limit: the ones to delete. */
export function revisionsToPrune(revs: readonly KubeObject[], live: ReadonlySet<string>, limit: number): KubeObject[] {
  const dead = sortRevisions(revs).filter((r) => !live.has(r.metadata.name ?? ''));
  return dead.slice(0, Math.max(0, dead.length - limit));
}
