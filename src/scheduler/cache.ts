// The scheduler's view of the cluster: nodes and the pods counted against them. A pod counts from the moment
// the scheduler picks its node (assumed), before the binding has even reached the API, so the next decision
// already sees the space taken — kube's assume cache. The informer later confirms it, or a failed binding
// forgets it.
import type { KubeObject } from '../api/types.js';
import { NodeInfo, type AccountedPod, type NodeChange } from './nodeinfo.js';
import { hostPortsOf, podKey, podPriority, spreadOwnerOf, type PodInfo } from './podinfo.js';
import { podRequests } from './resources.js';

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, AccountedPod>();
  private liveCache: NodeInfo[] | undefined;

  /** Nodes that exist, sorted by name so decisions are reproducible. */
  liveNodes(): NodeInfo[] {
    if (!this.liveCache) {
      this.liveCache = [...this.nodes.values()].filter((n) => n.node).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    return this.liveCache;
  }

  node(name: string): NodeInfo | undefined {
    const n = this.nodes.get(name);
    return n?.node ? n : undefined;
  }

  upsertNode(node: KubeObject): Set<NodeChange> {
    const name = node.metadata.name ?? '';
    let info = this.nodes.get(name);
    if (!info) this.nodes.set(name, (info = new NodeInfo(name)));
    const changes = info.setNode(node);
    if (changes.has('added')) this.liveCache = undefined;
    return changes;
  }

  deleteNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    this.liveCache = undefined;
    // Pods still bound to a vanished node keep their accounting until they go too (as kube keeps a ghost node).
    if (info.podCount === 0) this.nodes.delete(name);
    else delete info.node;
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed === true;
  }

  has(key: string): boolean {
    return this.pods.has(key);
  }

  assume(info: PodInfo, nodeName: string): void {
    this.remove(info.key);
    this.add({
      key: info.key,
      uid: info.pod.metadata.uid ?? '',
      nodeName,
      priority: info.priority,
      requests: info.requests,
      nonZero: info.nonZero,
      hostPorts: info.hostPorts,
      ...(info.spreadOwner ? { spreadOwner: info.spreadOwner } : {}),
      assumed: true,
    });
  }

  /** Drops an assumption whose binding failed. */
  forget(key: string): void {
    if (this.pods.get(key)?.assumed) this.remove(key);
  }

  /** Accounts a pod the informer shows bound to a node; returns true when it was not counted there before. */
  setBound(pod: KubeObject): boolean {
    const key = podKey(pod);
    const nodeName = (pod.spec as any)?.nodeName as string;
    const uid = pod.metadata.uid ?? '';
    const cur = this.pods.get(key);
    if (cur && cur.uid === uid && cur.nodeName === nodeName) {
      cur.assumed = false;
      return false;
    }
    if (cur) this.remove(key);
    const spec: any = pod.spec ?? {};
    const spreadOwner = spreadOwnerOf(pod);
    this.add({
      key,
      uid,
      nodeName,
      priority: podPriority(pod),
      requests: podRequests(spec),
      nonZero: podRequests(spec, true),
      hostPorts: hostPortsOf(spec),
      ...(spreadOwner ? { spreadOwner } : {}),
      assumed: false,
    });
    return true;
  }

  /** Stops counting a pod (deleted, or finished); returns what it held. */
  remove(key: string): AccountedPod | undefined {
    const p = this.pods.get(key);
    if (!p) return undefined;
    this.pods.delete(key);
    const info = this.nodes.get(p.nodeName);
    if (info) {
      info.removePod(key);
      if (!info.node && info.podCount === 0) this.nodes.delete(p.nodeName);
    }
    return p;
  }

  private add(p: AccountedPod): void {
    this.pods.set(p.key, p);
    let info = this.nodes.get(p.nodeName);
    if (!info) this.nodes.set(p.nodeName, (info = new NodeInfo(p.nodeName)));
    info.addPod(p);
  }
}
