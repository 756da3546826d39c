// End-to-end with the real kubectl: an httpGet readiness probe on nginx broken and restored with
// `kubectl exec ... mv` (the StatefulSet conformance trick), with the kubelet's Unhealthy event, and a
// configMap volume whose files follow `kubectl apply`.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startKubeloop } from './harness.js';

let c: Cluster;
let dir: string;

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '1'] });
  dir = await mkdtemp(join(tmpdir(), 'kubeloop-probes-'));
});

after(async () => {
  await c?.stop();
});

async function ok(args: string[]): Promise<string> {
  const r = await c.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}\n--- server log ---\n${c.logs().slice(-3000)}`);
  return r.stdout;
}

async function eventually(args: string[], pred: (out: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    const r = await c.kubectl(args);
    last = `${r.stdout}${r.stderr}`;
    if (r.code === 0 && pred(r.stdout)) return r.stdout;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`timed out waiting for ${what}; last output of kubectl ${args.join(' ')}:\n${last}`);
}

async function apply(name: string, yaml: string): Promise<void> {
  const f = join(dir, `${name}.yaml`);
  await writeFile(f, yaml);
  await ok(['apply', '-f', f]);
}

const readyOf = (pod: string) => ['get', 'pod', pod, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'];

describe('probes and projected volumes through kubectl', () => {
  it('a readiness probe broken by exec mv and restored', async () => {
    await apply(
      'web-0',
      `apiVersion: v1
kind: Pod
metadata:
  name: web-0
spec:
  containers:
  - name: nginx
    image: nginx
    readinessProbe:
      httpGet:
        path: /index.html
        port: 80
      periodSeconds: 1
      successThreshold: 1
      failureThreshold: 1
`,
    );
    await eventually(readyOf('web-0'), (o) => o === 'True', 'web-0 ready');
    assert.match(await ok(['get', 'pod', 'web-0']), /web-0\s+1\/1\s+Running/);
    await ok(['exec', 'web-0', '--', 'mv', '/usr/share/nginx/html/index.html', '/tmp/']);
    await eventually(readyOf('web-0'), (o) => o === 'False', 'web-0 unready');
    assert.match(await ok(['get', 'pod', 'web-0']), /web-0\s+0\/1\s+Running/);
    const events = await eventually(
      ['get', 'events', '--field-selector', 'involvedObject.name=web-0,reason=Unhealthy', '-o', 'jsonpath={.items[*].message}'],
      (o) => o.includes('Readiness probe failed'),
      'the Unhealthy event',
    );
    assert.match(events, /Readiness probe failed: HTTP probe failed with statuscode: 404/);
    await ok(['exec', 'web-0', '--', 'mv', '/tmp/index.html', '/usr/share/nginx/html/']);
    await eventually(readyOf('web-0'), (o) => o === 'True', 'web-0 ready again');
  });

  it('a configMap volume projects its keys and follows updates', async () => {
    const cm = (color: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  color: ${color}
  app.properties: |
    mode=demo
`;
    await apply('cm', cm('blue'));
    await apply(
      'reader',
      `apiVersion: v1
kind: Pod
metadata:
  name: reader
spec:
  volumes:
  - name: config
    configMap:
      name: app-config
  containers:
  - name: reader
    image: busybox
    command: ["sh", "-c", "sleep 3600"]
    env:
    - name: COLOR
      valueFrom:
        configMapKeyRef:
          name: app-config
          key: color
    volumeMounts:
    - name: config
      mountPath: /etc/config
`,
    );
    await eventually(['get', 'pod', 'reader', '-o', 'jsonpath={.status.phase}'], (o) => o === 'Running', 'reader running');
    assert.equal(await ok(['exec', 'reader', '--', 'ls', '/etc/config']), 'app.properties\ncolor\n');
    assert.equal(await ok(['exec', 'reader', '--', 'cat', '/etc/config/color']), 'blue');
    assert.equal(await ok(['exec', 'reader', '--', 'sh', '-c', 'echo $COLOR']), 'blue\n');
    await apply('cm', cm('red'));
    await eventually(['exec', 'reader', '--', 'cat', '/etc/config/color'], (o) => o === 'red', 'the file to follow the ConfigMap');
    const ro = await c.kubectl(['exec', 'reader', '--', 'sh', '-c', 'echo x > /etc/config/color']);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
  });
});
