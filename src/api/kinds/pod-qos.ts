// The pod's QoS class, fixed by the apiserver at creation: Guaranteed, Burstable or BestEffort.
import { newQuantity, type Quantity } from '../quantity.js';
import { quantityOf } from './quantity-helpers.js';

const QOS_RESOURCES = ['cpu', 'memory'];

function add(sum: Map<string, Quantity>, name: string, q: Quantity): void {
  const prev = sum.get(name);
  sum.set(name, prev ? prev.add(q) : q);
}

export function podQOSClass(pod: any): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const spec = pod?.spec ?? {};
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  // Pod-level resources, when given, decide on their own.
  const podLevel = spec.resources;
  const containers: any[] = podLevel && (podLevel.requests || podLevel.limits)
    ? [{ resources: podLevel }]
    : [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])];
  for (const c of containers) {
    for (const [name, v] of Object.entries(c?.resources?.requests ?? {})) {
      const q = quantityOf(v);
      if (QOS_RESOURCES.includes(name) && q && q.sign > 0) add(requests, name, q);
    }
    const found = new Set<string>();
    for (const [name, v] of Object.entries(c?.resources?.limits ?? {})) {
      const q = quantityOf(v);
      if (QOS_RESOURCES.includes(name) && q && q.sign > 0) {
        found.add(name);
        add(limits, name, q);
      }
    }
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name) ?? newQuantity(0);
      if (lim.cmp(req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
