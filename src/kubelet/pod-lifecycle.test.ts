import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podDescriptor, podStatusText } from '../api/kinds/pod.js';
import { startTestCluster } from './test-harness.js';

function condition(pod: Pod | undefined, type: string) {
  return pod?.status?.conditions?.find((c) => c.type === type);
}

test('a bound pod goes Pending → ContainerCreating → Running 1/1 with a kubelet-shaped status (realistic timing)', async () => {
  const c = await startTestCluster({ timing: 'realistic', seed: 7 });
  try {
    await c.createPod({ containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] }, 'web');
    await c.advance(10_000);
    const seen = c.history('web').map((s) => `${s.ready} ${s.status}`);
    assert.deepEqual(seen, ['0/1 Pending', '0/1 ContainerCreating', '1/1 Running']);
    const [, creating, running] = c.history('web');
    assert.ok(creating && running);
    // The first write: host IP, start time, the container waiting, conditions as B5 step 2.
    const first = creating.pod.status;
    assert.equal(first?.phase, 'Pending');
    assert.equal(first?.hostIP, '172.18.0.2');
    assert.deepEqual(first?.hostIPs, [{ ip: '172.18.0.2' }]);
    assert.equal(first?.podIP, undefined);
    assert.ok(first?.startTime);
    assert.deepEqual(first?.containerStatuses?.[0]?.state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(first?.containerStatuses?.[0]?.image, 'nginx:1.25');
    assert.equal(first?.containerStatuses?.[0]?.imageID, '');
    assert.deepEqual(
      first?.conditions?.map((x) => [x.type, x.status, x.reason ?? '', x.message ?? '']),
      [
        ['PodReadyToStartContainers', 'False', '', ''],
        ['Initialized', 'True', '', ''],
        ['Ready', 'False', 'ContainersNotReady', 'containers with unready status: [web]'],
        ['ContainersReady', 'False', 'ContainersNotReady', 'containers with unready status: [web]'],
        ['PodScheduled', 'True', '', ''],
      ],
    );
    // Running: IP from the node's CIDR, runtime-reported image, ids, conditions all True.
    const pod = running.pod;
    const cs = pod.status?.containerStatuses?.[0];
    assert.equal(pod.status?.phase, 'Running');
    assert.match(pod.status?.podIP ?? '', /^10\.244\.1\.\d+$/);
    assert.deepEqual(pod.status?.podIPs, [{ ip: pod.status?.podIP }]);
    assert.equal(pod.status?.startTime, first?.startTime);
    assert.equal(pod.status?.qosClass, 'BestEffort');
    assert.equal(cs?.image, 'docker.io/library/nginx:1.25');
    assert.match(cs?.imageID ?? '', /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.match(cs?.containerID ?? '', /^containerd:\/\/[0-9a-f]{64}$/);
    assert.equal(cs?.ready, true);
    assert.equal(cs?.started, true);
    assert.equal(cs?.restartCount, 0);
    assert.deepEqual(cs?.lastState, {});
    assert.ok(cs?.state?.running?.startedAt);
    for (const t of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']) {
      assert.equal(condition(pod, t)?.status, 'True', t);
    }
    // Conditions that did not flip keep their transition time.
    assert.equal(condition(pod, 'Initialized')?.lastTransitionTime, condition(creating.pod, 'Initialized')?.lastTransitionTime);
    assert.equal(podStatusText(pod, c.clock.now()), 'Running');
    // Pulling took one to two seconds of the (fake) clock, and the events came in the kubelet's order.
    const events = c.eventsFor('web');
    assert.deepEqual(events.map((e) => e.reason), ['Pulling', 'Pulled', 'Created', 'Started']);
    assert.ok(events.every((e) => e.fieldPath === 'spec.containers{web}' && e.node === 'node-1'));
    const pulled = events[1]?.message ?? '';
    assert.match(pulled, /^Successfully pulled image "nginx:1\.25" in 1(\.\d+)?s \(1(\.\d+)?s including waiting\)\. Image size: 72219237 bytes\.$/);
    assert.equal(events[2]?.message, 'Created container: web');
    assert.equal(events[3]?.message, 'Started container web');
    assert.ok(running.at - c.start >= 1500 && running.at - c.start <= 5000, `running after ${running.at - c.start} ms`);
  } finally {
    await c.stop();
  }
});

test('with the instant profile a pod is Running on the next ticks, and a second pod finds the image present', async () => {
  const c = await startTestCluster({ timing: 'instant' });
  try {
    await c.createPod({ containers: [{ name: 'a', image: 'nginx:1.25' }] }, 'one');
    await c.settle();
    await c.createPod({ containers: [{ name: 'a', image: 'nginx:1.25' }] }, 'two');
    await c.settle();
    for (const name of ['one', 'two']) {
      const pod = await c.pod(name);
      assert.equal(podStatusText(pod, c.clock.now()), 'Running', name);
      assert.equal(condition(pod, 'Ready')?.status, 'True');
    }
    assert.equal(c.clock.now(), c.start, 'no time passed');
    assert.deepEqual(
      c.eventsFor('two').map((e) => `${e.reason}: ${e.message}`),
      ['Pulled: Container image "nginx:1.25" already present on machine', 'Created: Created container: a', 'Started: Started container a'],
    );
    const one = await c.pod('one');
    const two = await c.pod('two');
    assert.notEqual(one?.status?.podIP, two?.status?.podIP);
  } finally {
    await c.stop();
  }
});

test('container statuses are sorted by name, qosClass follows requests and limits, volume mounts are reported', async () => {
  const c = await startTestCluster();
  try {
    await c.createPod(
      {
        volumes: [{ name: 'data', emptyDir: {} }],
        containers: [
          { name: 'zeta', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } } },
          { name: 'alpha', image: 'redis:7', resources: { limits: { cpu: '200m', memory: '128Mi' } }, volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }] },
        ],
      },
      'multi',
    );
    await c.settle();
    const pod = await c.pod('multi');
    assert.deepEqual(pod?.status?.containerStatuses?.map((s) => s.name), ['alpha', 'zeta']);
    assert.equal(pod?.status?.qosClass, 'Guaranteed');
    assert.deepEqual(pod?.status?.containerStatuses?.[0]?.volumeMounts, [{ name: 'data', mountPath: '/data', readOnly: true, recursiveReadOnly: 'Disabled' }]);
    assert.equal(pod?.status?.containerStatuses?.[1]?.image, 'docker.io/library/busybox:latest');
    assert.equal(podStatusText(pod, c.clock.now()), 'Running');
  } finally {
    await c.stop();
  }
});

test('init containers run one after the other before the main containers (Init:0/2, Init:1/2, PodInitializing, Running)', async () => {
  const c = await startTestCluster({ timing: 'realistic', seed: 3 });
  try {
    await c.createPod(
      {
        initContainers: [
          { name: 'init-db', image: 'busybox:1.36' },
          { name: 'init-cache', image: 'busybox:1.36' },
        ],
        containers: [{ name: 'app', image: 'nginx:1.25' }],
      },
      'inits',
    );
    await c.advance(20_000);
    const statuses = c.history('inits').map((s) => s.status);
    assert.equal(statuses[0], 'Pending');
    assert.ok(statuses.includes('Init:0/2'), statuses.join(' '));
    assert.ok(statuses.includes('Init:1/2'), statuses.join(' '));
    assert.equal(statuses.at(-1), 'Running');
    const pod = await c.pod('inits');
    assert.deepEqual(pod?.status?.initContainerStatuses?.map((s) => [s.name, s.state?.terminated?.reason, s.ready]), [
      ['init-db', 'Completed', true],
      ['init-cache', 'Completed', true],
    ]);
    const firstWrite = c.history('inits')[1]?.pod;
    const init = condition(firstWrite, 'Initialized');
    assert.equal(init?.status, 'False');
    assert.equal(init?.reason, 'ContainersNotInitialized');
    assert.equal(init?.message, 'containers with incomplete status: [init-db init-cache]');
    assert.deepEqual(firstWrite?.status?.containerStatuses?.[0]?.state, { waiting: { reason: 'PodInitializing' } });
  } finally {
    await c.stop();
  }
});

test('a pod bound later through pods/binding is picked up, and hostNetwork pods use the node IP', async () => {
  const c = await startTestCluster({ count: 2 });
  try {
    await c.createPod({ containers: [{ name: 'a', image: 'nginx' }] }, 'late', { node: null });
    await c.settle();
    assert.equal((await c.pod('late'))?.status?.conditions, undefined);
    await c.client.createSubresource(podDescriptor, 'default', 'late', 'binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'late' },
      target: { kind: 'Node', name: 'node-2' },
    } as never);
    await c.settle();
    const late = await c.pod('late');
    assert.equal(podStatusText(late, c.clock.now()), 'Running');
    assert.equal(late?.status?.hostIP, '172.18.0.3');
    assert.match(late?.status?.podIP ?? '', /^10\.244\.2\./);

    await c.createPod({ hostNetwork: true, containers: [{ name: 'a', image: 'nginx' }] }, 'hostnet', { node: 'node-2' });
    await c.settle();
    const hostnet = await c.pod('hostnet');
    assert.equal(hostnet?.status?.podIP, '172.18.0.3');
  } finally {
    await c.stop();
  }
});

test('changing the image of a pod stuck on a bad tag lets it start', async () => {
  const c = await startTestCluster();
  try {
    await c.createPod({ containers: [{ name: 'web', image: 'nginx:1.9.21' }] }, 'fixme');
    await c.settle();
    assert.equal(podStatusText(await c.pod('fixme'), c.clock.now()), 'ImagePullBackOff');
    const pod = (await c.pod('fixme')) as Pod;
    const next = structuredClone(pod);
    (next.spec?.containers[0] as { image: string }).image = 'nginx:1.25';
    await c.client.update(podDescriptor, 'default', next as never);
    await c.settle();
    const fixed = await c.pod('fixme');
    assert.equal(podStatusText(fixed, c.clock.now()), 'Running');
    assert.equal(fixed?.status?.containerStatuses?.[0]?.image, 'docker.io/library/nginx:1.25');
    assert.equal(fixed?.status?.containerStatuses?.[0]?.restartCount, 0);
  } finally {
    await c.stop();
  }
});
