import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { ApiError } from '../../api/errors.js';
import { limitRangeDescriptor } from '../../api/kinds/limitrange.js';
import { persistentVolumeClaimDescriptor } from '../../api/kinds/persistentvolumeclaim.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import type { KubeObject } from '../../api/types.js';
import { createStack, type TestStack } from '../../controllers/runtime/testkit.js';

let stack: TestStack;
beforeEach(() => {
  stack = createStack();
});

async function limits(items: unknown[]): Promise<void> {
  await stack.client.create(limitRangeDescriptor, 'default', { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr' }, spec: { limits: items } } as KubeObject);
}

function pod(name: string, containers: Array<Record<string, unknown>>, init: Array<Record<string, unknown>> = []): KubeObject {
  const spec: Record<string, unknown> = { containers: containers.map((c) => ({ image: 'nginx', ...c })) };
  if (init.length) spec.initContainers = init.map((c) => ({ image: 'busybox', ...c }));
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec } as KubeObject;
}

async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 403);
    return err.message;
  }
  assert.fail('expected a 403');
}

describe('LimitRanger admission', () => {
  it('fills container defaults, notes them in the annotation and sets the QoS class from them', async () => {
    await limits([{ type: 'Container', default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '100m' } }]);
    const p = await stack.client.create(podDescriptor, 'default', pod('p', [{ name: 'a' }, { name: 'b', resources: { limits: { cpu: '1' } } }], [{ name: 'i' }]));
    const spec = p.spec as any;
    assert.deepEqual(spec.containers[0].resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    // b's own limit stays; its request came from kube's pod defaulting (request = limit) before admission.
    assert.deepEqual(spec.containers[1].resources, { limits: { cpu: '1', memory: '128Mi' }, requests: { cpu: '1', memory: '128Mi' } });
    assert.deepEqual(spec.initContainers[0].resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    assert.equal(
      p.metadata.annotations?.['kubernetes.io/limit-ranger'],
      'LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a; memory request for container b; memory limit for container b; ' +
        'cpu, memory request for init container i; cpu, memory limit for init container i',
    );
    assert.equal((p.status as any).qosClass, 'Burstable');
  });

  it('enforces max, min and the limit/request ratio per container', async () => {
    await limits([{ type: 'Container', max: { cpu: '1' }, min: { memory: '64Mi' }, maxLimitRequestRatio: { cpu: '2' }, default: { cpu: '1', memory: '128Mi' }, defaultRequest: { cpu: '1', memory: '64Mi' } }]);
    assert.equal(
      await refused(stack.client.create(podDescriptor, 'default', pod('big', [{ name: 'c', resources: { limits: { cpu: '2' } } }]))),
      'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
    );
    assert.equal(
      await refused(stack.client.create(podDescriptor, 'default', pod('tiny', [{ name: 'c', resources: { requests: { memory: '32Mi', cpu: '200m' }, limits: { cpu: '1' } } }]))),
      'pods "tiny" is forbidden: [minimum memory usage per Container is 64Mi, but request is 32Mi, cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000]',
    );
    await stack.client.create(podDescriptor, 'default', pod('fine', [{ name: 'c' }]));
  });

  it('enforces Pod totals and claim sizes', async () => {
    await limits([{ type: 'Pod', max: { memory: '1Gi' } }, { type: 'PersistentVolumeClaim', max: { storage: '5Gi' }, min: { storage: '1Gi' } }]);
    const mem = (m: string) => ({ resources: { limits: { memory: m } } });
    assert.equal(
      await refused(stack.client.create(podDescriptor, 'default', pod('two', [{ name: 'a', ...mem('600Mi') }, { name: 'b', ...mem('600Mi') }]))),
      'pods "two" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1200Mi',
    );
    const claim = (name: string, size: string) => ({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } },
    }) as KubeObject;
    assert.equal(
      await refused(stack.client.create(persistentVolumeClaimDescriptor, 'default', claim('huge', '10Gi'))),
      'persistentvolumeclaims "huge" is forbidden: maximum storage usage per PersistentVolumeClaim is 5Gi, but request is 10Gi',
    );
    assert.equal(
      await refused(stack.client.create(persistentVolumeClaimDescriptor, 'default', claim('small', '100Mi'))),
      'persistentvolumeclaims "small" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 100Mi',
    );
    await stack.client.create(persistentVolumeClaimDescriptor, 'default', claim('ok', '2Gi'));
  });

  it('an invalid pod is Invalid (422), not Forbidden: validation comes first', async () => {
    await limits([{ type: 'Container', max: { cpu: '1' } }]);
    await assert.rejects(
      stack.client.create(podDescriptor, 'default', pod('bad', [{ name: 'UPPER', resources: { limits: { cpu: '2' } } }])),
      (err: unknown) => err instanceof ApiError && err.code === 422,
    );
  });
});
