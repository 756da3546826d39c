// configMap, secret and downwardAPI volumes and env sources; curl by Service name and headless pod DNS name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configMapDescriptor } from '../../api/kinds/configmap.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { secretDescriptor } from '../../api/kinds/secret.js';
import { serviceDescriptor } from '../../api/kinds/service.js';
import type { KubeObject } from '../../api/types.js';
import { EMPTY } from '../../containers/shell/io.js';
import { startTestCluster, type TestCluster } from '../test-harness.js';

async function sh(c: TestCluster, pod: string, script: string): Promise<string> {
  const live = c.sim.containers.find('default', pod, pod === 'client' ? 'client' : 'c')?.current?.live;
  assert.ok(live, `${pod} runs`);
  let out = '';
  await live.exec(['sh', '-c', script], { stdin: EMPTY, stdout: (s) => (out += s), stderr: (s) => (out += s) });
  return out;
}

const obj = (kind: string, name: string, body: Record<string, unknown>) => ({ apiVersion: 'v1', kind, metadata: { name }, ...body }) as unknown as KubeObject;

test('configMap, secret and downwardAPI volumes, and every env source', async () => {
  const c = await startTestCluster();
  try {
    await c.client.create(configMapDescriptor, 'default', obj('ConfigMap', 'cfg', { data: { 'app.conf': 'color=blue\n', MODE: 'fast', 'bad-name': 'x' } }));
    await c.client.create(secretDescriptor, 'default', obj('Secret', 'creds', { stringData: { password: 's3cret' } }));
    await c.createPod(
      {
        volumes: [
          { name: 'cfg', configMap: { name: 'cfg' } },
          { name: 'one', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'sub/renamed.conf' }] } },
          { name: 'sec', secret: { secretName: 'creds' } },
          { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
        ],
        containers: [
          {
            name: 'c',
            image: 'busybox',
            resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } },
            envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
            env: [
              { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
              { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
              { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
              { name: 'GREETING', value: 'mode is $(MODE)' },
            ],
            volumeMounts: [
              { name: 'cfg', mountPath: '/etc/cfg' },
              { name: 'one', mountPath: '/etc/one' },
              { name: 'sec', mountPath: '/etc/sec' },
              { name: 'info', mountPath: '/etc/info' },
            ],
          },
        ],
      },
      'cfgpod',
      { labels: { app: 'demo', tier: 'web' } },
    );
    await c.until(async () => (await c.pod('cfgpod'))?.status?.phase === 'Running');
    await c.advance(1);
    const live = c.sim.containers.find('default', 'cfgpod', 'c')?.current?.live;
    assert.ok(live);
    let out = '';
    const run = async (script: string) => {
      out = '';
      await live.exec(['sh', '-c', script], { stdin: EMPTY, stdout: (s) => (out += s), stderr: (s) => (out += s) });
      return out;
    };
    assert.equal(await run('ls /etc/cfg'), 'MODE\napp.conf\nbad-name\n');
    assert.equal(await run('cat /etc/cfg/app.conf /etc/one/sub/renamed.conf /etc/sec/password'), 'color=blue\ncolor=blue\ns3cret');
    assert.equal(await run('cat /etc/info/labels; echo; cat /etc/info/name'), 'app="demo"\ntier="web"\ncfgpod');
    assert.match(await run('echo x > /etc/cfg/new'), /Read-only file system/);
    const pod = await c.pod('cfgpod');
    assert.equal(await run('echo "$CFG_MODE|$PASS|$MODE|$POD_IP|$NODE|$MEM_MI|$CPU|$GREETING"; env | grep -c bad'), `fast|s3cret|fast|${pod?.status?.podIP}|node-1|64|250|mode is fast\n1\n`);
    // The files follow the ConfigMap.
    const cm = (await c.client.get(configMapDescriptor, 'default', 'cfg')) as KubeObject & { data: Record<string, string> };
    await c.client.update(configMapDescriptor, 'default', { ...cm, data: { ...cm.data, 'app.conf': 'color=red\n' } });
    await c.advance(100);
    assert.equal(await run('cat /etc/cfg/app.conf'), 'color=red\n');
  } finally {
    await c.stop();
  }
});

test('curl reaches a Service by its names, a ready endpoint only, and a headless pod by DNS name', async () => {
  const c = await startTestCluster();
  try {
    const svc = (name: string, spec: Record<string, unknown>) => obj('Service', name, { spec: { selector: { app: 'web' }, ...spec } });
    await c.client.create(serviceDescriptor, 'default', svc('web', { ports: [{ port: 8080, targetPort: 80 }] }));
    await c.client.create(serviceDescriptor, 'default', svc('mysts', { clusterIP: 'None', ports: [{ port: 80 }] }));
    for (const n of ['mysts-0', 'mysts-1']) {
      await c.createPod({ hostname: n, subdomain: 'mysts', containers: [{ name: 'c', image: 'nginx' }] }, n, { labels: { app: 'web' } });
    }
    await c.createPod({ containers: [{ name: 'client', image: 'busybox' }] }, 'client');
    const allReady = async () => {
      for (const n of ['mysts-0', 'mysts-1', 'client']) if (!(await c.pod(n))?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')) return false;
      return true;
    };
    await c.until(allReady);
    await c.advance(1);
    for (const n of ['mysts-0', 'mysts-1']) await sh(c, n, 'echo "$(hostname)" > /usr/share/nginx/html/index.html');
    const seen = new Set<string>();
    for (const url of ['web:8080', 'web.default:8080', 'web.default.svc.cluster.local:8080', 'web:8080']) seen.add(await sh(c, 'client', `curl -s ${url}`));
    assert.deepEqual([...seen].sort(), ['mysts-0\n', 'mysts-1\n']);
    assert.equal(await sh(c, 'client', 'curl -s http://mysts-1.mysts.default.svc.cluster.local'), 'mysts-1\n');
    assert.equal(await sh(c, 'client', 'wget -qO- mysts-0.mysts'), 'mysts-0\n');
    assert.match(await sh(c, 'client', 'curl -sS nosuch'), /curl: \(6\) Could not resolve host: nosuch/);
    assert.match(await sh(c, 'client', 'curl -sS web:80'), /curl: \(7\) Failed to connect/);
    const clusterIP = ((await c.client.get(serviceDescriptor, 'default', 'web')) as { spec?: { clusterIP?: string } }).spec?.clusterIP;
    if (clusterIP && clusterIP !== 'None') assert.match(await sh(c, 'client', `curl -s ${clusterIP}:8080`), /^mysts-\d\n$/);
    // An endpoint that is not ready gets no traffic.
    await c.client.delete(podDescriptor, 'default', 'mysts-0', { gracePeriodSeconds: 0 });
    await c.until(async () => (await c.pod('mysts-0')) === undefined);
    for (let i = 0; i < 3; i++) assert.equal(await sh(c, 'client', 'curl -s web:8080'), 'mysts-1\n');
  } finally {
    await c.stop();
  }
});
