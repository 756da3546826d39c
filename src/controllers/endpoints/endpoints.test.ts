import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointsDescriptor } from '../../api/kinds/endpoints.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { serviceDescriptor } from '../../api/kinds/service.js';
import type { KubeObject } from '../../api/types.js';
import { driverPerTest, type TestStack } from '../runtime/testkit.js';
import { endpointsController } from './index.js';
import { createPod, createService, NS, runPod } from './testing.js';

const start = driverPerTest(endpointsController);

async function endpoints(stack: TestStack, name: string): Promise<KubeObject | undefined> {
  return (await stack.client.list(endpointsDescriptor, NS)).items.find((e) => e.metadata.name === name);
}

const WEB = { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080, targetPort: 80 }] };

describe('endpoints controller', () => {
  it('lists ready pods as addresses and unready ones as notReadyAddresses, with the target port', async () => {
    const { stack, driver } = await start();
    await createService(stack, 'web', WEB, { tier: 'front' });
    for (const n of ['web-a', 'web-b', 'web-c']) await createPod(stack, n);
    await runPod(stack, 'web-a', '10.244.1.2');
    await runPod(stack, 'web-b', '10.244.1.3', false);
    await driver.drain();
    const ep = await endpoints(stack, 'web');
    assert.ok(ep);
    assert.deepEqual(ep.metadata.labels, { tier: 'front' });
    assert.match(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const subsets = ep.subsets as Array<Record<string, any>>;
    assert.equal(subsets.length, 1);
    assert.deepEqual(subsets[0]?.ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);
    assert.deepEqual(subsets[0]?.addresses.map((a: any) => [a.ip, a.nodeName, a.targetRef.kind, a.targetRef.name]), [['10.244.1.2', 'node-1', 'Pod', 'web-a']]);
    assert.deepEqual(subsets[0]?.notReadyAddresses.map((a: any) => a.ip), ['10.244.1.3']);
  });

  it('follows readiness and pod deletion, and writes nothing when nothing changed', async () => {
    const { stack, driver } = await start();
    await createService(stack, 'web', WEB);
    await createPod(stack, 'web-a');
    await createPod(stack, 'web-b');
    await runPod(stack, 'web-a', '10.244.1.2');
    await runPod(stack, 'web-b', '10.244.1.3', false);
    await driver.drain();
    stack.clock.advance(5000);
    await runPod(stack, 'web-b', '10.244.1.3', true);
    await driver.drain();
    let ep = await endpoints(stack, 'web');
    assert.deepEqual((ep?.subsets as any[])[0].addresses.map((a: any) => a.ip), ['10.244.1.2', '10.244.1.3']);
    assert.equal((ep?.subsets as any[])[0].notReadyAddresses, undefined);
    const rv = ep?.metadata.resourceVersion;
    await driver.sync(`${NS}/web`);
    assert.equal((await endpoints(stack, 'web'))?.metadata.resourceVersion, rv);

    await stack.client.delete(podDescriptor, NS, 'web-a', { gracePeriodSeconds: 0 });
    await driver.drain();
    ep = await endpoints(stack, 'web');
    assert.deepEqual((ep?.subsets as any[])[0].addresses.map((a: any) => a.ip), ['10.244.1.3']);
  });

  it('groups addresses by the ports they resolve, and skips a pod missing a named port', async () => {
    const { stack, driver } = await start();
    await createService(stack, 'web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'admin', port: 9000, targetPort: 9000 }] });
    await createPod(stack, 'both', { ports: [{ name: 'web', containerPort: 8080 }] });
    await createPod(stack, 'admin-only');
    await runPod(stack, 'both', '10.244.1.2');
    await runPod(stack, 'admin-only', '10.244.1.3');
    await driver.drain();
    const subsets = (await endpoints(stack, 'web'))?.subsets as any[];
    const shape = subsets.map((s) => [s.addresses.map((a: any) => a.ip), s.ports.map((p: any) => p.port).sort()]);
    assert.deepEqual(shape.sort(), [[['10.244.1.2'], [8080, 9000]], [['10.244.1.3'], [9000]]].sort());
  });

  it('headless: publishes hostnames of pods in its subdomain and marks the Endpoints headless', async () => {
    const { stack, driver } = await start();
    await createService(stack, 'db', { clusterIP: 'None', selector: { app: 'db' } });
    await createPod(stack, 'db-0', { labels: { app: 'db' }, hostname: 'db-0', subdomain: 'db' });
    await runPod(stack, 'db-0', '10.244.2.5');
    await driver.drain();
    const ep = await endpoints(stack, 'db');
    assert.deepEqual(ep?.metadata.labels, { 'service.kubernetes.io/headless': '' });
    const s = (ep?.subsets as any[])[0];
    assert.equal(s.ports, undefined);
    assert.deepEqual([s.addresses[0].ip, s.addresses[0].hostname], ['10.244.2.5', 'db-0']);
  });

  it('leaves services without a selector alone and removes the Endpoints of a deleted service', async () => {
    const { stack, driver } = await start();
    await createService(stack, 'manual', { ports: [{ port: 80 }] });
    await createService(stack, 'web', WEB);
    await driver.drain();
    assert.equal(await endpoints(stack, 'manual'), undefined);
    assert.ok(await endpoints(stack, 'web'));
    assert.equal((await endpoints(stack, 'web'))?.subsets, undefined);
    assert.equal(await endpoints(stack, 'kubernetes'), undefined);
    await stack.client.delete(serviceDescriptor, NS, 'web');
    await driver.drain();
    assert.equal(await endpoints(stack, 'web'), undefined);
  });

  it('puts back Endpoints someone deleted', async () => {
    const { stack, driver } = await start();
    await createService(stack, 'web', WEB);
    await driver.drain();
    await stack.client.delete(endpointsDescriptor, NS, 'web');
    await driver.drain();
    assert.ok(await endpoints(stack, 'web'));
  });
});
