// End-to-end crash test of the durable store: a 200-replica rolling update and a CronJob run while kubeloop is
// killed with SIGKILL at random moments (seeded) and restarted on the same data dir, with a writer creating
// ConfigMaps throughout. Afterwards: every acknowledged write is there, resourceVersions only grew, the rollout
// finished with exactly the desired pods and ReplicaSets, and no CronJob slot ran twice.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertConverged, lostWrites, maxResourceVersion, startWriter } from './crash-kit.js';
import { type Cluster, startKubeloop } from './harness.js';
import { SEED, kube, seededRandom as random, sleep } from './expect.js';

const REPLICAS = 200;
const CRASHES = 3;
// Cluster time 10x: the CronJob's every-minute schedule fires every 6 s.
const ARGS = ['--nodes', '3', '--timing', 'instant', '--time-scale', '10'];

let c: Cluster | undefined;
let dir: string | undefined;
const { ok, eventually } = kube(() => c as Cluster);

after(async () => {
  await c?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});



describe('SIGKILL during a rolling update and a CronJob', () => {
  it('loses no acknowledged write, keeps resourceVersions growing, and converges without duplicates', async () => {
    const rand = random(Number(process.env.KUBELOOP_CRASH_SEED ?? 7));
    c = await startKubeloop({ durable: true, args: ARGS });
    dir = c.dir;
    await ok(['create', 'deployment', 'web', '--image=nginx', `--replicas=${REPLICAS}`]);
    await ok(['apply', '-f', join(SEED, 'cronjob.yaml')]);
    await eventually(['get', 'deploy', 'web', '-o', 'jsonpath={.status.availableReplicas}'], (o) => o === String(REPLICAS), `${REPLICAS} available pods`, 120_000);
    await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.25']);

    const writer = startWriter(() => c);

    let highest = await maxResourceVersion(ok);
    for (let i = 0; i < CRASHES; i++) {
      await sleep(500 + rand() * 2500);
      await (c as Cluster).kill();
      c = await startKubeloop({ durable: true, dir, args: ARGS });
      const lost = await lostWrites(ok, writer);
      assert.deepEqual(lost, [], `acknowledged ConfigMaps missing after crash ${i + 1}`);
      const rv = Number(await ok(['annotate', 'deploy', 'web', `crash=${i + 1}`, '--overwrite', '-o', 'jsonpath={.metadata.resourceVersion}']));
      assert.ok(rv > highest, `crash ${i + 1}: a new write's resourceVersion ${rv} is above everything seen before (${highest})`);
      highest = await maxResourceVersion(ok);
    }
    await writer.stop();
    assert.ok(writer.acknowledged.length > 0, 'the writer got some writes acknowledged');

    // The rollout finishes with exactly the desired pods, all from the new ReplicaSet, two ReplicaSets, no slot twice.
    await assertConverged(kube(() => c as Cluster), c as Cluster, REPLICAS);
  });
});
