// End-to-end: simulated containers through the real kubectl — logs (-f, --previous, --tail, --timestamps),
// exec over WebSocket (hostname, write then curl, exit codes, -i stdin), Completed and Error pods, and the
// training image's output.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startKubeloop } from './harness.js';
import { kube } from './expect.js';

let c: Cluster;
const { ok, eventually } = kube(() => c);
let dir: string;

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '1'] });
  dir = await mkdtemp(join(tmpdir(), 'kubeloop-containers-'));
});

after(async () => {
  await c?.stop();
});



const phase = (name: string, want: string) => eventually(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'], (o) => o === want, `${name} ${want}`);

async function apply(name: string, yaml: string): Promise<void> {
  const f = join(dir, `${name}.yaml`);
  await writeFile(f, yaml);
  await ok(['apply', '-f', f]);
}

describe('simulated containers through kubectl', () => {
  it('exec: hostname, write a page then curl it, exit codes, stdin', async () => {
    await ok(['run', 'web', '--image=nginx']);
    await phase('web', 'Running');
    assert.equal(await ok(['exec', 'web', '--', 'hostname']), 'web\n');
    await ok(['exec', 'web', '--', 'sh', '-c', 'echo "$(hostname)" > /usr/share/nginx/html/index.html']);
    assert.equal(await ok(['exec', 'web', '--', 'cat', '/usr/share/nginx/html/index.html']), 'web\n');
    assert.equal(await ok(['exec', 'web', '--', 'curl', '-s', 'http://localhost']), 'web\n');
    const fail = await c.kubectl(['exec', 'web', '--', 'sh', '-c', 'exit 3']);
    assert.equal(fail.code, 3);
    assert.match(fail.stderr, /command terminated with exit code 3/);
    assert.equal(await ok(['exec', '-i', 'web', '--', 'cat'], { stdin: 'piped in\n' }), 'piped in\n');
    const missing = await c.kubectl(['exec', 'web', '--', 'nosuch']);
    assert.equal(missing.code, 127);
  });

  it('logs: nginx access lines, --tail and --timestamps', async () => {
    const logs = await ok(['logs', 'web']);
    assert.match(logs, /Configuration complete; ready for start up/);
    assert.match(logs, /"GET \/ HTTP\/1\.1" 200 4 "-" "curl\/8\.5\.0" "-"/);
    const tail = await ok(['logs', 'web', '--tail', '1']);
    assert.equal(tail.trim().split('\n').length, 1);
    assert.match(await ok(['logs', 'web', '--tail', '1', '--timestamps']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /);
  });

  it('proxies to a pod and to a Service, and resolves Service names inside pods', async () => {
    // `web` serves the page the exec test wrote: its own hostname.
    assert.equal(await ok(['get', '--raw', '/api/v1/namespaces/default/pods/web:80/proxy/']), 'web\n');
    await ok(['expose', 'pod', 'web', '--port', '8080', '--target-port', '80']);
    assert.equal(await ok(['get', '--raw', '/api/v1/namespaces/default/services/web:8080/proxy/']), 'web\n');
    assert.equal(await ok(['exec', 'web', '--', 'wget', '-qO-', 'http://web.default.svc.cluster.local:8080']), 'web\n');
  });

  it('logs -f streams a looping busybox until it ends', async () => {
    await ok(['run', 'loop', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'for i in 1 2 3; do echo "Logging from $(hostname) $i"; sleep 1; done']);
    await eventually(['get', 'pod', 'loop', '-o', 'jsonpath={.status.phase}'], (o) => o === 'Running' || o === 'Succeeded', 'loop started');
    const out = await ok(['logs', '-f', 'loop']);
    assert.equal(out, 'Logging from loop 1\nLogging from loop 2\nLogging from loop 3\n');
    await phase('loop', 'Succeeded');
    const exec = await c.kubectl(['exec', 'loop', '--', 'true']);
    assert.equal(exec.code, 1);
    assert.match(exec.stderr, /cannot exec into a container in a completed pod; current phase is Succeeded/);
  });

  it('Error pods, restarts and --previous', async () => {
    await ok(['run', 'crash', '--image=busybox', '--', 'sh', '-c', 'echo attempt; exit 2']);
    await eventually(['get', 'pod', 'crash', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'], (o) => Number(o) >= 1, 'a restart');
    assert.equal(await ok(['logs', 'crash', '--previous']), 'attempt\n');
    assert.equal(await ok(['get', 'pod', 'crash', '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}']), '2');
  });

  it('the training image: success and the ValueError traceback', async () => {
    const pod = (name: string, args: string[]) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  restartPolicy: Never
  containers:
  - name: ml
    image: iwbaek/train
    args: ${JSON.stringify(args)}
`;
    await apply('train-good', pod('train-good', ['1', 'softmax', '0.5']));
    await apply('train-bug', pod('train-bug', ['bug-string', 'softmax', '0.5']));
    await phase('train-bug', 'Failed');
    const bug = await ok(['logs', 'train-bug']);
    assert.match(bug, /ValueError: invalid literal for int\(\) with base 10: 'bug-string'\n$/);
    assert.match(await ok(['get', 'pod', 'train-bug']), /train-bug\s+0\/1\s+Error/);
    await phase('train-good', 'Succeeded');
    const good = await ok(['logs', 'train-good']);
    assert.match(good, /dense_1 \(Dense\)\s+\(None, 512\)\s+401920/);
    assert.match(good, /^Test accuracy: /m);
    assert.match(await ok(['get', 'pod', 'train-good']), /train-good\s+0\/1\s+Completed/);
  });
});
