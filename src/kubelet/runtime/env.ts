// A container's environment as the kubelet builds it: envFrom sources in order, then env entries (later wins,
// $(VAR) references to what is already defined or to a service variable), then the service-link variables
// nobody set explicitly. The runtime puts PATH, HOSTNAME and the image's variables first and HOME last.
import type { Container, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/types.js';
import type { ConfigLookup } from '../pod/config-refs.js';
import { fieldValue, type PodAddresses, resourceValue } from './downward.js';

/** Kubernetes' $(VAR) references in command, args and env values; $$ escapes. */
export function expandRefs(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) => (m === '$$' ? '$' : name !== undefined && env[name] !== undefined ? env[name] : m));
}

/** A ConfigMap's or Secret's keys as text (Secret and binary values are stored base64-encoded). */
export function configData(obj: KubeObject | undefined, secret: boolean): Record<string, string> {
  if (!obj) return {};
  const o = obj as { data?: Record<string, string>; binaryData?: Record<string, string>; stringData?: Record<string, string> };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.binaryData ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(o.data ?? {})) out[k] = secret ? Buffer.from(v, 'base64').toString('utf8') : v;
  for (const [k, v] of Object.entries(o.stringData ?? {})) out[k] = v;
  return out;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** The services the kubelet's lister holds (all namespaces). */
export type ServiceLister = () => readonly Service[];

export interface EnvSources {
  image?: Record<string, string>;
  hostname: string;
  lookup?: ConfigLookup;
  addresses?: PodAddresses;
  /** Services for the service-link variables; without it only the `kubernetes` service's are set. */
  services?: ServiceLister;
}

function serviceIPSet(s: Service): boolean {
  const ip = s.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

function envName(name: string): string {
  return name.replace(/-/g, '_').toUpperCase();
}

/** The Docker-links style variables of some services, in the order the kubelet makes them. */
export function serviceLinkVars(services: readonly Service[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const s of services) {
    const ports = s.spec?.ports ?? [];
    if (!serviceIPSet(s) || ports.length === 0) continue;
    const ip = s.spec?.clusterIP as string;
    const prefix = envName(s.metadata?.name ?? '');
    out.push([`${prefix}_SERVICE_HOST`, ip]);
    out.push([`${prefix}_SERVICE_PORT`, String(ports[0]?.port)]);
    for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
    const host = ip.includes(':') ? `[${ip}]` : ip;
    ports.forEach((p, i) => {
      const proto = p.protocol ?? 'TCP';
      const url = `${proto.toLowerCase()}://${host}:${p.port}`;
      if (i === 0) out.push([`${prefix}_PORT`, url]);
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push([pp, url], [`${pp}_PROTO`, proto.toLowerCase()], [`${pp}_PORT`, String(p.port)], [`${pp}_ADDR`, ip]);
    });
  }
  return out;
}

/** The services whose variables a pod's containers get: `kubernetes` of the default namespace always, the
 * pod's own namespace's when enableServiceLinks (default true) holds; a namespace's service shadows a master
 * service of the same name. Sorted by name so the order is stable. */
export function serviceEnv(pod: Pod, services: readonly Service[]): Array<[string, string]> {
  const ns = pod.metadata?.namespace ?? 'default';
  const links = pod.spec?.enableServiceLinks ?? true;
  const chosen = new Map<string, Service>();
  for (const s of services) {
    if (!serviceIPSet(s)) continue;
    const name = s.metadata?.name ?? '';
    const sns = s.metadata?.namespace ?? 'default';
    if (sns === 'default' && name === 'kubernetes') {
      if (!chosen.has(name)) chosen.set(name, s);
    } else if (sns === ns && links) chosen.set(name, s);
  }
  return serviceLinkVars([...chosen.values()].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '')));
}

const MASTER_SERVICE: Service = {
  metadata: { name: 'kubernetes', namespace: 'default' },
  spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
};

/** The variables the kubelet hands the runtime (its own, without the image's), in order. Also what $(VAR) in
 * command, args and subPathExpr expands from. */
export function kubeletEnv(pod: Pod, c: Container, src: Omit<EnvSources, 'hostname' | 'image'>): Record<string, string> {
  const ns = pod.metadata?.namespace ?? 'default';
  const service = new Map(serviceEnv(pod, src.services ? src.services() : [MASTER_SERVICE]));
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const secret = !from.configMapRef && !!from.secretRef;
    const ref = from.configMapRef ? src.lookup?.('ConfigMap', ns, from.configMapRef.name ?? '') : from.secretRef ? src.lookup?.('Secret', ns, from.secretRef.name ?? '') : undefined;
    // Keys that are not valid variable names are skipped, as the kubelet does (it reports them in an event).
    for (const [k, v] of Object.entries(configData(ref, secret))) if (ENV_NAME.test(`${from.prefix ?? ''}${k}`)) env[`${from.prefix ?? ''}${k}`] = v;
  }
  for (const e of c.env ?? []) {
    const v = e.valueFrom;
    if (!v) {
      // References see the variables defined so far, then the service variables.
      env[e.name] = e.value ? expandRefs(e.value, { ...Object.fromEntries(service), ...env }) : '';
    } else if (v.fieldRef) env[e.name] = fieldValue(pod, v.fieldRef.fieldPath, src.addresses);
    else if (v.resourceFieldRef) env[e.name] = resourceValue(pod, c, v.resourceFieldRef);
    else if (v.configMapKeyRef) {
      const val = configData(src.lookup?.('ConfigMap', ns, v.configMapKeyRef.name ?? ''), false)[v.configMapKeyRef.key];
      if (val !== undefined) env[e.name] = val;
    } else if (v.secretKeyRef) {
      const val = configData(src.lookup?.('Secret', ns, v.secretKeyRef.name ?? ''), true)[v.secretKeyRef.key];
      if (val !== undefined) env[e.name] = val;
    }
  }
  for (const [k, v] of service) if (!(k in env)) env[k] = v;
  return env;
}

/** What a process in the container sees: PATH and HOSTNAME from the runtime, the image's variables, the
 * kubelet's (replacing the image's in place), HOME when nobody set it. */
export function containerEnv(pod: Pod, c: Container, src: EnvSources): Record<string, string> {
  return runtimeEnv(src.hostname, src.image, kubeletEnv(pod, c, src));
}

export function runtimeEnv(hostname: string, image: Record<string, string> | undefined, kubelet: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: hostname,
    ...(image ?? {}),
    ...kubelet,
  };
  if (env.HOME === undefined) env.HOME = '/root';
  return env;
}
