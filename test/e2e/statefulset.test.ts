// End-to-end: the tutorial's StatefulSet walk-through (chapter 7.4) with the real kubectl against
// `kubeloop up`: ordered creation, stable hostnames, claims bound through the default local-path class,
// data that outlives its pod, scale-down from the highest ordinal with the claims kept, rollout status.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kube, rows } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';

const MANIFEST = join(import.meta.dirname, '..', '..', '..', 'shared', 'seed', 'manifests', 'mysts.yaml');

let c: Cluster;
const { ok, eventually } = kube(() => c);

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '2', '--time-scale', '4'] });
});

after(async () => {
  await c?.stop();
});




describe('tutorial 7.4: StatefulSet', () => {
  it('a default local-path StorageClass exists', async () => {
    const sc = rows(await ok(['get', 'storageclass']));
    assert.deepEqual(sc[1]?.slice(0, 5), ['local-path (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', 'false']);
  });

  it('kubectl apply -f mysts.yaml creates the pods one at a time', async () => {
    const watching = c.kubectl(['get', 'pods', '-w', '--no-headers'], { timeoutMs: 6_000 });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await ok(['apply', '-f', MANIFEST]), 'statefulset.apps/mysts created\nservice/mysts created\n');
    const r = await c.kubectl(['rollout', 'status', 'sts', 'mysts'], { timeoutMs: 90_000 });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.at(-1), 'partitioned roll out complete: 3 new pods have been updated...');
    for (const l of lines.slice(0, -1)) assert.match(l, /^(Waiting for [123] pods to be ready\.\.\.|Waiting for statefulset spec update to be observed\.\.\.)$/);
    const seen = rows((await watching).stdout).map((x) => [x[0], x[2]]);
    // mysts-1 never shows up before mysts-0 is Running, nor mysts-2 before mysts-1.
    const firstSeen = (n: string) => seen.findIndex((x) => x[0] === n);
    const firstRunning = (n: string) => seen.findIndex((x) => x[0] === n && x[1] === 'Running');
    assert.ok(firstRunning('mysts-0') >= 0 && firstRunning('mysts-0') < firstSeen('mysts-1'), seen.join('\n'));
    assert.ok(firstRunning('mysts-1') < firstSeen('mysts-2'), seen.join('\n'));

    const sts = rows(await ok(['get', 'statefulset']));
    assert.deepEqual(sts[0], ['NAME', 'READY', 'AGE']);
    assert.deepEqual(sts[1]?.slice(0, 2), ['mysts', '3/3']);
    const pods = rows(await ok(['get', 'pod'])).slice(1);
    assert.deepEqual(pods.map((p) => p.slice(0, 3)), [['mysts-0', '1/1', 'Running'], ['mysts-1', '1/1', 'Running'], ['mysts-2', '1/1', 'Running']]);
    const labels = await ok(['get', 'pod', 'mysts-0', '--show-labels', '--no-headers']);
    assert.match(labels, /apps\.kubernetes\.io\/pod-index=0,controller-revision-hash=mysts-[456789bcdf]+,run=nginx,statefulset\.kubernetes\.io\/pod-name=mysts-0/);
  });

  it('kubectl exec mysts-N -- hostname prints the pod name', async () => {
    assert.equal(await ok(['exec', 'mysts-0', '--', 'hostname']), 'mysts-0\n');
    assert.equal(await ok(['exec', 'mysts-1', '--', 'hostname']), 'mysts-1\n');
  });

  it('kubectl get persistentvolumeclaim shows the claims Bound through local-path', async () => {
    const out = await eventually(['get', 'persistentvolumeclaim'], (o) => rows(o).slice(1).filter((r) => r[1] === 'Bound').length === 3, 'three Bound claims');
    const claims = rows(out);
    assert.deepEqual(claims[0]?.slice(0, 6), ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS']);
    claims.slice(1).forEach((r, i) => {
      assert.equal(r[0], `vol-mysts-${i}`);
      assert.match(r[2] ?? '', /^pvc-[0-9a-f-]{36}$/);
      assert.deepEqual([r[1], r[3], r[4], r[5]], ['Bound', '1Gi', 'RWO', 'local-path']);
    });
    const pv = rows(await ok(['get', 'pv', '--no-headers']));
    assert.equal(pv.length, 3);
    for (const r of pv) assert.deepEqual(r.slice(1, 5), ['1Gi', 'RWO', 'Delete', 'Bound']);
  });

  it('index.html written through exec is served on localhost and survives deleting the pod', async () => {
    await ok(['exec', 'mysts-0', '--', 'sh', '-c', 'echo "$(hostname)" > /usr/share/nginx/html/index.html']);
    await ok(['exec', 'mysts-1', '--', 'sh', '-c', 'echo "$(hostname)" > /usr/share/nginx/html/index.html']);
    assert.equal(await ok(['exec', 'mysts-0', '--', 'cat', '/usr/share/nginx/html/index.html']), 'mysts-0\n');
    assert.equal(await ok(['exec', 'mysts-0', '--', 'curl', '-s', 'http://localhost']), 'mysts-0\n');
    assert.equal(await ok(['exec', 'mysts-1', '--', 'curl', '-s', 'http://localhost']), 'mysts-1\n');
    const uid = await ok(['get', 'pod', 'mysts-0', '-o', 'jsonpath={.metadata.uid}']);
    assert.equal(await ok(['delete', 'pod', 'mysts-0']), 'pod "mysts-0" deleted\n');
    await eventually(['get', 'pod', 'mysts-0', '-o', 'jsonpath={.metadata.uid} {.status.phase}'], (o) => !o.startsWith(uid) && o.endsWith('Running'), 'a new mysts-0 Running');
    await eventually(['get', 'pod', 'mysts-0'], (o) => rows(o)[1]?.[1] === '1/1', 'mysts-0 ready');
    assert.equal(await ok(['exec', 'mysts-0', '--', 'curl', '-s', 'http://localhost']), 'mysts-0\n');
  });

  it('kubectl scale sts mysts --replicas=0 removes pods from the highest ordinal while the claims stay', async () => {
    const watching = c.kubectl(['get', 'pods', '-w', '--no-headers', '--output-watch-events'], { timeoutMs: 8_000 });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await ok(['scale', 'sts', 'mysts', '--replicas=0']), 'statefulset.apps/mysts scaled\n');
    await eventually(['get', 'pod', '--no-headers'], (o) => o.trim() === '', 'no pods left');
    const deleted = rows((await watching).stdout).filter((x) => x[0] === 'DELETED').map((x) => x[1]);
    assert.deepEqual(deleted, ['mysts-2', 'mysts-1', 'mysts-0']);
    const claims = rows(await ok(['get', 'pvc', '--no-headers']));
    assert.deepEqual(claims.map((r) => [r[0], r[1]]), [['vol-mysts-0', 'Bound'], ['vol-mysts-1', 'Bound'], ['vol-mysts-2', 'Bound']]);
    assert.deepEqual(rows(await ok(['get', 'sts', '--no-headers']))[0]?.slice(0, 2), ['mysts', '0/0']);
  });

  it('scaling back up reuses the claims, and rollout history lists the revision', async () => {
    await ok(['scale', 'sts', 'mysts', '--replicas=1']);
    const r = await c.kubectl(['rollout', 'status', 'sts', 'mysts'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await ok(['exec', 'mysts-0', '--', 'curl', '-s', 'http://localhost']), 'mysts-0\n');
    assert.equal(await ok(['rollout', 'history', 'sts', 'mysts']), 'statefulset.apps/mysts \nREVISION  CHANGE-CAUSE\n1         <none>\n\n');
  });

  it('a claim in use stays Terminating until its pod is gone; the tutorial cleanup removes everything', async () => {
    await ok(['delete', 'pvc', 'vol-mysts-0', '--wait=false']);
    const pvc = rows(await ok(['get', 'pvc', 'vol-mysts-0', '--no-headers']));
    assert.equal(pvc[0]?.[1], 'Terminating');
    await ok(['delete', 'sts', 'mysts']);
    await ok(['delete', 'svc', 'mysts']);
    await eventually(['get', 'pvc', '--no-headers'], (o) => !o.includes('vol-mysts-0'), 'the protected claim to go once its pod is gone');
    await ok(['delete', 'pvc', '--all']);
    await eventually(['get', 'pv', '--no-headers'], (o) => o.trim() === '', 'the provisioned volumes to be deleted');
  });
});
