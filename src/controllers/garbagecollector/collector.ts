// What the collector does with one queued uid. Decisions about owners are always made against live GETs, not
// the informer caches: a cache that lags behind would otherwise make a live owner look absent and cost a
// dependent its life.
import type { KubeObject } from '../../api/types.js';
import type { Client, Resource } from '../../client/client.js';
import type { AbsentOwnerCache } from './absent-owners.js';
import type { GraphNode } from './graph.js';
import type { GraphBuilder } from './graph-builder.js';
import { FOREGROUND_FINALIZER, hasFinalizer, identityOfRef, ORPHAN_FINALIZER, type OwnerRef } from './identity.js';
import { type KindResolver, UnknownKindError } from './kinds.js';
import { deleteObject, getLive, removeFinalizer, removeOwnerRefs, unblockOwnerRefs } from './operations.js';

/** A cluster-scoped object cannot have a namespaced owner; retrying will not change that, so it is left alone. */
export class NamespacedOwnerOfClusterScopedError extends Error {
  constructor() {
    super('cluster-scoped objects cannot refer to namespaced owners');
  }
}

/** done: nothing more to do; unobserved: the object exists but the informer has not shown it yet, look again. */
export type Outcome = 'done' | 'unobserved';

interface Classified {
  solid: OwnerRef[];
  dangling: OwnerRef[];
  /** Owners that exist but are themselves waiting, with foregroundDeletion, for their dependents to go. */
  waiting: OwnerRef[];
}

export class Collector {
  constructor(
    private readonly client: Client,
    private readonly builder: GraphBuilder,
    private readonly absent: AbsentOwnerCache,
    private readonly kinds: KindResolver,
    private readonly requeue: (uid: string, reason: string) => void,
    private readonly log: (m: string) => void,
  ) {}

  private resourceOf(node: GraphNode): Resource {
    if (node.resource) return node.resource;
    const r = this.kinds.resolve(node.identity.apiVersion, node.identity.kind);
    if (!r) throw new UnknownKindError(node.identity.apiVersion, node.identity.kind);
    return r;
  }

  async attemptToDelete(node: GraphNode): Promise<Outcome> {
    // Deletion is under way and nothing waits on the dependents: the delete event will bring the dependents in.
    if (node.beingDeleted && !node.deletingDependents) return 'done';
    const r = this.resourceOf(node);
    const id = node.identity;
    const latest = await getLive(this.client, r, id);
    if (!latest || latest.metadata.uid !== id.uid) {
      this.builder.virtualDelete(id);
      return 'done';
    }
    if (node.deletingDependents) {
      await this.finishForeground(node, r);
      return 'done';
    }
    const refs = latest.metadata.ownerReferences ?? [];
    if (refs.length > 0) await this.decide(node, r, latest, refs);
    return !node.observed && this.builder.graph.get(id.uid) === node ? 'unobserved' : 'done';
  }

  private async decide(node: GraphNode, r: Resource, latest: KubeObject, refs: readonly OwnerRef[]): Promise<void> {
    const { solid, dangling, waiting } = await this.classify(node, refs);
    const id = node.identity;
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return;
      // A reference to an owner in foreground deletion would keep that owner waiting forever, since this
      // object is not going to be deleted; drop it together with the dangling ones.
      const drop = new Set([...dangling, ...waiting].map((x) => x.uid));
      this.log(`removing references to ${[...drop].join(', ')} from ${id.kind} ${id.namespace}/${id.name}`);
      await removeOwnerRefs(this.client, r, id, drop);
      return;
    }
    if (waiting.length > 0 && node.dependents.size > 0) {
      // Deleting in the foreground makes this object wait for its own dependents. If one of them waits for it
      // in turn, that is a cycle; making our own references non-blocking breaks it.
      for (const d of node.dependents) {
        if (d.deletingDependents) {
          await unblockOwnerRefs(this.client, r, id);
          break;
        }
      }
      this.log(`deleting ${id.kind} ${id.namespace}/${id.name} in the foreground: its owner waits for its dependents`);
      await deleteObject(this.client, r, id, 'Foreground');
      return;
    }
    // No owner is left. A deletion finalizer already on the object states how its own dependents should go.
    const policy = hasFinalizer(latest, ORPHAN_FINALIZER) ? 'Orphan' : hasFinalizer(latest, FOREGROUND_FINALIZER) ? 'Foreground' : 'Background';
    this.log(`deleting ${id.kind} ${id.namespace}/${id.name} (${policy}): all owners are gone`);
    await deleteObject(this.client, r, id, policy);
  }

  private async classify(node: GraphNode, refs: readonly OwnerRef[]): Promise<Classified> {
    const out: Classified = { solid: [], dangling: [], waiting: [] };
    for (const ref of refs) {
      const owner = await this.liveOwner(ref, node);
      if (!owner) out.dangling.push(ref);
      else if (owner.metadata.deletionTimestamp && hasFinalizer(owner, FOREGROUND_FINALIZER)) out.waiting.push(ref);
      else out.solid.push(ref);
    }
    return out;
  }

  /** The owner a reference names, or undefined when it is absent. An object with the same name and another uid
   * is a different object, so it counts as absent too. */
  private async liveOwner(ref: OwnerRef, node: GraphNode): Promise<KubeObject | undefined> {
    const ns = node.identity.namespace;
    const asCluster = identityOfRef(ref, '');
    const asLocal = identityOfRef(ref, ns);
    if (this.absent.has(asCluster) || this.absent.has(asLocal)) return undefined;
    const r = this.kinds.resolve(ref.apiVersion, ref.kind);
    if (!r) throw new UnknownKindError(ref.apiVersion, ref.kind);
    if (r.namespaced && !ns) throw new NamespacedOwnerOfClusterScopedError();
    // A namespaced owner can only be valid in the dependent's namespace, so that is the only place looked at.
    const where = r.namespaced ? asLocal : asCluster;
    const owner = await getLive(this.client, r, where);
    if (!owner || owner.metadata.uid !== ref.uid) {
      this.absent.add(where);
      return undefined;
    }
    return owner;
  }

  /** Foreground deletion: the owner's finalizer goes once no dependent blocks it; until then the blocking
   * dependents are pushed towards deletion (each delete event brings the owner back here). Blockers already
   * being deleted need no push: their own deletion is what is being waited for. */
  private async finishForeground(node: GraphNode, r: Resource): Promise<void> {
    let blocked = false;
    for (const d of node.dependents) {
      if (!node.isBlockedBy(d)) continue;
      blocked = true;
      if (node.blockersPushed) break;
      if (!d.beingDeleted && !d.deletingDependents) this.requeue(d.uid, `owner ${node.identity.kind} ${node.identity.name} waits for it`);
    }
    node.blockersPushed = true;
    if (blocked) return;
    this.log(`removing ${FOREGROUND_FINALIZER} from ${node.identity.kind} ${node.identity.namespace}/${node.identity.name}`);
    await removeFinalizer(this.client, r, node.identity, FOREGROUND_FINALIZER);
  }

  /** Orphan deletion: every dependent loses its reference to the owner, then the owner loses its finalizer. */
  async orphan(owner: GraphNode): Promise<void> {
    const r = this.resourceOf(owner);
    const uids = new Set([owner.uid]);
    const deps = [...owner.dependents];
    const results = await Promise.allSettled(deps.map(async (d) => removeOwnerRefs(this.client, this.resourceOf(d), d.identity, uids)));
    const failed = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed.length > 0) {
      throw new Error(`orphaning ${failed.length} of ${deps.length} dependents failed: ${String((failed[0] as PromiseRejectedResult).reason)}`);
    }
    this.log(`removing ${ORPHAN_FINALIZER} from ${owner.identity.kind} ${owner.identity.namespace}/${owner.identity.name}`);
    await removeFinalizer(this.client, r, owner.identity, ORPHAN_FINALIZER);
  }
}
