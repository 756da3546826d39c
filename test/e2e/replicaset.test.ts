// End-to-end: the tutorial's ReplicaSet walk-through (chapter 7.2) as a user types it, with the real kubectl
// against `kubeloop up` on the default (realistic) timing profile.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startKubeloop } from './harness.js';
import { SEED, kube, rows } from './expect.js';

let c: Cluster;
const { ok, eventually } = kube(() => c);

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '3'] });
});

after(async () => {
  await c?.stop();
});



/** Polls `kubectl args` until `pred` holds for its output; returns that output. */

function runningPods(out: string): string[][] {
  return rows(out)
    .slice(1)
    .filter((r) => r[1] === '1/1' && r[2] === 'Running' && r[3] === '0');
}

describe('tutorial 7.2: ReplicaSet', () => {
  it('starts three Ready nodes', async () => {
    const out = await eventually(['get', 'nodes'], (o) => rows(o).slice(1).filter((r) => r[1] === 'Ready').length === 3, 'three Ready nodes');
    assert.deepEqual(rows(out)[0], ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
  });

  it('kubectl apply -f myreplicaset.yaml gives two Running pods', async () => {
    assert.equal((await ok(['apply', '-f', join(SEED, 'myreplicaset.yaml')])).trim(), 'replicaset.apps/myreplicaset created');
    const rs = await eventually(['get', 'rs'], (o) => rows(o)[1]?.slice(0, 4).join(' ') === 'myreplicaset 2 2 2', 'DESIRED 2 CURRENT 2 READY 2');
    assert.deepEqual(rows(rs)[0], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    const pods = await eventually(['get', 'pods'], (o) => runningPods(o).length === 2, 'two Running pods');
    for (const r of rows(pods).slice(1)) assert.match(r[0] as string, /^myreplicaset-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('shows NODE and IP with -o wide', async () => {
    const wide = rows(await ok(['get', 'pods', '-o', 'wide']));
    assert.deepEqual(wide[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    for (const r of wide.slice(1)) {
      assert.match(r[5] as string, /^10\.244\.\d+\.\d+$/);
      assert.match(r[6] as string, /^node-\d$/);
    }
  });

  it('kubectl describe rs shows the SuccessfulCreate events', async () => {
    const out = await ok(['describe', 'rs', 'myreplicaset']);
    assert.match(out, /^Replicas:\s+2 current \/ 2 desired$/m);
    assert.match(out, /^Pods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
    const events = out.split('\n').filter((l) => l.includes('SuccessfulCreate'));
    assert.equal(events.length, 2, out);
    for (const e of events) assert.match(e, /^\s+Normal\s+SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: myreplicaset-\w{5}$/);
  });

  it('deleting a pod brings a new one', async () => {
    const before = rows(await ok(['get', 'pods', '--no-headers'])).map((r) => r[0] as string);
    const victim = before[0] as string;
    assert.equal((await ok(['delete', 'pod', victim])).trim(), `pod "${victim}" deleted`);
    const out = await eventually(['get', 'pods'], (o) => runningPods(o).length === 2 && !o.includes(victim), 'a replacement pod');
    const now = runningPods(out).map((r) => r[0]);
    assert.ok(now.some((n) => !before.includes(n as string)), 'a new pod name');
  });

  it('kubectl scale rs --replicas 4 gives four', async () => {
    assert.equal((await ok(['scale', 'rs', '--replicas', '4', 'myreplicaset'])).trim(), 'replicaset.apps/myreplicaset scaled');
    await eventually(['get', 'rs'], (o) => rows(o)[1]?.slice(0, 4).join(' ') === 'myreplicaset 4 4 4', 'DESIRED 4 CURRENT 4 READY 4');
    await eventually(['get', 'pods'], (o) => runningPods(o).length === 4, 'four Running pods');
  });

  it('a wrong image tag shows ErrImagePull, then ImagePullBackOff', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubeloop-rs-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: badtag\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.9.21\n');
    // Watch the pod, as `kubectl get pod -w` shows it: ErrImagePull is visible only until the next sync.
    const watching = c.kubectl(['get', 'pods', '-w', '--no-headers'], { timeoutMs: 12_000 });
    await new Promise((r) => setTimeout(r, 500));
    await ok(['apply', '-f', file]);
    const seen = (await watching).stdout;
    const statuses = rows(seen)
      .filter((r) => r[0] === 'badtag')
      .map((r) => r[2]);
    const pull = statuses.indexOf('ErrImagePull');
    assert.ok(pull >= 0, `ErrImagePull in:\n${seen}`);
    assert.ok(statuses.indexOf('ImagePullBackOff') > pull, `ImagePullBackOff after ErrImagePull in:\n${seen}`);
    const pod = JSON.parse(await ok(['get', 'pod', 'badtag', '-o', 'json']));
    assert.equal(pod.status.phase, 'Pending');
    await ok(['delete', 'pod', 'badtag', '--now']);
  });

  it('holds the controller-manager lease and serves metrics', async () => {
    const lease = rows(await ok(['get', 'lease', '-n', 'kube-system', 'kube-controller-manager']));
    assert.deepEqual(lease[0], ['NAME', 'HOLDER', 'AGE']);
    assert.match(lease[1]?.[1] ?? '', /_/);
    const nodeLeases = rows(await ok(['get', 'lease', '-n', 'kube-node-lease', '--no-headers'])).map((r) => `${r[0]} ${r[1]}`);
    assert.deepEqual(nodeLeases, ['node-1 node-1', 'node-2 node-2', 'node-3 node-3']);
    const metrics = await ok(['get', '--raw', '/metrics']);
    assert.match(metrics, /^workqueue_depth\{name="replicaset-controller"\} \d+$/m);
    assert.match(metrics, /^kubeloop_reconcile_total\{controller="replicaset-controller",result="success"\} [1-9]\d*$/m);
    assert.match(metrics, /^apiserver_request_total\{verb="PATCH",group="apps",resource="replicasets",subresource="scale",/m);
    assert.match(metrics, /^process_resident_memory_bytes \d+$/m);
    assert.match(metrics, /^nodejs_heap_size_used_bytes \d+$/m);
  });

  it('kubectl delete rs --all removes the pods', async () => {
    assert.equal((await ok(['delete', 'rs', '--all'])).trim(), 'replicaset.apps "myreplicaset" deleted');
    await eventually(['get', 'pods'], (o) => !o.includes('myreplicaset-'), 'the pods to go', 60_000);
  });

  it('kubectl delete rs --cascade=orphan leaves the pods', async () => {
    await ok(['apply', '-f', join(SEED, 'myreplicaset.yaml')]);
    await eventually(['get', 'pods'], (o) => runningPods(o).length === 2, 'two Running pods');
    await ok(['delete', 'rs', 'myreplicaset', '--cascade=orphan']);
    assert.match((await c.kubectl(['get', 'rs', 'myreplicaset'])).stderr, /NotFound/);
    // The garbage collector strips the owner reference; the pods keep running.
    type Pod = { metadata: { name: string; ownerReferences?: unknown[] } };
    const ours = (o: string): Pod[] => JSON.parse(o).items.filter((p: Pod) => p.metadata.name.startsWith('myreplicaset-'));
    const out = await eventually(['get', 'pods', '-o', 'json'], (o) => ours(o).every((p) => (p.metadata.ownerReferences ?? []).length === 0), 'owner references removed');
    assert.equal(ours(out).length, 2);
    assert.equal(runningPods(await ok(['get', 'pods'])).filter((r) => r[0]?.startsWith('myreplicaset-')).length, 2);
  });
});
