// Shared setup for the collector's tests: the in-process stack with a running collector, and small helpers to
// create owned objects and wait (in fake time) for the cluster to converge.
import { allKinds } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/types.js';
import type { Client, Resource } from '../../client/client.js';
import { InformerFactory } from '../../client/informer.js';
import { createStack, settle, type TestStack } from '../runtime/testkit.js';
import { type GarbageCollectorHandle, gcResources, startGarbageCollector } from './index.js';
import type { OwnerRef } from './identity.js';
import { statusCode } from './operations.js';

export const CM: Resource = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
export const POD: Resource = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };
export const RS: Resource = { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true };
export const NS: Resource = { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false };

export interface GcStack extends TestStack {
  gc: GarbageCollectorHandle;
  logs: string[];
}

export interface StackOptions {
  /** Wraps the client the collector writes and reads live objects with. */
  client?: (c: Client) => Client;
  /** Wraps the client the informers list and watch through. */
  watchClient?: (c: Client) => Client;
  /** Runs before the collector starts (state it finds on startup). */
  prepare?: (s: TestStack) => Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<GcStack> {
  let stack = createStack();
  if (opts.watchClient) stack = { ...stack, informers: new InformerFactory(opts.watchClient(stack.watchClient), stack.clock) };
  await opts.prepare?.(stack);
  const logs: string[] = [];
  const gc = startGarbageCollector({
    client: opts.client ? opts.client(stack.client) : stack.client,
    informers: stack.informers,
    clock: stack.clock,
    resources: gcResources(allKinds),
    recorder: stack.recorder,
    log: (m) => logs.push(m),
  });
  await gc.waitForSync();
  return { ...stack, gc, logs };
}

export async function stopStack(s: GcStack): Promise<void> {
  await s.gc.stop();
  s.informers.stop();
}

export function refTo(owner: KubeObject, extra: Partial<OwnerRef> = {}): OwnerRef {
  return { apiVersion: owner.apiVersion ?? 'v1', kind: owner.kind ?? '', name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', ...extra };
}

export function configMap(name: string, owners: OwnerRef[] = [], meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(owners.length ? { ownerReferences: owners } : {}), ...meta }, data: { k: name } };
}

export function pod(name: string, owners: OwnerRef[] = []): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(owners.length ? { ownerReferences: owners } : {}) },
    spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] },
  };
}

export async function find(client: Client, r: Resource, ns: string | undefined, name: string): Promise<KubeObject | undefined> {
  try {
    return await client.get(r, ns, name);
  } catch (err) {
    if (statusCode(err) === 404) return undefined;
    throw err;
  }
}

/** Lets work run and fake time pass in 100 ms steps until `cond` holds. */
export async function until(s: TestStack, what: string, cond: () => boolean | Promise<boolean>, maxMs = 60_000): Promise<void> {
  for (let t = 0; t <= maxMs; t += 100) {
    await settle(10);
    if (await cond()) return;
    s.clock.advance(100);
  }
  throw new Error(`timed out after ${maxMs} ms of cluster time waiting for: ${what}`);
}

/** Lets the collector work for a while of fake time (to show that something does NOT happen). */
export async function idle(s: TestStack, ms = 5_000): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    await settle(10);
    s.clock.advance(100);
  }
  await settle(10);
}
