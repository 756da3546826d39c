// Questions about a Service spec that defaulting, validation, allocation and printing all ask.
import type { IPFamily } from './ip-validation.js';
import { arrayOf, isObj, type Obj } from './object-helpers.js';

/** The families this cluster serves (single-stack IPv4, service CIDR 10.96.0.0/12). */
export const CLUSTER_IP_FAMILIES: IPFamily[] = ['IPv4'];

export function isHeadless(spec: Obj): boolean {
  const ips = arrayOf(spec.clusterIPs);
  return ips.length === 1 && ips[0] === 'None';
}

/** `clusterIP: None` without a selector: DNS-only services whose endpoints someone else writes. */
export function isHeadlessSelectorless(spec: Obj): boolean {
  return spec.clusterIP === 'None' && (!isObj(spec.selector) || Object.keys(spec.selector).length === 0);
}

export function externallyAccessible(spec: Obj): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && arrayOf(spec.externalIPs).length > 0);
}

export function needsHealthCheck(spec: Obj): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

export function needsClusterIP(spec: Obj): boolean {
  return spec.type !== 'ExternalName';
}

export function needsNodePorts(spec: Obj): boolean {
  return spec.type === 'NodePort' || spec.type === 'LoadBalancer';
}

/** LoadBalancer services may opt out of node ports; explicitly requested ones are still honoured. */
export function allocatesNodePorts(spec: Obj): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}
