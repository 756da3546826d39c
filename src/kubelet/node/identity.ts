// Addresses of simulated node number i, following kind's layout: the node answers on 172.18.0.<i+1> and its
// pods get addresses from 10.244.<i>.0/24 (assigned like the controller manager's node IPAM would).
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Random } from '../random.js';

export function nodeInternalIP(index: number): string {
  const n = index + 1;
  return `172.18.${(n >> 8) & 255}.${n & 255}`;
}

export function nodePodCIDR(index: number): string {
  return `10.${244 + (index >> 8)}.${index & 255}.0/24`;
}

/** The index a podCIDR of ours encodes, if it is one. */
export function indexOfPodCIDR(cidr: string | undefined): number | undefined {
  const m = /^10\.(\d+)\.(\d+)\.0\/24$/.exec(cidr ?? '');
  if (!m) return undefined;
  const hi = Number(m[1]) - 244;
  if (hi < 0) return undefined;
  return hi * 256 + Number(m[2]);
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

/** Pod addresses of one node: handed out in turn through the /24 (as host-local IPAM does), .1 is the bridge. */
export class PodIPAllocator {
  private readonly used = new Set<number>();
  private next = 2;
  private readonly prefix: string;

  constructor(cidr: string) {
    this.prefix = cidr.replace(/\.0\/24$/, '.');
  }

  allocate(): string | undefined {
    for (let tries = 0; tries < 253; tries++) {
      const host = this.next;
      this.next = this.next >= 254 ? 2 : this.next + 1;
      if (!this.used.has(host)) {
        this.used.add(host);
        return `${this.prefix}${host}`;
      }
    }
    return undefined;
  }

  reserve(ip: string): void {
    if (!ip.startsWith(this.prefix)) return;
    this.used.add(Number(ip.slice(this.prefix.length)));
  }

  release(ip: string): void {
    if (!ip.startsWith(this.prefix)) return;
    this.used.delete(Number(ip.slice(this.prefix.length)));
  }
}
