// The node's heartbeat Lease in kube-node-lease: created on start, renewed every 10 seconds with a
// microsecond renewTime. The node lifecycle controller reads it to decide whether the node is alive.
import { clone } from '../../api/meta.js';
import { leaseDescriptor } from '../../api/kinds/lease.js';
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import { type Clock, rfc3339Micro } from '../../clock/clock.js';
import { errorCode } from '../pod/status-writer.js';

export const LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;
const MAX_TRIES = 5;

export class NodeLease {
  private lease?: KubeObject;

  constructor(
    private readonly client: Client,
    private readonly clock: Clock,
    private readonly nodeName: string,
    private readonly nodeUID: () => string | undefined,
  ) {}

  private fresh(): KubeObject {
    const uid = this.nodeUID();
    const metadata: KubeObject['metadata'] = { name: this.nodeName, namespace: LEASE_NAMESPACE };
    if (uid) metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid }];
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata,
      spec: { holderIdentity: this.nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: rfc3339Micro(this.clock.now()) },
    };
  }

  /** Creates or renews the lease; on a conflict re-reads it and tries again, a few times. */
  async renew(): Promise<void> {
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      try {
        if (!this.lease) {
          try {
            this.lease = await this.client.get(leaseDescriptor, LEASE_NAMESPACE, this.nodeName);
          } catch (err) {
            if (errorCode(err) !== 404) throw err;
            this.lease = await this.client.create(leaseDescriptor, LEASE_NAMESPACE, this.fresh());
            return;
          }
        }
        const next = clone(this.lease) as KubeObject & { spec: Record<string, unknown> };
        next.spec = { ...(next.spec ?? {}), holderIdentity: this.nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: rfc3339Micro(this.clock.now()) };
        const uid = this.nodeUID();
        if (uid && !(next.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) {
          next.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid }];
        }
        this.lease = await this.client.update(leaseDescriptor, LEASE_NAMESPACE, next);
        return;
      } catch (err) {
        const code = errorCode(err);
        if (code !== 409 && code !== 404) throw err;
        this.lease = undefined;
      }
    }
  }
}
