import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podDescriptor, podStatusText } from '../api/kinds/pod.js';
import { startTestCluster } from './test-harness.js';

const NOT_FOUND =
  'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.9.21": failed to resolve reference "docker.io/library/nginx:1.9.21": docker.io/library/nginx:1.9.21: not found';

test('a missing tag fails with ErrImagePull, then ImagePullBackOff with 10 s doubling to 300 s; the pod stays Pending', async () => {
  const c = await startTestCluster();
  try {
    await c.createPod({ containers: [{ name: 'web', image: 'nginx:1.9.21' }] }, 'bad-image');
    await c.advance(1000_000);
    const pulls = c.eventsFor('bad-image').filter((e) => e.reason === 'Pulling').map((e) => (e.at - c.start) / 1000);
    assert.deepEqual(pulls, [0, 10, 30, 70, 150, 310, 610, 910]);

    // Each failed attempt shows ErrImagePull, then ImagePullBackOff until the next attempt.
    const statuses = c.history('bad-image').map((s) => s.status);
    assert.equal(statuses[0], 'Pending');
    const transitions = statuses.slice(1).filter((s, i, all) => s !== all[i - 1]);
    assert.deepEqual(transitions, Array.from({ length: 8 }, () => ['ErrImagePull', 'ImagePullBackOff']).flat());
    // ErrImagePull shows at the moment of each failed attempt, ImagePullBackOff for the rest of the window.
    const errAt = c.history('bad-image').filter((s) => s.status === 'ErrImagePull').map((s) => (s.at - c.start) / 1000);
    assert.deepEqual(errAt, [0, 10, 30, 70, 150, 310, 610, 910]);
    assert.ok(c.history('bad-image').every((s) => s.phase === 'Pending' && s.restarts === 0 && s.ready === '0/1'));

    const pod = await c.pod('bad-image');
    const cs = pod?.status?.containerStatuses?.[0];
    assert.equal(podStatusText(pod, c.clock.now()), 'ImagePullBackOff');
    assert.deepEqual(cs?.state, { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "nginx:1.9.21": ErrImagePull: ${NOT_FOUND}` } });
    assert.equal(cs?.image, 'nginx:1.9.21');
    assert.equal(cs?.imageID, '');
    assert.equal(cs?.containerID, undefined);
    assert.equal(cs?.started, false);
    // The sandbox exists although the image does not.
    assert.match(pod?.status?.podIP ?? '', /^10\.244\.1\./);
    assert.equal(pod?.status?.conditions?.find((x) => x.type === 'PodReadyToStartContainers')?.status, 'True');

    const errPull = c.history('bad-image').find((s) => s.status === 'ErrImagePull');
    assert.deepEqual(errPull?.pod.status?.containerStatuses?.[0]?.state, { waiting: { reason: 'ErrImagePull', message: NOT_FOUND } });

    const first = c.eventsFor('bad-image').filter((e) => e.at === c.start).map((e) => `${e.type} ${e.reason}: ${e.message}`);
    assert.deepEqual(first.slice(0, 5), [
      'Normal Pulling: Pulling image "nginx:1.9.21"',
      `Warning Failed: Failed to pull image "nginx:1.9.21": ${NOT_FOUND}`,
      'Warning Failed: Error: ErrImagePull',
      'Normal BackOff: Back-off pulling image "nginx:1.9.21"',
      'Warning Failed: Error: ImagePullBackOff',
    ]);
  } finally {
    await c.stop();
  }
});

test('with realistic timing ErrImagePull and ImagePullBackOff alternate as on a real node', async () => {
  const c = await startTestCluster({ timing: 'realistic', seed: 5 });
  try {
    await c.createPod({ containers: [{ name: 'web', image: 'nginx:1.9.21' }] }, 'bad-image');
    await c.advance(100_000);
    const seen = c.history('bad-image').map((s) => s.status);
    assert.deepEqual(seen, ['Pending', 'ContainerCreating', ...Array.from({ length: 4 }, () => ['ErrImagePull', 'ImagePullBackOff']).flat()]);
    const pulls = c.eventsFor('bad-image').filter((e) => e.reason === 'Pulling').map((e) => e.at - c.start);
    // Retries come when each window (10, 20, 40 s after the failure) has passed, plus a little sync latency.
    const failures = c.eventsFor('bad-image').filter((e) => e.message.startsWith('Failed to pull')).map((e) => e.at - c.start);
    for (let i = 1; i < pulls.length; i++) {
      const gap = (pulls[i] as number) - (failures[i - 1] as number);
      const window = 10_000 * 2 ** (i - 1);
      assert.ok(gap >= window && gap <= window + 3000, `retry ${i} after ${gap} ms`);
    }
  } finally {
    await c.stop();
  }
});

test('deleting a pod that never got its image ends Failed with ContainerStatusUnknown, then it is removed', async () => {
  const c = await startTestCluster();
  try {
    await c.createPod({ containers: [{ name: 'web', image: 'nginx:1.9.21' }] }, 'bad');
    await c.advance(5000);
    await c.client.delete(podDescriptor, 'default', 'bad');
    await c.settle();
    assert.equal(await c.pod('bad'), undefined);
    const last = c.history('bad').at(-1);
    assert.equal(last?.type, 'DELETED');
    assert.equal(last?.phase, 'Failed');
    assert.equal(last?.pod.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'ContainerStatusUnknown');
    assert.equal(last?.pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 137);
    assert.deepEqual(c.eventsFor('bad').filter((e) => e.reason === 'Killing'), [], 'nothing ran, nothing to stop');
  } finally {
    await c.stop();
  }
});

test('unknown repositories exist unless strictImages, which fails them as a registry denying access', async () => {
  const lenient = await startTestCluster();
  try {
    await lenient.createPod({ containers: [{ name: 'x', image: 'example.com/team/app:v7' }] }, 'custom');
    await lenient.settle();
    const pod = await lenient.pod('custom');
    assert.equal(podStatusText(pod, lenient.clock.now()), 'Running');
    assert.equal(pod?.status?.containerStatuses?.[0]?.image, 'example.com/team/app:v7');
  } finally {
    await lenient.stop();
  }
  const strict = await startTestCluster({ strictImages: true });
  try {
    await strict.createPod({ containers: [{ name: 'x', image: 'doesnotexist' }] }, 'custom');
    await strict.settle();
    const pod = await strict.pod('custom');
    assert.equal(podStatusText(pod, strict.clock.now()), 'ImagePullBackOff');
    assert.match(
      pod?.status?.containerStatuses?.[0]?.state?.waiting?.message ?? '',
      /failed to resolve reference "docker\.io\/library\/doesnotexist:latest": pull access denied, repository does not exist or may require authorization/,
    );
    // Known repositories still work.
    await strict.createPod({ containers: [{ name: 'x', image: 'quay.io/fluentd_elasticsearch/fluentd:v3.0.0' }] }, 'fluentd');
    await strict.createPod({ containers: [{ name: 'x', image: 'iwbaek/train' }] }, 'train');
    await strict.settle();
    assert.equal(podStatusText(await strict.pod('fluentd'), strict.clock.now()), 'Running');
    const train = await strict.pod('train');
    assert.equal(podStatusText(train, strict.clock.now()), 'Running');
    assert.equal(train?.status?.containerStatuses?.[0]?.image, 'docker.io/iwbaek/train:latest');
  } finally {
    await strict.stop();
  }
});

test('InvalidImageName and ErrImageNeverPull keep the pod Pending without a pull backoff', async () => {
  const c = await startTestCluster();
  try {
    await c.createPod({ containers: [{ name: 'x', image: 'Nginx:1.25' }] }, 'upper');
    await c.createPod({ containers: [{ name: 'x', image: 'redis:7.2', imagePullPolicy: 'Never' }] }, 'never');
    await c.settle();
    const upper = await c.pod('upper');
    assert.equal(podStatusText(upper, c.clock.now()), 'InvalidImageName');
    assert.equal(
      upper?.status?.containerStatuses?.[0]?.state?.waiting?.message,
      'Failed to apply default image tag "Nginx:1.25": couldn\'t parse image name "Nginx:1.25": invalid reference format: repository name (library/Nginx) must be lowercase',
    );
    const never = await c.pod('never');
    assert.equal(podStatusText(never, c.clock.now()), 'ErrImageNeverPull');
    assert.equal(never?.status?.containerStatuses?.[0]?.state?.waiting?.message, 'Container image "redis:7.2" is not present with pull policy of Never');
    assert.ok(c.eventsFor('never').some((e) => e.type === 'Warning' && e.reason === 'ErrImageNeverPull'));
    assert.equal(never?.status?.phase, 'Pending');
  } finally {
    await c.stop();
  }
});

test('imagePullPolicy Always pulls again even when the image is on the node', async () => {
  const c = await startTestCluster({ timing: 'realistic', seed: 11 });
  try {
    await c.createPod({ containers: [{ name: 'x', image: 'nginx:1.25' }] }, 'first');
    await c.advance(10_000);
    await c.createPod({ containers: [{ name: 'x', image: 'nginx:1.25', imagePullPolicy: 'Always' }] }, 'again');
    await c.createPod({ containers: [{ name: 'x', image: 'nginx:1.25' }] }, 'cached');
    await c.advance(10_000);
    assert.deepEqual(c.eventsFor('again').map((e) => e.reason), ['Pulling', 'Pulled', 'Created', 'Started']);
    assert.match(c.eventsFor('cached')[0]?.message ?? '', /already present on machine/);
  } finally {
    await c.stop();
  }
});
