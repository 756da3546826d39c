// End-to-end crash test of a multi-process cluster: three `kubeloop up --role all` processes share one etcd while a
// 200-replica rolling update and a CronJob run. Several times, at seeded random moments, the process holding the
// kube-controller-manager Lease is killed with SIGKILL and restarted on its directory, while a writer keeps creating
// ConfigMaps through whichever processes are up. After each kill: another process takes the Lease over, no
// acknowledged write is missing and a new write's resourceVersion is above everything seen before. Afterwards the
// rollout has finished with exactly the desired pods and ReplicaSets, no CronJob slot ran twice, a live process runs
// the kubelets and no container was restarted by a kubelet takeover.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type EtcdServer, startEtcd } from '../../src/store/testdata/etcd-server.js';
import { assertConverged, column, lostWrites, maxResourceVersion, startWriter } from './crash-kit.js';
import { type Cluster, startKubeloop } from './harness.js';
import { SEED, kube, seededRandom as random, sleep } from './expect.js';

const REPLICAS = 200;
const CRASHES = 3;
const PROCESSES = 3;
const LEASE_SECONDS = 2;

/** One kubeloop process: its directory survives kills, its Lease identity is new on every start. */
interface Proc {
  c: Cluster;
  dir: string;
  identity: string;
  up: boolean;
}

let etcd: EtcdServer | undefined;
const procs: Proc[] = [];

after(async () => {
  for (const p of procs) await p.c.stop().catch(() => undefined);
  for (const p of procs) await rm(p.dir, { recursive: true, force: true });
  await etcd?.stop();
});


// Cluster time 10x, as in the SQLite crash test: the CronJob's every-minute schedule fires every 6 s.
const args = () => ['--etcd-servers', (etcd as EtcdServer).url, '--nodes', '3', '--timing', 'instant', '--time-scale', '10', '--lease-duration', String(LEASE_SECONDS)];

async function start(dir?: string): Promise<Proc> {
  const c = await startKubeloop({ durable: true, args: args(), ...(dir ? { dir } : {}) });
  const identity = /Lease identity: (\S+)/.exec(c.logs())?.[1];
  assert.ok(identity, `the ready line names the Lease identity:\n${c.logs().slice(-2000)}`);
  return { c, dir: c.dir, identity, up: true };
}

/** Some process that is up: the one the checks go through. */
function survivor(): Cluster {
  const p = procs.find((q) => q.up);
  assert.ok(p, 'some kubeloop process is up');
  return p.c;
}
const { ok, eventually } = kube(survivor);

const live = (identity: string) => procs.some((p) => p.up && p.identity === identity);

/** Waits until a process that is up holds `lease` (a takeover that never comes fails here) and returns it. */
async function liveHolder(lease: string, timeoutMs = 60_000): Promise<Proc> {
  const id = await eventually(['get', 'lease', '-n', 'kube-system', lease, '-o', 'jsonpath={.spec.holderIdentity}'], live, `a live process holding ${lease}`, timeoutMs);
  return procs.find((p) => p.up && p.identity === id) as Proc;
}


describe('SIGKILL of the leading kubeloop among three on one etcd', () => {
  it('hands the Leases over, loses no acknowledged write, keeps resourceVersions growing, and converges without duplicates', async (t) => {
    const rand = random(Number(process.env.KUBELOOP_CRASH_SEED ?? 7));
    etcd = await startEtcd();
    // The first creates the initial namespaces; the others join it.
    procs.push(await start());
    procs.push(...(await Promise.all(Array.from({ length: PROCESSES - 1 }, () => start()))));

    await ok(['create', 'deployment', 'web', '--image=nginx', `--replicas=${REPLICAS}`]);
    await ok(['apply', '-f', join(SEED, 'cronjob.yaml')]);

    // The writer goes through the next process that is up each time.
    const writer = startWriter((n) => {
      const ups = procs.filter((p) => p.up);
      return ups[n % ups.length]?.c;
    });

    let highest = await maxResourceVersion(ok, 'deploy,rs,pods,jobs,cronjobs,configmaps,leases');
    for (let i = 0; i < CRASHES; i++) {
      // The first kill comes while the 200 pods are still being created and started, the next ones once the rolling
      // update has begun: with instant timing a whole rollout takes only seconds.
      if (i === 1) {
        await eventually(['get', 'deploy', 'web', '-o', 'jsonpath={.status.availableReplicas}'], (o) => o === String(REPLICAS), `${REPLICAS} available pods`, 120_000);
        // Small waves, so that the rollout lasts as long as it can.
        await ok(['patch', 'deployment', 'web', '-p', '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":"5%","maxUnavailable":0}}}}']);
        await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.25']);
      }
      await sleep(500 + rand() * 2500);
      const leader = await liveHolder('kube-controller-manager');
      const progress = await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.status.updatedReplicas}/{.status.availableReplicas}']);
      leader.up = false;
      await leader.c.kill();
      // It comes back on its directory while the checks go through the others.
      const restarting = start(leader.dir);
      restarting.catch(() => undefined); // awaited below; a failed check must not leave it unhandled

      // Another process takes over once the dead leader's lease runs out.
      const next = await liveHolder('kube-controller-manager');
      assert.notEqual(next.identity, leader.identity);
      t.diagnostic(`crash ${i + 1} (updated/available ${progress}): killed ${leader.identity}, ${next.identity} took over`);
      assert.deepEqual(await lostWrites(ok, writer), [], `acknowledged ConfigMaps missing after crash ${i + 1}`);
      const rv = Number(await ok(['annotate', 'deploy', 'web', `crash=${i + 1}`, '--overwrite', '-o', 'jsonpath={.metadata.resourceVersion}']));
      assert.ok(rv > highest, `crash ${i + 1}: a new write's resourceVersion ${rv} is above everything seen before (${highest})`);

      procs[procs.indexOf(leader)] = await restarting;
      highest = await maxResourceVersion(ok, 'deploy,rs,pods,jobs,cronjobs,configmaps,leases');
    }
    await writer.stop();
    assert.ok(writer.acknowledged.length > 0, 'the writer got some writes acknowledged');
    assert.deepEqual(await lostWrites(ok, writer), [], 'acknowledged ConfigMaps missing at the end');

    // The rollout finishes with exactly the desired pods, all from the new ReplicaSet, two ReplicaSets, no slot twice.
    const slots = await assertConverged(kube(survivor), survivor(), REPLICAS);
    assert.ok(slots.length > 0, 'the CronJob ran');
    t.diagnostic(`${writer.acknowledged.length} writes acknowledged; CronJob slots: ${slots.join(' ')}`);

    // The kubelets run in a live process, and taking them over restarted no container.
    await liveHolder('kubeloop-nodes');
    const restarts = await column(ok, ['get', 'pods', '-l', 'app=web'], '{.metadata.name}={.status.containerStatuses[0].restartCount}');
    assert.deepEqual(restarts.filter((r) => !r.endsWith('=0')), [], 'pods whose container was restarted');
  });
});
