// Cluster IPs and node ports for Services. kube-apiserver hands them out from bitmaps while it stores a
// Service; here an admission plugin does it with an allocator the server owns (and re-seeds from stored
// Services at start with reserveServiceAddresses).
import type { AdmissionPlugin, AdmissionRequest } from '../../apiserver/storage/admission.js';
import { errors } from '../errors.js';
import type { FieldError, KubeObject } from '../types.js';
import { goStringSlice } from './go-render.js';
import { arrayOf, isObj, type Obj, specOf } from './object-helpers.js';
import { allocatesNodePorts, isHeadless, needsClusterIP, needsHealthCheck, needsNodePorts } from './service-shape.js';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const DEFAULT_NODE_PORT_RANGE: [number, number] = [30000, 32767];

/** Where Service addresses come from. Reserve/release calls for values not handed out are harmless. */
export interface ServiceAddressAllocator {
  /** A free cluster IP, or undefined when the range is exhausted. */
  allocateClusterIP(): string | undefined;
  /** Claims a specific IP; returns kube's reason when it cannot (taken, outside the range). */
  reserveClusterIP(ip: string): string | undefined;
  releaseClusterIP(ip: string): void;
  allocateNodePort(): number | undefined;
  reserveNodePort(port: number): string | undefined;
  releaseNodePort(port: number): void;
}

export interface ServiceAllocatorOptions {
  /** IPv4 service CIDR (default 10.96.0.0/12). */
  cidr?: string;
  nodePortRange?: [number, number];
  /** Source of randomness in [0, 1); pass a seeded one for reproducible addresses. */
  random?: () => number;
}

function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function intToIP(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/**
 * An in-memory allocator over an IPv4 CIDR and a node port range. Like kube it picks random free values, using
 * the low end of each range (which users pick for fixed addresses) only when the rest is full.
 */
export function createServiceAllocator(opts: ServiceAllocatorOptions = {}): ServiceAddressAllocator {
  const cidr = opts.cidr ?? DEFAULT_SERVICE_CIDR;
  const [net, bitsText] = cidr.split('/');
  const base = ipToInt(net ?? '');
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 1 || bits > 30) throw new Error(`invalid service CIDR ${cidr}`);
  const size = 2 ** (32 - bits);
  const first = base + 1;
  const last = base + size - 2;
  const [portMin, portMax] = opts.nodePortRange ?? DEFAULT_NODE_PORT_RANGE;
  const random = opts.random ?? Math.random;
  const ips = new Set<number>();
  const ports = new Set<number>();

  // Random start in the upper band, then a linear probe; the lower band is the fallback.
  function pick(lo: number, hi: number, band: number, used: Set<number>): number | undefined {
    const bandEnd = Math.min(hi, lo + band - 1);
    for (const [a, b] of [[bandEnd + 1, hi], [lo, bandEnd]] as const) {
      const n = b - a + 1;
      if (n <= 0) continue;
      const start = Math.floor(random() * n);
      for (let i = 0; i < n; i++) {
        const v = a + ((start + i) % n);
        if (!used.has(v)) return v;
      }
    }
    return undefined;
  }

  const ipBand = Math.min(Math.max(16, Math.floor(size / 16)), 256);
  const portBand = Math.min(Math.max(16, Math.floor((portMax - portMin + 1) / 16)), 128);

  return {
    allocateClusterIP() {
      const n = pick(first, last, ipBand, ips);
      if (n === undefined) return undefined;
      ips.add(n);
      return intToIP(n);
    },
    reserveClusterIP(ip) {
      const n = ipToInt(ip);
      if (n === undefined || n < first || n > last) return `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${cidr}`;
      if (ips.has(n)) return 'provided IP is already allocated';
      ips.add(n);
      return undefined;
    },
    releaseClusterIP(ip) {
      const n = ipToInt(ip);
      if (n !== undefined) ips.delete(n);
    },
    allocateNodePort() {
      const p = pick(portMin, portMax, portBand, ports);
      if (p !== undefined) ports.add(p);
      return p;
    },
    reserveNodePort(port) {
      if (port < portMin || port > portMax) return `provided port is not in the valid range. The range of valid ports is ${portMin}-${portMax}`;
      if (ports.has(port)) return 'provided port is already allocated';
      ports.add(port);
      return undefined;
    },
    releaseNodePort(port) {
      ports.delete(port);
    },
  };
}

interface Ledger {
  ips: string[];
  ports: number[];
  releasedIPs: string[];
  releasedPorts: number[];
}

function portsOf(spec: Obj): Obj[] {
  return arrayOf(spec.ports).filter(isObj);
}

function nodePortsOf(spec: Obj): number[] {
  const out = portsOf(spec).map((p) => Number(p.nodePort ?? 0)).filter((n) => n > 0);
  if (needsHealthCheck(spec) && spec.healthCheckNodePort) out.push(Number(spec.healthCheckNodePort));
  return out;
}

class Allocation {
  readonly ledger: Ledger = { ips: [], ports: [], releasedIPs: [], releasedPorts: [] };

  constructor(
    private readonly alloc: ServiceAddressAllocator,
    private readonly req: AdmissionRequest,
  ) {}

  private invalid(cause: FieldError): never {
    throw errors.invalid(this.req.descriptor, this.req.object.metadata.name ?? '', [cause]);
  }

  clusterIPs(spec: Obj): void {
    if (!needsClusterIP(spec) || isHeadless(spec)) return;
    const ips = arrayOf(spec.clusterIPs) as string[];
    if (ips.length === 0) {
      const ip = this.alloc.allocateClusterIP();
      if (!ip) throw errors.internal('failed to allocate a serviceIP: range is full');
      this.ledger.ips.push(ip);
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
      return;
    }
    const ip = ips[0] as string;
    const why = this.alloc.reserveClusterIP(ip);
    if (why) this.invalid({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: ${goStringSlice(ips)}: failed to allocate IP ${ip}: ${why}` });
    this.ledger.ips.push(ip);
  }

  private reservePort(port: number, field: string): void {
    const why = this.alloc.reserveNodePort(port);
    if (why) this.invalid({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${port}: ${why}` });
    this.ledger.ports.push(port);
  }

  private nextPort(): number {
    const p = this.alloc.allocateNodePort();
    if (p === undefined) throw errors.internal('failed to allocate a nodePort: range is full');
    this.ledger.ports.push(p);
    return p;
  }

  /** Node ports on create: ports sharing a number (TCP and UDP 53) share one node port. */
  createNodePorts(spec: Obj): void {
    if (!needsNodePorts(spec)) return;
    const ports = portsOf(spec);
    const byPort = new Map<number, number>();
    ports.forEach((p, i) => {
      if (!p.nodePort && !allocatesNodePorts(spec)) return;
      const field = `spec.ports[${i}].nodePort`;
      const known = byPort.get(p.port);
      if (known === undefined) {
        const requested = ports.slice(i).find((q) => q.port === p.port && q.nodePort)?.nodePort as number | undefined;
        if (requested) this.reservePort(requested, field);
        p.nodePort = requested ?? this.nextPort();
        byPort.set(p.port, p.nodePort);
      } else if (p.nodePort !== known) {
        if (!p.nodePort) p.nodePort = known;
        else this.reservePort(p.nodePort, field);
      }
    });
  }

  healthCheckPort(spec: Obj): void {
    if (!needsHealthCheck(spec)) return;
    if (spec.healthCheckNodePort) this.reservePort(spec.healthCheckNodePort, 'spec.healthCheckNodePort');
    else spec.healthCheckNodePort = this.nextPort();
  }

  updateNodePorts(spec: Obj, old: Obj): void {
    const oldPorts = new Set(portsOf(old).map((p) => Number(p.nodePort ?? 0)).filter((n) => n > 0));
    if (needsNodePorts(old) && !needsNodePorts(spec)) {
      for (const n of oldPorts) this.release(n);
      return;
    }
    if (!needsNodePorts(spec)) return;
    const claimed = new Set<number>();
    portsOf(spec).forEach((p, i) => {
      if (!p.nodePort && !allocatesNodePorts(spec)) return;
      if (p.nodePort) {
        if (!oldPorts.has(p.nodePort) && !claimed.has(p.nodePort)) this.reservePort(p.nodePort, `spec.ports[${i}].nodePort`);
      } else p.nodePort = this.nextPort();
      claimed.add(p.nodePort);
    });
    for (const n of oldPorts) if (!claimed.has(n)) this.release(n);
  }

  updateHealthCheckPort(spec: Obj, old: Obj): void {
    const had = needsHealthCheck(old);
    const has = needsHealthCheck(spec);
    if (!had && has) this.healthCheckPort(spec);
    else if (had && !has && old.healthCheckNodePort) this.release(Number(old.healthCheckNodePort));
  }

  release(port: number): void {
    this.alloc.releaseNodePort(port);
    this.ledger.releasedPorts.push(port);
  }

  releaseIPs(spec: Obj): void {
    for (const ip of arrayOf(spec.clusterIPs) as string[]) {
      if (ip === 'None') continue;
      this.alloc.releaseClusterIP(ip);
      this.ledger.releasedIPs.push(ip);
    }
  }
}

function undo(alloc: ServiceAddressAllocator, l: Ledger): void {
  for (const ip of l.ips) alloc.releaseClusterIP(ip);
  for (const p of l.ports) alloc.releaseNodePort(p);
  for (const ip of l.releasedIPs) alloc.reserveClusterIP(ip);
  for (const p of l.releasedPorts) alloc.reserveNodePort(p);
}

function isService(req: AdmissionRequest): boolean {
  return req.descriptor.group === '' && req.descriptor.kind === 'Service' && !req.subresource;
}

/** Allocates on create, adjusts on type and port changes, frees on delete; undone when the write fails. */
export function serviceAddressAdmission(alloc: ServiceAddressAllocator): AdmissionPlugin {
  const ledgers = new WeakMap<AdmissionRequest, Ledger>();
  return {
    name: 'ServiceAddressAllocation',
    admit(req) {
      if (!isService(req)) return;
      const a = new Allocation(alloc, req);
      const spec = specOf(req.object);
      const old = req.old ? specOf(req.old) : undefined;
      try {
        if (req.operation === 'CREATE') {
          a.clusterIPs(spec);
          a.createNodePorts(spec);
          a.healthCheckPort(spec);
        } else if (req.operation === 'UPDATE' && old) {
          if (!needsClusterIP(old) && needsClusterIP(spec)) a.clusterIPs(spec);
          else if (needsClusterIP(old) && !needsClusterIP(spec) && !isHeadless(old)) a.releaseIPs(old);
          a.updateNodePorts(spec, old);
          a.updateHealthCheckPort(spec, old);
        } else if (req.operation === 'DELETE' && (req.object.metadata.finalizers ?? []).length === 0) {
          if (needsClusterIP(spec) && !isHeadless(spec)) a.releaseIPs(spec);
          for (const n of nodePortsOf(spec)) a.release(n);
        }
      } catch (err) {
        undo(alloc, a.ledger);
        throw err;
      }
      // A dry run shows what would be allocated without keeping it.
      if (req.dryRun) undo(alloc, a.ledger);
      else ledgers.set(req, a.ledger);
    },
    rollback(req) {
      const l = ledgers.get(req);
      if (l) undo(alloc, l);
      ledgers.delete(req);
    },
  };
}

/** Marks the addresses of an already stored Service as taken (server start, or after loading a snapshot). */
export function reserveServiceAddresses(alloc: ServiceAddressAllocator, svc: KubeObject): void {
  const spec = specOf(svc);
  if (needsClusterIP(spec) && !isHeadless(spec)) for (const ip of arrayOf(spec.clusterIPs) as string[]) alloc.reserveClusterIP(ip);
  for (const n of nodePortsOf(spec)) alloc.reserveNodePort(n);
}
