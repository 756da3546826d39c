// The two ranges Service addresses come from (the service CIDR and the node port range) and how a free value is
// chosen in one. Values are numbers either way (an IPv4 address as its 32-bit integer); each range knows its
// store prefix, where one record per allocated value lives (see service-alloc-records.ts).

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const DEFAULT_NODE_PORT_RANGE: [number, number] = [30000, 32767];

/** Store prefixes no API resource maps to: the allocation state every API server on the store shares. */
export const IP_RECORDS = '/core/serviceipallocations/_/';
export const PORT_RECORDS = '/core/servicenodeportallocations/_/';

export interface ValueRange {
  readonly kind: 'ip' | 'port';
  readonly lo: number;
  readonly hi: number;
  /** The low values users pick for fixed addresses: used for automatic picks only when the rest is full. */
  readonly band: number;
  /** Where this range's allocation records live. */
  readonly prefix: string;
  text(n: number): string;
  /** The number a record's name or a spec value stands for, if it is one. */
  parse(text: string): number | undefined;
  /** kube's reason for refusing a value outside the range. */
  outside(text: string): string;
  /** kube's reason for refusing a value someone else holds. */
  readonly taken: string;
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function intToIP(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function ipRange(cidr = DEFAULT_SERVICE_CIDR): ValueRange {
  const [net, bitsText] = cidr.split('/');
  const base = ipToInt(net ?? '');
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 1 || bits > 30) throw new Error(`invalid service CIDR ${cidr}`);
  const size = 2 ** (32 - bits);
  return {
    kind: 'ip',
    // The network and broadcast addresses are never handed out.
    lo: base + 1,
    hi: base + size - 2,
    band: Math.min(Math.max(16, Math.floor(size / 16)), 256),
    prefix: IP_RECORDS,
    text: intToIP,
    parse: ipToInt,
    outside: (ip) => `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${cidr}`,
    taken: 'provided IP is already allocated',
  };
}

export function portRange([lo, hi]: [number, number] = DEFAULT_NODE_PORT_RANGE): ValueRange {
  return {
    kind: 'port',
    lo,
    hi,
    band: Math.min(Math.max(16, Math.floor((hi - lo + 1) / 16)), 128),
    prefix: PORT_RECORDS,
    text: String,
    parse: (t) => (/^\d{1,5}$/.test(t) ? Number(t) : undefined),
    outside: () => `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`,
    taken: 'provided port is already allocated',
  };
}

export function inRange(r: ValueRange, n: number): boolean {
  return n >= r.lo && n <= r.hi;
}

/**
 * A random free value above the low band, probing upwards from a random start; the low band only when the rest is
 * full (kube's choice, so fixed addresses users pick from the bottom rarely collide). `free` is asked per
 * candidate, so the cost is the probe length, not the number of allocated values.
 */
export function pickFree(r: ValueRange, random: () => number, free: (n: number) => boolean): number | undefined {
  const bandEnd = Math.min(r.hi, r.lo + r.band - 1);
  for (const [a, b] of [[bandEnd + 1, r.hi], [r.lo, bandEnd]] as const) {
    const n = b - a + 1;
    if (n <= 0) continue;
    const start = Math.floor(random() * n);
    for (let i = 0; i < n; i++) {
      const v = a + ((start + i) % n);
      if (free(v)) return v;
    }
  }
  return undefined;
}
