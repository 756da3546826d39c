// Test helpers shared by the Endpoints and EndpointSlice tests: services, pods with an address and a
// readiness, all in the default namespace.
import { podDescriptor } from '../../api/kinds/pod.js';
import { serviceDescriptor } from '../../api/kinds/service.js';
import type { KubeObject } from '../../api/types.js';
import { rfc3339 } from '../../clock/clock.js';
import type { TestStack } from '../runtime/testkit.js';

export const NS = 'default';

export function service(name: string, spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, ...(labels ? { labels } : {}) }, spec };
}

export async function createService(stack: TestStack, name: string, spec: Record<string, unknown>, labels?: Record<string, string>): Promise<KubeObject> {
  return stack.client.create(serviceDescriptor, NS, service(name, spec, labels));
}

export interface PodOpts {
  labels?: Record<string, string>;
  hostname?: string;
  subdomain?: string;
  ports?: Array<{ name?: string; containerPort: number }>;
}

export async function createPod(stack: TestStack, name: string, opts: PodOpts = {}): Promise<KubeObject> {
  const spec: Record<string, unknown> = { containers: [{ name: 'c', image: 'nginx', ...(opts.ports ? { ports: opts.ports } : {}) }] };
  if (opts.hostname) spec.hostname = opts.hostname;
  if (opts.subdomain) spec.subdomain = opts.subdomain;
  return stack.client.create(podDescriptor, NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: opts.labels ?? { app: 'web' } }, spec });
}

/** Binds the pod to `node`, gives it `ip` and the given readiness (as of the clock's now). */
export async function runPod(stack: TestStack, name: string, ip: string, ready = true, node = 'node-1'): Promise<KubeObject> {
  const c = stack.client;
  const pod = await c.get(podDescriptor, NS, name);
  if (!(pod.spec as { nodeName?: string }).nodeName) {
    await c.createSubresource(podDescriptor, NS, name, 'binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    } as KubeObject);
  }
  const fresh = await c.get(podDescriptor, NS, name);
  const since = rfc3339(stack.clock.now());
  const status = { ...(fresh.status as object), phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: since }] };
  return c.update(podDescriptor, NS, { ...fresh, status }, { subresource: 'status' });
}
