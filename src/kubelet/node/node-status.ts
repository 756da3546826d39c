// The Node object a simulated kubelet registers and the status it keeps posting: a 4-CPU, 16 GiB, 110-pod
// Ubuntu machine running containerd (or the size a Node was created with), with the labels, conditions,
// addresses and image list a real kubelet reports (see B8 of the lifecycle reference).
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../clock/clock.js';
import { quantityOf } from '../../api/kinds/podspec-quantities.js';
import type { Allocatable } from './admission.js';
import type { MachineIdentity } from './identity.js';

export const KUBELET_VERSION = 'v1.32.0';

export const CAPACITY = {
  cpu: '4',
  'ephemeral-storage': '102626232Ki',
  'hugepages-1Gi': '0',
  'hugepages-2Mi': '0',
  memory: '16393916Ki',
  pods: '110',
};

/** Capacity less the kubelet's default eviction thresholds (100Mi memory, 10% disk). */
export const ALLOCATABLE = {
  cpu: '4',
  'ephemeral-storage': '94580335255',
  'hugepages-1Gi': '0',
  'hugepages-2Mi': '0',
  memory: '16291516Ki',
  pods: '110',
};

export const ALLOCATABLE_AMOUNTS: Allocatable = {
  cpuMilli: 4000,
  memoryBytes: 16291516 * 1024,
  ephemeralBytes: 94580335255,
  pods: 110,
};

/**
 * Capacity and allocatable of a machine of another size (`kubeloop node add --cpu 8 --memory 16Gi --pods 110`):
 * allocatable memory is capacity less the kubelet's 100Mi eviction threshold; disk is the default machine's.
 */
export function machineResources(size: { cpu?: string; memory?: string; pods?: string | number }): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const capacity: Record<string, string> = { ...CAPACITY };
  const allocatable: Record<string, string> = { ...ALLOCATABLE };
  if (size.cpu !== undefined) capacity.cpu = allocatable.cpu = size.cpu;
  if (size.pods !== undefined) capacity.pods = allocatable.pods = String(size.pods);
  if (size.memory !== undefined) {
    const q = quantityOf(size.memory);
    if (!q) throw new Error(`invalid memory quantity "${size.memory}"`);
    capacity.memory = size.memory;
    const ki = Math.max(0, Math.floor(Number(q.value()) / 1024) - 100 * 1024);
    allocatable.memory = `${ki}Ki`;
  }
  return { capacity, allocatable };
}

/** A status someone set on the Node (a sized `node add`, a manifest) is what the simulated machine has. */
function hasResources(list: Record<string, unknown> | undefined): boolean {
  return !!list && Object.keys(list).length > 0;
}

export function defaultLabels(name: string): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  };
}

export const DEFAULT_ANNOTATIONS = { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' };

const HEALTHY: Array<{ type: string; status: 'True' | 'False'; reason: string; message: string; event: string }> = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', event: 'NodeHasSufficientMemory' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', event: 'NodeHasNoDiskPressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', event: 'NodeHasSufficientPID' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', event: 'NodeReady' },
];

/** The node events a kubelet records when its conditions first appear healthy. */
export const CONDITION_EVENTS = HEALTHY.map((h) => h.event);

export interface NodeStatusInput {
  name: string;
  internalIP: string;
  identity: MachineIdentity;
  images: Array<{ names: string[]; sizeBytes: number }>;
  /** The node's current status from the API: transition times and conditions owned by others carry over. */
  current: NodeStatus | undefined;
  now: number;
  /** The port the kubelet server listens on (default 10250, the kubelet's, when it has none of its own). */
  kubeletPort?: number;
}

export interface BuiltNodeStatus {
  status: NodeStatus;
  /** Node events for conditions that appeared or flipped (`NodeReady`, `NodeHasSufficientMemory`, ...). */
  events: string[];
}

export function buildNodeStatus(input: NodeStatusInput): BuiltNodeStatus {
  const nowText = rfc3339(input.now);
  const current = input.current?.conditions ?? [];
  const ours = new Set(HEALTHY.map((h) => h.type));
  const conditions: NodeCondition[] = current.filter((c) => !ours.has(c.type));
  const events: string[] = [];
  for (const h of HEALTHY) {
    const old = current.find((c) => c.type === h.type);
    const flipped = !old || old.status !== h.status;
    if (flipped) events.push(h.event);
    conditions.push({
      type: h.type,
      status: h.status,
      lastHeartbeatTime: nowText,
      lastTransitionTime: !flipped && old?.lastTransitionTime ? old.lastTransitionTime : nowText,
      reason: h.reason,
      message: h.message,
    });
  }
  const status = {
    capacity: hasResources(input.current?.capacity) ? { ...input.current?.capacity } : { ...CAPACITY },
    allocatable: hasResources(input.current?.allocatable) ? { ...input.current?.allocatable } : hasResources(input.current?.capacity) ? { ...input.current?.capacity } : { ...ALLOCATABLE },
    conditions,
    addresses: [
      { type: 'InternalIP', address: input.internalIP },
      { type: 'Hostname', address: input.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: input.kubeletPort ?? 10250 } },
    nodeInfo: {
      machineID: input.identity.machineID,
      systemUUID: input.identity.systemUUID,
      bootID: input.identity.bootID,
      kernelVersion: '6.8.0-45-generic',
      osImage: 'Ubuntu 22.04.4 LTS',
      containerRuntimeVersion: 'containerd://1.7.22',
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
    images: input.images,
    runtimeHandlers: [
      { name: 'runc', features: { recursiveReadOnlyMounts: true, userNamespaces: true } },
      { name: '', features: { recursiveReadOnlyMounts: true, userNamespaces: true } },
    ],
    features: { supplementalGroupsPolicy: true },
  } as unknown as NodeStatus;
  return { status, events };
}

/** Equal apart from heartbeat times: nothing worth posting before the report period ends. Runs for every node on
 * every status check, so it compares in place instead of serializing (a key set to undefined counts as absent,
 * as it would after a trip through JSON). */
export function sameNodeStatus(a: NodeStatus | undefined, b: NodeStatus | undefined): boolean {
  return sameJson(a ?? {}, b ?? {}, 'lastHeartbeatTime');
}

function definedKeys(o: Record<string, unknown>, skip: string): number {
  let n = 0;
  for (const k in o) if (k !== skip && o[k] !== undefined) n++;
  return n;
}

function sameJson(a: unknown, b: unknown, skip: string): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], bb[i], skip)) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k in ao) {
    if (k === skip || ao[k] === undefined) continue;
    if (!sameJson(ao[k], bo[k], skip)) return false;
  }
  return definedKeys(ao, skip) === definedKeys(bo, skip);
}

/** The Node a kubelet registers on first start. */
export function registrationObject(name: string, podCIDR: string, status: NodeStatus, extraAnnotations: Record<string, string> = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: defaultLabels(name), annotations: { ...DEFAULT_ANNOTATIONS, ...extraAnnotations } },
    spec: { podCIDR, podCIDRs: [podCIDR] },
    status,
  };
}
