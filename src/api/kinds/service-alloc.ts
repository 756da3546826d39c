// Cluster IPs and node ports for Services, shared by every API server on one store. Like kube-apiserver's
// IPAddress allocator, a value is held by a record in the store (service-alloc-records.ts), so two servers
// cannot hand out the same one:
// - admit (synchronous) chooses: requested values are checked against the cache, free ones are picked from it
//   and written into the spec, so validation and the response see them;
// - validate writes the records; an automatic pick that another server took meanwhile moves to another value,
//   a requested one answers kube's Invalid;
// - rollback deletes the records of a write that did not happen; `committed` frees what an update dropped or a
//   deletion removed, once the Service's own write is in the store.
import type { AdmissionPlugin, AdmissionRequest } from '../../apiserver/storage/admission.js';
import type { Clock } from '../../clock/clock.js';
import { type Entry, type Store, StoreConflictError } from '../../store/store.js';
import { errors } from '../errors.js';
import type { FieldError } from '../types.js';
import { goStringSlice } from './go-render.js';
import { arrayOf, isObj, type Obj, specOf } from './object-helpers.js';
import { AllocationRecords, type Held, refOf, sameService, type ServiceRef, serviceKey } from './service-alloc-records.js';
import { AllocationRepair } from './service-alloc-repair.js';
import { inRange, ipRange, portRange, type ValueRange } from './service-ranges.js';
import { allocatesNodePorts, isHeadless, needsClusterIP, needsHealthCheck, needsNodePorts } from './service-shape.js';

export { DEFAULT_NODE_PORT_RANGE, DEFAULT_SERVICE_CIDR } from './service-ranges.js';

export interface ServiceAllocatorOptions {
  store: Store;
  clock: Clock;
  /** IPv4 service CIDR (default 10.96.0.0/12). */
  cidr?: string;
  nodePortRange?: [number, number];
  /** Source of randomness in [0, 1); pass a seeded one for reproducible addresses. */
  random?: () => number;
  /** How often the repair pass runs, and how old a record must be before it may repair it away. */
  repairIntervalMs?: number;
  leakGraceMs?: number;
}

export interface ServiceAddressAllocator {
  readonly records: AllocationRecords;
  readonly repair: AllocationRepair;
  /** Settles once the first repair pass is over: until then a Service stored by an older version may hold a
   * value without a record, so claims wait for it. */
  readonly ready: Promise<void>;
  stop(): void;
}

/** Allocation records over `store`, with the repair pass started (its first run migrates older data). */
export function createServiceAllocator(opts: ServiceAllocatorOptions): ServiceAddressAllocator {
  const records = new AllocationRecords(opts.store, opts.clock, ipRange(opts.cidr), portRange(opts.nodePortRange), opts.random ?? Math.random);
  const repair = new AllocationRepair(records, opts.clock, opts.repairIntervalMs, opts.leakGraceMs);
  const ready = repair.start().then(
    () => undefined,
    () => undefined,
  );
  return { records, repair, ready, stop: () => repair.stop() };
}

/** A value this request needs a record for. */
interface Claim {
  range: ValueRange;
  value: number;
  /** Write an automatic pick into the spec; called again when another server took the value first. */
  assign?: Array<(n: number) => void>;
  /** The Invalid cause for a requested value someone else holds. */
  refuse?: () => FieldError;
}

interface Plan {
  svc: ServiceRef;
  claims: Claim[];
  /** Values this request holds or chose, per range: never picked twice. */
  used: Map<ValueRange, Set<number>>;
  /** Records written so far (what rollback deletes). */
  made: Entry[];
}

function rangeFull(r: ValueRange): string {
  return r.kind === 'ip' ? 'failed to allocate a serviceIP: range is full' : 'failed to allocate a nodePort: range is full';
}

function portsOf(spec: Obj): Obj[] {
  return arrayOf(spec.ports).filter(isObj);
}

/** Works out, against the cache, which values a create or update needs; writes automatic picks into the spec. */
class Planner {
  readonly plan: Plan;
  private readonly autoPorts = new Map<number, Claim>();

  constructor(
    private readonly records: AllocationRecords,
    private readonly req: AdmissionRequest,
  ) {
    this.plan = { svc: refOf(req.object), claims: [], used: new Map([[records.ips, new Set()], [records.ports, new Set()]]), made: [] };
  }

  private used(r: ValueRange): Set<number> {
    return this.plan.used.get(r) as Set<number>;
  }

  private invalid(cause: FieldError): never {
    throw errors.invalid(this.req.descriptor, this.req.object.metadata.name ?? '', [cause]);
  }

  /** A requested value: refused when outside the range or held by another Service; kept when this one holds it. */
  private request(r: ValueRange, n: number, refuse: (why: string) => FieldError): void {
    if (!inRange(r, n)) this.invalid(refuse(r.outside(r.text(n))));
    const owner = this.records.owner(r, n);
    if (this.used(r).has(n) || (owner && !sameService(owner, this.plan.svc))) this.invalid(refuse(r.taken));
    this.used(r).add(n);
    if (!owner) this.plan.claims.push({ range: r, value: n, refuse: () => refuse(r.taken) });
  }

  private auto(r: ValueRange, assign: (n: number) => void): Claim {
    const n = this.records.pick(r, this.used(r));
    if (n === undefined) throw errors.internal(rangeFull(r));
    this.used(r).add(n);
    const claim: Claim = { range: r, value: n, assign: [assign] };
    this.plan.claims.push(claim);
    assign(n);
    return claim;
  }

  clusterIPs(spec: Obj): void {
    if (!needsClusterIP(spec) || isHeadless(spec)) return;
    const ips = arrayOf(spec.clusterIPs) as string[];
    const r = this.records.ips;
    if (ips.length === 0) {
      this.auto(r, (n) => {
        spec.clusterIP = r.text(n);
        spec.clusterIPs = [spec.clusterIP];
      });
      return;
    }
    const ip = ips[0] as string;
    const refuse = (why: string): FieldError => ({
      reason: 'FieldValueInvalid',
      field: 'spec.clusterIPs',
      message: `Invalid value: ${goStringSlice(ips)}: failed to allocate IP ${ip}: ${why}`,
    });
    const n = r.parse(ip);
    if (n === undefined) this.invalid(refuse(r.outside(ip)));
    this.request(r, n, refuse);
  }

  private requestPort(port: number, field: string): void {
    this.request(this.records.ports, port, (why) => ({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${port}: ${why}` }));
  }

  /** An automatic node port for `p` (ports sharing a number, TCP and UDP 53, share one node port). */
  private autoPort(p: Obj, field = 'nodePort'): number {
    const claim = this.auto(this.records.ports, (n) => (p[field] = n));
    this.autoPorts.set(claim.value, claim);
    return claim.value;
  }

  createNodePorts(spec: Obj): void {
    if (!needsNodePorts(spec)) return;
    const ports = portsOf(spec);
    const byPort = new Map<number, number>();
    ports.forEach((p, i) => {
      if (!p.nodePort && !allocatesNodePorts(spec)) return;
      const field = `spec.ports[${i}].nodePort`;
      const known = byPort.get(p.port as number);
      if (known === undefined) {
        const requested = ports.slice(i).find((q) => q.port === p.port && q.nodePort)?.nodePort as number | undefined;
        if (requested) this.requestPort(requested, field);
        p.nodePort = requested ?? this.autoPort(p);
        byPort.set(p.port as number, p.nodePort as number);
      } else if (p.nodePort !== known) {
        if (!p.nodePort) {
          p.nodePort = known;
          this.autoPorts.get(known)?.assign?.push((n) => (p.nodePort = n));
        } else this.requestPort(p.nodePort as number, field);
      }
    });
  }

  healthCheckPort(spec: Obj): void {
    if (!needsHealthCheck(spec)) return;
    if (spec.healthCheckNodePort) this.requestPort(spec.healthCheckNodePort as number, 'spec.healthCheckNodePort');
    else this.autoPort(spec, 'healthCheckNodePort');
  }

  /** New node ports only: the ones the old object has stay its own, the ones it drops are freed on commit. */
  updateNodePorts(spec: Obj, old: Obj): void {
    if (!needsNodePorts(spec)) return;
    const oldPorts = new Set(portsOf(old).map((p) => Number(p.nodePort ?? 0)).filter((n) => n > 0));
    for (const n of oldPorts) this.used(this.records.ports).add(n);
    const claimed = new Set<number>();
    portsOf(spec).forEach((p, i) => {
      if (!p.nodePort && !allocatesNodePorts(spec)) return;
      if (p.nodePort) {
        const n = p.nodePort as number;
        if (!oldPorts.has(n) && !claimed.has(n)) this.requestPort(n, `spec.ports[${i}].nodePort`);
      } else p.nodePort = this.autoPort(p);
      claimed.add(p.nodePort as number);
    });
  }

  updateHealthCheckPort(spec: Obj, old: Obj): void {
    if (!needsHealthCheck(old) && needsHealthCheck(spec)) this.healthCheckPort(spec);
  }
}

/** Writes one claim's record, moving an automatic pick on to another value while others win the race. */
async function claimOne(records: AllocationRecords, plan: Plan, c: Claim): Promise<void> {
  let retriedRequest = false;
  for (;;) {
    try {
      plan.made.push(await records.claim(c.range, c.value, plan.svc));
      return;
    } catch (err) {
      if (!(err instanceof StoreConflictError)) throw err;
    }
    const used = plan.used.get(c.range) as Set<number>;
    if (!c.assign) {
      const owner = await records.ownerAfterConflict(c.range, c.value);
      // Another server creating this same Service (the default/kubernetes one at start): its create or ours
      // fails as AlreadyExists, which is the answer the client should get.
      if (sameService(owner, plan.svc)) return;
      // Released between our read and our write: one more try.
      if (!owner && !retriedRequest) {
        retriedRequest = true;
        continue;
      }
      throw errors.invalid({ group: '', kind: 'Service' }, plan.svc.name, [(c.refuse as () => FieldError)()]);
    }
    const next = records.pick(c.range, used);
    if (next === undefined) throw errors.internal(rangeFull(c.range));
    used.add(next);
    c.value = next;
    for (const assign of c.assign) assign(next);
  }
}

async function claimAll(alloc: ServiceAddressAllocator, plan: Plan): Promise<void> {
  await alloc.ready;
  // All claims settle before an error is reported, so rollback sees every record that was written.
  const results = await Promise.allSettled(plan.claims.map((c) => claimOne(alloc.records, plan, c)));
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}

function isService(req: AdmissionRequest): boolean {
  return req.descriptor.group === '' && req.descriptor.kind === 'Service' && !req.subresource;
}

/** What a committed write stopped holding. */
function released(records: AllocationRecords, req: AdmissionRequest, removed: boolean): Held[] {
  const now = records.held(req.object);
  const kept = (h: Held) => now.some((k) => k.range === h.range && k.value === h.value);
  if (removed) return req.old ? [...now, ...records.held(req.old).filter((h) => !kept(h))] : now;
  if (req.operation !== 'UPDATE' || !req.old) return [];
  return records.held(req.old).filter((h) => !kept(h));
}

/** Allocates on create, adjusts on type and port changes, frees on delete; undone when the write fails. */
export function serviceAddressAdmission(alloc: ServiceAddressAllocator): AdmissionPlugin {
  const { records } = alloc;
  const plans = new WeakMap<AdmissionRequest, Plan>();
  return {
    name: 'ServiceAddressAllocation',
    admit(req) {
      if (!isService(req)) return;
      const p = new Planner(records, req);
      const spec = specOf(req.object);
      const old = req.old ? specOf(req.old) : undefined;
      if (req.operation === 'CREATE') {
        p.clusterIPs(spec);
        p.createNodePorts(spec);
        p.healthCheckPort(spec);
      } else if (req.operation === 'UPDATE' && old) {
        if (!needsClusterIP(old) && needsClusterIP(spec)) p.clusterIPs(spec);
        p.updateNodePorts(spec, old);
        p.updateHealthCheckPort(spec, old);
      }
      // A dry run shows what would be allocated and refuses what is taken, but claims nothing.
      if (p.plan.claims.length > 0 && !req.dryRun) plans.set(req, p.plan);
    },
    validate(req) {
      const plan = plans.get(req);
      return plan ? claimAll(alloc, plan) : undefined;
    },
    async rollback(req) {
      const plan = plans.get(req);
      plans.delete(req);
      if (!plan) return;
      // A same-named Service another server stored may have kept the value it requested (see claimOne).
      const winner = records.store.get(serviceKey(plan.svc))?.object;
      const kept = winner && winner.metadata.uid !== plan.svc.uid ? records.held(winner) : [];
      const ours = plan.made.filter((e) => !kept.some((h) => records.key(h.range, h.value) === e.key));
      await Promise.all(ours.map((e) => records.drop(e).catch(() => undefined)));
    },
    committed(req, removed) {
      plans.delete(req);
      if (!isService(req)) return undefined;
      const gone = released(records, req, removed);
      if (gone.length === 0) return undefined;
      const svc = refOf(req.object);
      // The Service's write is in: a release that fails leaves a record the repair pass removes later.
      return Promise.all(gone.map((h) => records.release(h.range, h.value, svc).catch(() => undefined))).then(() => undefined);
    },
  };
}
