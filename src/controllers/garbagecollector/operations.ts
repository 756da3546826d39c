// The collector's writes. Each one is guarded so it can only touch the exact object (uid) and the exact list it
// decided about: a delete carries a uid precondition, and a metadata edit is a JSON patch that first tests the
// uid and the list it rewrites, so a concurrent writer makes the patch fail instead of being overwritten.
import type { KubeObject } from '../../api/types.js';
import type { Client, DeleteOptions, Resource } from '../../client/client.js';
import type { Identity, OwnerRef } from './identity.js';

export function statusCode(err: unknown): number | undefined {
  const c = (err as { code?: unknown } | null | undefined)?.code;
  return typeof c === 'number' ? c : undefined;
}

function namespaceOf(r: Resource, id: Identity): string | undefined {
  return r.namespaced ? id.namespace : undefined;
}

/** The live object, or undefined when there is none by that name. */
export async function getLive(client: Client, r: Resource, id: Identity): Promise<KubeObject | undefined> {
  try {
    return await client.get(r, namespaceOf(r, id), id.name);
  } catch (err) {
    if (statusCode(err) === 404) return undefined;
    throw err;
  }
}

export async function deleteObject(client: Client, r: Resource, id: Identity, policy: NonNullable<DeleteOptions['propagationPolicy']>): Promise<void> {
  try {
    await client.delete(r, namespaceOf(r, id), id.name, { preconditions: { uid: id.uid }, propagationPolicy: policy });
  } catch (err) {
    // Already gone: the informer's delete event carries on from here.
    if (statusCode(err) === 404) return;
    throw err;
  }
}

type ListField = 'ownerReferences' | 'finalizers';
type ListOf<F extends ListField> = F extends 'ownerReferences' ? OwnerRef[] : string[];

const ATTEMPTS = 5;

/** Rewrites metadata.ownerReferences or metadata.finalizers of the object with this uid. `edit` returns the new
 * list, or undefined when nothing needs to change. A vanished (or replaced) object needs nothing. */
export async function editMetadataList<F extends ListField>(
  client: Client,
  r: Resource,
  id: Identity,
  field: F,
  edit: (current: ListOf<F>) => ListOf<F> | undefined,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const cur = await getLive(client, r, id);
    if (!cur || cur.metadata.uid !== id.uid) return;
    const list = (cur.metadata[field] ?? []) as ListOf<F>;
    const next = edit(list);
    if (!next) return;
    const path = `/metadata/${field}`;
    const ops = [
      { op: 'test', path: '/metadata/uid', value: id.uid },
      { op: 'test', path, value: list },
      next.length > 0 ? { op: 'replace', path, value: next } : { op: 'remove', path },
    ];
    try {
      await client.patch(r, namespaceOf(r, id), id.name, 'json', ops);
      return;
    } catch (err) {
      const code = statusCode(err);
      if (code === 404) return;
      // 409 and a failed test (422) mean someone else wrote in between: read again and redo the edit.
      if ((code === 409 || code === 422) && attempt < ATTEMPTS) continue;
      throw err;
    }
  }
}

export function removeOwnerRefs(client: Client, r: Resource, id: Identity, ownerUids: ReadonlySet<string>): Promise<void> {
  return editMetadataList(client, r, id, 'ownerReferences', (refs) =>
    refs.some((x) => ownerUids.has(x.uid)) ? refs.filter((x) => !ownerUids.has(x.uid)) : undefined,
  );
}

export function unblockOwnerRefs(client: Client, r: Resource, id: Identity): Promise<void> {
  return editMetadataList(client, r, id, 'ownerReferences', (refs) =>
    refs.some((x) => x.blockOwnerDeletion === true) ? refs.map((x) => (x.blockOwnerDeletion === true ? { ...x, blockOwnerDeletion: false } : x)) : undefined,
  );
}

export function removeFinalizer(client: Client, r: Resource, id: Identity, finalizer: string): Promise<void> {
  return editMetadataList(client, r, id, 'finalizers', (fs) => (fs.includes(finalizer) ? fs.filter((f) => f !== finalizer) : undefined));
}
