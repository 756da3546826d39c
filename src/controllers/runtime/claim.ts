// Ownership of children (kube's ControllerRefManager): a controller claims the children its selector matches.
// Orphans that match are adopted (a patch adding our controller ownerReference), children we control that no
// longer match are released (a patch deleting our reference), children controlled by someone else are left
// alone. Adoption first re-reads the owner from the API server, because the informer may not know yet that
// the owner was deleted, and a deleted owner adopting pods would hand them to the garbage collector.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../api/errors.js';
import type { LabelSelector } from '../../api/selectors/labels.js';
import type { KubeObject } from '../../api/types.js';
import type { Client, Resource } from '../../client/client.js';

export interface OwnerKind {
  apiVersion: string;
  kind: string;
}

export function ownerKindOf(r: Pick<Resource, 'group' | 'version' | 'kind'>): OwnerKind {
  return { apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind };
}

/** The ownerReference with controller: true, if any. */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

export function newControllerRef(owner: KubeObject, kind: OwnerKind): OwnerReference {
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

export function isInvalid(err: unknown): boolean {
  return err instanceof ApiError && err.code === 422;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Several failures as one error, worded like apimachinery's aggregate ("[a, b]" for more than one). */
export class MultiError extends Error {
  constructor(readonly errors: unknown[]) {
    const msgs = [...new Set(errors.map(errorMessage))];
    super(msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`);
  }
}

/** Go's default rendering of a time.Time, as kube's messages print one. */
export function goTimeString(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

export interface ControllerRefManagerOptions {
  client: Client;
  /** The controller, as the informer had it when the sync started. */
  owner: KubeObject;
  /** The owner's resource: the kind written into references, and where the pre-adoption re-read goes. */
  ownerResource: Resource;
  selector: LabelSelector;
  /** Runs at most once, before the first adoption; a rejection fails every adoption of this pass. The
   * default re-reads the owner uncached and refuses when it is gone, replaced (other uid) or being deleted. */
  canAdopt?: () => Promise<void>;
  /** Finalizers that come with adoption and go with release (the Job controller's tracking finalizer). */
  finalizers?: string[];
}

/** One claiming pass for one owner; make a new one per sync so the owner is re-checked each time. */
export class ControllerRefManager {
  private readonly kind: OwnerKind;
  private adoptCheck?: Promise<void>;

  constructor(private readonly opts: ControllerRefManagerOptions) {
    this.kind = ownerKindOf(opts.ownerResource);
  }

  /**
   * Returns the children this owner now controls: those it already controlled that still match, plus the
   * orphans it adopted. Children that need no action are returned as given; adopted ones as the server
   * answered. Throws a MultiError if any adoption or release failed (the caller should retry later).
   */
  async claim(children: readonly KubeObject[], childResource: Resource, filters: Array<(child: KubeObject) => boolean> = []): Promise<KubeObject[]> {
    const claimed: KubeObject[] = [];
    const errors: unknown[] = [];
    const matches = (c: KubeObject) => this.opts.selector.matches(c.metadata.labels) && filters.every((f) => f(c));
    // Deciding is synchronous; only children that need a write cost an API round trip.
    for (const child of children) {
      const action = this.decide(child, matches);
      if (action === 'keep') claimed.push(child);
      if (action !== 'adopt' && action !== 'release') continue;
      try {
        if (action === 'adopt') claimed.push(await this.adopt(child, childResource));
        else await this.release(child, childResource);
      } catch (err) {
        if (!isNotFound(err)) errors.push(err);
      }
    }
    if (errors.length) throw new MultiError(errors);
    return claimed;
  }

  private decide(child: KubeObject, matches: (c: KubeObject) => boolean): 'keep' | 'adopt' | 'release' | 'ignore' {
    const owner = this.opts.owner;
    const ref = controllerRefOf(child);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) return 'ignore';
      // Keeping what we already control takes no write, so it is allowed even while we are being deleted.
      if (matches(child)) return 'keep';
      return owner.metadata.deletionTimestamp ? 'ignore' : 'release';
    }
    if (owner.metadata.deletionTimestamp || !matches(child)) return 'ignore';
    if (child.metadata.deletionTimestamp) return 'ignore';
    if (owner.metadata.namespace && owner.metadata.namespace !== child.metadata.namespace) return 'ignore';
    return 'adopt';
  }

  /** Patches our controller reference onto an orphan. The child's uid in the patch makes it fail if the name
   * now belongs to a different object; the API server refuses a second controller reference. */
  async adopt(child: KubeObject, childResource: Resource): Promise<KubeObject> {
    const m = child.metadata;
    try {
      this.adoptCheck ??= (this.opts.canAdopt ?? (() => this.recheckOwner()))();
      await this.adoptCheck;
    } catch (err) {
      throw new Error(`can't adopt ${childResource.kind} ${m.namespace}/${m.name} (${m.uid}): ${errorMessage(err)}`);
    }
    const meta: Record<string, unknown> = { ownerReferences: [newControllerRef(this.opts.owner, this.kind)], uid: m.uid };
    if (this.opts.finalizers?.length) meta.finalizers = this.opts.finalizers;
    return this.opts.client.patch(childResource, m.namespace, m.name ?? '', 'strategic', { metadata: meta });
  }

  /** Patches our reference away. A child that is gone, or whose name now belongs to another object, needs
   * no release, so 404 and 422 answers count as done. */
  async release(child: KubeObject, childResource: Resource): Promise<void> {
    const m = child.metadata;
    const meta: Record<string, unknown> = { ownerReferences: [{ $patch: 'delete', uid: this.opts.owner.metadata.uid }], uid: m.uid };
    if (this.opts.finalizers?.length) meta['$deleteFromPrimitiveList/finalizers'] = this.opts.finalizers;
    try {
      await this.opts.client.patch(childResource, m.namespace, m.name ?? '', 'strategic', { metadata: meta });
    } catch (err) {
      if (isNotFound(err) || isInvalid(err)) return;
      throw err;
    }
  }

  private async recheckOwner(): Promise<void> {
    const { client, ownerResource, owner } = this.opts;
    const { namespace, name, uid } = owner.metadata;
    let fresh: KubeObject;
    try {
      fresh = await client.get(ownerResource, namespace, name ?? '');
      if (fresh.metadata.uid !== uid) {
        throw new Error(`original ${ownerResource.kind} ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
      }
    } catch (err) {
      throw new Error(`can't recheck DeletionTimestamp: ${errorMessage(err)}`);
    }
    const ts = fresh.metadata.deletionTimestamp;
    if (ts) throw new Error(`${namespace}/${name} has just been deleted at ${goTimeString(ts)}`);
  }
}
