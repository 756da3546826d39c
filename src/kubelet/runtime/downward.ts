// The downward API: pod fields and container resources as text, shared by env vars and downwardAPI volumes.
import type { Container, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../api/quantity.js';
import { ALLOCATABLE_AMOUNTS } from '../node/node-status.js';

/** What the runtime knows before the API does: the sandbox IP and the node's IP. */
export interface PodAddresses {
  podIP?: string;
  hostIP?: string;
}

/** `key="value"` lines sorted by key, the format of the labels and annotations files. */
function mapFile(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify((m ?? {})[k])}`)
    .join('\n');
}

export function fieldValue(pod: Pod, path: string, addr: PodAddresses = {}): string {
  const m = pod.metadata ?? {};
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return m.labels?.[label[1] as string] ?? '';
  const ann = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (ann) return m.annotations?.[ann[1] as string] ?? '';
  const podIP = addr.podIP ?? pod.status?.podIP ?? '';
  const hostIP = addr.hostIP ?? pod.status?.hostIP ?? '';
  const values: Record<string, string | undefined> = {
    'metadata.name': m.name,
    'metadata.namespace': m.namespace,
    'metadata.uid': m.uid,
    'metadata.labels': mapFile(m.labels),
    'metadata.annotations': mapFile(m.annotations),
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.podIP': podIP,
    'status.podIPs': podIP,
    'status.hostIP': hostIP,
    'status.hostIPs': hostIP,
  };
  return values[path] ?? '';
}

/** Unset limits read as the node's allocatable amounts, as the kubelet fills them in. */
const NODE_DEFAULTS: Record<string, string> = {
  cpu: `${ALLOCATABLE_AMOUNTS.cpuMilli}m`,
  memory: String(ALLOCATABLE_AMOUNTS.memoryBytes),
  'ephemeral-storage': String(ALLOCATABLE_AMOUNTS.ephemeralBytes),
};

export function resourceValue(pod: Pod, self: Container, ref: ResourceFieldSelector): string {
  const c = (ref.containerName ? pod.spec?.containers?.find((x) => x.name === ref.containerName) : self) ?? self;
  const [kind, resource] = ref.resource.split('.', 2) as [string, string];
  const amounts = (kind === 'limits' ? c.resources?.limits : c.resources?.requests) ?? {};
  const raw = amounts[resource] ?? (kind === 'limits' ? NODE_DEFAULTS[resource] : undefined) ?? '0';
  const divisor = parseQuantity(String(ref.divisor ?? '1'));
  const q = parseQuantity(String(raw));
  // Rounded up to whole divisors: cpu by millicores, the rest by bytes.
  if (resource === 'cpu') return String(Math.ceil(Number(q.milliValue()) / Math.max(1, Number(divisor.milliValue()))));
  return String(Math.ceil(Number(q.value()) / Math.max(1, Number(divisor.value()))));
}
