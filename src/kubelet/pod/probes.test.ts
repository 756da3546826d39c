// Probes on the fake clock: readiness broken and restored by exec (the StatefulSet conformance trick), liveness
// restarts with the kubelet's events, startup gating, timeouts and tcpSocket.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { EMPTY } from '../../containers/shell/io.js';
import { startTestCluster, type TestCluster } from '../test-harness.js';

async function exec(c: TestCluster, pod: string, container: string, argv: string[]): Promise<number> {
  const live = c.sim.containers.find('default', pod, container)?.current?.live;
  assert.ok(live, `${pod}/${container} runs`);
  return live.exec(argv, { stdin: EMPTY, stdout: () => {}, stderr: () => {} });
}

const ready = (p: Pod | undefined) => p?.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True';
const messages = (c: TestCluster, name: string, reason: string) => c.eventsFor(name).filter((e) => e.reason === reason).map((e) => e.message);

test('an httpGet readiness probe follows index.html being moved away and back', async () => {
  const c = await startTestCluster();
  try {
    const probe = { httpGet: { path: '/index.html', port: 80 }, periodSeconds: 1, successThreshold: 1, failureThreshold: 1 };
    await c.createPod({ containers: [{ name: 'nginx', image: 'nginx', readinessProbe: probe }] }, 'web-0');
    const t = await c.until(async () => ready(await c.pod('web-0')));
    assert.ok(t < 2000, `ready after ${t} ms`);
    assert.equal((await exec(c, 'web-0', 'nginx', ['mv', '/usr/share/nginx/html/index.html', '/tmp/'])), 0);
    await c.until(async () => !ready(await c.pod('web-0')), 5000);
    const p = await c.pod('web-0');
    assert.equal(p?.status?.containerStatuses?.[0]?.ready, false);
    assert.equal(p?.status?.phase, 'Running');
    assert.deepEqual(messages(c, 'web-0', 'Unhealthy')[0], 'Readiness probe failed: HTTP probe failed with statuscode: 404');
    const unhealthy = c.eventsFor('web-0').find((e) => e.reason === 'Unhealthy');
    assert.equal(unhealthy?.type, 'Warning');
    assert.equal(unhealthy?.fieldPath, 'spec.containers{nginx}');
    await exec(c, 'web-0', 'nginx', ['mv', '/tmp/index.html', '/usr/share/nginx/html/']);
    await c.until(async () => ready(await c.pod('web-0')), 5000);
    assert.equal((await c.pod('web-0'))?.status?.containerStatuses?.[0]?.restartCount, 0);
  } finally {
    await c.stop();
  }
});

test('readiness waits for initialDelaySeconds and needs successThreshold passes in a row', async () => {
  const c = await startTestCluster();
  try {
    const probe = { exec: { command: ['true'] }, initialDelaySeconds: 5, periodSeconds: 2, successThreshold: 2 };
    await c.createPod({ containers: [{ name: 'b', image: 'busybox', readinessProbe: probe }] }, 'slow');
    await c.until(async () => (await c.pod('slow'))?.status?.phase === 'Running');
    const started = Date.parse((await c.pod('slow'))?.status?.containerStatuses?.[0]?.state?.running?.startedAt ?? '');
    await c.until(async () => ready(await c.pod('slow')), 20_000);
    // First probe at +5 s, second (the threshold) at +7 s.
    assert.equal(Math.round((c.clock.now() - started) / 1000), 7);
  } finally {
    await c.stop();
  }
});

test('a failing exec liveness probe restarts the container with Unhealthy and Killing events', async () => {
  const c = await startTestCluster();
  try {
    await c.createPod(
      {
        terminationGracePeriodSeconds: 5,
        containers: [
          {
            name: 'liveness',
            image: 'busybox',
            args: ['/bin/sh', '-c', 'touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600'],
            livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 5, periodSeconds: 5 },
          },
        ],
      },
      'liveness-exec',
    );
    await c.until(async () => ((await c.pod('liveness-exec'))?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 120_000);
    // failureThreshold 3: at least three failures before the restart (more may follow while the harness
    // catches up with the status the kubelet wrote, under load).
    const unhealthy = messages(c, 'liveness-exec', 'Unhealthy');
    assert.ok(unhealthy.length >= 3, `Unhealthy events: ${unhealthy.length}`);
    assert.match(unhealthy[0] as string, /^Liveness probe failed: cat: \/tmp\/healthy: No such file or directory\n$/);
    assert.ok(messages(c, 'liveness-exec', 'Killing').includes('Container liveness failed liveness probe, will be restarted'));
    const cs = (await c.pod('liveness-exec'))?.status?.containerStatuses?.[0];
    // sleep ignores SIGTERM as PID 1: killed at the end of the grace period.
    assert.equal(cs?.lastState?.terminated?.exitCode, 137);
  } finally {
    await c.stop();
  }
});

test('a liveness probe does not restart a container under restartPolicy Never', async () => {
  const c = await startTestCluster();
  try {
    const probe = { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 2 };
    await c.createPod({ restartPolicy: 'Never', containers: [{ name: 'web', image: 'nginx', livenessProbe: probe }] }, 'once');
    await c.until(async () => (await c.pod('once'))?.status?.phase === 'Succeeded', 60_000);
    assert.equal(messages(c, 'once', 'Unhealthy')[0], `Liveness probe failed: dial tcp ${(await c.pod('once'))?.status?.podIP}:8080: connect: connection refused`);
  } finally {
    await c.stop();
  }
});

test('a startup probe holds liveness and readiness back, and started follows it', async () => {
  const c = await startTestCluster();
  try {
    const container = {
      name: 'app',
      image: 'busybox',
      command: ['sh', '-c', 'sleep 20; touch /tmp/up; sleep 3600'],
      startupProbe: { exec: { command: ['test', '-f', '/tmp/up'] }, periodSeconds: 5, failureThreshold: 10 },
      livenessProbe: { exec: { command: ['test', '-f', '/tmp/up'] }, periodSeconds: 1, failureThreshold: 1 },
      readinessProbe: { exec: { command: ['true'] }, periodSeconds: 30 },
    };
    await c.createPod({ containers: [container] }, 'boot');
    await c.until(async () => (await c.pod('boot'))?.status?.phase === 'Running');
    await c.advance(10_000);
    let cs = (await c.pod('boot'))?.status?.containerStatuses?.[0];
    assert.equal(cs?.started, false);
    assert.equal(cs?.ready, false);
    await c.until(async () => ready(await c.pod('boot')), 30_000);
    cs = (await c.pod('boot'))?.status?.containerStatuses?.[0];
    assert.equal(cs?.started, true);
    assert.equal(cs?.restartCount, 0);
    assert.ok(messages(c, 'boot', 'Unhealthy').every((m) => m === 'Startup probe failed: '));
  } finally {
    await c.stop();
  }
});

test('an exec probe that outlives timeoutSeconds fails as timed out', async () => {
  const c = await startTestCluster();
  try {
    const probe = { exec: { command: ['sleep', '5'] }, timeoutSeconds: 1, periodSeconds: 10 };
    await c.createPod({ containers: [{ name: 'b', image: 'busybox', readinessProbe: probe }] }, 'sleepy');
    await c.until(async () => messages(c, 'sleepy', 'Unhealthy').length > 0, 30_000);
    assert.equal(messages(c, 'sleepy', 'Unhealthy')[0], 'Readiness probe failed: command "sleep 5" timed out');
    assert.equal(ready(await c.pod('sleepy')), false);
  } finally {
    await c.stop();
  }
});
