// Finding the set's current and update revisions, creating the update revision when the template is new and
// renumbering an old one when the template went back to it (a rollback keeps one object per template).
import { controllerRevisionDescriptor } from '../../api/kinds/controllerrevision.js';
import { statefulSetDescriptor } from '../../api/kinds/statefulset.js';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import { newRevision, revisionNumber, sameData, sortRevisions } from './revisions.js';
import { setStatus } from './types.js';

export interface Revisions {
  current: KubeObject;
  update: KubeObject;
  collisionCount: number;
  all: KubeObject[];
}

export async function ensureRevisions(client: Client, set: KubeObject, owned: readonly KubeObject[]): Promise<Revisions> {
  const all = sortRevisions(owned);
  const collisionCount = setStatus(set).collisionCount ?? 0;
  const next = all.length ? revisionNumber(all[all.length - 1]!) + 1 : 1;
  const candidate = newRevision(set, next, collisionCount);
  const equal = all.filter((r) => sameData(r, candidate));
  let update: KubeObject;
  if (equal.length && equal[equal.length - 1] === all[all.length - 1]) {
    update = equal[equal.length - 1]!;
  } else if (equal.length) {
    const old = equal[equal.length - 1]!;
    update = await client.update(controllerRevisionDescriptor, old.metadata.namespace, { ...old, revision: next } as KubeObject);
    all.splice(all.indexOf(old), 1, update);
  } else {
    update = await createRevision(client, set, candidate, collisionCount);
    all.push(update);
  }
  const currentName = setStatus(set).currentRevision;
  const current = all.find((r) => r.metadata.name === currentName) ?? update;
  return { current, update, collisionCount, all };
}

async function createRevision(client: Client, set: KubeObject, candidate: KubeObject, collisionCount: number): Promise<KubeObject> {
  try {
    return await client.create(controllerRevisionDescriptor, candidate.metadata.namespace, candidate);
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 409) throw err;
  }
  const existing = await client.get(controllerRevisionDescriptor, candidate.metadata.namespace, candidate.metadata.name ?? '');
  if (sameData(existing, candidate)) return existing;
  // Another template already holds this name: a new collision count gives the next sync another name.
  const status = { ...setStatus(set), collisionCount: collisionCount + 1 };
  await client.update(statefulSetDescriptor, set.metadata.namespace, { ...set, status }, { subresource: 'status' });
  throw new Error(`controller revision ${candidate.metadata.name} collides with another template; collisionCount is now ${collisionCount + 1}`);
}
