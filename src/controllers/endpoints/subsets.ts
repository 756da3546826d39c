// The subsets of a service's Endpoints: every serving pod contributes one address per service port it
// resolves, and addresses that resolve the same set of ports share a subset (ready and not-ready apart).
import type { KubeObject } from '../../api/types.js';
import { isPodReady } from '../runtime/pods.js';
import { isHeadless, podCanServe, podIPv4, podNodeName, podTargetRef, publishedHostname, serviceSpec, targetPortOn } from './service-pods.js';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: ReturnType<typeof podTargetRef>;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface SubsetsResult {
  subsets: EndpointSubset[];
  ready: number;
  notReady: number;
}

interface Member {
  address: EndpointAddress;
  ready: boolean;
  ports: EndpointPort[];
}

function addressOf(pod: KubeObject, svc: KubeObject, ip: string): EndpointAddress {
  const a: EndpointAddress = { ip, targetRef: podTargetRef(pod) };
  const hostname = publishedHostname(pod, svc);
  if (hostname) a.hostname = hostname;
  const node = podNodeName(pod);
  if (node) a.nodeName = node;
  return a;
}

/** The ports of the service this pod resolves; a headless service without ports still lists the pod. */
function portsFor(pod: KubeObject, svc: KubeObject): EndpointPort[] | undefined {
  const spec = serviceSpec(svc);
  if (!spec.ports?.length) return isHeadless(svc) ? [] : undefined;
  const out: EndpointPort[] = [];
  for (const sp of spec.ports) {
    const port = targetPortOn(pod, sp);
    if (port === undefined) continue;
    const p: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
    if (sp.name) p.name = sp.name;
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out.length ? out : undefined;
}

const portKey = (p: EndpointPort) => `${p.name ?? ''}/${p.port}/${p.protocol}/${p.appProtocol ?? ''}`;

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  return a.targetRef.uid < b.targetRef.uid ? -1 : a.targetRef.uid > b.targetRef.uid ? 1 : 0;
}

export function buildSubsets(svc: KubeObject, pods: readonly KubeObject[]): SubsetsResult {
  const publishNotReady = serviceSpec(svc).publishNotReadyAddresses === true;
  const members: Member[] = [];
  for (const pod of pods) {
    if (!podCanServe(pod, publishNotReady)) continue;
    const ip = podIPv4(pod);
    const ports = ip ? portsFor(pod, svc) : undefined;
    if (!ip || !ports) continue;
    members.push({ address: addressOf(pod, svc, ip), ready: publishNotReady || isPodReady(pod), ports });
  }
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const m of members) {
    const ports = [...m.ports].sort((a, b) => portKey(a).localeCompare(portKey(b)));
    const key = ports.map(portKey).join(',');
    const g = groups.get(key) ?? { ports, ready: [], notReady: [] };
    groups.set(key, g);
    (m.ready ? g.ready : g.notReady).push(m.address);
  }
  const subsets = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => {
      const s: EndpointSubset = {};
      if (g.ready.length) s.addresses = g.ready.sort(compareAddresses);
      if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(compareAddresses);
      if (g.ports.length) s.ports = g.ports;
      return s;
    });
  const ready = members.filter((m) => m.ready).length;
  return { subsets, ready, notReady: members.length - ready };
}
