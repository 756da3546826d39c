// Addresses of simulated node number i, following kind's layout: the node answers on 172.18.0.<i+1> and its
// pods get addresses from 10.244.<i>.0/24 (assigned like the controller manager's node IPAM would).
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Random } from '../random.js';
import { intToIP, ipToInt } from '../../api/kinds/service-ranges.js';

export function nodeInternalIP(index: number): string {
  const n = index + 1;
  return `172.18.${(n >> 8) & 255}.${n & 255}`;
}

// 10.244.0.0/14 holds the first 1,024 nodes as kind lays them out, then 10.248-255 up to 3,072; beyond that the
// second octet continues at 112..243 (clear of the Service range 10.96.0.0/12), which ends at 36,864 nodes.
const WRAP_AT = (256 - 244) * 256;
const WRAP_BASE = 112;

export function nodePodCIDR(index: number): string {
  const hi = index >> 8;
  const second = index < WRAP_AT ? 244 + hi : WRAP_BASE + hi - WRAP_AT / 256;
  if (second > 243 && index >= WRAP_AT) throw new Error(`no pod CIDR left for node number ${index}`);
  return `10.${second}.${index & 255}.0/24`;
}

/** The index a podCIDR of ours encodes, if it is one. */
export function indexOfPodCIDR(cidr: string | undefined): number | undefined {
  const m = /^10\.(\d+)\.(\d+)\.0\/24$/.exec(cidr ?? '');
  if (!m) return undefined;
  const second = Number(m[1]);
  const lo = Number(m[2]);
  if (second >= 244 && second <= 255) return (second - 244) * 256 + lo;
  if (second >= WRAP_BASE && second <= 243) return WRAP_AT + (second - WRAP_BASE) * 256 + lo;
  return undefined;
}

/** Picks the node's number: `node-<i>` keeps i, a node with one of our podCIDRs keeps its index, others get
 * the smallest free number. */
export function chooseIndex(node: Node, taken: ReadonlySet<number>): number {
  const fromCIDR = indexOfPodCIDR(node.spec?.podCIDR);
  if (fromCIDR !== undefined && fromCIDR > 0 && !taken.has(fromCIDR)) return fromCIDR;
  const m = /^node-(\d+)$/.exec(node.metadata?.name ?? '');
  const fromName = m ? Number(m[1]) : undefined;
  if (fromName !== undefined && fromName > 0 && fromName < 65_000 && !taken.has(fromName)) return fromName;
  let i = 1;
  while (taken.has(i)) i++;
  return i;
}

export interface MachineIdentity {
  machineID: string;
  systemUUID: string;
  bootID: string;
}

export function machineIdentity(random: Random): MachineIdentity {
  return { machineID: random.hex(32), systemUUID: random.uuid(), bootID: random.uuid() };
}

/** Pod addresses of one node: handed out in turn through the range (as host-local IPAM does); the first
 * address is the bridge's, and a range wider than a /24 is used as one /24. */
export class PodIPAllocator {
  private readonly used = new Set<number>();
  private readonly first: number;
  private readonly last: number;
  private next: number;

  constructor(cidr: string) {
    const [base, bits] = cidr.split('/');
    const start = ipToInt(base ?? '') ?? ipToInt('10.244.0.0') as number;
    const size = Math.min(256, 2 ** (32 - Math.min(30, Math.max(0, Number(bits) || 24))));
    this.first = start + 2;
    this.last = start + size - 2;
    this.next = this.first;
  }

  allocate(): string | undefined {
    const count = this.last - this.first + 1;
    for (let tries = 0; tries < count; tries++) {
      const host = this.next;
      this.next = this.next >= this.last ? this.first : this.next + 1;
      if (!this.used.has(host)) {
        this.used.add(host);
        return intToIP(host);
      }
    }
    return undefined;
  }

  reserve(ip: string): void {
    const n = ipToInt(ip);
    if (n !== undefined) this.used.add(n);
  }

  release(ip: string): void {
    const n = ipToInt(ip);
    if (n !== undefined) this.used.delete(n);
  }
}
