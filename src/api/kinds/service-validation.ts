// Service validation with kube-apiserver's field paths and texts: ports, session affinity, traffic policies and
// the clusterIP / clusterIPs / ipFamilies / ipFamilyPolicy quartet.
import { fieldErr, path } from '../fielderrors.js';
import { validateLabels } from '../selectors/labels.js';
import type { FieldError, KubeObject } from '../types.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../validation/names.js';
import { goIntOrString, goStringSlice, invalidRaw } from './go-render.js';
import { ipFamilyOf, validateCIDR, validateIP, validateNonSpecialIP } from './ip-validation.js';
import { arrayOf, isObj, type Obj, specOf } from './object-helpers.js';
import { isValidPortNum, PORT_RANGE_MSG, validatePortNumOrName } from './port-validation.js';
import { CLUSTER_IP_FAMILIES, isHeadless, isHeadlessSelectorless, needsHealthCheck, externallyAccessible } from './service-shape.js';

export const SERVICE_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const KUBELET_PORT = 10250;
const MAX_AFFINITY_SECONDS = 86400;
const TOPOLOGY_MODE = 'service.kubernetes.io/topology-mode';
const TOPOLOGY_HINTS = 'service.kubernetes.io/topology-aware-hints';
const LB_SOURCE_RANGES = 'service.beta.kubernetes.io/load-balancer-source-ranges';

function validatePort(sp: Obj, requireName: boolean, names: Set<string>, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof sp.name === 'string' ? sp.name : '';
  if (requireName && !name) errs.push(fieldErr.required(path(fld, 'name')));
  else if (name) {
    for (const m of isDNS1123Label(name)) errs.push(fieldErr.invalid(path(fld, 'name'), name, m));
    if (names.has(name)) errs.push(fieldErr.duplicate(path(fld, 'name'), name));
    else names.add(name);
  }
  if (!isValidPortNum(sp.port)) errs.push(fieldErr.invalid(path(fld, 'port'), sp.port ?? 0, PORT_RANGE_MSG));
  if (!sp.protocol) errs.push(fieldErr.required(path(fld, 'protocol')));
  else if (!SERVICE_PROTOCOLS.includes(sp.protocol)) errs.push(fieldErr.notSupported(path(fld, 'protocol'), sp.protocol, SERVICE_PROTOCOLS));
  errs.push(...validatePortNumOrName(sp.targetPort, path(fld, 'targetPort')));
  if (sp.appProtocol != null) {
    for (const m of isQualifiedName(String(sp.appProtocol))) errs.push(fieldErr.invalid(path(fld, 'appProtocol'), sp.appProtocol, m));
  }
  return errs;
}

function validateAffinity(spec: Obj): FieldError[] {
  const sa = spec.sessionAffinity;
  const fld = 'spec.sessionAffinityConfig';
  if (!sa) return [fieldErr.required('spec.sessionAffinity')];
  if (sa !== 'ClientIP' && sa !== 'None') return [fieldErr.notSupported('spec.sessionAffinity', sa, ['ClientIP', 'None'])];
  const cfg = spec.sessionAffinityConfig;
  if (sa === 'None') return cfg != null ? [fieldErr.forbidden(fld, 'must not be set when session affinity is None')] : [];
  const detail = 'when session affinity type is ClientIP';
  if (!isObj(cfg)) return [fieldErr.required(fld, detail)];
  if (!isObj(cfg.clientIP)) return [fieldErr.required(`${fld}.clientIP`, detail)];
  const t = cfg.clientIP.timeoutSeconds;
  if (t == null) return [fieldErr.required(`${fld}.clientIP.timeoutSeconds`, detail)];
  if (t <= 0 || t > MAX_AFFINITY_SECONDS) {
    return [fieldErr.invalid(`${fld}.clientIP.timeoutSeconds`, t, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`)];
  }
  return [];
}

/** The stand-alone rules of clusterIP, clusterIPs, ipFamilies and ipFamilyPolicy (ValidateServiceClusterIPsRelatedFields). */
export function validateClusterIPFields(spec: Obj): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = arrayOf(spec.clusterIPs) as string[];
  const fams = arrayOf(spec.ipFamilies) as string[];
  if (spec.clusterIP) {
    if (ips.length === 0) errs.push(fieldErr.required('spec.clusterIPs'));
    else if (ips[0] !== spec.clusterIP) errs.push(invalidRaw('spec.clusterIPs', goStringSlice(ips), 'first value must match `clusterIP`'));
  } else if (ips.length > 0) errs.push(invalidRaw('spec.clusterIPs', goStringSlice(ips), 'must be empty when `clusterIP` is not specified'));
  const seen = new Set<string>();
  fams.forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(fieldErr.notSupported(path('spec.ipFamilies', i), f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(fieldErr.duplicate(path('spec.ipFamilies', i), f));
    seen.add(f);
  });
  const policy = spec.ipFamilyPolicy;
  if (policy != null && !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(policy)) {
    errs.push(fieldErr.notSupported('spec.ipFamilyPolicy', policy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  }
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(invalidRaw('spec.clusterIPs', goStringSlice(ips), "'None' must be the first and only value"));
      }
      return;
    }
    const e = validateIP(path('spec.clusterIPs', i), ip);
    if (e.length) badIPs = true;
    errs.push(...e);
  });
  if (ips.length > 2) errs.push(invalidRaw('spec.clusterIPs', goStringSlice(ips), 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (ips.length > 1 && ipFamilyOf(ips[0] as string) === ipFamilyOf(ips[1] as string)) {
    errs.push(invalidRaw('spec.clusterIPs', goStringSlice(ips), 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadless(spec)) {
    ips.forEach((ip, i) => {
      const fam = fams[i];
      if (fam === 'IPv4' && ipFamilyOf(ip) === 'IPv6') errs.push(fieldErr.invalid(path('spec.clusterIPs', i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fam === 'IPv6' && ipFamilyOf(ip) !== 'IPv6') errs.push(fieldErr.invalid(path('spec.clusterIPs', i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

// What this single-stack cluster can serve; kube reports these while initializing the family fields.
function validateClusterFamilies(spec: Obj): FieldError[] {
  if (spec.type === 'ExternalName' || isHeadlessSelectorless(spec)) return [];
  const errs: FieldError[] = [];
  const ips = arrayOf(spec.clusterIPs) as string[];
  if (spec.ipFamilyPolicy === 'SingleStack') {
    if (ips.length === 2) errs.push(fieldErr.invalid('spec.ipFamilyPolicy', 'SingleStack', "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    if (arrayOf(spec.ipFamilies).length === 2) errs.push(fieldErr.invalid('spec.ipFamilyPolicy', 'SingleStack', "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
  }
  if (spec.ipFamilyPolicy === 'RequireDualStack') errs.push(fieldErr.invalid('spec.ipFamilyPolicy', 'RequireDualStack', 'this cluster is not configured for dual-stack services'));
  arrayOf(spec.ipFamilies).forEach((f, i) => {
    if (!CLUSTER_IP_FAMILIES.includes(f as never) && (f === 'IPv4' || f === 'IPv6')) errs.push(fieldErr.invalid(path('spec.ipFamilies', i), f, 'not configured on this cluster'));
  });
  ips.forEach((ip, i) => {
    const fam = ipFamilyOf(ip);
    if (ip !== 'None' && fam && !CLUSTER_IP_FAMILIES.includes(fam)) errs.push(invalidRaw(path('spec.clusterIPs', i), goStringSlice(ips), `${fam} is not configured on this cluster`));
  });
  return errs;
}

function portsOf(spec: Obj): Obj[] {
  return arrayOf(spec.ports).map((p) => (isObj(p) ? p : {}));
}

function validatePortList(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ports = portsOf(spec);
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validatePort(p, ports.length > 1, names, path('spec.ports', i))));
  return errs;
}

function validatePortDuplicates(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ports = portsOf(spec);
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => p.nodePort && errs.push(fieldErr.forbidden(path(path('spec.ports', i), 'nodePort'), "may not be used when `type` is 'ClusterIP'")));
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const k = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(k)) errs.push(fieldErr.duplicate(path(path('spec.ports', i), 'nodePort'), p.nodePort));
    nodePorts.add(k);
  });
  const pairs = new Set<string>();
  ports.forEach((p, i) => {
    const k = `${p.protocol ?? ''}/${p.port ?? 0}`;
    if (pairs.has(k)) {
      const rendered = `core.ServicePort{Name:"", Protocol:${JSON.stringify(p.protocol ?? '')}, AppProtocol:(*string)(nil), Port:${p.port ?? 0}, TargetPort:${goIntOrString(0)}, NodePort:0}`;
      errs.push({ reason: 'FieldValueDuplicate', field: path('spec.ports', i), message: `Duplicate value: ${rendered}` });
    }
    pairs.add(k);
  });
  return errs;
}

function validateTypeSpecific(svc: KubeObject, spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const headless = isHeadless(spec);
  if (arrayOf(spec.ports).length === 0 && !headless && spec.type !== 'ExternalName') errs.push(fieldErr.required('spec.ports'));
  if (spec.type === 'LoadBalancer') {
    arrayOf(spec.ports).forEach((p, i) => {
      if (isObj(p) && p.port === KUBELET_PORT) errs.push(fieldErr.invalid(path('spec.ports', i), KUBELET_PORT, `may not expose port ${KUBELET_PORT} externally since it is used by kubelet`));
    });
  }
  if ((spec.type === 'LoadBalancer' || spec.type === 'NodePort') && headless) {
    errs.push(fieldErr.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`));
  }
  if (spec.type === 'ExternalName') {
    if (arrayOf(spec.clusterIPs).length > 0) errs.push(fieldErr.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (arrayOf(spec.ipFamilies).length > 0) errs.push(fieldErr.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy != null) errs.push(fieldErr.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = String(spec.externalName ?? '').replace(/\.$/, '');
    if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(fieldErr.invalid('spec.externalName', cname, m));
    else errs.push(fieldErr.required('spec.externalName'));
  }
  const ann = svc.metadata.annotations ?? {};
  if (TOPOLOGY_MODE in ann && TOPOLOGY_HINTS in ann && ann[TOPOLOGY_MODE] !== ann[TOPOLOGY_HINTS]) {
    errs.unshift(fieldErr.invalid(`metadata.annotations[${TOPOLOGY_MODE}]`, ann[TOPOLOGY_MODE], `must match annotations[${TOPOLOGY_HINTS}] when both are specified`));
  }
  return errs;
}

function validateExternalAndLB(svc: KubeObject, spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  arrayOf(spec.externalIPs).forEach((ip, i) => {
    const e = validateIP(path('spec.externalIPs', i), ip);
    errs.push(...(e.length ? e : validateNonSpecialIP(String(ip), path('spec.externalIPs', i))));
  });
  if (!spec.type) errs.push(fieldErr.required('spec.type'));
  else if (!SERVICE_TYPES.includes(spec.type)) errs.push(fieldErr.notSupported('spec.type', spec.type, SERVICE_TYPES));
  errs.push(...validatePortDuplicates(spec));
  const ranges = arrayOf(spec.loadBalancerSourceRanges);
  const annRanges = svc.metadata.annotations?.[LB_SOURCE_RANGES];
  if (ranges.length > 0) {
    const fld = 'spec.LoadBalancerSourceRanges';
    if (spec.type !== 'LoadBalancer') errs.push(fieldErr.forbidden(fld, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => errs.push(...validateCIDR(path(fld, i), String(r).trim())));
  } else if (annRanges !== undefined) {
    const fld = `metadata.annotations[${LB_SOURCE_RANGES}]`;
    if (spec.type !== 'LoadBalancer') errs.push(fieldErr.forbidden(fld, "may only be used when `type` is 'LoadBalancer'"));
    const v = annRanges.trim();
    if (v) for (const r of v.split(',')) errs.push(...validateCIDR(fld, r.trim()));
  }
  if (spec.allocateLoadBalancerNodePorts != null && spec.type !== 'LoadBalancer') {
    errs.push(fieldErr.forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts == null) errs.push(fieldErr.required('allocateLoadBalancerNodePorts'));
  if (spec.type === 'LoadBalancer') {
    if (spec.loadBalancerClass != null) {
      for (const m of isQualifiedName(String(spec.loadBalancerClass))) errs.push(fieldErr.invalid('spec.loadBalancerClass', spec.loadBalancerClass, m));
    }
  } else if (spec.loadBalancerClass != null) errs.push(fieldErr.forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  return errs;
}

function validateTrafficPolicies(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const etp = spec.externalTrafficPolicy;
  if (!externallyAccessible(spec)) {
    if (etp) errs.push(fieldErr.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (!etp) errs.push(fieldErr.required('spec.externalTrafficPolicy'));
  else if (!TRAFFIC_POLICIES.includes(etp)) errs.push(fieldErr.notSupported('spec.externalTrafficPolicy', etp, TRAFFIC_POLICIES));
  const hc = spec.healthCheckNodePort ?? 0;
  if (!needsHealthCheck(spec)) {
    if (hc !== 0) errs.push(fieldErr.invalid('spec.healthCheckNodePort', hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hc === 0) errs.push(fieldErr.required('spec.healthCheckNodePort'));
  else if (!isValidPortNum(hc)) errs.push(fieldErr.invalid('spec.healthCheckNodePort', hc, PORT_RANGE_MSG));
  const itp = spec.internalTrafficPolicy;
  if (itp == null && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) errs.push(fieldErr.required('spec.internalTrafficPolicy'));
  if (itp != null && !TRAFFIC_POLICIES.includes(itp)) errs.push(fieldErr.notSupported('spec.internalTrafficPolicy', itp, TRAFFIC_POLICIES));
  if (spec.trafficDistribution != null && spec.trafficDistribution !== 'PreferClose') {
    errs.push(fieldErr.notSupported('spec.trafficDistribution', spec.trafficDistribution, ['PreferClose']));
  }
  return errs;
}

export function validateService(svc: KubeObject): FieldError[] {
  const spec = specOf(svc);
  const errs = validateTypeSpecific(svc, spec);
  errs.push(...validatePortList(spec));
  if (spec.selector != null) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  errs.push(...validateAffinity(spec));
  errs.push(...validateClusterIPFields(spec));
  errs.push(...validateClusterFamilies(spec));
  errs.push(...validateExternalAndLB(svc, spec));
  errs.push(...validateTrafficPolicies(spec));
  return errs;
}

function sameList(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Rules only an update has: addresses and families may grow or shrink a dual-stack service but never change. */
export function validateServiceUpdate(svc: KubeObject, old: KubeObject): FieldError[] {
  const spec = specOf(svc);
  const o = specOf(old);
  const errs: FieldError[] = [];
  if (spec.type !== 'ExternalName' && o.type !== 'ExternalName') {
    const ips = arrayOf(spec.clusterIPs);
    const oldIPs = arrayOf(o.clusterIPs);
    if (!(isHeadless(spec) && isHeadless(o))) {
      if (ips.length === oldIPs.length) {
        oldIPs.forEach((ip, i) => ip !== ips[i] && errs.push(invalidRaw(`spec.clusterIPs[${i}]`, goStringSlice(ips), 'may not change once set')));
      } else if (oldIPs.length > ips.length) {
        if (ips.length === 0) errs.push(invalidRaw('spec.clusterIPs[0]', goStringSlice(ips), 'primary clusterIP can not be unset'));
        if (oldIPs.length > 0 && ips.length > 0 && ips[0] !== oldIPs[0]) errs.push(invalidRaw('spec.clusterIPs[0]', goStringSlice(ips), 'may not change once set'));
        if (ips.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
          errs.push(fieldErr.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
        }
      } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) errs.push(invalidRaw('spec.clusterIPs[0]', goStringSlice(ips), 'may not change once set'));
    }
    const fams = arrayOf(spec.ipFamilies);
    const oldFams = arrayOf(o.ipFamilies);
    if (isHeadless(spec) === isHeadless(o) && !isHeadless(spec) && !sameList(fams, oldFams)) {
      if (fams.length === oldFams.length) {
        oldFams.forEach((f, i) => f !== fams[i] && errs.push(invalidRaw('spec.ipFamilies[0]', goStringSlice(fams), 'may not change once set')));
      } else if (oldFams.length > fams.length) {
        if (ips.length === 0) errs.push(invalidRaw('spec.ipFamilies[0]', goStringSlice(fams), 'primary ipFamily can not be unset'));
        if (fams.length > 0 && fams[0] !== oldFams[0]) errs.push(invalidRaw('spec.ipFamilies[0]', goStringSlice(ips), 'may not change once set'));
        if (fams.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
          errs.push(fieldErr.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
        }
      } else if (oldFams.length > 0 && fams.length > 0 && fams[0] !== oldFams[0]) {
        errs.push(invalidRaw('spec.ipFamilies[0]', goStringSlice(ips), 'may not change once set'));
      }
    }
  }
  if (spec.type === 'LoadBalancer' && o.type === 'LoadBalancer' && (spec.loadBalancerClass ?? null) !== (o.loadBalancerClass ?? null)) {
    errs.push(fieldErr.invalid('spec.loadBalancerClass', spec.loadBalancerClass ?? null, 'may not change once set'));
  }
  if (needsHealthCheck(spec) && needsHealthCheck(o) && spec.healthCheckNodePort !== o.healthCheckNodePort) {
    errs.push(fieldErr.forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  return errs;
}
