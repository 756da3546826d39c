// Test support for the kubelet suites: the real API server and client in-process on a FakeClock, a recording
// event recorder, and ways to let time pass exactly (every timer fires at its own instant, with the async work
// it starts finished before the clock moves on).
import type { Pod } from 'kubernetes-types/core/v1.js';
import { allKinds } from '../api/kinds/index.js';
import { podDescriptor, podStatusCells } from '../api/kinds/pod.js';
import { Registry } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import { ApiServer } from '../apiserver/server.js';
import type { EventRecorder, EventType } from '../client/events.js';
import { InformerFactory } from '../client/informer.js';
import { InProcessClient } from '../client/inprocess.js';
import { FakeClock } from '../clock/clock.js';
import { MemoryStore } from '../store/memory.js';
import { type NodeSimulation, type NodeSimulationOptions, startNodeSimulation } from './simulation.js';

export interface RecordedEvent {
  node: string;
  kind: string;
  name: string;
  type: EventType;
  reason: string;
  message: string;
  fieldPath?: string;
  at: number;
}

export interface TestCluster {
  clock: FakeClock;
  client: InProcessClient;
  informers: InformerFactory;
  sim: NodeSimulation;
  events: RecordedEvent[];
  start: number;
  /** Lets pending async work and timers due now run. */
  settle(): Promise<void>;
  /** Moves time forward by `ms`, stopping at every timer on the way. */
  advance(ms: number): Promise<void>;
  /** Advances until `check` holds (or `limitMs` passes); returns the elapsed time. */
  until(check: () => boolean | Promise<boolean>, limitMs?: number): Promise<number>;
  pod(name: string, namespace?: string): Promise<Pod | undefined>;
  createPod(spec: Record<string, unknown>, name: string, opts?: { namespace?: string; node?: string | null; labels?: Record<string, string> }): Promise<Pod>;
  eventsFor(name: string): RecordedEvent[];
  /** Every state of pod `name` seen through a watch since the cluster started: what `kubectl get -w` prints. */
  history(name: string): PodSnapshot[];
  stop(): Promise<void>;
}

export interface PodSnapshot {
  at: number;
  type: string;
  ready: string;
  status: string;
  restarts: number;
  phase: string;
  pod: Pod;
}

function nextTimer(clock: FakeClock): number | undefined {
  const pending = (clock as unknown as { pending: Array<{ at: number; cancelled: boolean }> }).pending;
  let next: number | undefined;
  for (const p of pending) if (!p.cancelled && (next === undefined || p.at < next)) next = p.at;
  return next;
}

export async function startTestCluster(opts: Partial<NodeSimulationOptions> = {}): Promise<TestCluster> {
  const clock = new FakeClock();
  const server = new ApiServer({ store: new MemoryStore(), registry: new Registry([...allKinds]), clock });
  server.namespaces.start();
  const client = new InProcessClient(server.storage);
  const informers = new InformerFactory(client, clock);
  const events: RecordedEvent[] = [];
  const recorderFor = (node: string): EventRecorder => ({
    event(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string) {
      const e: RecordedEvent = { node, kind: obj.kind ?? '', name: obj.metadata.name ?? '', type, reason, message, at: clock.now() };
      if (fieldPath) e.fieldPath = fieldPath;
      events.push(e);
    },
  });

  const snapshots: Array<PodSnapshot & { name: string }> = [];
  const podWatch = client.watch(podDescriptor, undefined, {}, {
    onEvent(e) {
      if (e.type === 'BOOKMARK' || e.type === 'ERROR') return;
      const pod = e.object as unknown as Pod;
      const cells = podStatusCells(pod, clock.now());
      snapshots.push({ name: pod.metadata?.name ?? '', at: clock.now(), type: e.type, ready: cells.ready, status: cells.status, restarts: cells.restartCount, phase: pod.status?.phase ?? '', pod });
    },
    onClose() {},
  });

  const settle = async () => {
    for (let i = 0; i < 40; i++) {
      clock.advance(0);
      await new Promise((r) => setImmediate(r));
    }
  };
  const advance = async (ms: number) => {
    const target = clock.now() + ms;
    await settle();
    for (;;) {
      const next = nextTimer(clock);
      if (next === undefined || next > target) break;
      clock.advance(Math.max(0, next - clock.now()));
      await settle();
    }
    clock.advance(Math.max(0, target - clock.now()));
    await settle();
  };

  const simPromise = startNodeSimulation({ client, informers, clock, timing: 'instant', count: 1, eventRecorder: recorderFor, log: () => {}, ...opts });
  // The informers list on a microtask and the initial registration writes go through the same in-process path.
  let sim: NodeSimulation | undefined;
  void simPromise.then((s) => (sim = s));
  while (!sim) await settle();
  await settle();

  const cluster: TestCluster = {
    clock,
    client,
    informers,
    sim,
    events,
    start: clock.now(),
    settle,
    advance,
    async until(check, limitMs = 600_000) {
      const t0 = clock.now();
      while (!(await check())) {
        if (clock.now() - t0 >= limitMs) throw new Error(`condition not reached within ${limitMs} ms`);
        const next = nextTimer(clock);
        const step = next === undefined ? 1000 : Math.max(0, Math.min(next - clock.now(), 1000));
        clock.advance(step);
        await settle();
      }
      return clock.now() - t0;
    },
    async pod(name, namespace = 'default') {
      try {
        return (await client.get(podDescriptor, namespace, name)) as unknown as Pod;
      } catch {
        return undefined;
      }
    },
    async createPod(spec, name, o = {}) {
      const body = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, ...(o.labels ? { labels: o.labels } : {}) },
        spec: { ...(o.node === null ? {} : { nodeName: o.node ?? 'node-1' }), ...spec },
      } as unknown as KubeObject;
      return (await client.create(podDescriptor, o.namespace ?? 'default', body)) as unknown as Pod;
    },
    eventsFor(name) {
      return events.filter((e) => e.name === name);
    },
    history(name) {
      return snapshots.filter((s) => s.name === name);
    },
    async stop() {
      podWatch.stop();
      await cluster.sim.stop();
      informers.stop();
      await server.close();
    },
  };
  return cluster;
}
