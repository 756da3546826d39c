// What the two storage protection controllers share: when a finalizer is theirs to add or to drop, and the
// write that does it.
import type { KubeObject } from '../../api/types.js';
import type { Resource } from '../../client/client.js';
import { isNotFound } from '../runtime/claim.js';
import type { ControllerContext } from '../runtime/controller.js';

export { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from '../../api/kinds/storage-protection-admission.js';

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

/** Being deleted and still held by our finalizer: the only state in which we may let go. */
export function isDeletionCandidate(obj: KubeObject, finalizer: string): boolean {
  return !!obj.metadata.deletionTimestamp && hasFinalizer(obj, finalizer);
}

/** Objects stored before admission added the finalizer (or written by a client that dropped it) get it back,
 * but never once deletion has started: adding a finalizer then would only delay it for nothing. */
export function needsFinalizer(obj: KubeObject, finalizer: string): boolean {
  return !obj.metadata.deletionTimestamp && !hasFinalizer(obj, finalizer);
}

/** A full update carrying the cached resourceVersion, so a stale cache ends in a Conflict and a retry rather
 * than overwriting a newer object. An object already gone needs nothing more. */
export async function writeFinalizers(ctx: ControllerContext, r: Resource, obj: KubeObject, finalizers: string[]): Promise<void> {
  const metadata = { ...obj.metadata, finalizers };
  try {
    await ctx.client.update(r, obj.metadata.namespace, { ...obj, metadata });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

export async function addFinalizer(ctx: ControllerContext, r: Resource, obj: KubeObject, finalizer: string): Promise<void> {
  await writeFinalizers(ctx, r, obj, [...(obj.metadata.finalizers ?? []), finalizer]);
}

export async function removeFinalizer(ctx: ControllerContext, r: Resource, obj: KubeObject, finalizer: string): Promise<void> {
  await writeFinalizers(ctx, r, obj, (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer));
}
