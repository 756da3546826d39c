// What an object costs against a ResourceQuota, shared by the quota admission step and the quota controller
// (kube's pkg/quota/v1: resource-list arithmetic, the pod / service / claim evaluators, object counts and
// quota scopes). A resource list here is a Map from resource name to an exact Quantity.
import { newQuantity, type Quantity } from '../quantity.js';
import type { KubeObject } from '../types.js';
import { podQOSClass } from './pod-qos.js';
import { arrayOf, isObj, type Obj, specOf, statusOf } from './object-helpers.js';
import { quantityOf } from './quantity-helpers.js';

export type ResourceList = Map<string, Quantity>;

// ---- resource-list arithmetic ----

/** A JSON resource list (`{pods: "3"}`) as exact quantities; unparsable values are skipped. */
export function toResourceList(v: unknown): ResourceList {
  const out: ResourceList = new Map();
  if (!isObj(v)) return out;
  for (const [k, raw] of Object.entries(v)) {
    const q = quantityOf(raw);
    if (q) out.set(k, q);
  }
  return out;
}

/** Back to JSON, keys sorted the way Go marshals a map. */
export function fromResourceList(rl: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...rl.keys()].sort()) out[k] = rl.get(k)!.toString();
  return out;
}

export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [k, v] of b) {
    const prev = out.get(k);
    out.set(k, prev ? prev.add(v) : v);
  }
  return out;
}

/** a - b for the keys of a; a key only in b is left out (kube's Subtract keeps it negated, but the only
 * caller here is the non-negative variant). Negative results are clamped to zero. */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of a) {
    const other = b.get(k);
    let d = other ? v.sub(other) : v;
    if (d.sign < 0) d = newQuantity(0);
    out.set(k, d);
  }
  return out;
}

export function subtractLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [k, v] of b) {
    const prev = out.get(k);
    out.set(k, prev ? prev.sub(v) : v.neg());
  }
  return out;
}

/** Only the named resources of `rl`. */
export function mask(rl: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = new Map();
  for (const n of names) {
    const v = rl.get(n);
    if (v) out.set(n, v);
  }
  return out;
}

export function removeZeros(rl: ResourceList): ResourceList {
  return new Map([...rl].filter(([, v]) => !v.isZero()));
}

export function listsEqual(a: ResourceList, b: ResourceList): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const o = b.get(k);
    if (!o || o.cmp(v) !== 0) return false;
  }
  return true;
}

/** Resources of `a` above their limit in `b` (a resource `b` does not name is unlimited). */
export function exceeded(a: ResourceList, b: ResourceList): string[] {
  const out: string[] = [];
  for (const [k, v] of a) {
    const limit = b.get(k);
    if (limit && v.cmp(limit) > 0) out.push(k);
  }
  return out.sort();
}

/** `pods=1,requests.cpu=500m`: sorted by name. */
export function prettyPrint(rl: ResourceList): string {
  return [...rl.keys()].sort().map((k) => `${k}=${rl.get(k)!.toString()}`).join(',');
}

// ---- resource names ----

export const POD_COMPUTE_RESOURCES = [
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
];
const POD_RESOURCES = new Set(['pods', 'count/pods', ...POD_COMPUTE_RESOURCES]);
const SERVICE_RESOURCES = new Set(['services', 'count/services', 'services.nodeports', 'services.loadbalancers']);
const CLAIM_RESOURCES = new Set(['persistentvolumeclaims', 'count/persistentvolumeclaims', 'requests.storage']);
const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
/** Resources whose quota must be backed by a request on every container (kube's backward-compatible rule). */
const MUST_SPECIFY = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

/** `count/pods`, `count/deployments.apps`. */
export function objectCountName(group: string, plural: string): string {
  return group ? `count/${plural}.${group}` : `count/${plural}`;
}

/** The older names some core counts also answer to. */
const LEGACY_COUNT_NAMES: Record<string, string> = {
  configmaps: 'configmaps',
  secrets: 'secrets',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

// ---- scopes ----

export interface ScopeSelector {
  scopeName: string;
  operator: string;
  values?: string[];
}

export const QUOTA_SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'];

/** spec.scopes (as Exists) and spec.scopeSelector.matchExpressions of a quota. */
export function scopeSelectorsOf(quota: KubeObject): ScopeSelector[] {
  const spec = specOf(quota);
  const out: ScopeSelector[] = arrayOf(spec.scopes).map((s) => ({ scopeName: String(s), operator: 'Exists' }));
  if (isObj(spec.scopeSelector)) {
    for (const e of arrayOf(spec.scopeSelector.matchExpressions)) {
      if (isObj(e)) out.push({ scopeName: String(e.scopeName ?? ''), operator: String(e.operator ?? ''), values: arrayOf(e.values).map(String) });
    }
  }
  return out;
}

function isTerminating(pod: KubeObject): boolean {
  const ads = specOf(pod).activeDeadlineSeconds;
  return typeof ads === 'number' && ads >= 0;
}

function hasCrossNamespaceAffinity(pod: KubeObject): boolean {
  const aff = specOf(pod).affinity;
  if (!isObj(aff)) return false;
  for (const kind of [aff.podAffinity, aff.podAntiAffinity]) {
    if (!isObj(kind)) continue;
    const terms = [
      ...arrayOf(kind.requiredDuringSchedulingIgnoredDuringExecution),
      ...arrayOf(kind.preferredDuringSchedulingIgnoredDuringExecution).map((w) => (isObj(w) ? w.podAffinityTerm : undefined)),
    ];
    for (const t of terms) if (isObj(t) && (arrayOf(t.namespaces).length > 0 || t.namespaceSelector != null)) return true;
  }
  return false;
}

function podMatchesScope(sel: ScopeSelector, pod: KubeObject): boolean {
  switch (sel.scopeName) {
    case 'Terminating':
      return isTerminating(pod);
    case 'NotTerminating':
      return !isTerminating(pod);
    case 'BestEffort':
      return podQOSClass(pod) === 'BestEffort';
    case 'NotBestEffort':
      return podQOSClass(pod) !== 'BestEffort';
    case 'CrossNamespacePodAffinity':
      return hasCrossNamespaceAffinity(pod);
    case 'PriorityClass': {
      const pc = String(specOf(pod).priorityClassName ?? '');
      const values = sel.values ?? [];
      if (sel.operator === 'Exists') return pc !== '';
      if (sel.operator === 'DoesNotExist') return pc === '';
      if (sel.operator === 'In') return values.includes(pc);
      if (sel.operator === 'NotIn') return !values.includes(pc);
      return false;
    }
    default:
      return false;
  }
}

/** Which resources a scope allows a quota to track (kube's IsResourceQuotaScopeValidForResource). */
export function scopeAllowsResource(scope: string, resource: string): boolean {
  switch (scope) {
    case 'Terminating':
    case 'NotTerminating':
    case 'NotBestEffort':
    case 'PriorityClass':
    case 'CrossNamespacePodAffinity':
      return POD_RESOURCES.has(resource) || resource.startsWith('requests.hugepages-') || resource.startsWith('hugepages-');
    case 'BestEffort':
      return resource === 'pods' || resource === 'count/pods';
    default:
      return true;
  }
}

// ---- evaluators ----

export interface Evaluator {
  group: string;
  plural: string;
  /** Does admission charge this operation? */
  handles(operation: 'CREATE' | 'UPDATE' | 'DELETE'): boolean;
  /** The subset of `names` this evaluator accounts for. */
  matchingResources(names: Iterable<string>): string[];
  matchesScope(sel: ScopeSelector, obj: KubeObject): boolean;
  /** Refuses objects a quota on `required` cannot account for; returns the reason or undefined. */
  constraints?(required: string[], obj: KubeObject): string | undefined;
  usage(obj: KubeObject, now: number): ResourceList;
}

function one(): Quantity {
  return newQuantity(1);
}

function containersOf(pod: KubeObject): Obj[] {
  return arrayOf(specOf(pod).containers).filter(isObj);
}

function initContainersOf(pod: KubeObject): Obj[] {
  return arrayOf(specOf(pod).initContainers).filter(isObj);
}

function resourcesOf(c: Obj, which: 'requests' | 'limits'): ResourceList {
  return isObj(c.resources) ? toResourceList(c.resources[which]) : new Map();
}

function maxLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [k, v] of b) {
    const prev = out.get(k);
    if (!prev || v.cmp(prev) > 0) out.set(k, v);
  }
  return out;
}

/** The effective requests (or limits) of a pod: containers and sidecars summed, then at least what any init
 * container needs while it runs beside the sidecars started before it; plus the pod overhead. */
export function podAggregate(pod: KubeObject, which: 'requests' | 'limits', withOverhead = true): ResourceList {
  let sum: ResourceList = new Map();
  for (const c of containersOf(pod)) sum = addLists(sum, resourcesOf(c, which));
  let sidecars: ResourceList = new Map();
  let initMax: ResourceList = new Map();
  for (const c of initContainersOf(pod)) {
    const own = resourcesOf(c, which);
    if (c.restartPolicy === 'Always') {
      sidecars = addLists(sidecars, own);
      initMax = maxLists(initMax, sidecars);
    } else {
      initMax = maxLists(initMax, addLists(own, sidecars));
    }
  }
  let total = maxLists(addLists(sum, sidecars), initMax);
  const overhead = specOf(pod).overhead;
  if (withOverhead && isObj(overhead)) {
    const oh = toResourceList(overhead);
    // Limits only gain the overhead for resources that have a limit at all.
    total = which === 'limits' ? addLists(total, mask(oh, total.keys())) : addLists(total, oh);
  }
  return total;
}

/** kube's podComputeUsageHelper: the quota names a set of requests and limits counts against. */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = new Map([['pods', one()]]);
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const req = requests.get(r);
    if (req) {
      out.set(r, req);
      out.set(`requests.${r}`, req);
    }
    const lim = limits.get(r);
    if (lim) out.set(`limits.${r}`, lim);
  }
  for (const [r, v] of requests) {
    if (r.startsWith('hugepages-')) {
      out.set(r, v);
      out.set(`requests.${r}`, v);
    } else if (isExtendedResource(r)) {
      out.set(`requests.${r}`, v);
    }
  }
  return out;
}

function isExtendedResource(name: string): boolean {
  return name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.') && !name.includes('.kubernetes.io/');
}

/** Does a pod still hold compute resources? Finished pods and pods past their grace period do not. */
export function podCountsCompute(pod: KubeObject, now: number): boolean {
  const phase = statusOf(pod).phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const ts = pod.metadata.deletionTimestamp;
  const grace = pod.metadata.deletionGracePeriodSeconds;
  if (ts && typeof grace === 'number') {
    const end = Date.parse(ts) + grace * 1000;
    if (now > end) return false;
  }
  return true;
}

export const podEvaluator: Evaluator = {
  group: '',
  plural: 'pods',
  handles: (op) => op === 'CREATE',
  matchingResources(names) {
    return [...names].filter((n) => POD_RESOURCES.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-') ||
      (n.startsWith('requests.') && isExtendedResource(n.slice('requests.'.length))));
  },
  matchesScope: podMatchesScope,
  constraints(required, pod) {
    const want = required.filter((r) => MUST_SPECIFY.has(r));
    if (want.length === 0) return undefined;
    const missing = new Map<string, Set<string>>();
    for (const c of [...containersOf(pod), ...initContainersOf(pod)]) {
      const have = computeUsage(resourcesOf(c, 'requests'), resourcesOf(c, 'limits'));
      for (const r of want) {
        if (!have.has(r)) {
          if (!missing.has(r)) missing.set(r, new Set());
          missing.get(r)!.add(String(c.name ?? ''));
        }
      }
    }
    if (missing.size === 0) return undefined;
    const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
    return `must specify ${parts.join('; ')}`;
  },
  usage(pod, now) {
    const out: ResourceList = new Map([['count/pods', one()]]);
    if (!podCountsCompute(pod, now)) return out;
    return addLists(out, computeUsage(podAggregate(pod, 'requests'), podAggregate(pod, 'limits')));
  },
};

function nodePortCount(spec: Obj): number {
  const ports = arrayOf(spec.ports).filter(isObj);
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === false) return ports.filter((p) => p.nodePort).length;
  return ports.length;
}

export const serviceEvaluator: Evaluator = {
  group: '',
  plural: 'services',
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (names) => [...names].filter((n) => SERVICE_RESOURCES.has(n)),
  matchesScope: () => false,
  usage(svc) {
    const spec = specOf(svc);
    const out: ResourceList = new Map([['count/services', one()], ['services', one()]]);
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') out.set('services.nodeports', newQuantity(nodePortCount(spec)));
    if (spec.type === 'LoadBalancer') out.set('services.loadbalancers', one());
    return out;
  },
};

function claimClass(pvc: KubeObject): string {
  const spec = specOf(pvc);
  if (typeof spec.storageClassName === 'string') return spec.storageClassName;
  return pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

export const claimEvaluator: Evaluator = {
  group: '',
  plural: 'persistentvolumeclaims',
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (names) => [...names].filter((n) => CLAIM_RESOURCES.has(n) ||
    (n.includes(STORAGE_CLASS_SUFFIX) && (n.endsWith('/requests.storage') || n.endsWith('/persistentvolumeclaims')))),
  matchesScope: () => false,
  usage(pvc) {
    const out: ResourceList = new Map([['count/persistentvolumeclaims', one()], ['persistentvolumeclaims', one()]]);
    const cls = claimClass(pvc);
    if (cls) out.set(`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, one());
    const spec = specOf(pvc);
    let storage = isObj(spec.resources) ? quantityOf(spec.resources.requests?.storage) : undefined;
    const allocated = quantityOf(statusOf(pvc).allocatedResources?.storage);
    if (allocated && (!storage || allocated.cmp(storage) > 0)) storage = allocated;
    if (storage) {
      out.set('requests.storage', storage);
      if (cls) out.set(`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`, storage);
    }
    return out;
  },
};

/** Counts objects of one resource: `count/<plural>[.<group>]`, plus its legacy name for a few core kinds. */
export function objectCountEvaluator(group: string, plural: string): Evaluator {
  const names = [objectCountName(group, plural)];
  const legacy = group === '' ? LEGACY_COUNT_NAMES[plural] : undefined;
  if (legacy) names.push(legacy);
  return {
    group,
    plural,
    handles: (op) => op === 'CREATE',
    matchingResources: (want) => [...want].filter((n) => names.includes(n)),
    matchesScope: () => false,
    usage: () => new Map(names.map((n) => [n, one()])),
  };
}

const SPECIAL: Evaluator[] = [podEvaluator, serviceEvaluator, claimEvaluator];

/** The evaluator for a resource: pods, services and claims have their own; everything else is counted. */
export function evaluatorFor(group: string, plural: string): Evaluator {
  return SPECIAL.find((e) => e.group === group && e.plural === plural) ?? objectCountEvaluator(group, plural);
}

/** kube's generic Matches: the quota tracks something the evaluator measures, and every scope selects the object. */
export function quotaMatches(ev: Evaluator, quota: KubeObject, obj: KubeObject): boolean {
  const hard = Object.keys(isObj(statusOf(quota).hard) ? statusOf(quota).hard : {});
  if (ev.matchingResources(hard).length === 0) return false;
  return scopeSelectorsOf(quota).every((s) => ev.matchesScope(s, obj));
}

/** Would `obj` be counted by a quota with these scopes (used by the controller, from spec)? */
export function scopesSelect(ev: Evaluator, selectors: ScopeSelector[], obj: KubeObject): boolean {
  return selectors.every((s) => ev.matchesScope(s, obj));
}
