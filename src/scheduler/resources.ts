// What a pod asks of a node, computed the way kube-scheduler does (component-helpers' PodRequests): containers
// add up, init containers run one at a time so only the largest counts, sidecars (restartable init containers)
// keep running beside everything started after them, pod-level requests replace the container sum, and the
// runtime's overhead comes on top. Numbers are plain JS numbers: cpu in millicores, the rest in units.
import { parseQuantity } from '../api/quantity.js';

export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources and hugepages; absent when the pod asks for none. */
  scalar?: Map<string, number>;
}

/** A container without a cpu/memory request still weighs this much when spreading (kube's non-zero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

type List = Map<string, number>;

const parsed = new Map<string, number>();

/** A quantity as a number: millis for cpu, units for everything else; NaN when unparsable. */
export function quantityNumber(name: string, v: unknown): number {
  if (typeof v !== 'string' && typeof v !== 'number') return Number.NaN;
  const text = String(v);
  const cacheKey = name === 'cpu' ? `m:${text}` : text;
  const hit = parsed.get(cacheKey);
  if (hit !== undefined) return hit;
  let n: number;
  try {
    const q = parseQuantity(text);
    n = Number(name === 'cpu' ? q.milliValue() : q.value());
  } catch {
    n = Number.NaN;
  }
  // Requests repeat across thousands of replicas; a bounded cache keeps parsing off the hot path.
  if (parsed.size < 4096) parsed.set(cacheKey, n);
  return n;
}

function toList(requests: unknown): List {
  const out: List = new Map();
  if (!requests || typeof requests !== 'object') return out;
  for (const [k, v] of Object.entries(requests as Record<string, unknown>)) {
    const n = quantityNumber(k, v);
    if (Number.isFinite(n)) out.set(k, n);
  }
  return out;
}

function add(into: List, from: List): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

function max(into: List, from: List): void {
  for (const [k, v] of from) {
    const cur = into.get(k);
    if (cur === undefined || v > cur) into.set(k, v);
  }
}

function withDefaults(list: List, defaults: List | undefined): List {
  if (!defaults) return list;
  let out = list;
  for (const [k, v] of defaults) {
    if (out.has(k)) continue;
    if (out === list) out = new Map(list);
    out.set(k, v);
  }
  return out;
}

const POD_LEVEL = (name: string) => name === 'cpu' || name === 'memory' || name.startsWith('hugepages-');

/**
 * The pod's effective requests. With `nonZero`, containers that leave cpu or memory unset count kube's
 * defaults instead (used for spreading, never for fitting).
 */
export function podRequests(spec: any, nonZero = false): Resources {
  const podLevel = toList(spec?.resources?.requests);
  const podLevelSet = [...podLevel.keys()].some(POD_LEVEL);
  let defaults: List | undefined;
  if (nonZero) {
    defaults = new Map();
    if (!(podLevelSet && podLevel.has('cpu'))) defaults.set('cpu', DEFAULT_MILLI_CPU_REQUEST);
    if (!(podLevelSet && podLevel.has('memory'))) defaults.set('memory', DEFAULT_MEMORY_REQUEST);
  }
  const reqs: List = new Map();
  for (const c of arr(spec?.containers)) add(reqs, withDefaults(toList(c?.resources?.requests), defaults));
  const sidecars: List = new Map();
  const initPeak: List = new Map();
  for (const c of arr(spec?.initContainers)) {
    const r = withDefaults(toList(c?.resources?.requests), defaults);
    if (c?.restartPolicy === 'Always') {
      add(reqs, r);
      add(sidecars, r);
      max(initPeak, sidecars);
    } else {
      const during: List = new Map(r);
      add(during, sidecars);
      max(initPeak, during);
    }
  }
  max(reqs, initPeak);
  if (podLevelSet) for (const [k, v] of podLevel) if (POD_LEVEL(k)) reqs.set(k, v);
  add(reqs, toList(spec?.overhead));
  return fromList(reqs);
}

function fromList(l: List): Resources {
  const r: Resources = { milliCPU: l.get('cpu') ?? 0, memory: l.get('memory') ?? 0, ephemeralStorage: l.get('ephemeral-storage') ?? 0 };
  for (const [k, v] of l) {
    if (!isScalarResource(k)) continue;
    (r.scalar ??= new Map()).set(k, v);
  }
  return r;
}

/** Node allocatable: the same numbers plus the pod count. */
export function allocatableOf(list: unknown): Resources & { pods: number } {
  const l = toList(list);
  const r = fromList(l);
  return { ...r, pods: l.get('pods') ?? 0 };
}

/** Extended resources (vendor/name), hugepages and attachable volumes: the ones kube tracks beyond cpu/memory. */
export function isScalarResource(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  return name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.');
}

export function isZero(r: Resources): boolean {
  if (r.milliCPU !== 0 || r.memory !== 0 || r.ephemeralStorage !== 0) return false;
  return !r.scalar || r.scalar.size === 0;
}

function arr(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}
