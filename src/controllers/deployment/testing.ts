// Test support: a deployment controller on a FakeClock with a stand-in for the ReplicaSet controller, which
// writes each ReplicaSet's status straight from its spec so rollout steps can be stepped through one at a time.
import { deploymentDescriptor } from '../../api/kinds/deployment.js';
import { replicaSetDescriptor } from '../../api/kinds/replicaset.js';
import type { KubeObject } from '../../api/types.js';
import { createStack, Driver, settle, type TestStack } from '../runtime/testkit.js';
import { deploymentController } from './controller.js';
import { rsReplicas, rsStatus } from './types.js';

export interface Harness {
  stack: TestStack;
  driver: Driver;
  key: string;
  /** Every sync's events, one array per reconcile. */
  syncs: string[][];
}

export function deploymentManifest(name: string, opts: { replicas?: number; image?: string; strategy?: unknown; extra?: Record<string, unknown>; annotations?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(opts.annotations ? { annotations: opts.annotations } : {}) },
    spec: {
      replicas: opts.replicas ?? 10,
      selector: { matchLabels: { run: name } },
      ...(opts.strategy ? { strategy: opts.strategy } : {}),
      template: { metadata: { labels: { run: name } }, spec: { containers: [{ name: 'nginx', image: opts.image ?? 'nginx:1.7.9' }] } },
      ...opts.extra,
    },
  };
}

export async function startHarness(d: KubeObject): Promise<Harness> {
  const stack = createStack();
  const driver = new Driver(stack, deploymentController());
  await driver.start();
  await stack.client.create(deploymentDescriptor, 'default', d);
  await settle();
  return { stack, driver, key: `default/${d.metadata.name}`, syncs: [] };
}

/** Reconciles until nothing is pending, remembering which events each reconcile recorded. */
export async function drain(h: Harness, max = 50): Promise<void> {
  await settle();
  for (let i = 0; h.driver.pending.size > 0; i++) {
    if (i >= max) throw new Error('deployment controller never settles');
    const key = h.driver.pending.values().next().value as string;
    const before = h.stack.recorder.events.length;
    const res = await h.driver.sync(key);
    if (res) h.driver.ctx.enqueueAfter(key, res.requeueAfter, 'requeue');
    h.syncs.push(h.stack.recorder.events.slice(before).map((e) => e.message));
  }
}

export async function replicaSets(h: Harness): Promise<KubeObject[]> {
  const list = await h.stack.client.list(replicaSetDescriptor, 'default');
  return list.items;
}

export async function deployment(h: Harness, name = h.key.split('/')[1] as string): Promise<KubeObject> {
  return h.stack.client.get(deploymentDescriptor, 'default', name);
}

export function imageOf(rs: KubeObject): string {
  return ((rs.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0] as { image: string }).image;
}

/**
 * Plays the ReplicaSet controller for one round: every ReplicaSet reaches its spec size at once; pods of an
 * image in `broken` never become ready; `newReadyPerRound` caps how many more pods of other images turn
 * available per ReplicaSet this round (pods that already were stay so, down to the new size).
 */
export async function replicaSetRound(h: Harness, opts: { broken?: string[]; newReadyPerRound?: number } = {}): Promise<void> {
  for (const rs of await replicaSets(h)) {
    const size = rsReplicas(rs);
    const st = rsStatus(rs);
    const wasAvailable = Math.min(st.availableReplicas ?? 0, size);
    const canBeReady = opts.broken?.includes(imageOf(rs)) ? 0 : size;
    const available = Math.min(canBeReady, wasAvailable + (opts.newReadyPerRound ?? size));
    const status: Record<string, unknown> = { replicas: size, observedGeneration: rs.metadata.generation };
    if (available) Object.assign(status, { readyReplicas: available, availableReplicas: available, fullyLabeledReplicas: size });
    if ((st.replicas ?? 0) === size && (st.availableReplicas ?? 0) === available && (st.observedGeneration ?? 0) === rs.metadata.generation) continue;
    await h.stack.client.update(replicaSetDescriptor, 'default', { ...rs, status }, { subresource: 'status' });
  }
  await settle();
}
