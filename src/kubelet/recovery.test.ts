// A restart of kubeloop: a new simulation finds pods that an earlier one started (Running in the store, bound to
// its node) and takes them over: same container IDs, start times and restart counts, processes running again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { persistentVolumeDescriptor } from '../api/kinds/persistentvolume.js';
import { persistentVolumeClaimDescriptor } from '../api/kinds/persistentvolumeclaim.js';
import type { KubeObject } from '../api/types.js';
import { textSource } from '../containers/shell/io.js';
import { podStatusText } from '../api/kinds/pod-status-text.js';
import { InformerFactory } from '../client/informer.js';
import { startNodeSimulation } from './simulation.js';
import { startTestCluster } from './test-harness.js';

test('after a restart the kubelet adopts running pods instead of recreating them, and their processes run again', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kubeloop-recovery-'));
  const c = await startTestCluster({ dataDir });
  let second: Awaited<ReturnType<typeof startNodeSimulation>> | undefined;
  try {
    const script = 'while true; do echo Logging from $(hostname); sleep 10; done';
    await c.createPod({ containers: [{ name: 'logger', image: 'busybox', command: ['sh', '-c', script] }] }, 'logger');
    // A crashing container too, so the restart count is not zero.
    await c.createPod({ containers: [{ name: 'crash', image: 'busybox', command: ['sh', '-c', 'sleep 5; exit 1'] }] }, 'crash');
    // And one whose data is on a bound claim.
    await c.client.create(persistentVolumeDescriptor, undefined, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/pv' } } } as unknown as KubeObject);
    const claim = await c.client.create(persistentVolumeClaimDescriptor, 'default', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: 'pv-1', storageClassName: '' } } as unknown as KubeObject);
    await c.client.update(persistentVolumeClaimDescriptor, 'default', { ...claim, status: { phase: 'Bound' } } as KubeObject, { subresource: 'status' });
    await c.createPod({ volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }], containers: [{ name: 'db', image: 'busybox', command: ['sh', '-c', 'echo saved > /d/f; sleep 3600'], volumeMounts: [{ name: 'd', mountPath: '/d' }] }] }, 'db');
    await c.until(async () => podStatusText(await c.pod('logger'), c.clock.now()) === 'Running');
    await c.until(async () => podStatusText(await c.pod('db'), c.clock.now()) === 'Running');
    await c.until(async () => ((await c.pod('crash'))?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && podStatusText(await c.pod('crash'), c.clock.now()) === 'Running');
    await c.advance(15_000);
    const before = await c.pod('logger');
    const crashBefore = await c.pod('crash');
    const firstLogs = c.sim.containers.find('default', 'logger', 'logger')?.current?.logs.select().length ?? 0;
    assert.ok(firstLogs >= 2);

    const firstDb = c.sim.containers.find('default', 'db', 'db')?.current?.live;
    assert.ok(firstDb);
    await firstDb.exec(['sh', '-c', 'echo kept > /d/g'], { stdin: textSource(''), stdout: () => {}, stderr: () => {} });

    // kubeloop stops: the simulation goes away, the store keeps the pods as they were.
    await c.sim.stop();
    const reasons: string[] = [];
    await c.advance(2_000);

    const informers = new InformerFactory(c.client, c.clock);
    const starting = startNodeSimulation({ dataDir, client: c.client, informers, clock: c.clock, timing: 'instant', count: 1, eventRecorder: () => ({ event: (obj, _type, reason) => void reasons.push(`${obj.metadata.name}/${reason}`) }), log: () => {} });
    void starting.then((s) => (second = s));
    while (!second) await c.settle();
    const sim = second;
    await c.advance(1_000);

    const after = await c.pod('logger');
    assert.equal(after?.metadata?.uid, before?.metadata?.uid);
    assert.equal(podStatusText(after, c.clock.now()), 'Running');
    const [b, a] = [before?.status?.containerStatuses?.[0], after?.status?.containerStatuses?.[0]];
    assert.equal(a?.containerID, b?.containerID);
    assert.equal(a?.restartCount, b?.restartCount);
    assert.equal(a?.state?.running?.startedAt, b?.state?.running?.startedAt);
    assert.equal(after?.status?.podIP, before?.status?.podIP);
    const crashAfter = await c.pod('crash');
    assert.equal(crashAfter?.status?.containerStatuses?.[0]?.restartCount ?? 0, crashBefore?.status?.containerStatuses?.[0]?.restartCount ?? 0);
    assert.equal(crashAfter?.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 1);
    assert.deepEqual(reasons.filter((r) => r.startsWith('logger/')), [], 'nothing pulled, created or started again');

    // The process was started again under the same container ID: the loop keeps logging.
    const rec = sim.containers.find('default', 'logger', 'logger');
    assert.equal(rec?.current?.containerID, b?.containerID);
    // The loop's steps are asynchronous: let cluster time and event-loop turns pass until three lines landed.
    for (let i = 0; i < 20 && (rec?.current?.logs.select().length ?? 0) < 3; i++) {
      await c.advance(10_000);
      for (let j = 0; j < 200 && (rec?.current?.logs.select().length ?? 0) < 3; j++) await new Promise((r) => setImmediate(r));
    }
    const lines = (rec?.current?.logs.select() ?? []).map((l) => l.text);
    assert.ok(lines.length >= 3, `logs after the restart: ${JSON.stringify(lines)}`);
    assert.ok(lines.every((l) => l === 'Logging from logger\n'));
    const final = await c.pod('logger');
    assert.equal(final?.status?.containerStatuses?.[0]?.restartCount, b?.restartCount);
    assert.equal(final?.status?.containerStatuses?.[0]?.containerID, b?.containerID);

    // The recovered container mounts its claim's volume again, data included.
    let out = '';
    const live = sim.containers.find('default', 'db', 'db')?.current?.live;
    assert.ok(live);
    await live.exec(['cat', '/d/f', '/d/g'], { stdin: textSource(''), stdout: (t) => (out += t), stderr: (t) => (out += t) });
    assert.equal(out, 'saved\nkept\n');
    informers.stop();
  } finally {
    await second?.stop();
    await c.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
