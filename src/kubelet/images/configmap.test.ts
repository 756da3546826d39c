// The run-time image catalog in ConfigMap kube-system/kubeloop-images, inside the kubelet simulation on a fake
// clock: created at startup, a new tag unblocks a pod in ImagePullBackOff, a changed behaviour applies to the
// next container, and an invalid catalog changes nothing but leaves a Warning event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configMapDescriptor } from '../../api/kinds/configmap.js';
import type { KubeObject } from '../../api/types.js';
import { startTestCluster, type TestCluster } from '../test-harness.js';
import { IMAGES_CONFIGMAP_KEY, IMAGES_CONFIGMAP_NAME, IMAGES_CONFIGMAP_NAMESPACE } from './configmap.js';

async function setCatalog(c: TestCluster, text: string): Promise<void> {
  const cm = (await c.client.get(configMapDescriptor, IMAGES_CONFIGMAP_NAMESPACE, IMAGES_CONFIGMAP_NAME)) as KubeObject & { data?: Record<string, string> };
  await c.client.update(configMapDescriptor, IMAGES_CONFIGMAP_NAMESPACE, { ...cm, data: { [IMAGES_CONFIGMAP_KEY]: text } } as unknown as KubeObject);
  await c.settle();
}

function logText(c: TestCluster, pod: string, container: string): string {
  return (c.sim.containers.find('default', pod, container)?.current?.logs.select() ?? []).map((l) => l.text).join('');
}

test('the ConfigMap exists at startup with a commented example that parses to nothing', async () => {
  const c = await startTestCluster();
  try {
    const cm = (await c.client.get(configMapDescriptor, IMAGES_CONFIGMAP_NAMESPACE, IMAGES_CONFIGMAP_NAME)) as KubeObject & { data?: Record<string, string> };
    assert.match(cm.data?.[IMAGES_CONFIGMAP_KEY] ?? '', /# repositories:\n#   example\.com\/hello:/);
  } finally {
    await c.stop();
  }
});

test('a tag added in the ConfigMap unblocks a pod on its next pull retry; behaviour changes apply to new containers', async () => {
  const c = await startTestCluster();
  try {
    await c.createPod({ containers: [{ name: 'web', image: 'nginx:1.99.0' }] }, 'web');
    await c.until(async () => (await c.pod('web'))?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff');
    await setCatalog(c, 'repositories:\n  docker.io/library/nginx:\n    tags: ["1.99.0"]\n');
    await c.until(async () => (await c.pod('web'))?.status?.phase === 'Running', 120_000);

    await setCatalog(c, 'repositories:\n  example.com/hello:\n    tags: ["1.0"]\n    behaviour:\n      cmd: [sh, -c, "echo v1; sleep 3600"]\n');
    await c.createPod({ containers: [{ name: 'h', image: 'example.com/hello:1.0' }] }, 'h1');
    await c.until(async () => (await c.pod('h1'))?.status?.phase === 'Running');
    await c.until(async () => logText(c, 'h1', 'h') !== '');
    await setCatalog(c, 'repositories:\n  example.com/hello:\n    tags: ["1.0"]\n    behaviour:\n      cmd: [sh, -c, "echo v2; sleep 3600"]\n');
    await c.createPod({ containers: [{ name: 'h', image: 'example.com/hello:1.0' }] }, 'h2');
    await c.until(async () => (await c.pod('h2'))?.status?.phase === 'Running');
    // The container's first line reaches its log a few event-loop turns after Running.
    await c.until(async () => logText(c, 'h2', 'h') !== '');
    assert.equal(logText(c, 'h1', 'h'), 'v1\n', 'a running container keeps what it started with');
    assert.equal(logText(c, 'h2', 'h'), 'v2\n');
    assert.ok(c.events.some((e) => e.kind === 'ConfigMap' && e.reason === 'ImageCatalogApplied'));
  } finally {
    await c.stop();
  }
});

test('an invalid catalog keeps the previous one and records a Warning event on the ConfigMap', async () => {
  const c = await startTestCluster();
  try {
    await setCatalog(c, 'repositories:\n  docker.io/library/nginx:\n    tags: ["1.99.0"]\n');
    await setCatalog(c, 'repositories:\n  docker.io/library/nginx:\n    tags: ["1.99.0"\n');
    const warning = c.events.find((e) => e.kind === 'ConfigMap' && e.type === 'Warning');
    assert.equal(warning?.reason, 'InvalidImageCatalog');
    assert.match(warning?.message ?? '', /invalid image catalog in ConfigMap kube-system\/kubeloop-images, keeping the previous one: data\["catalog.yaml"\]: /);
    await c.createPod({ containers: [{ name: 'web', image: 'nginx:1.99.0' }] }, 'web');
    await c.until(async () => (await c.pod('web'))?.status?.phase === 'Running');
  } finally {
    await c.stop();
  }
});
