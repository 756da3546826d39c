// What the Endpoints and EndpointSlice controllers agree on: which services pick endpoints from pods, which
// pods count, which address and port a pod offers for a service port, and when a pod's hostname is published.
import type { KubeObject } from '../../api/types.js';
import { type LabelSelector, selectorFromSet } from '../../api/selectors/labels.js';
import type { SharedInformer } from '../../client/informer.js';
import { objectKey } from '../../client/informer.js';
import { podPhase } from '../runtime/pods.js';

export interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
  targetPort?: number | string;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  selector?: Record<string, string>;
  ports?: ServicePort[];
  publishNotReadyAddresses?: boolean;
  ipFamilies?: string[];
}

export function serviceSpec(svc: KubeObject): ServiceSpec {
  return (svc.spec ?? {}) as ServiceSpec;
}

/** Undefined when the service's endpoints are someone else's business (no selector, or ExternalName). */
export function podSelectorOf(svc: KubeObject): LabelSelector | undefined {
  const spec = serviceSpec(svc);
  if (spec.type === 'ExternalName') return undefined;
  if (!spec.selector || Object.keys(spec.selector).length === 0) return undefined;
  return selectorFromSet(spec.selector);
}

export function isHeadless(svc: KubeObject): boolean {
  return serviceSpec(svc).clusterIP === 'None';
}

/** Keys of the services in the pod's namespace that select it. */
export function servicesSelecting(pod: KubeObject, services: SharedInformer): string[] {
  return services
    .byIndex('namespace', pod.metadata.namespace ?? '')
    .filter((svc) => podSelectorOf(svc)?.matches(pod.metadata.labels) ?? false)
    .map(objectKey);
}

/** The pods a service selects, by name so that output does not depend on cache order. */
export function selectedPods(svc: KubeObject, selector: LabelSelector, pods: SharedInformer): KubeObject[] {
  return pods
    .byIndex('namespace', svc.metadata.namespace ?? '')
    .filter((p) => selector.matches(p.metadata.labels))
    .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

interface PodShape {
  spec?: { hostname?: string; subdomain?: string; nodeName?: string; containers?: Array<{ ports?: Array<{ name?: string; containerPort: number; protocol?: string }> }> };
  status?: { podIP?: string; podIPs?: Array<{ ip: string }> };
}

function shape(pod: KubeObject): PodShape {
  return pod as unknown as PodShape;
}

export function podIPv4(pod: KubeObject): string | undefined {
  const st = shape(pod).status ?? {};
  const ips = st.podIPs?.map((p) => p.ip) ?? (st.podIP ? [st.podIP] : []);
  return ips.find((ip) => !ip.includes(':'));
}

/** A pod without an address cannot be reached, and a finished one never will be again. */
export function podCanServe(pod: KubeObject, includeTerminating: boolean): boolean {
  if (!podIPv4(pod)) return false;
  const phase = podPhase(pod);
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

export function podNodeName(pod: KubeObject): string | undefined {
  return shape(pod).spec?.nodeName || undefined;
}

/** DNS records for a pod's hostname exist only under the service its subdomain names. */
export function publishedHostname(pod: KubeObject, svc: KubeObject): string | undefined {
  const spec = shape(pod).spec ?? {};
  if (!spec.hostname || spec.subdomain !== svc.metadata.name || pod.metadata.namespace !== svc.metadata.namespace) return undefined;
  return spec.hostname;
}

/** The container port a service port reaches on this pod, or undefined when a named target port is absent. */
export function targetPortOn(pod: KubeObject, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const proto = sp.protocol ?? 'TCP';
  for (const c of shape(pod).spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === proto) return p.containerPort;
  }
  return undefined;
}

export function podTargetRef(pod: KubeObject): { kind: string; namespace: string; name: string; uid: string } {
  return { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
}
