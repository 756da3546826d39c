import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configMapDescriptor } from '../api/kinds/configmap.js';
import { podStatusText } from '../api/kinds/pod.js';
import { secretDescriptor } from '../api/kinds/secret.js';
import type { KubeObject } from '../api/types.js';
import { startTestCluster } from './test-harness.js';

test('a missing ConfigMap behind an env var gives CreateContainerConfigError until it is created', async () => {
  const c = await startTestCluster();
  try {
    await c.createPod(
      { containers: [{ name: 'app', image: 'nginx:1.25', env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'mode' } } }] }] },
      'app',
    );
    await c.settle();
    let pod = await c.pod('app');
    assert.equal(podStatusText(pod, c.clock.now()), 'CreateContainerConfigError');
    assert.equal(pod?.status?.phase, 'Pending');
    assert.deepEqual(pod?.status?.containerStatuses?.[0]?.state, { waiting: { reason: 'CreateContainerConfigError', message: 'configmap "app-config" not found' } });
    assert.ok(c.eventsFor('app').some((e) => e.type === 'Warning' && e.message === 'Error: configmap "app-config" not found'));

    await c.client.create(configMapDescriptor, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { other: 'x' } } as KubeObject);
    await c.advance(11_000);
    pod = await c.pod('app');
    assert.equal(pod?.status?.containerStatuses?.[0]?.state?.waiting?.message, "couldn't find key mode in ConfigMap default/app-config");

    const cm = await c.client.get(configMapDescriptor, 'default', 'app-config');
    await c.client.update(configMapDescriptor, 'default', { ...cm, data: { mode: 'fast' } } as KubeObject);
    await c.advance(11_000);
    pod = await c.pod('app');
    assert.equal(podStatusText(pod, c.clock.now()), 'Running');
    assert.equal(pod?.status?.containerStatuses?.[0]?.restartCount, 0);
  } finally {
    await c.stop();
  }
});

test('a missing Secret volume keeps the pod in ContainerCreating with FailedMount events', async () => {
  const c = await startTestCluster();
  try {
    await c.createPod(
      { volumes: [{ name: 'creds', secret: { secretName: 'db' } }], containers: [{ name: 'app', image: 'nginx:1.25', volumeMounts: [{ name: 'creds', mountPath: '/creds' }] }] },
      'db-client',
    );
    await c.advance(5000);
    const pod = await c.pod('db-client');
    assert.equal(podStatusText(pod, c.clock.now()), 'ContainerCreating');
    assert.equal(pod?.status?.podIP, undefined);
    const mounts = c.eventsFor('db-client').filter((e) => e.reason === 'FailedMount');
    assert.ok(mounts.length >= 2);
    assert.equal(mounts[0]?.message, 'MountVolume.SetUp failed for volume "creds" : secret "db" not found');
    await c.client.create(secretDescriptor, 'default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { password: 'cGFzcw==' } } as KubeObject);
    await c.advance(10_000);
    assert.equal(podStatusText(await c.pod('db-client'), c.clock.now()), 'Running');
  } finally {
    await c.stop();
  }
});
