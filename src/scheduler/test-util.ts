// Builders shared by the scheduler's tests: plain node and pod objects, and an in-process API stack.
import { allKinds } from '../api/kinds/index.js';
import { Registry } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import { ApiServer } from '../apiserver/server.js';
import { FakeClock } from '../clock/clock.js';
import type { EventRecorder, EventType } from '../client/events.js';
import { InformerFactory } from '../client/informer.js';
import { InProcessClient } from '../client/inprocess.js';
import { MemoryStore } from '../store/memory.js';
import { SchedulerCache } from './cache.js';
import type { NodeInfo } from './nodeinfo.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';

export interface NodeSpec {
  cpu?: string;
  memory?: string;
  pods?: string;
  extra?: Record<string, string>;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
  unschedulable?: boolean;
}

export function node(name: string, s: NodeSpec = {}): KubeObject {
  const allocatable = { cpu: s.cpu ?? '4', memory: s.memory ?? '8Gi', pods: s.pods ?? '110', ...(s.extra ?? {}) };
  const spec: Record<string, unknown> = {};
  if (s.taints) spec.taints = s.taints;
  if (s.unschedulable) spec.unschedulable = true;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(s.labels ?? {}) } },
    spec,
    status: { capacity: allocatable, allocatable },
  };
}

export interface PodSpecBits {
  cpu?: string;
  memory?: string;
  ports?: Array<{ hostPort: number; containerPort?: number; protocol?: string; hostIP?: string }>;
  spec?: Record<string, unknown>;
  namespace?: string;
  /** Name of a ReplicaSet controlling the pod. */
  replicaSet?: string;
}

export function pod(name: string, s: PodSpecBits = {}): KubeObject {
  const requests: Record<string, string> = {};
  if (s.cpu) requests.cpu = s.cpu;
  if (s.memory) requests.memory = s.memory;
  const container: Record<string, unknown> = { name: 'app', image: 'nginx:1.25' };
  if (Object.keys(requests).length) container.resources = { requests };
  if (s.ports) container.ports = s.ports.map((p) => ({ containerPort: p.containerPort ?? p.hostPort, ...p }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: s.namespace ?? 'default',
      uid: `uid-${name}`,
      ...(s.replicaSet
        ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: s.replicaSet, uid: `uid-${s.replicaSet}`, controller: true, blockOwnerDeletion: true }] }
        : {}),
    },
    spec: { schedulerName: 'default-scheduler', priority: 0, containers: [container], ...(s.spec ?? {}) },
    status: { phase: 'Pending' },
  };
}

/** A node with pods already counted on it. */
export function nodeWith(n: KubeObject, ...pods: KubeObject[]): NodeInfo {
  const cache = new SchedulerCache();
  cache.upsertNode(n);
  for (const p of pods) cache.setBound({ ...p, spec: { ...(p.spec as object), nodeName: n.metadata.name } });
  return cache.node(n.metadata.name ?? '') as NodeInfo;
}

export interface RecordedEvent {
  object: KubeObject;
  type: EventType;
  reason: string;
  message: string;
}

export class FakeRecorder implements EventRecorder {
  readonly events: RecordedEvent[] = [];
  event(object: KubeObject, type: EventType, reason: string, message: string): void {
    this.events.push({ object, type, reason, message });
  }
  about(name: string): RecordedEvent[] {
    return this.events.filter((e) => e.object.metadata.name === name);
  }
}

/** API server, client, informers and a scheduler on a fake clock. The scheduler is not started. */
export function stack(opts: Partial<SchedulerOptions> = {}) {
  const clock = new FakeClock();
  const server = new ApiServer({ store: new MemoryStore(), registry: new Registry([...allKinds]), clock });
  server.namespaces.start();
  const client = new InProcessClient(server.storage);
  const informers = new InformerFactory(client, clock);
  const recorder = new FakeRecorder();
  const scheduler = new Scheduler({ client, informers, clock, recorder, ...opts });
  return { clock, server, client, informers, recorder, scheduler };
}
