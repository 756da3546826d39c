// The ownership graph: one node per uid, edges from owner to dependents. A node is "virtual" until an informer
// has shown the object itself; until then it exists only because some dependent points at its uid.
import type { Resource } from '../../client/client.js';
import type { Identity, OwnerRef } from './identity.js';

export class GraphNode {
  /** Owner references as last observed; shared with the frozen informer object, never mutated. */
  owners: readonly OwnerRef[] = [];
  readonly dependents = new Set<GraphNode>();
  /** The resource the object was observed through (absent while virtual). */
  resource: Resource | undefined;
  /** Deletion is one-way: once seen, the flags stay set until the node leaves the graph. */
  beingDeleted = false;
  deletingDependents = false;
  /** Foreground bookkeeping: blocking dependents were already pushed towards deletion once, so later checks
   * only need to know whether any blocker is left (one scan per dependent's deletion would be quadratic). */
  blockersPushed = false;

  constructor(
    public identity: Identity,
    public observed: boolean,
  ) {}

  get uid(): string {
    return this.identity.uid;
  }

  /** Does `d` keep this owner's foreground deletion waiting? */
  isBlockedBy(d: GraphNode): boolean {
    return d.owners.some((r) => r.uid === this.uid && r.blockOwnerDeletion === true);
  }
}

export class Graph {
  private readonly nodes = new Map<string, GraphNode>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  put(n: GraphNode): void {
    this.nodes.set(n.uid, n);
  }

  delete(uid: string): void {
    this.nodes.delete(uid);
  }

  get size(): number {
    return this.nodes.size;
  }
}
