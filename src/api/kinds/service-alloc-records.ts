// Service address allocation state kept in the store, so every API server on one etcd shares it: one record per
// allocated cluster IP or node port, created with the store's atomic create (a conflict means someone holds the
// value) and deleted on release. This is kube's IPAddress-per-IP design (1.31+), used for node ports too. Each
// record names its Service, which is what the repair pass checks it against.
import { listPrefix, objectKey } from '../../apiserver/storage/keys.js';
import { type Clock, rfc3339 } from '../../clock/clock.js';
import { type Entry, type Store, StoreConflictError } from '../../store/store.js';
import type { KubeObject } from '../types.js';
import { arrayOf, isObj, type Obj, specOf } from './object-helpers.js';
import { inRange, pickFree, type ValueRange } from './service-ranges.js';
import { isHeadless, needsClusterIP, needsHealthCheck } from './service-shape.js';
import { serviceDescriptor } from './service.js';

export interface ServiceRef {
  namespace: string;
  name: string;
  uid?: string;
}

/** One allocated value: the range it is in and the value. */
export interface Held {
  range: ValueRange;
  value: number;
}

export const SERVICES_PREFIX = listPrefix(serviceDescriptor);

export function serviceKey(ref: ServiceRef): string {
  return objectKey(serviceDescriptor, ref.namespace, ref.name);
}

export function refOf(svc: KubeObject): ServiceRef {
  const m = svc.metadata;
  const ref: ServiceRef = { namespace: m.namespace ?? '', name: m.name ?? '' };
  if (m.uid) ref.uid = m.uid;
  return ref;
}

export function sameService(a: ServiceRef | undefined, b: ServiceRef): boolean {
  return !!a && a.namespace === b.namespace && a.name === b.name;
}

function ownerOf(e: Entry | undefined): ServiceRef | undefined {
  const s = e?.object.service;
  return isObj(s) && typeof s.namespace === 'string' && typeof s.name === 'string' ? (s as unknown as ServiceRef) : undefined;
}

export class AllocationRecords {
  /** Keys this process is creating right now: not in the cache yet, but not free either. */
  private readonly pending = new Set<string>();

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly ips: ValueRange,
    readonly ports: ValueRange,
    private readonly random: () => number,
  ) {}

  key(r: ValueRange, n: number): string {
    return r.prefix + r.text(n);
  }

  /** The Service a value is allocated to, as this process's cache knows it. */
  owner(r: ValueRange, n: number): ServiceRef | undefined {
    return ownerOf(this.store.get(this.key(r, n)));
  }

  isFree(r: ValueRange, n: number): boolean {
    const key = this.key(r, n);
    return !this.pending.has(key) && !this.store.get(key);
  }

  /** A free value not in `exclude` (values this request already uses), or undefined when the range is full. */
  pick(r: ValueRange, exclude: ReadonlySet<number>): number | undefined {
    return pickFree(r, this.random, (n) => !exclude.has(n) && this.isFree(r, n));
  }

  /** Claims a value for a Service; rejects with StoreConflictError('exists') when someone holds it. */
  async claim(r: ValueRange, n: number, svc: ServiceRef): Promise<Entry> {
    const key = this.key(r, n);
    if (this.pending.has(key)) throw new StoreConflictError(key, 'exists');
    this.pending.add(key);
    try {
      return await this.store.create(key, this.record(r, n, svc));
    } finally {
      this.pending.delete(key);
    }
  }

  /**
   * The owner of a value whose claim just conflicted. The cache of a remote store may not have the winning
   * record yet; a delete that cannot match (no record has modRevision 0) makes the store catch up with the key
   * without changing anything, after which the cache answers.
   */
  async ownerAfterConflict(r: ValueRange, n: number): Promise<ServiceRef | undefined> {
    const key = this.key(r, n);
    if (!this.store.get(key)) await this.store.delete(key, 0).catch(() => undefined);
    return this.owner(r, n);
  }

  /** Frees a value if `svc` still holds its record. Never throws: a record left behind is the repair's job. */
  async release(r: ValueRange, n: number, svc: ServiceRef): Promise<void> {
    const e = this.store.get(this.key(r, n));
    if (!e || !sameService(ownerOf(e), svc)) return;
    await this.drop(e);
  }

  /** Deletes a record exactly as it was read; a newer version or a missing record is left alone. */
  async drop(e: Entry): Promise<void> {
    try {
      await this.store.delete(e.key, e.modRevision);
    } catch (err) {
      if (!(err instanceof StoreConflictError)) throw err;
    }
  }

  /** Every allocation record of one range, with the value and the Service it names. */
  records(r: ValueRange): Array<{ entry: Entry; value: number; owner: ServiceRef | undefined }> {
    const out = [];
    for (const entry of this.store.list(r.prefix).entries) {
      const value = r.parse(entry.key.slice(r.prefix.length));
      if (value !== undefined) out.push({ entry, value, owner: ownerOf(entry) });
    }
    return out;
  }

  /** When a record was written (its grace period against the repair runs from here). */
  createdAt(e: Entry): number {
    return Date.parse(e.object.metadata.creationTimestamp ?? '') || 0;
  }

  /** The cluster IPs and node ports a stored Service holds, inside this server's ranges. */
  held(svc: KubeObject): Held[] {
    const spec = specOf(svc);
    const out: Held[] = [];
    if (needsClusterIP(spec) && !isHeadless(spec)) {
      for (const ip of arrayOf(spec.clusterIPs)) {
        const n = typeof ip === 'string' ? this.ips.parse(ip) : undefined;
        if (n !== undefined && inRange(this.ips, n)) out.push({ range: this.ips, value: n });
      }
    }
    const seen = new Set<number>();
    for (const p of nodePortsOf(spec)) {
      if (inRange(this.ports, p) && !seen.has(p)) out.push({ range: this.ports, value: p });
      seen.add(p);
    }
    return out;
  }

  private record(r: ValueRange, n: number, svc: ServiceRef): KubeObject {
    return {
      apiVersion: 'v1',
      kind: r.kind === 'ip' ? 'ServiceIPAllocation' : 'ServiceNodePortAllocation',
      metadata: { name: r.text(n), creationTimestamp: rfc3339(this.clock.now()) },
      service: { ...svc },
    };
  }
}

export function nodePortsOf(spec: Obj): number[] {
  const out = arrayOf(spec.ports)
    .filter(isObj)
    .map((p) => Number(p.nodePort ?? 0))
    .filter((n) => n > 0);
  if (needsHealthCheck(spec) && spec.healthCheckNodePort) out.push(Number(spec.healthCheckNodePort));
  return out;
}
