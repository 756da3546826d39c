// Helpers for the DaemonSet controller's tests: nodes, DaemonSets and a scheduler stand-in that binds each
// daemon pod where its pinning affinity points and marks it ready.
import { daemonSetDescriptor } from '../../api/kinds/daemonset.js';
import { nodeDescriptor } from '../../api/kinds/node.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import type { KubeObject } from '../../api/types.js';
import { createStack, Driver, makeReady, podTemplate, type TestStack } from '../runtime/testkit.js';
import { daemonSetController } from './controller.js';
import { isPodReady } from '../runtime/pods.js';
import { targetNode } from './template.js';

export const NS = 'default';

export function nodeObj(name: string, opts: { labels?: Record<string, string>; taints?: unknown[]; unschedulable?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: { ...(opts.taints ? { taints: opts.taints } : {}), ...(opts.unschedulable ? { unschedulable: true } : {}) },
  };
}

export function dsObj(name: string, extra: Record<string, unknown> = {}, image = 'nginx:1.25'): KubeObject {
  const template = podTemplate({ app: name }) as { spec: { containers: Array<{ image: string }> } };
  template.spec.containers[0]!.image = image;
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name }, spec: { selector: { matchLabels: { app: name } }, template, ...extra } };
}

export async function startDS(nodes: KubeObject[]): Promise<{ stack: TestStack; driver: Driver }> {
  const stack = createStack();
  for (const n of nodes) await stack.client.create(nodeDescriptor, undefined, n);
  const driver = new Driver(stack, daemonSetController());
  await driver.start();
  return { stack, driver };
}

export async function livePods(stack: TestStack): Promise<KubeObject[]> {
  return (await stack.client.list(podDescriptor, NS)).items.filter((p) => !p.metadata.deletionTimestamp);
}

/** Binds every unbound live pod to its target node and makes it (or a bound unready pod) ready (as scheduler + kubelet would). */
export async function scheduleAll(stack: TestStack, opts: { ready?: boolean } = {}): Promise<void> {
  for (const p of await livePods(stack)) {
    const ready = opts.ready ?? true;
    const bound = !!(p.spec as { nodeName?: string }).nodeName;
    if (bound && (!ready || isPodReady(p))) continue;
    await makeReady(stack.client, p, { ...(bound ? {} : { node: targetNode(p) ?? '' }), readySince: stack.clock.now(), ready });
  }
}

/** Finishes graceful deletions, as the kubelet would. */
export async function reapDeleting(stack: TestStack): Promise<void> {
  for (const p of (await stack.client.list(podDescriptor, NS)).items) {
    if (p.metadata.deletionTimestamp) await stack.client.delete(podDescriptor, NS, p.metadata.name ?? '', { gracePeriodSeconds: 0 });
  }
}

export async function getDS(stack: TestStack, name: string): Promise<KubeObject> {
  return stack.client.get(daemonSetDescriptor, NS, name);
}

export function podsOn(pods: KubeObject[]): string[] {
  return pods.map((p) => targetNode(p) ?? '?').sort();
}
