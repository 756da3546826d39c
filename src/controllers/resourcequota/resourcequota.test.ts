import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ApiError } from '../../api/errors.js';
import { configMapDescriptor } from '../../api/kinds/configmap.js';
import { deploymentDescriptor } from '../../api/kinds/deployment.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { resourceQuotaDescriptor } from '../../api/kinds/resourcequota.js';
import { serviceDescriptor } from '../../api/kinds/service.js';
import type { KubeObject } from '../../api/types.js';
import { createStack, Driver, type TestStack } from '../runtime/testkit.js';
import { resourceQuotaController } from './controller.js';

let stack: TestStack;
let driver: Driver;

beforeEach(async () => {
  stack = createStack();
  driver = new Driver(stack, resourceQuotaController());
  await driver.start();
});
afterEach(() => driver.stop());

async function quota(name: string, hard: Record<string, string>, extra: Record<string, unknown> = {}): Promise<void> {
  await stack.client.create(resourceQuotaDescriptor, 'default', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard, ...extra } } as KubeObject);
  await driver.drain();
}

async function status(name: string): Promise<{ hard?: Record<string, string>; used?: Record<string, string> }> {
  return (await stack.client.get(resourceQuotaDescriptor, 'default', name)).status as never;
}

function pod(name: string, resources?: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject {
  const c: Record<string, unknown> = { name: 'nginx', image: 'nginx' };
  if (resources) c.resources = resources;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [c], ...extra } } as KubeObject;
}

async function createPod(p: KubeObject): Promise<KubeObject> {
  return stack.client.create(podDescriptor, 'default', p);
}

async function refusal(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return { code: err.code, message: err.message };
  }
  assert.fail('expected the write to be refused');
}

describe('resource quota controller and admission', () => {
  it('fills status.hard and status.used from what the namespace holds', async () => {
    await createPod(pod('a', { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } }));
    await createPod(pod('b', { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } }));
    await quota('q', { pods: '5', 'requests.cpu': '1', 'limits.memory': '1Gi', 'count/pods': '10', configmaps: '3' });
    assert.deepEqual(await status('q'), {
      hard: { configmaps: '3', 'count/pods': '10', 'limits.memory': '1Gi', pods: '5', 'requests.cpu': '1' },
      used: { configmaps: '0', 'count/pods': '2', 'limits.memory': '256Mi', pods: '2', 'requests.cpu': '200m' },
    });
  });

  it('refuses the create that would go over, with kube-apiserver\'s message, and charges used at once', async () => {
    await quota('q', { pods: '2' });
    await createPod(pod('a'));
    await createPod(pod('b'));
    // No reconcile in between: admission's own charge is what stops the third pod.
    assert.deepEqual((await status('q')).used, { pods: '2' });
    const r = await refusal(createPod(pod('c')));
    assert.equal(r.code, 403);
    assert.equal(r.message, 'pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
    await driver.drain();
    assert.deepEqual((await status('q')).used, { pods: '2' });
  });

  it('names the generated pod name and only the exceeded resources', async () => {
    await quota('compute', { pods: '10', 'requests.cpu': '300m' });
    await createPod(pod('a', { requests: { cpu: '200m' } }));
    const r = await refusal(createPod({ ...pod('', { requests: { cpu: '200m' } }), metadata: { generateName: 'web-' } }));
    assert.match(r.message, /^pods "web-[a-z0-9]{5}" is forbidden: exceeded quota: compute, requested: requests.cpu=200m, used: requests.cpu=200m, limited: requests.cpu=300m$/);
  });

  it('requires requests and limits for every container when the quota covers cpu or memory', async () => {
    await quota('q', { 'limits.cpu': '2', 'requests.memory': '1Gi', pods: '4' });
    const r = await refusal(createPod(pod('x')));
    assert.equal(r.message, 'pods "x" is forbidden: failed quota: q: must specify limits.cpu for: nginx; requests.memory for: nginx');
  });

  it('of several creates racing for the last slots, exactly as many pass as fit', async () => {
    await quota('q', { pods: '2' });
    const results = await Promise.allSettled(['r1', 'r2', 'r3', 'r4'].map((n) => createPod(pod(n))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
    await driver.drain();
    assert.deepEqual((await status('q')).used, { pods: '2' });
  });

  it('gives the charge back when the create fails afterwards (name taken)', async () => {
    await quota('q', { pods: '3' });
    await createPod(pod('a'));
    await refusal(createPod(pod('a')));
    assert.deepEqual((await status('q')).used, { pods: '1' });
  });

  it('lowers used when a pod goes away or finishes, and counts no terminal pod', async () => {
    await quota('q', { pods: '3', 'count/pods': '9' });
    await createPod(pod('a'));
    const b = await createPod(pod('b'));
    await driver.drain();
    await stack.client.delete(podDescriptor, 'default', 'a');
    await stack.client.update(podDescriptor, 'default', { ...b, status: { ...(b.status as object), phase: 'Succeeded' } }, { subresource: 'status' });
    await driver.drain();
    assert.deepEqual((await status('q')).used, { 'count/pods': '1', pods: '0' });
  });

  it('scopes: a BestEffort quota only counts best-effort pods', async () => {
    await quota('be', { pods: '1' }, { scopes: ['BestEffort'] });
    await createPod(pod('guaranteed', { limits: { cpu: '1', memory: '1Gi' } }));
    await createPod(pod('free'));
    const r = await refusal(createPod(pod('free2')));
    assert.match(r.message, /exceeded quota: be, requested: pods=1, used: pods=1, limited: pods=1/);
    await driver.drain();
    assert.deepEqual((await status('be')).used, { pods: '1' });
  });

  it('counts services, node ports, config maps and count/<resource>.<group>', async () => {
    await quota('objects', { services: '5', 'services.nodeports': '1', configmaps: '2', 'count/deployments.apps': '1' });
    const svc = (n: string, type: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: n }, spec: { type, ports: [{ port: 80 }], selector: { a: 'b' } } }) as KubeObject;
    await stack.client.create(serviceDescriptor, 'default', svc('np', 'NodePort'));
    const r = await refusal(stack.client.create(serviceDescriptor, 'default', svc('np2', 'NodePort')));
    assert.equal(r.message, 'services "np2" is forbidden: exceeded quota: objects, requested: services.nodeports=1, used: services.nodeports=1, limited: services.nodeports=1');
    // kube-root-ca.crt is not there in tests, so the namespace starts with no config maps.
    await stack.client.create(configMapDescriptor, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1' } } as KubeObject);
    const dep = (n: string) => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: n },
      spec: { selector: { matchLabels: { a: n } }, template: { metadata: { labels: { a: n } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    }) as KubeObject;
    await stack.client.create(deploymentDescriptor, 'default', dep('d1'));
    const d = await refusal(stack.client.create(deploymentDescriptor, 'default', dep('d2')));
    assert.equal(d.message, 'deployments.apps "d2" is forbidden: exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1');
    await driver.drain();
    const used = (await status('objects')).used ?? {};
    assert.equal(used.services, '1');
    assert.equal(used['services.nodeports'], '1');
    assert.equal(used['count/deployments.apps'], '1');
  });

  it('a dry run is checked but not charged', async () => {
    await quota('q', { pods: '1' });
    await stack.client.create(podDescriptor, 'default', pod('a'), { dryRun: true });
    assert.deepEqual((await status('q')).used, { pods: '0' });
  });

  it('a quota the controller has not seen yet does not stop anything', async () => {
    await stack.client.create(resourceQuotaDescriptor, 'default', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'new' }, spec: { hard: { pods: '0' } } } as KubeObject);
    await createPod(pod('a'));
    await driver.drain();
    assert.deepEqual((await status('new')).used, { pods: '1' });
    await refusal(createPod(pod('b')));
  });
});
