import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podStatusText } from '../api/kinds/pod.js';
import type { ContainerRuntime } from './runtime/process.js';
import { startTestCluster } from './test-harness.js';

/** A test entrypoint: every instance runs for `runMs`, then exits with `code`. */
function exitsAfter(runMs: number, code: number): ContainerRuntime {
  return {
    start(_start, host) {
      host.after(runMs, () => host.exit({ code }));
      return { terminate: () => host.exit({ code: 143 }) };
    },
  };
}

function cs(pod: Pod | undefined) {
  return pod?.status?.containerStatuses?.[0];
}

test('a crashing container restarts at once, then after 10, 20, 40 … 300 s (CrashLoopBackOff)', async () => {
  const c = await startTestCluster({ runtime: exitsAfter(1000, 1) });
  try {
    await c.createPod({ containers: [{ name: 'crashy', image: 'busybox:1.36' }] }, 'crashy');
    await c.advance(700_000);
    const started = c.eventsFor('crashy').filter((e) => e.reason === 'Started').map((e) => (e.at - c.start) / 1000);
    // Each instance runs 1 s; the restart gap after each exit is 0, 10, 20, 40, 80, 160, 300 s.
    assert.deepEqual(started, [0, 1, 12, 33, 74, 155, 316, 617]);

    const history = c.history('crashy');
    const transitions = history.map((s) => `${s.ready} ${s.status} ${s.restarts}`).filter((s, i, all) => s !== all[i - 1]);
    assert.deepEqual(transitions.slice(0, 8), [
      '0/1 Pending 0',
      '1/1 Running 0',
      '0/1 Error 0',
      '1/1 Running 1',
      '0/1 Error 1',
      '0/1 CrashLoopBackOff 1',
      '1/1 Running 2',
      '0/1 Error 2',
    ]);
    assert.ok(history.slice(1).every((s) => s.phase === 'Running'), 'phase stays Running throughout');

    // In the window after the 7th instance: waiting CrashLoopBackOff, lastState = that instance.
    const pod = await c.pod('crashy');
    const status = cs(pod);
    assert.equal(podStatusText(pod, c.clock.now()), 'CrashLoopBackOff');
    assert.equal(status?.restartCount, 7);
    assert.equal(status?.ready, false);
    assert.equal(status?.started, false);
    assert.equal(status?.state?.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(status?.state?.waiting?.message, `back-off 5m0s restarting failed container=crashy pod=crashy_default(${pod?.metadata?.uid})`);
    const last = status?.lastState?.terminated;
    assert.equal(last?.exitCode, 1);
    assert.equal(last?.reason, 'Error');
    assert.equal(last?.startedAt, '2026-01-01T00:10:17Z');
    assert.equal(last?.finishedAt, '2026-01-01T00:10:18Z');
    assert.equal(last?.containerID, status?.containerID);
    const ready = pod?.status?.conditions?.find((x) => x.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.message, 'containers with unready status: [crashy]');

    const backoff = c.eventsFor('crashy').find((e) => e.reason === 'BackOff');
    assert.equal(backoff?.type, 'Warning');
    assert.equal(backoff?.message, `Back-off restarting failed container crashy in pod crashy_default(${pod?.metadata?.uid})`);
    // Each restart starts a new container: new ID, image already present.
    const ids = new Set(c.history('crashy').map((s) => cs(s.pod)?.containerID).filter(Boolean));
    assert.equal(ids.size, 8);
    const pulled = c.eventsFor('crashy').filter((e) => e.reason === 'Pulled').map((e) => e.message);
    assert.equal(pulled.length, 8);
    assert.ok(pulled.slice(1).every((m) => m === 'Container image "busybox:1.36" already present on machine'));
    assert.equal(c.eventsFor('crashy').filter((e) => e.reason === 'Pulling').length, 1);
  } finally {
    await c.stop();
  }
});

test('while running, a restarted container shows the previous instance as lastState', async () => {
  const c = await startTestCluster({ runtime: exitsAfter(30_000, 2) });
  try {
    await c.createPod({ containers: [{ name: 'app', image: 'busybox' }] }, 'flaky');
    await c.advance(40_000);
    const pod = await c.pod('flaky');
    const status = cs(pod);
    assert.equal(podStatusText(pod, c.clock.now()), 'Running');
    assert.equal(status?.restartCount, 1);
    assert.ok(status?.state?.running);
    assert.equal(status?.lastState?.terminated?.exitCode, 2);
    assert.equal(status?.lastState?.terminated?.finishedAt, '2026-01-01T00:00:30Z');
    assert.notEqual(status?.lastState?.terminated?.containerID, status?.containerID);
  } finally {
    await c.stop();
  }
});

test('a container that ran for more than 10 minutes restarts at once again', async () => {
  const c = await startTestCluster({ runtime: exitsAfter(700_000, 1) });
  try {
    await c.createPod({ containers: [{ name: 'app', image: 'busybox' }] }, 'long');
    await c.advance(2_200_000);
    const started = c.eventsFor('long').filter((e) => e.reason === 'Started').map((e) => (e.at - c.start) / 1000);
    assert.deepEqual(started, [0, 700, 1400, 2100]);
  } finally {
    await c.stop();
  }
});

test('restartPolicy Never: a failed container ends the pod Failed (STATUS Error)', async () => {
  const c = await startTestCluster({ runtime: exitsAfter(5000, 1) });
  try {
    await c.createPod({ restartPolicy: 'Never', containers: [{ name: 'job', image: 'busybox' }] }, 'once');
    await c.advance(20_000);
    const pod = await c.pod('once');
    assert.equal(pod?.status?.phase, 'Failed');
    assert.equal(podStatusText(pod, c.clock.now()), 'Error');
    assert.equal(cs(pod)?.state?.terminated?.exitCode, 1);
    assert.equal(cs(pod)?.restartCount, 0);
    assert.deepEqual(
      pod?.status?.conditions?.map((x) => [x.type, x.status, x.reason ?? '']),
      [
        ['PodReadyToStartContainers', 'False', ''],
        ['Initialized', 'True', ''],
        ['Ready', 'False', 'PodFailed'],
        ['ContainersReady', 'False', 'PodFailed'],
        ['PodScheduled', 'True', ''],
      ],
    );
    assert.equal(c.eventsFor('once').filter((e) => e.reason === 'Started').length, 1);
    // The pod keeps its IP after the sandbox is gone.
    assert.match(pod?.status?.podIP ?? '', /^10\.244\.1\./);
  } finally {
    await c.stop();
  }
});

test('run to completion: exit 0 with OnFailure ends Succeeded (Completed); exit 1 with OnFailure restarts', async () => {
  const ok = await startTestCluster({ runtime: exitsAfter(6000, 0), timing: 'realistic', seed: 2 });
  try {
    await ok.createPod({ restartPolicy: 'OnFailure', containers: [{ name: 'pi', image: 'perl:5.34.0' }] }, 'pi');
    await ok.advance(30_000);
    const pod = await ok.pod('pi');
    assert.equal(pod?.status?.phase, 'Succeeded');
    assert.equal(podStatusText(pod, ok.clock.now()), 'Completed');
    assert.deepEqual(
      pod?.status?.conditions?.map((x) => [x.type, x.status, x.reason ?? '']),
      [
        ['PodReadyToStartContainers', 'False', ''],
        ['Initialized', 'True', 'PodCompleted'],
        ['Ready', 'False', 'PodCompleted'],
        ['ContainersReady', 'False', 'PodCompleted'],
        ['PodScheduled', 'True', ''],
      ],
    );
    const seen = ok.history('pi').map((s) => `${s.ready} ${s.status}`).filter((s, i, all) => s !== all[i - 1]);
    assert.deepEqual(seen, ['0/1 Pending', '0/1 ContainerCreating', '1/1 Running', '0/1 Completed']);
    const terminalAt = ok.history('pi').find((s) => s.phase === 'Succeeded')?.at ?? 0;
    const completedAt = ok.history('pi').find((s) => s.status === 'Completed')?.at ?? 0;
    assert.ok(terminalAt >= completedAt, 'the terminal phase comes once the containers are reported stopped');
  } finally {
    await ok.stop();
  }
  const failing = await startTestCluster({ runtime: exitsAfter(1000, 1) });
  try {
    await failing.createPod({ restartPolicy: 'OnFailure', containers: [{ name: 'x', image: 'busybox' }] }, 'retry');
    await failing.advance(15_000);
    const pod = await failing.pod('retry');
    assert.equal(pod?.status?.phase, 'Running');
    assert.equal(cs(pod)?.restartCount, 2);
  } finally {
    await failing.stop();
  }
});

test('an init container failing with restartPolicy Never fails the pod (Init:Error); with Always it crash-loops', async () => {
  const runtime: ContainerRuntime = {
    start(start, host) {
      if (start.role === 'init') host.after(500, () => host.exit({ code: 3 }));
      return { terminate: () => host.exit({ code: 0 }) };
    },
  };
  const c = await startTestCluster({ runtime });
  try {
    await c.createPod({ restartPolicy: 'Never', initContainers: [{ name: 'setup', image: 'busybox' }], containers: [{ name: 'app', image: 'nginx' }] }, 'never');
    await c.createPod({ initContainers: [{ name: 'setup', image: 'busybox' }], containers: [{ name: 'app', image: 'nginx' }] }, 'always');
    await c.advance(30_000);
    const never = await c.pod('never');
    assert.equal(never?.status?.phase, 'Failed');
    assert.equal(podStatusText(never, c.clock.now()), 'Init:Error');
    assert.equal(c.eventsFor('never').filter((e) => e.fieldPath === 'spec.containers{app}').length, 0, 'the app container never starts');
    const always = await c.pod('always');
    assert.equal(always?.status?.phase, 'Pending');
    assert.equal(podStatusText(always, c.clock.now()), 'Init:CrashLoopBackOff');
  } finally {
    await c.stop();
  }
});
