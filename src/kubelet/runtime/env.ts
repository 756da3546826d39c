// A container's environment as the kubelet builds it: the image's variables, then envFrom sources in order,
// then env entries (later wins), with $(VAR) references to what is already defined.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
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

export interface EnvSources {
  image?: Record<string, string>;
  hostname: string;
  lookup?: ConfigLookup;
  addresses?: PodAddresses;
}

export function containerEnv(pod: Pod, c: Container, src: EnvSources): Record<string, string> {
  const ns = pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: src.hostname,
    ...(src.image ?? {}),
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443',
    HOME: '/root',
  };
  for (const from of c.envFrom ?? []) {
    const secret = !from.configMapRef && !!from.secretRef;
    const ref = from.configMapRef ? src.lookup?.('ConfigMap', ns, from.configMapRef.name ?? '') : from.secretRef ? src.lookup?.('Secret', ns, from.secretRef.name ?? '') : undefined;
    // Keys that are not valid variable names are skipped, as the kubelet does (it reports them in an event).
    for (const [k, v] of Object.entries(configData(ref, secret))) if (ENV_NAME.test(`${from.prefix ?? ''}${k}`)) env[`${from.prefix ?? ''}${k}`] = v;
  }
  for (const e of c.env ?? []) {
    const v = e.valueFrom;
    if (!v) env[e.name] = expandRefs(e.value ?? '', env);
    else if (v.fieldRef) env[e.name] = fieldValue(pod, v.fieldRef.fieldPath, src.addresses);
    else if (v.resourceFieldRef) env[e.name] = resourceValue(pod, c, v.resourceFieldRef);
    else if (v.configMapKeyRef) {
      const val = configData(src.lookup?.('ConfigMap', ns, v.configMapKeyRef.name ?? ''), false)[v.configMapKeyRef.key];
      if (val !== undefined) env[e.name] = val;
    } else if (v.secretKeyRef) {
      const val = configData(src.lookup?.('Secret', ns, v.secretKeyRef.name ?? ''), true)[v.secretKeyRef.key];
      if (val !== undefined) env[e.name] = val;
    }
  }
  return env;
}
