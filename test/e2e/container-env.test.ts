// End-to-end: what a container sees, through the real kubectl — service-link variables in `env`, subPath
// mounts, configMap file modes in `ls -l`, and claim data that outlives its pod.
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
  c = await startKubeloop({ args: ['--nodes', '1', '--timing', 'instant'] });
  dir = await mkdtemp(join(tmpdir(), 'kubeloop-container-env-'));
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

describe('container environment and files through kubectl', () => {
  it('env shows the service links of the services that existed when the container started', async () => {
    await ok(['create', 'service', 'clusterip', 'my-web', '--tcp=80:8080']);
    await ok(['create', 'service', 'clusterip', 'headless', '--clusterip=None', '--tcp=80:80']);
    const ip = await ok(['get', 'service', 'my-web', '-o', 'jsonpath={.spec.clusterIP}']);
    await ok(['run', 'envpod', '--image=busybox', '--env=MY_WEB_SERVICE_PORT=override', '--', 'sleep', '3600']);
    await phase('envpod', 'Running');
    await ok(['create', 'service', 'clusterip', 'later', '--tcp=81:81']);
    const env = (await ok(['exec', 'envpod', '--', 'env'])).split('\n');
    assert.equal(env[1], 'HOSTNAME=envpod');
    for (const line of [
      `MY_WEB_SERVICE_HOST=${ip}`,
      'MY_WEB_SERVICE_PORT=override',
      'MY_WEB_SERVICE_PORT_80_8080=80',
      `MY_WEB_PORT=tcp://${ip}:80`,
      `MY_WEB_PORT_80_TCP=tcp://${ip}:80`,
      'MY_WEB_PORT_80_TCP_PROTO=tcp',
      'MY_WEB_PORT_80_TCP_PORT=80',
      `MY_WEB_PORT_80_TCP_ADDR=${ip}`,
      'KUBERNETES_SERVICE_HOST=10.96.0.1',
      'KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443',
      'HOME=/root',
    ]) {
      assert.ok(env.includes(line), `${line} in ${env.join('\n')}`);
    }
    assert.ok(!env.some((l) => l.startsWith('HEADLESS_') || l.startsWith('LATER_')), env.join('\n'));
  });

  it('subPath and subPathExpr mount a part of a volume', async () => {
    await apply(
      'subpath',
      `apiVersion: v1
kind: Pod
metadata:
  name: subpath
spec:
  volumes:
  - name: shared
    emptyDir: {}
  containers:
  - name: writer
    image: busybox
    command: ["sh", "-c", "echo hello > /site/index.html; echo from-$(POD_NAME) > /mine/who; sleep 3600"]
    env:
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    volumeMounts:
    - name: shared
      mountPath: /site
      subPath: html
    - name: shared
      mountPath: /mine
      subPathExpr: pods/$(POD_NAME)
  - name: web
    image: nginx
    volumeMounts:
    - name: shared
      mountPath: /usr/share/nginx/html
      subPath: html
    - name: shared
      mountPath: /all
`,
    );
    await phase('subpath', 'Running');
    await eventually(['exec', 'subpath', '-c', 'web', '--', 'curl', '-s', 'localhost'], (o) => o === 'hello\n', 'nginx serves the sub-directory');
    assert.equal(await ok(['exec', 'subpath', '-c', 'web', '--', 'ls', '/all']), 'html\npods\n');
    assert.equal(await ok(['exec', 'subpath', '-c', 'web', '--', 'cat', '/all/pods/subpath/who']), 'from-subpath\n');
  });

  it('ls -l shows a configMap volume with defaultMode 0400', async () => {
    await ok(['create', 'configmap', 'game', '--from-literal=lives=3', '--from-literal=level=7']);
    await apply(
      'modes',
      `apiVersion: v1
kind: Pod
metadata:
  name: modes
spec:
  volumes:
  - name: config
    configMap:
      name: game
      defaultMode: 0400
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts:
    - name: config
      mountPath: /etc/config
`,
    );
    await phase('modes', 'Running');
    assert.equal(await ok(['exec', 'modes', '--', 'ls', '/etc/config']), 'level\nlives\n');
    const long = await ok(['exec', 'modes', '--', 'ls', '-l', '/etc/config']);
    assert.match(long, /lrwxrwxrwx +1 root +root +12 .* lives -> \.\.data\/lives\n/);
    const files = await ok(['exec', 'modes', '--', 'ls', '-lL', '/etc/config']);
    assert.match(files, /-r-------- +1 root +root +1 .* lives\n/);
    const all = await ok(['exec', 'modes', '--', 'ls', '-la', '/etc/config']);
    assert.match(all, /lrwxrwxrwx .* \.\.data -> \.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+\n/);
    assert.equal(await ok(['exec', 'modes', '--', 'cat', '/etc/config/lives']), '3');
  });

  it('a claim is mounted once bound, and its data outlives the pod', async () => {
    const pod = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: claimer
spec:
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /data
`;
    await apply('claim', pod);
    await phase('claimer', 'Running');
    await ok(['exec', 'claimer', '--', 'sh', '-c', 'echo kept > /data/file']);
    await ok(['delete', 'pod', 'claimer', '--grace-period=0', '--force']);
    await apply('claim', pod);
    await phase('claimer', 'Running');
    assert.equal(await ok(['exec', 'claimer', '--', 'cat', '/data/file']), 'kept\n');
  });
});
