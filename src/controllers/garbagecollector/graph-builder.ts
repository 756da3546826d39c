// Keeps the ownership graph in step with informer events (and with "virtual" deletions the collector proves
// with a live GET), and decides which uids deserve a look: only the objects an event can have affected are
// queued, so the cost of an event is proportional to its owners and dependents, never to the cluster size.
import type { KubeObject } from '../../api/types.js';
import type { Resource } from '../../client/client.js';
import type { AbsentOwnerCache } from './absent-owners.js';
import { Graph, GraphNode } from './graph.js';
import {
  beingDeleted,
  describeIdentity,
  FOREGROUND_FINALIZER,
  hasFinalizer,
  type Identity,
  identityKey,
  identityOf,
  identityOfRef,
  ORPHAN_FINALIZER,
  type OwnerRef,
  refMatches,
  sameIdentity,
} from './identity.js';
import type { KindResolver } from './kinds.js';

export interface GraphOutputs {
  attemptToDelete(uid: string, reason: string, rateLimited?: boolean): void;
  attemptToOrphan(uid: string, reason: string): void;
  invalidOwnerNamespace(dependent: Identity, message: string): void;
}

interface RefDiff {
  added: OwnerRef[];
  removed: OwnerRef[];
  changed: Array<{ before: OwnerRef; after: OwnerRef }>;
}

export class GraphBuilder {
  constructor(
    readonly graph: Graph,
    private readonly absent: AbsentOwnerCache,
    private readonly kinds: KindResolver,
    private readonly out: GraphOutputs,
  ) {}

  /** An add (old absent) or update seen by an informer. */
  observe(r: Resource, obj: KubeObject, old?: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    if (old && old.metadata.uid !== uid) {
      // A relist can report a deleted-and-recreated object as one update; the old uid is gone all the same.
      this.observeDelete(r, old);
      old = undefined;
    }
    let node = this.graph.get(uid);
    if (node && !node.observed) this.markObserved(node, identityOf(r, obj), r);
    const refs = obj.metadata.ownerReferences ?? [];
    if (!node) {
      node = new GraphNode(identityOf(r, obj), true);
      node.resource = r;
      node.owners = refs;
      node.beingDeleted = beingDeleted(obj);
      node.deletingDependents = node.beingDeleted && hasFinalizer(obj, FOREGROUND_FINALIZER);
      this.graph.put(node);
      this.linkOwners(node, refs);
    } else if (refs !== node.owners) {
      const diff = diffRefs(node.owners, refs);
      node.owners = refs;
      if (diff) {
        this.wakeUnblockedOwners(diff);
        this.linkOwners(node, diff.added);
        this.unlinkOwners(node, diff.removed);
        for (const c of diff.changed) this.joinForeground(node, c.after);
      }
    }
    if (beingDeleted(obj)) node.beingDeleted = true;
    this.transitions(node, obj, old);
  }

  /** A deletion seen by an informer. */
  observeDelete(r: Resource, obj: KubeObject): void {
    const node = obj.metadata.uid ? this.graph.get(obj.metadata.uid) : undefined;
    if (!node) return;
    const id = identityOf(r, obj);
    if (!node.observed) this.markObserved(node, id, r);
    this.removeNode(node, id);
  }

  /** The collector found no object with these coordinates and uid. Dependents that named the owner by other
   * coordinates have not been proven orphaned, so the node survives for them. */
  virtualDelete(id: Identity): void {
    const node = this.graph.get(id.uid);
    if (!node) return;
    if (node.observed && sameIdentity(node.identity, id)) {
      this.removeNode(node, id);
      return;
    }
    const { matching, mismatched } = partitionDependents(node, id);
    if (node.observed || mismatched.length > 0) {
      if (matching.length > 0) {
        this.absent.add(id);
        for (const d of matching) this.out.attemptToDelete(d.uid, `owner ${describeIdentity(id)} does not exist`);
      }
      if (!node.observed && sameIdentity(node.identity, id)) {
        const alt = alternateIdentity(mismatched, id);
        if (alt) {
          node.identity = alt;
          this.out.attemptToDelete(node.uid, `verify owner under other coordinates ${describeIdentity(alt)}`, true);
        }
      }
      return;
    }
    this.removeNode(node, id);
  }

  private markObserved(node: GraphNode, seen: Identity, r: Resource): void {
    if (!sameIdentity(seen, node.identity)) {
      // Dependents guessed the owner's coordinates; now that the owner itself is visible, those that guessed
      // wrong (another namespace, name or kind) must be re-checked, and a namespace mismatch is a user error.
      for (const d of partitionDependents(node, seen).mismatched) {
        if (seen.namespace && d.identity.namespace !== seen.namespace) this.reportInvalidNamespace(d, seen.uid);
        this.out.attemptToDelete(d.uid, `owner ${describeIdentity(seen)} does not match the reference`);
      }
      node.identity = seen;
    }
    node.observed = true;
    node.resource = r;
  }

  private linkOwners(n: GraphNode, refs: readonly OwnerRef[]): void {
    let suspicious = false;
    for (const ref of refs) {
      let owner = this.graph.get(ref.uid);
      if (!owner) {
        // A cluster-scoped kind has no namespace whatever the dependent's is; everything else is presumed to
        // live beside the dependent, which is the only place a valid owner can be.
        const ns = this.kinds.isClusterScoped(ref.apiVersion, ref.kind) ? '' : n.identity.namespace;
        owner = new GraphNode(identityOfRef(ref, ns), false);
        this.graph.put(owner);
        owner.dependents.add(n);
        this.out.attemptToDelete(owner.uid, `verify owner ${ref.kind} ${ref.name} of ${n.identity.kind} ${n.identity.name}`);
        continue;
      }
      owner.dependents.add(n);
      this.joinForeground(n, ref);
      if (suspicious) continue;
      const ownerNs = owner.identity.namespace;
      if (ownerNs && ownerNs !== n.identity.namespace) {
        if (owner.observed) this.reportInvalidNamespace(n, ref.uid);
        suspicious = true;
      } else if (!refMatches(ref, owner.identity)) {
        suspicious = true;
      } else if (!ownerNs && n.identity.namespace && !owner.observed) {
        // Possibly a namespaced owner wrongly referenced from elsewhere; only a live check can tell.
        suspicious = true;
      }
    }
    if (suspicious) this.out.attemptToDelete(n.uid, 'an owner reference may not match its owner');
  }

  /** A dependent that starts to block an owner already in foreground deletion must be deleted too; the owner
   * only pushes its blockers once, so the dependent is queued here. */
  private joinForeground(n: GraphNode, ref: OwnerRef): void {
    const owner = this.graph.get(ref.uid);
    if (owner?.deletingDependents && ref.blockOwnerDeletion === true) {
      this.out.attemptToDelete(n.uid, `owner ${owner.identity.kind} ${owner.identity.name} is deleted in the foreground`);
    }
  }

  private unlinkOwners(n: GraphNode, refs: readonly OwnerRef[]): void {
    for (const ref of refs) this.graph.get(ref.uid)?.dependents.delete(n);
  }

  /** An owner waiting for blocking dependents may be free once one stops blocking. */
  private wakeUnblockedOwners(diff: RefDiff): void {
    const wake = (ref: OwnerRef) => {
      if (this.graph.get(ref.uid)) this.out.attemptToDelete(ref.uid, 'a dependent stopped blocking its deletion');
    };
    for (const ref of diff.removed) if (ref.blockOwnerDeletion === true) wake(ref);
    for (const c of diff.changed) if (c.before.blockOwnerDeletion === true && c.after.blockOwnerDeletion !== true) wake(c.after);
  }

  private transitions(node: GraphNode, obj: KubeObject, old: KubeObject | undefined): void {
    if (deletionStartsWith(ORPHAN_FINALIZER, obj, old)) {
      this.out.attemptToOrphan(node.uid, 'deleted with propagation Orphan');
      return;
    }
    if (deletionStartsWith(FOREGROUND_FINALIZER, obj, old)) {
      node.deletingDependents = true;
      node.blockersPushed = false;
      const why = `owner ${node.identity.kind} ${node.identity.name} is deleted in the foreground`;
      for (const d of node.dependents) this.out.attemptToDelete(d.uid, why);
      this.out.attemptToDelete(node.uid, 'foreground deletion started');
    }
  }

  private removeNode(node: GraphNode, id: Identity): void {
    this.graph.delete(node.uid);
    this.unlinkOwners(node, node.owners);
    if (node.dependents.size > 0) this.absent.add(id);
    const why = `owner ${node.identity.kind} ${node.identity.name} is gone`;
    for (const d of node.dependents) this.out.attemptToDelete(d.uid, why);
    for (const ref of node.owners) {
      const owner = this.graph.get(ref.uid);
      if (owner?.deletingDependents) this.out.attemptToDelete(owner.uid, `dependent ${node.identity.kind} ${node.identity.name} is gone`);
    }
  }

  private reportInvalidNamespace(dep: GraphNode, ownerUid: string): void {
    const ref = dep.owners.find((r) => r.uid === ownerUid);
    if (!ref) return;
    const claimed = identityOfRef(ref, dep.identity.namespace);
    this.out.invalidOwnerNamespace(dep.identity, `ownerRef ${describeIdentity(claimed)} does not exist in namespace "${dep.identity.namespace}"`);
  }
}

function deletionStartsWith(finalizer: string, obj: KubeObject, old: KubeObject | undefined): boolean {
  if (!beingDeleted(obj) || !hasFinalizer(obj, finalizer)) return false;
  return !old || !beingDeleted(old) || !hasFinalizer(old, finalizer);
}

function sameRef(a: OwnerRef, b: OwnerRef): boolean {
  return (
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    a.name === b.name &&
    a.uid === b.uid &&
    a.controller === b.controller &&
    a.blockOwnerDeletion === b.blockOwnerDeletion
  );
}

/** Undefined when nothing changed: the common case of a status update. */
function diffRefs(before: readonly OwnerRef[], after: readonly OwnerRef[]): RefDiff | undefined {
  if (before.length === after.length && before.every((r, i) => sameRef(r, after[i] as OwnerRef))) return undefined;
  const prev = new Map(before.map((r) => [r.uid, r]));
  const next = new Map(after.map((r) => [r.uid, r]));
  const diff: RefDiff = { added: [], removed: [], changed: [] };
  for (const r of after) {
    const p = prev.get(r.uid);
    if (!p) diff.added.push(r);
    else if (!sameRef(p, r)) diff.changed.push({ before: p, after: r });
  }
  for (const r of before) if (!next.has(r.uid)) diff.removed.push(r);
  return diff.added.length || diff.removed.length || diff.changed.length ? diff : undefined;
}

/** Splits an owner's dependents by whether their reference agrees with `id` (a dependent can do both when it
 * carries the uid twice). */
function partitionDependents(owner: GraphNode, id: Identity): { matching: GraphNode[]; mismatched: GraphNode[] } {
  const matching: GraphNode[] = [];
  const mismatched: GraphNode[] = [];
  for (const d of owner.dependents) {
    let match = false;
    let mismatch = false;
    if (id.namespace && d.identity.namespace !== id.namespace) mismatch = true;
    else {
      for (const ref of d.owners) {
        if (ref.uid !== id.uid) continue;
        if (refMatches(ref, id)) match = true;
        else mismatch = true;
      }
    }
    if (match) matching.push(d);
    if (mismatch) mismatched.push(d);
  }
  return { matching, mismatched };
}

/** Another set of coordinates some dependent uses for the same uid. Taking the next one in a fixed order after
 * the one just disproved walks through all of them instead of retrying the same one. */
function alternateIdentity(deps: GraphNode[], absent: Identity): Identity | undefined {
  const absentKey = identityKey(absent);
  const seen = new Map<string, Identity>();
  for (const d of deps) {
    for (const ref of d.owners) {
      if (ref.uid !== absent.uid) continue;
      if (refMatches(ref, absent) && (!absent.namespace || absent.namespace === d.identity.namespace)) continue;
      const cand = identityOfRef(ref, d.identity.namespace);
      // The disproved identity showed this apiVersion/kind to be cluster-scoped.
      if (!absent.namespace && cand.apiVersion === absent.apiVersion && cand.kind === absent.kind) cand.namespace = '';
      const k = identityKey(cand);
      if (k !== absentKey) seen.set(k, cand);
    }
  }
  const keys = [...seen.keys()].sort();
  const next = keys.find((k) => k > absentKey) ?? keys[0];
  return next === undefined ? undefined : seen.get(next);
}
