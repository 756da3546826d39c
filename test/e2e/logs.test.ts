// End-to-end: `kubectl logs` the way people use it — by label across pods (with --prefix), through a
// Deployment and a Job, -c and --all-containers on a two-container pod, --tail, --since, --previous after a
// restart, and -f streaming lines as they are printed.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kube } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';

let c: Cluster;
let dir: string;
const { ok, fails, eventually } = kube(() => c);

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '2', '--timing', 'instant'] });
  dir = await mkdtemp(join(tmpdir(), 'kubeloop-logs-'));
});

after(async () => {
  await c?.stop();
});

async function apply(name: string, yaml: string): Promise<void> {
  const f = join(dir, `${name}.yaml`);
  await writeFile(f, yaml);
  await ok(['apply', '-f', f]);
}

const sortedLines = (out: string) => out.split('\n').filter(Boolean).sort();

const running = (selector: string[], count: number, what: string) =>
  eventually(['get', 'pods', ...selector, '-o', 'jsonpath={range .items[*]}{.status.phase}{"\\n"}{end}'], (o) => o.split('\n').filter((p) => p === 'Running').length === count, what);

describe('kubectl logs', () => {
  it('-l across the pods of a Deployment, with --prefix; deploy/NAME picks one pod', async () => {
    await ok(['create', 'deployment', 'greeter', '--image=busybox', '--replicas=2', '--', 'sh', '-c', 'echo "hello from $(hostname)"; sleep 3600']);
    await running(['-l', 'app=greeter'], 2, 'two greeter pods Running');
    const pods = (await ok(['get', 'pods', '-l', 'app=greeter', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').sort();
    assert.equal(pods.length, 2);
    const plain = await eventually(['logs', '-l', 'app=greeter'], (o) => o.trim().split('\n').length === 2, 'both pods logged');
    assert.deepEqual(plain.trim().split('\n').sort(), pods.map((p) => `hello from ${p}`));
    const prefixed = await ok(['logs', '-l', 'app=greeter', '--prefix']);
    assert.deepEqual(prefixed.trim().split('\n').sort(), pods.map((p) => `[pod/${p}/busybox] hello from ${p}`));

    const one = await ok(['logs', 'deploy/greeter']);
    assert.match(one, /^hello from greeter-[a-z0-9]+-[a-z0-9]{5}\n$/);
    assert.ok(pods.includes(one.trim().slice('hello from '.length)), 'a pod of the Deployment');
    assert.match(await ok(['logs', 'deployment/greeter', '--prefix']), /^\[pod\/greeter-[a-z0-9-]+\/busybox\] hello from greeter-/);
  });

  it('job/NAME reads the Job pod, also after it completed', async () => {
    await ok(['create', 'job', 'once', '--image=busybox', '--', 'sh', '-c', 'echo "job says hi"; echo "to stderr" >&2']);
    await eventually(['get', 'job', 'once', '-o', 'jsonpath={.status.succeeded}'], (o) => o === '1', 'the Job completes');
    const out = await ok(['logs', 'job/once']);
    assert.equal(out.split('\n').filter(Boolean).sort().join('\n'), 'job says hi\nto stderr');
  });

  it('-c, the default container and --all-containers on a two-container pod', async () => {
    await apply('two', `apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  containers:
  - name: first
    image: busybox
    command: ["sh", "-c", "echo one from first; echo two from first; sleep 3600"]
  - name: second
    image: busybox
    command: ["sh", "-c", "echo from second; sleep 3600"]
`);
    await eventually(['get', 'pod', 'two', '-o', 'jsonpath={.status.containerStatuses[*].ready}'], (o) => o === 'true true', 'both containers ready');
    assert.equal(await ok(['logs', 'two', '-c', 'second']), 'from second\n');
    assert.equal(await ok(['logs', 'two', '--container=first', '--tail=1']), 'two from first\n');
    const dflt = await c.kubectl(['logs', 'two']);
    assert.equal(dflt.code, 0, dflt.stderr);
    assert.equal(dflt.stdout, 'one from first\ntwo from first\n');
    assert.match(dflt.stderr, /Defaulted container "first" out of: first, second/);
    // kubectl reads the containers' logs one after another in no fixed order: each container's lines stay together.
    assert.ok(['one from first\ntwo from first\nfrom second\n', 'from second\none from first\ntwo from first\n'].includes(await ok(['logs', 'two', '--all-containers'])));
    assert.deepEqual(sortedLines(await ok(['logs', 'two', '--all-containers', '--prefix'])), ['[pod/two/first] one from first', '[pod/two/first] two from first', '[pod/two/second] from second']);
    assert.match(await fails(['logs', 'two', '-c', 'third']), /container third is not valid for pod two/);
  });

  it('--tail and --since', async () => {
    await ok(['run', 'counter', '--image=busybox', '--', 'sh', '-c', 'for i in $(seq 1 10); do echo "line $i"; done; sleep 4; echo late; sleep 3600']);
    await eventually(['logs', 'counter'], (o) => o.endsWith('late\n'), 'the late line');
    assert.equal(await ok(['logs', 'counter', '--tail=3']), 'line 9\nline 10\nlate\n');
    assert.equal(await ok(['logs', 'counter', '--tail', '0']), '');
    assert.equal((await ok(['logs', 'counter', '--tail=-1'])).split('\n').length, 12);
    // The ten lines are at least 4 s old, `late` is fresh.
    assert.equal(await ok(['logs', 'counter', '--since=2s']), 'late\n');
    assert.equal((await ok(['logs', 'counter', '--since=1h'])).split('\n').length, 12);
    const since = await ok(['logs', 'counter', '--since=2s', '--timestamps']);
    assert.match(since, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z late\n$/);
  });

  it('--previous after a restart shows the last run, the plain log the current one', async () => {
    await apply('restarter', `apiVersion: v1
kind: Pod
metadata:
  name: restarter
spec:
  volumes:
  - name: state
    emptyDir: {}
  containers:
  - name: app
    image: busybox
    volumeMounts:
    - name: state
      mountPath: /state
    command: ["sh", "-c", "n=$(cat /state/n 2>/dev/null || echo 0); n=$(expr $n + 1); echo $n > /state/n; echo \\"run $n\\"; if [ $n -lt 2 ]; then exit 1; fi; sleep 3600"]
`);
    await eventually(['get', 'pod', 'restarter', '-o', 'jsonpath={.status.containerStatuses[0].restartCount} {.status.phase} {.status.containerStatuses[0].ready}'], (o) => o === '1 Running true', 'one restart, running again', 60_000);
    assert.equal(await ok(['logs', 'restarter']), 'run 2\n');
    assert.equal(await ok(['logs', 'restarter', '--previous']), 'run 1\n');
    assert.equal(await ok(['logs', 'restarter', '-p', '--prefix']), '[pod/restarter/app] run 1\n');
    assert.match(await fails(['logs', 'greeter-does-not-exist', '--previous']), /pods "greeter-does-not-exist" not found/);
    assert.match(await fails(['logs', 'two', '-c', 'second', '--previous']), /previous terminated container "second" in pod "two" not found/);
  });

  it('-f streams lines as they are printed, for one pod and for a selector', async () => {
    await ok(['create', 'deployment', 'ticker', '--image=busybox', '--replicas=2', '--', 'sh', '-c', 'i=0; while true; do i=$(expr $i + 1); echo "tick $i"; sleep 1; done']);
    await running(['-l', 'app=ticker'], 2, 'two ticker pods Running');
    const pod = (await ok(['get', 'pods', '-l', 'app=ticker', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    const started = Date.now();
    const one = await c.kubectl(['logs', '-f', pod, '--tail=1'], { timeoutMs: 4500 });
    assert.equal(one.code, -1, 'still following when killed');
    const ticks = one.stdout.trim().split('\n').map((l) => Number(/^tick (\d+)$/.exec(l)?.[1]));
    assert.ok(ticks.length >= 3, `lines arrived while following: ${JSON.stringify(one.stdout)}`);
    ticks.forEach((t, i) => assert.equal(t, (ticks[0] as number) + i, 'consecutive ticks'));
    assert.ok(Date.now() - started >= 4000);

    const many = await c.kubectl(['logs', '-f', '-l', 'app=ticker', '--prefix', '--tail=1'], { timeoutMs: 4500 });
    assert.equal(many.code, -1);
    const names = new Set(many.stdout.trim().split('\n').map((l) => /^\[pod\/(ticker-[^/]+)\/busybox\] tick \d+$/.exec(l)?.[1]));
    assert.equal(names.size, 2, `both pods streamed: ${many.stdout}`);

    const dep = await c.kubectl(['logs', '-f', 'deploy/ticker', '--since=2s'], { timeoutMs: 3500 });
    assert.match(dep.stdout, /^tick \d+\n(tick \d+\n)+$/);
  });

  it('-f ends when the container ends', async () => {
    await ok(['run', 'brief', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'echo a; sleep 1; echo b; sleep 1; echo c']);
    await eventually(['get', 'pod', 'brief', '-o', 'jsonpath={.status.phase}'], (o) => o === 'Running' || o === 'Succeeded', 'brief started');
    assert.equal(await ok(['logs', '-f', 'brief'], { timeoutMs: 20_000 }), 'a\nb\nc\n');
    assert.equal(await ok(['logs', '-f', 'brief']), 'a\nb\nc\n', 'following a finished container prints its log and returns');
  });

  it('init containers, a crash-looping container, --limit-bytes and --since-time', async () => {
    await apply('boot', `apiVersion: v1
kind: Pod
metadata:
  name: boot
  labels:
    app: boot
spec:
  initContainers:
  - name: setup
    image: busybox
    command: ["sh", "-c", "echo preparing"]
  containers:
  - name: crash
    image: busybox
    command: ["sh", "-c", "echo héllo crash; exit 3"]
`);
    await eventually(['get', 'pod', 'boot', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'], (o) => Number(o) >= 1, 'a restart');
    assert.equal(await ok(['logs', 'boot', '-c', 'setup']), 'preparing\n');
    // Between runs the last (terminated) run's log is what `kubectl logs` shows, as with a real kubelet.
    assert.equal(await ok(['logs', 'boot']), 'héllo crash\n');
    assert.equal(await ok(['logs', 'boot', '-p']), 'héllo crash\n');
    assert.deepEqual(sortedLines(await ok(['logs', '-l', 'app=boot', '--all-containers', '--prefix'])), ['[pod/boot/crash] héllo crash', '[pod/boot/setup] preparing']);
    // Bytes, not characters: the é is two.
    assert.equal(await ok(['logs', 'boot', '--limit-bytes=3']), 'hé');
    assert.equal(await ok(['logs', 'boot', '--since-time=2000-01-01T00:00:00Z']), 'héllo crash\n');
    assert.equal(await ok(['logs', 'boot', '--since-time=2999-01-01T00:00:00Z']), '');
  });
});
