// The LimitRanger admission step. On pod creation it fills the LimitRanges' container defaults (default →
// limits, defaultRequest → requests) into containers that lack them and notes what it set in the
// `kubernetes.io/limit-ranger` annotation; after validation it enforces min, max and maxLimitRequestRatio per
// Container, per Pod and per PersistentVolumeClaim, refusing with kube-apiserver's 403 messages.
import { errors } from '../../api/errors.js';
import { podQOSClass } from '../../api/kinds/pod-qos.js';
import { arrayOf, isObj, type Obj, specOf } from '../../api/kinds/object-helpers.js';
import { podAggregate, type ResourceList, toResourceList } from '../../api/kinds/resourcequota-usage.js';
import type { Quantity } from '../../api/quantity.js';
import type { KubeObject } from '../../api/types.js';
import type { AdmissionPlugin, AdmissionRequest } from '../storage/admission.js';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

function isPod(req: AdmissionRequest): boolean {
  return req.descriptor.group === '' && req.descriptor.kind === 'Pod';
}

function isClaim(req: AdmissionRequest): boolean {
  return req.descriptor.group === '' && req.descriptor.kind === 'PersistentVolumeClaim';
}

function supports(req: AdmissionRequest): boolean {
  if (req.subresource || req.operation === 'DELETE') return false;
  // Containers cannot change after creation, so pod updates are left alone.
  if (isPod(req)) return req.operation === 'CREATE';
  return isClaim(req);
}

function itemsOf(lr: KubeObject): Obj[] {
  return arrayOf(specOf(lr).limits).filter(isObj);
}

function listOf(item: Obj, k: string): Obj {
  return isObj(item[k]) ? item[k] : {};
}

function sortedKeys(o: Obj): string[] {
  return Object.keys(o).sort();
}

// ---- defaults ----

function mergeContainer(c: Obj, limits: Obj, requests: Obj, label: string, notes: string[]): void {
  const res: Obj = isObj(c.resources) ? c.resources : (c.resources = {});
  const lim: Obj = isObj(res.limits) ? res.limits : {};
  const reqs: Obj = isObj(res.requests) ? res.requests : {};
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const k of sortedKeys(limits)) {
    if (!(k in lim)) {
      lim[k] = limits[k];
      setLimits.push(k);
    }
  }
  for (const k of sortedKeys(requests)) {
    if (!(k in reqs)) {
      reqs[k] = requests[k];
      setRequests.push(k);
    }
  }
  if (Object.keys(lim).length) res.limits = lim;
  if (Object.keys(reqs).length) res.requests = reqs;
  if (setRequests.length) notes.push(`${setRequests.join(', ')} request for ${label} ${c.name}`);
  if (setLimits.length) notes.push(`${setLimits.join(', ')} limit for ${label} ${c.name}`);
}

function applyDefaults(lr: KubeObject, pod: KubeObject): void {
  const limits: Obj = {};
  const requests: Obj = {};
  for (const item of itemsOf(lr)) {
    if (item.type !== 'Container') continue;
    Object.assign(requests, listOf(item, 'defaultRequest'));
    Object.assign(limits, listOf(item, 'default'));
  }
  const notes: string[] = [];
  const spec = specOf(pod);
  for (const c of arrayOf(spec.containers)) if (isObj(c)) mergeContainer(c, limits, requests, 'container', notes);
  for (const c of arrayOf(spec.initContainers)) if (isObj(c)) mergeContainer(c, limits, requests, 'init container', notes);
  if (notes.length) {
    pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
  }
}

// ---- constraints ----

function text(q: Quantity | undefined): string {
  return q ? q.toString() : '0';
}

function minConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  if (!req) return `minimum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (req.cmp(enforced) < 0) return `minimum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  if (lim && lim.cmp(enforced) < 0) return `minimum ${name} usage per ${type} is ${enforced}, but limit is ${lim}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  if (!lim) return `maximum ${name} usage per ${type} is ${enforced}.  No limit is specified`;
  if (lim.cmp(enforced) > 0) return `maximum ${name} usage per ${type} is ${enforced}, but limit is ${lim}`;
  if (req && req.cmp(enforced) > 0) return `maximum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  return undefined;
}

function maxRequestConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList): string | undefined {
  const req = requests.get(name);
  if (!req) return `maximum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (req.cmp(enforced) > 0) return `maximum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  return undefined;
}

/** Go's %f: six decimals. */
function goFloat(n: number): string {
  return n.toFixed(6);
}

function ratioConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  const reqMilli = req ? req.milliValue() : 0n;
  const limMilli = lim ? lim.milliValue() : 0n;
  if (!req || reqMilli === 0n) return `${name} max limit to request ratio per ${type} is ${enforced}, but no request is specified or request is 0`;
  if (!lim || limMilli === 0n) return `${name} max limit to request ratio per ${type} is ${enforced}, but no limit is specified or limit is 0`;
  const observed = Number(limMilli) / Number(reqMilli);
  if (observed * 1000 > Number(enforced.milliValue())) {
    return `${name} max limit to request ratio per ${type} is ${text(enforced)}, but provided ratio is ${goFloat(observed)}`;
  }
  return undefined;
}

function checkBounds(item: Obj, type: string, requests: ResourceList, limits: ResourceList, out: string[]): void {
  const push = (m: string | undefined) => {
    if (m) out.push(m);
  };
  const min = toResourceList(item.min);
  const max = toResourceList(item.max);
  const ratio = toResourceList(item.maxLimitRequestRatio);
  for (const k of [...min.keys()].sort()) push(minConstraint(type, k, min.get(k)!, requests, limits));
  for (const k of [...max.keys()].sort()) push(maxConstraint(type, k, max.get(k)!, requests, limits));
  for (const k of [...ratio.keys()].sort()) push(ratioConstraint(type, k, ratio.get(k)!, requests, limits));
}

function containerLists(c: Obj): [ResourceList, ResourceList] {
  const res = isObj(c.resources) ? c.resources : {};
  return [toResourceList(res.requests), toResourceList(res.limits)];
}

export function podLimitErrors(lr: KubeObject, pod: KubeObject): string[] {
  const out: string[] = [];
  const spec = specOf(pod);
  for (const item of itemsOf(lr)) {
    if (item.type === 'Container') {
      for (const c of [...arrayOf(spec.containers), ...arrayOf(spec.initContainers)]) {
        if (!isObj(c)) continue;
        const [req, lim] = containerLists(c);
        checkBounds(item, 'Container', req, lim, out);
      }
    } else if (item.type === 'Pod') {
      checkBounds(item, 'Pod', podAggregate(pod, 'requests', false), podAggregate(pod, 'limits', false), out);
    }
  }
  return out;
}

export function claimLimitErrors(lr: KubeObject, pvc: KubeObject): string[] {
  const out: string[] = [];
  const res = isObj(specOf(pvc).resources) ? specOf(pvc).resources : {};
  const requests = toResourceList(res.requests);
  for (const item of itemsOf(lr)) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    const min = toResourceList(item.min);
    const max = toResourceList(item.max);
    for (const k of [...min.keys()].sort()) {
      const m = minConstraint('PersistentVolumeClaim', k, min.get(k)!, requests, new Map());
      if (m) out.push(m);
    }
    for (const k of [...max.keys()].sort()) {
      const m = maxRequestConstraint('PersistentVolumeClaim', k, max.get(k)!, requests);
      if (m) out.push(m);
    }
  }
  return out;
}

/** utilerrors.NewAggregate's text: one error alone, several in brackets. */
function aggregate(msgs: string[]): string {
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}

export function limitRangerAdmission(listLimitRanges: (namespace: string) => readonly KubeObject[]): AdmissionPlugin {
  const rangesFor = (req: AdmissionRequest): KubeObject[] => {
    if (!supports(req)) return [];
    if (req.old?.metadata.deletionTimestamp) return [];
    const ns = req.object.metadata.namespace;
    if (!ns) return [];
    return [...listLimitRanges(ns)].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  };
  return {
    name: 'LimitRanger',
    admit(req) {
      if (!isPod(req)) return;
      const ranges = rangesFor(req);
      if (ranges.length === 0) return;
      for (const lr of ranges) applyDefaults(lr, req.object);
      // The QoS class is fixed at creation from the resources the pod ends up with.
      if (isObj(req.object.status)) req.object.status.qosClass = podQOSClass(req.object);
    },
    validate(req) {
      for (const lr of rangesFor(req)) {
        const msgs = isPod(req) ? podLimitErrors(lr, req.object) : claimLimitErrors(lr, req.object);
        if (msgs.length) {
          const o = req.object.metadata;
          throw errors.forbidden(req.descriptor, o.name || o.generateName || '', aggregate(msgs));
        }
      }
    },
  };
}
