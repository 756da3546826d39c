// End-to-end: the durable store across crashes. kubectl writes, the server is killed with SIGKILL right after
// kubectl got its answer, and a new `kubeloop up` on the same data dir serves the same objects (same uids),
// keeps resourceVersions growing, and its controllers do not create duplicates.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { type Cluster, startKubeloop } from './harness.js';
import { kube } from './expect.js';

let c: Cluster | undefined;
let dir: string | undefined;
const { ok, eventually } = kube(() => c as Cluster);
// A killed process never released the controller-manager Lease; the new one holds the same identity (kept in
// the data dir), so it takes the Lease back at once instead of waiting out its 15 s. Scaled time keeps the
// rest of the test short.
const ARGS = ['--nodes', '2', '--timing', 'instant', '--time-scale', '4'];

after(async () => {
  await c?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function crashAndRestart(): Promise<void> {
  const old = c as Cluster;
  dir = old.dir;
  await old.kill();
  c = await startKubeloop({ durable: true, dir, args: ARGS });
}

interface Snapshot {
  uids: Map<string, string>;
  maxRv: number;
}

async function snapshot(): Promise<Snapshot> {
  const out = await ok([
    'get', 'deploy,rs,pods', '-o',
    'jsonpath={range .items[*]}{.kind}/{.metadata.name} {.metadata.uid} {.metadata.resourceVersion}{"\\n"}{end}',
  ]);
  const uids = new Map<string, string>();
  let maxRv = 0;
  for (const line of out.trim().split('\n').filter(Boolean)) {
    const [name, uid, rv] = line.split(' ') as [string, string, string];
    uids.set(name, uid);
    maxRv = Math.max(maxRv, Number(rv));
  }
  return { uids, maxRv };
}

const readyPods = (out: string) => out.trim().split('\n').filter((l) => /\bRunning\b/.test(l)).length;

describe('restart on the same data dir', () => {
  it('keeps a deployment created just before kill -9', async () => {
    c = await startKubeloop({ durable: true, args: ARGS });
    const uid = await ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '-o', 'jsonpath={.metadata.uid}']);
    assert.match(uid, /^[0-9a-f-]{36}$/);
    await crashAndRestart();
    assert.equal(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.metadata.uid}']), uid);
    await eventually(['get', 'pods', '--no-headers'], (o) => readyPods(o) === 3, '3 running pods after the restart', 90_000);
  });

  it('serves the same uids after a crash, with growing resourceVersions and no duplicate pods', async () => {
    await eventually(['get', 'deploy', 'web', '-o', 'jsonpath={.status.availableReplicas}'], (o) => o === '3', 'the deployment to be available');
    const before = await snapshot();
    assert.equal([...before.uids.keys()].filter((k) => k.startsWith('Pod/')).length, 3);
    assert.equal([...before.uids.keys()].filter((k) => k.startsWith('ReplicaSet/')).length, 1);
    const leaseHolder = ['get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'jsonpath={.spec.holderIdentity} {.spec.renewTime}'];
    const [oldLeader, oldRenew] = (await ok(leaseHolder)).split(' ');
    // An acknowledged write right before the crash must survive it.
    await ok(['label', 'deploy', 'web', 'crash=1']);
    await crashAndRestart();

    const afterCrash = await snapshot();
    assert.deepEqual(afterCrash.uids, before.uids, 'the same objects with the same uids');
    assert.equal(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.metadata.labels.crash}']), '1');
    const rv = Number(await ok(['annotate', 'deploy', 'web', 'after=restart', '-o', 'jsonpath={.metadata.resourceVersion}']));
    assert.ok(rv > afterCrash.maxRv && rv > before.maxRv, `a new write (${rv}) gets a larger resourceVersion than before (${afterCrash.maxRv})`);

    // Give the controllers time to take the lease and resync: they must find their pods, not make new ones.
    await eventually(leaseHolder, (o) => o.split(' ')[0] === oldLeader && o.split(' ')[1] !== oldRenew, 'the new process to renew its own lease', 30_000);
    await new Promise((r) => setTimeout(r, 3000));
    await eventually(['get', 'deploy', 'web', '-o', 'jsonpath={.status.availableReplicas}'], (o) => o === '3', 'the deployment available again');
    const settled = await snapshot();
    const pods = [...settled.uids.entries()].filter(([k]) => k.startsWith('Pod/'));
    assert.equal(pods.length, 3, `exactly 3 pods, got ${pods.map(([k]) => k).join(' ')}`);
    for (const [k, u] of pods) assert.equal(before.uids.get(k), u, `${k} is the pod from before the crash`);
  });
});
