import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointSliceDescriptor } from '../../api/kinds/endpointslice.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import type { KubeObject } from '../../api/types.js';
import { createPod, createService, NS, runPod } from '../endpoints/testing.js';
import { driverPerTest, settle, type TestStack } from '../runtime/testkit.js';
import { endpointSliceController } from './index.js';
import type { PortGroup, SliceEndpoint } from './desired.js';
import { planSlices } from './plan.js';

const start = driverPerTest(endpointSliceController);

async function slicesOf(stack: TestStack, svc: string): Promise<KubeObject[]> {
  return (await stack.client.list(endpointSliceDescriptor, NS, { labelSelector: `kubernetes.io/service-name=${svc}` })).items;
}

const eps = (s: KubeObject) => (s.endpoints as SliceEndpoint[]) ?? [];
const WEB = { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080, targetPort: 80 }] };

describe('endpointslice controller', () => {
  it('writes one IPv4 slice owned by the service, with conditions, targetRef and nodeName', async () => {
    const { stack, driver } = await start();
    const svc = await createService(stack, 'web', WEB, { tier: 'front' });
    await createPod(stack, 'web-a');
    await createPod(stack, 'web-b');
    await runPod(stack, 'web-a', '10.244.1.2');
    await runPod(stack, 'web-b', '10.244.1.3', false);
    await driver.drain();
    const slices = await slicesOf(stack, 'web');
    assert.equal(slices.length, 1);
    const s = slices[0] as KubeObject;
    assert.match(s.metadata.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(s.metadata.labels, { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.ok(s.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);
    assert.equal(s.addressType, 'IPv4');
    assert.deepEqual(s.ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);
    assert.deepEqual(
      eps(s).map((e) => [e.addresses, e.conditions, e.targetRef.name, e.nodeName]),
      [
        [['10.244.1.2'], { ready: true, serving: true, terminating: false }, 'web-a', 'node-1'],
        [['10.244.1.3'], { ready: false, serving: false, terminating: false }, 'web-b', 'node-1'],
      ],
    );
  });

  it('keeps a placeholder slice while there are no endpoints, then fills that same slice', async () => {
    const { stack, driver } = await start();
    await createService(stack, 'web', WEB);
    await driver.drain();
    let slices = await slicesOf(stack, 'web');
    assert.equal(slices.length, 1);
    assert.deepEqual([slices[0]?.endpoints, slices[0]?.ports], [[], undefined]);
    const name = slices[0]?.metadata.name;
    await createPod(stack, 'web-a');
    await runPod(stack, 'web-a', '10.244.1.2');
    await driver.drain();
    slices = await slicesOf(stack, 'web');
    assert.deepEqual(slices.map((s) => [s.metadata.name, eps(s).length]), [[name, 1]]);
    const rv = slices[0]?.metadata.resourceVersion;
    await driver.sync(`${NS}/web`);
    assert.equal((await slicesOf(stack, 'web'))[0]?.metadata.resourceVersion, rv);
  });

  it('updates endpoints in place as pods change readiness, terminate and go away', async () => {
    const { stack, driver } = await start();
    await createService(stack, 'web', WEB);
    for (const n of ['web-a', 'web-b']) await createPod(stack, n);
    await runPod(stack, 'web-a', '10.244.1.2');
    await runPod(stack, 'web-b', '10.244.1.3');
    await driver.drain();
    await stack.client.delete(podDescriptor, NS, 'web-a', { gracePeriodSeconds: 30 });
    await driver.drain();
    let s = (await slicesOf(stack, 'web'))[0] as KubeObject;
    assert.deepEqual(eps(s).map((e) => [e.targetRef.name, e.conditions]), [
      ['web-a', { ready: false, serving: true, terminating: true }],
      ['web-b', { ready: true, serving: true, terminating: false }],
    ]);
    await stack.client.delete(podDescriptor, NS, 'web-a', { gracePeriodSeconds: 0 });
    await driver.drain();
    const slices = await slicesOf(stack, 'web');
    assert.equal(slices.length, 1);
    s = slices[0] as KubeObject;
    assert.deepEqual(eps(s).map((e) => e.targetRef.name), ['web-b']);
  });

  it('headless: no ports, hostnames for pods in its subdomain, marked headless', async () => {
    const { stack, driver } = await start();
    await createService(stack, 'db', { clusterIP: 'None', selector: { app: 'db' } });
    await createPod(stack, 'db-0', { labels: { app: 'db' }, hostname: 'db-0', subdomain: 'db' });
    await runPod(stack, 'db-0', '10.244.2.5');
    await driver.drain();
    const slices = await slicesOf(stack, 'db');
    assert.equal(slices.length, 1);
    assert.equal(slices[0]?.metadata.labels?.['service.kubernetes.io/headless'], '');
    assert.equal(slices[0]?.ports, undefined);
    assert.deepEqual(eps(slices[0] as KubeObject).map((e) => [e.addresses[0], e.hostname]), [['10.244.2.5', 'db-0']]);
  });

  it('leaves services without a selector alone', async () => {
    const { stack, driver } = await start();
    await createService(stack, 'manual', { ports: [{ port: 80 }] });
    await driver.drain();
    assert.deepEqual(await slicesOf(stack, 'manual'), []);
    assert.deepEqual(await slicesOf(stack, 'kubernetes'), []);
  });

  it('waits for its own writes to reach the cache instead of creating duplicates', async () => {
    const { stack, driver } = await start();
    await createService(stack, 'web', WEB);
    await createPod(stack, 'web-a');
    await runPod(stack, 'web-a', '10.244.1.2');
    await driver.drain();
    stack.watchClient.pause();
    await createPod(stack, 'web-b');
    await runPod(stack, 'web-b', '10.244.1.3');
    await stack.client.delete(podDescriptor, NS, 'web-a', { gracePeriodSeconds: 0 });
    stack.watchClient.resume();
    await settle();
    // The pod events are in the cache now; the slice update that follows is held back.
    stack.watchClient.pause();
    await driver.sync(`${NS}/web`);
    assert.deepEqual(await driver.sync(`${NS}/web`), { requeueAfter: 1000 });
    stack.watchClient.resume();
    await driver.drain();
    const slices = await slicesOf(stack, 'web');
    assert.equal(slices.length, 1);
    assert.deepEqual(eps(slices[0] as KubeObject).map((e) => e.targetRef.name), ['web-b']);
  });
});

function ep(name: string, ip: string): SliceEndpoint {
  return { addresses: [ip], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace: NS, name, uid: name } };
}

function group(n: number): Map<string, PortGroup> {
  const ports = [{ name: '', port: 80, protocol: 'TCP' }];
  const endpoints = new Map<string, SliceEndpoint>();
  for (let i = 0; i < n; i++) {
    const e = ep(`p${i}`, `10.0.${Math.floor(i / 250)}.${i % 250}`);
    endpoints.set(`${e.targetRef.uid}/${e.addresses[0]}`, e);
  }
  return new Map([[JSON.stringify([['', 80, 'TCP', '']]), { ports, endpoints }]]);
}

describe('slice planning', () => {
  it('splits endpoints into slices of at most 100', () => {
    const plan = planSlices([], group(250));
    assert.deepEqual(plan.create.map((c) => c.endpoints.length), [100, 100, 50]);
  });

  it('adds a new endpoint to an existing slice rather than making another one', () => {
    const first = planSlices([], group(3));
    const slice = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's' }, addressType: 'IPv4', ...first.create[0] } as unknown as KubeObject;
    const plan = planSlices([slice], group(4));
    assert.equal(plan.create.length, 0);
    assert.deepEqual(plan.update.map((u) => u.content.endpoints.length), [4]);
  });
});
