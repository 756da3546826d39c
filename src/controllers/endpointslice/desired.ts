// The endpoints a service should have in slices: one per pod that can serve (terminating pods included,
// so that consumers can drain them), grouped by the ports the pod resolves, since a slice has one port list.
import type { KubeObject } from '../../api/types.js';
import { isPodReady } from '../runtime/pods.js';
import { isHeadless, podCanServe, podIPv4, podNodeName, podTargetRef, publishedHostname, serviceSpec, targetPortOn } from '../endpoints/service-pods.js';

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  targetRef: ReturnType<typeof podTargetRef>;
  nodeName?: string;
  zone?: string;
}

export interface PortGroup {
  ports: SlicePort[];
  endpoints: Map<string, SliceEndpoint>;
}

/** Identity of an endpoint across syncs: the pod and its address, not its conditions. */
export function endpointKey(ep: SliceEndpoint): string {
  return `${ep.targetRef?.uid ?? ''}/${ep.addresses.join(',')}`;
}

export function portsKey(ports: readonly SlicePort[]): string {
  return JSON.stringify(ports.map((p) => [p.name, p.port, p.protocol, p.appProtocol ?? '']));
}

function portsFor(pod: KubeObject, svc: KubeObject): SlicePort[] | undefined {
  const out: SlicePort[] = [];
  for (const sp of serviceSpec(svc).ports ?? []) {
    const port = targetPortOn(pod, sp);
    if (port === undefined) continue;
    const p: SlicePort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  // A pod resolving none of several ports offers nothing; a headless service without ports takes it bare.
  return out.length || !serviceSpec(svc).ports?.length ? out : undefined;
}

function endpointFor(pod: KubeObject, svc: KubeObject, ip: string, zoneOf: (node: string) => string | undefined): SliceEndpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = serviceSpec(svc).publishNotReadyAddresses === true || (serving && !terminating);
  const ep: SliceEndpoint = { addresses: [ip], conditions: { ready, serving, terminating }, targetRef: podTargetRef(pod) };
  const hostname = publishedHostname(pod, svc);
  if (hostname) {
    // Key order follows the API's field order, which is what `-o yaml` shows.
    const { addresses, conditions, targetRef } = ep;
    return withNode({ addresses, conditions, hostname, targetRef }, pod, zoneOf);
  }
  return withNode(ep, pod, zoneOf);
}

function withNode(ep: SliceEndpoint, pod: KubeObject, zoneOf: (node: string) => string | undefined): SliceEndpoint {
  const node = podNodeName(pod);
  if (!node) return ep;
  ep.nodeName = node;
  const zone = zoneOf(node);
  if (zone) ep.zone = zone;
  return ep;
}

/** Desired IPv4 endpoints by port set. */
export function desiredGroups(svc: KubeObject, pods: readonly KubeObject[], zoneOf: (node: string) => string | undefined): Map<string, PortGroup> {
  const groups = new Map<string, PortGroup>();
  if (!serviceSpec(svc).ports?.length && !isHeadless(svc)) return groups;
  for (const pod of pods) {
    if (!podCanServe(pod, true)) continue;
    const ip = podIPv4(pod);
    const ports = ip ? portsFor(pod, svc) : undefined;
    if (!ip || !ports) continue;
    const key = portsKey(ports);
    const g = groups.get(key) ?? { ports, endpoints: new Map() };
    groups.set(key, g);
    const ep = endpointFor(pod, svc, ip, zoneOf);
    g.endpoints.set(endpointKey(ep), ep);
  }
  return groups;
}
