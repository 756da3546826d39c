// The shell runtime inside the kubelet simulation on a fake clock: image behaviour, streaming logs, exit codes
// and restarts, exec, and volumes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podStatusText } from '../../api/kinds/pod-status-text.js';
import { textSource } from '../../containers/shell/io.js';
import { startTestCluster, type TestCluster } from '../test-harness.js';

function logText(c: TestCluster, pod: string, container: string, previous = false): string {
  const rec = c.sim.containers.find('default', pod, container);
  const inst = previous ? rec?.previous : rec?.current;
  return (inst?.logs.select() ?? []).map((l) => l.text).join('');
}

async function exec(c: TestCluster, pod: string, container: string, argv: string[], stdin = ''): Promise<{ out: string; err: string; code: number }> {
  const live = c.sim.containers.find('default', pod, container)?.current?.live;
  assert.ok(live, `container ${pod}/${container} is running`);
  let out = '';
  let err = '';
  const code = await live.exec(argv, { stdin: textSource(stdin), stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { out, err, code };
}

async function turnsUntil(cond: () => boolean, turns = 500): Promise<void> {
  for (let i = 0; i < turns && !cond(); i++) await new Promise((r) => setImmediate(r));
}

test('a looping busybox streams one line per sleep of cluster time', async () => {
  const c = await startTestCluster();
  try {
    await c.createPod({ containers: [{ name: 'logger', image: 'busybox', command: ['sh', '-c', 'while true; do echo Logging from $(hostname); sleep 10; done'] }] }, 'logger');
    await c.until(async () => podStatusText(await c.pod('logger'), c.clock.now()) === 'Running');
    await c.advance(1);
    // The loop's steps are asynchronous: give the event loop turns (not clock time) until the line lands.
    await turnsUntil(() => logText(c, 'logger', 'logger') !== '');
    assert.equal(logText(c, 'logger', 'logger'), 'Logging from logger\n');
    await c.advance(30_000);
    await turnsUntil(() => logText(c, 'logger', 'logger').length >= 'Logging from logger\n'.length * 4);
    assert.equal(logText(c, 'logger', 'logger'), 'Logging from logger\n'.repeat(4));
  } finally {
    await c.stop();
  }
});

test('the training image succeeds with good arguments and fails with the tutorial traceback', async () => {
  const c = await startTestCluster();
  try {
    await c.createPod({ restartPolicy: 'Never', containers: [{ name: 'ml', image: 'iwbaek/train', args: ['3', 'softmax', '0.5'] }] }, 'good');
    await c.createPod({ restartPolicy: 'Never', containers: [{ name: 'ml', image: 'iwbaek/train', args: ['bug-string', 'softmax', '0.5'] }] }, 'bad');
    await c.until(async () => podStatusText(await c.pod('good'), c.clock.now()) === 'Completed' && podStatusText(await c.pod('bad'), c.clock.now()) === 'Error');
    const good = logText(c, 'good', 'ml');
    assert.match(good, /^\['train\.py', '3', 'softmax', '0\.5'\]$/m);
    assert.match(good, /dense_1 \(Dense\)\s+\(None, 512\)\s+401920/);
    assert.equal(good.match(/^Epoch \d\/3$/gm)?.length, 3);
    assert.match(good, /^Test loss: /m);
    assert.match(good, /^Test accuracy: /m);
    const bad = logText(c, 'bad', 'ml');
    assert.match(bad, /Traceback \(most recent call last\):\n {2}File "train\.py", line 11, in <module>\n {4}epochs = int\(sys\.argv\[1\]\)\nValueError: invalid literal for int\(\) with base 10: 'bug-string'\n$/);
    const st = (await c.pod('bad'))?.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(st?.exitCode, 1);
    assert.equal(st?.reason, 'Error');
  } finally {
    await c.stop();
  }
});

test('a failing container restarts, keeping the previous instance log', async () => {
  const c = await startTestCluster();
  try {
    await c.createPod({ containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo run at $(date +%s); exit 3'] }] }, 'crash');
    await c.until(async () => ((await c.pod('crash'))?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    await c.advance(1000);
    assert.match(logText(c, 'crash', 'c', true), /^run at \d+\n$/);
    const cs = (await c.pod('crash'))?.status?.containerStatuses?.[0];
    assert.equal(cs?.lastState?.terminated?.exitCode, 3);
  } finally {
    await c.stop();
  }
});

test('nginx serves its default page and what exec writes, with access log lines', async () => {
  const c = await startTestCluster();
  try {
    await c.createPod({ containers: [{ name: 'nginx', image: 'nginx' }] }, 'web');
    await c.until(async () => podStatusText(await c.pod('web'), c.clock.now()) === 'Running');
    await c.advance(1);
    assert.equal((await exec(c, 'web', 'nginx', ['hostname'])).out, 'web\n');
    const page = await exec(c, 'web', 'nginx', ['curl', '-s', 'http://localhost']);
    assert.match(page.out, /<title>Welcome to nginx!<\/title>/);
    assert.equal(Buffer.byteLength(page.out), 615);
    assert.equal((await exec(c, 'web', 'nginx', ['sh', '-c', 'echo "$(hostname)" > /usr/share/nginx/html/index.html'])).code, 0);
    assert.equal((await exec(c, 'web', 'nginx', ['curl', '-s', 'http://localhost'])).out, 'web\n');
    assert.equal((await exec(c, 'web', 'nginx', ['cat'], 'from stdin\n')).out, 'from stdin\n');
    assert.equal((await exec(c, 'web', 'nginx', ['sh', '-c', 'exit 7'])).code, 7);
    const logs = logText(c, 'web', 'nginx');
    assert.match(logs, /^\/docker-entrypoint\.sh: Configuration complete; ready for start up$/m);
    assert.match(logs, /^[\d.]+ - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/ HTTP\/1\.1" 200 615 "-" "curl\/8\.5\.0" "-"$/m);
  } finally {
    await c.stop();
  }
});

test('PVC data outlives the pod; emptyDir data does not', async () => {
  const c = await startTestCluster();
  try {
    const spec = {
      volumes: [{ name: 'vol', persistentVolumeClaim: { claimName: 'vol-web-0' } }, { name: 'scratch', emptyDir: {} }],
      containers: [{ name: 'nginx', image: 'nginx', volumeMounts: [{ name: 'vol', mountPath: '/usr/share/nginx/html' }, { name: 'scratch', mountPath: '/scratch' }] }],
    };
    // The claim is bound to a volume, as the volume controllers leave it: the kubelet waits for that.
    const { persistentVolumeDescriptor } = await import('../../api/kinds/persistentvolume.js');
    const { persistentVolumeClaimDescriptor } = await import('../../api/kinds/persistentvolumeclaim.js');
    await c.client.create(persistentVolumeDescriptor, undefined, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-web-0' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv' } } } as never);
    const claim = await c.client.create(persistentVolumeClaimDescriptor, 'default', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'vol-web-0' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: 'pv-web-0', storageClassName: '' } } as never);
    await c.client.update(persistentVolumeClaimDescriptor, 'default', { ...claim, status: { phase: 'Bound' } }, { subresource: 'status' });
    await c.createPod(spec, 'web-0');
    await c.until(async () => podStatusText(await c.pod('web-0'), c.clock.now()) === 'Running');
    await c.advance(1);
    // An empty volume hides the image's page, as on a real cluster.
    assert.equal((await exec(c, 'web-0', 'nginx', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://localhost'])).out, '403');
    await exec(c, 'web-0', 'nginx', ['sh', '-c', 'echo "$(hostname)" > /usr/share/nginx/html/index.html; echo tmp > /scratch/x']);
    const first = await c.pod('web-0');
    await c.client.delete((await import('../../api/kinds/pod.js')).podDescriptor, 'default', 'web-0', { gracePeriodSeconds: 0 });
    await c.until(async () => (await c.pod('web-0')) === undefined);
    await c.createPod(spec, 'web-0');
    await c.until(async () => {
      const p = await c.pod('web-0');
      return p?.metadata?.uid !== first?.metadata?.uid && podStatusText(p, c.clock.now()) === 'Running';
    });
    await c.advance(1);
    assert.equal((await exec(c, 'web-0', 'nginx', ['curl', '-s', 'localhost'])).out, 'web-0\n');
    assert.equal((await exec(c, 'web-0', 'nginx', ['ls', '/scratch'])).out, '');
  } finally {
    await c.stop();
  }
});
