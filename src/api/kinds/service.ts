// core/v1 Service: defaults, the clusterIP/ipFamily bookkeeping kube-apiserver does around a write, and
// `kubectl get svc`. Addresses and node ports come from the allocator in service-alloc.ts (an admission plugin).
import type { ResourceDescriptor } from '../descriptor.js';
import { ageColumn, col, labelMap, nameColumn, objectAge } from '../printing.js';
import type { KubeObject } from '../types.js';
import { SELECTOR_COLUMN, STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { isDNS1035Label } from './dns1035.js';
import { ipFamilyOf } from './ip-validation.js';
import { arrayOf, ensureObj, isObj, type Obj, specOf, statusOf } from './object-helpers.js';
import {
  CLUSTER_IP_FAMILIES, externallyAccessible, isHeadlessSelectorless, needsClusterIP, needsHealthCheck, needsNodePorts,
} from './service-shape.js';
import { validateService, validateServiceUpdate } from './service-validation.js';

const DEFAULT_AFFINITY_SECONDS = 10800;

function defaultService(svc: KubeObject): void {
  const spec = ensureObj(svc as Obj, 'spec');
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == null) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_AFFINITY_SECONDS } };
  }
  spec.type ||= 'ClusterIP';
  for (const p of arrayOf(spec.ports)) {
    if (!isObj(p)) continue;
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy == null && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer') {
    spec.allocateLoadBalancerNodePorts ??= true;
    for (const ing of arrayOf(statusOf(svc).loadBalancer?.ingress)) {
      if (isObj(ing) && ing.ip && ing.ipMode == null) ing.ipMode = 'VIP';
    }
  }
}

// Families follow what the user asked, the addresses given, and the cluster's own family; a headless service
// without a selector is DNS-only and asks for both families even on a single-stack cluster.
export function initIPFamilies(spec: Obj, old?: Obj): void {
  if (spec.type === 'ExternalName') return;
  if (spec.ipFamilyPolicy == null) {
    if (old?.ipFamilyPolicy != null) spec.ipFamilyPolicy = old.ipFamilyPolicy;
    else spec.ipFamilyPolicy = isHeadlessSelectorless(spec) ? 'RequireDualStack' : 'SingleStack';
  }
  const fams = arrayOf(spec.ipFamilies) as string[];
  const ips = arrayOf(spec.clusterIPs) as string[];
  for (let i = 0; i < ips.length; i++) {
    if (ips[i] === 'None') break;
    const fam = ipFamilyOf(ips[i] as string);
    if (i >= fams.length && fam && CLUSTER_IP_FAMILIES.includes(fam)) fams.push(fam);
  }
  if (fams.length === 0) fams.push(CLUSTER_IP_FAMILIES[0] as string);
  if (isHeadlessSelectorless(spec) && fams.length < 2 && spec.ipFamilyPolicy !== 'SingleStack') fams.push(fams[0] === 'IPv4' ? 'IPv6' : 'IPv4');
  spec.ipFamilies = fams;
}

// A PUT that leaves out what the server allocated keeps it, so `kubectl replace` does not lose addresses.
function patchAllocatedValues(spec: Obj, old: Obj): void {
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if (!spec.clusterIP) spec.clusterIP = old.clusterIP;
    if (arrayOf(spec.clusterIPs).length === 0 && old.clusterIPs !== undefined) spec.clusterIPs = old.clusterIPs;
  }
  if (needsNodePorts(old) && needsNodePorts(spec)) {
    const usedNew = new Set(arrayOf(spec.ports).map((p) => (p as Obj)?.nodePort).filter(Boolean));
    const used = new Set(arrayOf(old.ports).map((p) => (p as Obj)?.nodePort).filter((n) => n && usedNew.has(n)));
    const byName = new Map<string, number>();
    for (const p of arrayOf(old.ports)) if (isObj(p)) byName.set(p.name ?? '', p.nodePort ?? 0);
    for (const p of arrayOf(spec.ports)) {
      if (!isObj(p) || p.nodePort) continue;
      const prev = byName.get(p.name ?? '') ?? 0;
      if (prev && !used.has(prev)) p.nodePort = prev;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(spec) && !spec.healthCheckNodePort) spec.healthCheckNodePort = old.healthCheckNodePort;
}

function sameStrings(a: unknown, b: unknown): boolean {
  const x = arrayOf(a);
  const y = arrayOf(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Keeps clusterIP and clusterIPs in step for clients that only know one of them. */
export function normalizeClusterIPs(spec: Obj, old?: Obj): void {
  if (!old) {
    if (spec.clusterIP && arrayOf(spec.clusterIPs).length === 0) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  if (arrayOf(old.clusterIPs).length > 0 && arrayOf(spec.clusterIPs).length === 0 && (old.clusterIP ?? '') === (spec.clusterIP ?? '')) {
    spec.clusterIPs = old.clusterIPs;
  }
  if ((old.clusterIP ?? '') !== (spec.clusterIP ?? '')) {
    if (old.clusterIP && !spec.clusterIP && sameStrings(old.clusterIPs, spec.clusterIPs)) delete spec.clusterIPs;
    if (spec.clusterIP && sameStrings(old.clusterIPs, spec.clusterIPs)) spec.clusterIPs = [spec.clusterIP];
  }
}

// Switching to a type that no longer uses an allocated value drops it, unless the user also changed it.
function dropTypeDependentFields(svc: KubeObject, spec: Obj, old: Obj): void {
  if (needsClusterIP(old) && !needsClusterIP(spec)) {
    if ((old.clusterIP ?? '') === (spec.clusterIP ?? '') && sameStrings(old.clusterIPs, spec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (JSON.stringify(old.ipFamilies ?? null) === JSON.stringify(spec.ipFamilies ?? null)) delete spec.ipFamilies;
    if ((old.ipFamilyPolicy ?? '') === (spec.ipFamilyPolicy ?? '')) delete spec.ipFamilyPolicy;
  }
  const nodePortsOf = (s: Obj) => new Set(arrayOf(s.ports).map((p) => (p as Obj)?.nodePort).filter(Boolean));
  const oldPorts = nodePortsOf(old);
  if (needsNodePorts(old) && !needsNodePorts(spec) && [...nodePortsOf(spec)].every((n) => oldPorts.has(n))) {
    for (const p of arrayOf(spec.ports)) if (isObj(p)) delete p.nodePort;
  }
  if (needsHealthCheck(old) && !needsHealthCheck(spec) && old.healthCheckNodePort === spec.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (old.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts != null && spec.allocateLoadBalancerNodePorts === old.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if ((spec.loadBalancerClass ?? null) === (old.loadBalancerClass ?? null)) delete spec.loadBalancerClass;
  }
  if (needsNodePorts(old) && !needsNodePorts(spec) && spec.externalTrafficPolicy === old.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  // The status is the stored (frozen) one: replace it rather than edit it.
  if (spec.type !== 'LoadBalancer' && isObj(svc.status)) svc.status = { ...svc.status, loadBalancer: {} };
}

function externalIPCell(spec: Obj, status: Obj): string {
  const external = arrayOf(spec.externalIPs) as string[];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = new Set<string>();
      for (const ing of arrayOf(status.loadBalancer?.ingress)) {
        if (isObj(ing) && ing.ip) lb.add(ing.ip);
        else if (isObj(ing) && ing.hostname) lb.add(ing.hostname);
      }
      const all = [...[...lb].sort(), ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function portsCell(spec: Obj): string {
  const ports = arrayOf(spec.ports).filter(isObj);
  if (ports.length === 0) return '<none>';
  return ports.map((p) => (p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',');
}

export const serviceDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'Service',
  listKind: 'ServiceList',
  plural: 'services',
  singular: 'service',
  shortNames: ['svc'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [STATUS_SUBRESOURCE, { name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }],
  schemaType: 'io.k8s.api.core.v1.Service',
  nameValidator: (name, prefix) => isDNS1035Label(prefix && name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name),
  hasStatus: true,
  defaultPropagation: 'Background',
  defaults: defaultService,
  prepareForCreate(svc) {
    svc.status = { loadBalancer: {} };
    const spec = ensureObj(svc as Obj, 'spec');
    normalizeClusterIPs(spec);
    initIPFamilies(spec);
  },
  prepareForUpdate(svc, old) {
    svc.status = old.status;
    const spec = ensureObj(svc as Obj, 'spec');
    const o = specOf(old);
    patchAllocatedValues(spec, o);
    normalizeClusterIPs(spec, o);
    dropTypeDependentFields(svc, spec, o);
    initIPFamilies(spec, o);
  },
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  fieldLabels: {
    'spec.clusterIP': (svc) => String(specOf(svc).clusterIP ?? ''),
    'spec.type': (svc) => String(specOf(svc).type ?? ''),
  },
  table: {
    columns: [nameColumn, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), ageColumn, SELECTOR_COLUMN],
    cells(svc, now) {
      const spec = specOf(svc);
      const ips = arrayOf(spec.clusterIPs) as string[];
      return [
        svc.metadata.name,
        spec.type ?? '',
        ips.length ? ips[0] : '<none>',
        externalIPCell(spec, statusOf(svc)),
        portsCell(spec),
        objectAge(svc, now),
        labelMap(isObj(spec.selector) ? spec.selector : undefined),
      ];
    },
  },
};
