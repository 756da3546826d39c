// Service-link variables, subPath and subPathExpr mounts, file modes and the projected-volume layout, and
// persistent volume data kept per bound PersistentVolume on disk, on the fake clock.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { configMapDescriptor } from '../../api/kinds/configmap.js';
import { persistentVolumeDescriptor } from '../../api/kinds/persistentvolume.js';
import { persistentVolumeClaimDescriptor } from '../../api/kinds/persistentvolumeclaim.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { podStatusText } from '../../api/kinds/pod-status-text.js';
import { serviceDescriptor } from '../../api/kinds/service.js';
import type { KubeObject } from '../../api/types.js';
import { textSource } from '../../containers/shell/io.js';
import { startTestCluster, type TestCluster } from '../test-harness.js';
import { serviceLinkVars } from './env.js';

async function exec(c: TestCluster, pod: string, container: string, argv: string[]): Promise<{ out: string; err: string; code: number }> {
  const live = c.sim.containers.find('default', pod, container)?.current?.live;
  assert.ok(live, `container ${pod}/${container} is running`);
  let out = '';
  let err = '';
  const code = await live.exec(argv, { stdin: textSource(''), stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { out, err, code };
}

/** Waits for something outside the fake clock's control (a file on disk after async steps), letting both
 * cluster time and real time pass. */
async function eventually(c: TestCluster, cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) {
    await c.advance(100);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(cond(), what);
}

async function running(c: TestCluster, name: string): Promise<void> {
  await c.until(async () => podStatusText(await c.pod(name), c.clock.now()) === 'Running');
  await c.advance(1);
}

async function service(c: TestCluster, name: string, spec: Record<string, unknown>): Promise<void> {
  await c.client.create(serviceDescriptor, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec } as unknown as KubeObject);
}

/** A PersistentVolume and a claim bound to it, as the binder leaves them. */
async function boundClaim(c: TestCluster, claim: string, pv: string, reclaim = 'Delete'): Promise<void> {
  await c.client.create(persistentVolumeDescriptor, undefined, {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: pv },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: reclaim, hostPath: { path: `/tmp/${pv}` } },
  } as unknown as KubeObject);
  const created = await c.client.create(persistentVolumeClaimDescriptor, 'default', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: claim },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: pv, storageClassName: '' },
  } as unknown as KubeObject);
  await c.client.update(persistentVolumeClaimDescriptor, 'default', { ...created, status: { phase: 'Bound' } } as KubeObject, { subresource: 'status' });
}

test('service links: the kubelet order per service, headless and ExternalName skipped, explicit env wins', async () => {
  const vars = serviceLinkVars([
    { metadata: { name: 'my-db' }, spec: { clusterIP: '10.96.3.4', ports: [{ name: 'sql', port: 5432 }, { name: 'metrics', port: 9187, protocol: 'UDP' }] } },
    { metadata: { name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
    { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } },
  ]);
  assert.deepEqual(vars.map(([k]) => k), [
    'MY_DB_SERVICE_HOST', 'MY_DB_SERVICE_PORT', 'MY_DB_SERVICE_PORT_SQL', 'MY_DB_SERVICE_PORT_METRICS',
    'MY_DB_PORT', 'MY_DB_PORT_5432_TCP', 'MY_DB_PORT_5432_TCP_PROTO', 'MY_DB_PORT_5432_TCP_PORT', 'MY_DB_PORT_5432_TCP_ADDR',
    'MY_DB_PORT_9187_UDP', 'MY_DB_PORT_9187_UDP_PROTO', 'MY_DB_PORT_9187_UDP_PORT', 'MY_DB_PORT_9187_UDP_ADDR',
  ]);
  assert.deepEqual(Object.fromEntries(vars).MY_DB_PORT, 'tcp://10.96.3.4:5432');
  assert.deepEqual(Object.fromEntries(vars).MY_DB_PORT_9187_UDP, 'udp://10.96.3.4:9187');

  const c = await startTestCluster();
  try {
    // The API server creates this one when it starts listening; the test cluster never listens.
    await service(c, 'kubernetes', { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] });
    await service(c, 'nginx', { clusterIP: '10.96.0.50', ports: [{ name: 'http', port: 80, targetPort: 80 }], selector: { app: 'x' } });
    await service(c, 'headless', { clusterIP: 'None', ports: [{ port: 80 }], selector: { app: 'x' } });
    await c.settle();
    const container = { name: 'c', image: 'busybox', command: ['sleep', '3600'], env: [{ name: 'NGINX_SERVICE_HOST', value: 'mine' }, { name: 'REF', value: '$(NGINX_SERVICE_PORT)/$(KUBERNETES_SERVICE_HOST)' }] };
    await c.createPod({ containers: [container] }, 'links');
    await c.createPod({ enableServiceLinks: false, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] }, 'nolinks');
    await running(c, 'links');
    await running(c, 'nolinks');
    await service(c, 'later', { clusterIP: '10.96.0.60', ports: [{ port: 8080 }] });
    await c.settle();

    const env = (await exec(c, 'links', 'c', ['env'])).out;
    const lines = env.trim().split('\n');
    assert.equal(lines[0]?.split('=')[0], 'PATH');
    assert.equal(lines[1], 'HOSTNAME=links');
    assert.equal(lines[lines.length - 1], 'HOME=/root');
    assert.ok(lines.includes('NGINX_SERVICE_HOST=mine'), 'explicit env overrides a service variable');
    assert.ok(lines.includes('REF=80/10.96.0.1'), `env values expand service variables:\n${env}`);
    for (const l of ['NGINX_SERVICE_PORT=80', 'NGINX_SERVICE_PORT_HTTP=80', 'NGINX_PORT=tcp://10.96.0.50:80', 'NGINX_PORT_80_TCP=tcp://10.96.0.50:80', 'NGINX_PORT_80_TCP_PROTO=tcp', 'NGINX_PORT_80_TCP_PORT=80', 'NGINX_PORT_80_TCP_ADDR=10.96.0.50', 'KUBERNETES_SERVICE_HOST=10.96.0.1', 'KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443', 'KUBERNETES_SERVICE_PORT_HTTPS=443']) {
      assert.ok(lines.includes(l), `${l} in\n${env}`);
    }
    assert.equal(lines.filter((l) => l.startsWith('NGINX_SERVICE_HOST=')).length, 1);
    assert.ok(!env.includes('HEADLESS_'), 'headless services get no variables');
    assert.ok(!env.includes('LATER_'), 'services created after the container started are not seen');

    const plain = (await exec(c, 'nolinks', 'c', ['env'])).out;
    assert.ok(plain.includes('KUBERNETES_SERVICE_HOST=10.96.0.1'), 'the master service is always there');
    assert.ok(!plain.includes('NGINX_'), 'enableServiceLinks: false');
  } finally {
    await c.stop();
  }
});

test('subPath and subPathExpr mount directories (created when missing) and single files of a volume', async () => {
  const c = await startTestCluster();
  try {
    await c.client.create(configMapDescriptor, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf' }, data: { 'nginx.conf': 'worker_processes 1;\n', other: 'x' } } as unknown as KubeObject);
    const spec = {
      volumes: [{ name: 'shared', emptyDir: {} }, { name: 'conf', configMap: { name: 'conf' } }, { name: 'logs', hostPath: { path: '/var/log/pods' } }],
      containers: [
        {
          name: 'writer',
          image: 'busybox',
          command: ['sleep', '3600'],
          env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          volumeMounts: [
            { name: 'shared', mountPath: '/html', subPath: 'site/html' },
            { name: 'conf', mountPath: '/etc/nginx/nginx.conf', subPath: 'nginx.conf' },
            { name: 'logs', mountPath: '/logs', subPathExpr: '$(POD_NAME)' },
          ],
        },
        { name: 'reader', image: 'busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 'shared', mountPath: '/all' }, { name: 'logs', mountPath: '/pods' }] },
      ],
    };
    await c.createPod(spec, 'sub');
    await running(c, 'sub');
    assert.equal((await exec(c, 'sub', 'reader', ['ls', '/all/site'])).out, 'html\n', 'the sub-directory was created');
    await exec(c, 'sub', 'writer', ['sh', '-c', 'echo hi > /html/index.html; echo log > /logs/app.log']);
    assert.equal((await exec(c, 'sub', 'reader', ['cat', '/all/site/html/index.html'])).out, 'hi\n');
    assert.equal((await exec(c, 'sub', 'reader', ['cat', '/pods/sub/app.log'])).out, 'log\n');
    assert.equal((await exec(c, 'sub', 'writer', ['cat', '/etc/nginx/nginx.conf'])).out, 'worker_processes 1;\n');
    assert.equal((await exec(c, 'sub', 'writer', ['ls', '/etc/nginx'])).out.includes('nginx.conf'), true);

    // An expansion that leaves the volume fails the container as the kubelet does.
    await c.createPod({ volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], env: [{ name: 'UP', value: '../x' }], volumeMounts: [{ name: 'v', mountPath: '/v', subPathExpr: '$(UP)' }] }] }, 'bad');
    await c.until(async () => podStatusText(await c.pod('bad'), c.clock.now()) === 'CreateContainerConfigError');
  } finally {
    await c.stop();
  }
});

test('configMap and secret volumes: defaultMode, items[].mode, the ..data layout, ls -l', async () => {
  const c = await startTestCluster();
  try {
    await c.client.create(configMapDescriptor, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'game' }, data: { 'game.properties': 'lives=3\n', 'ui.properties': 'color=red\n' } } as unknown as KubeObject);
    const spec = {
      volumes: [
        { name: 'config', configMap: { name: 'game', defaultMode: 0o400 } },
        { name: 'items', configMap: { name: 'game', items: [{ key: 'ui.properties', path: 'nested/ui', mode: 0o600 }] } },
      ],
      containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 'config', mountPath: '/etc/config' }, { name: 'items', mountPath: '/etc/items' }] }],
    };
    await c.createPod(spec, 'modes');
    await running(c, 'modes');
    const ls = (await exec(c, 'modes', 'c', ['ls', '-l', '/etc/config'])).out;
    assert.match(ls, /^total \d+\n/);
    assert.match(ls, /\nlrwxrwxrwx +1 root +root +22 \w{3} [ \d]\d \d\d:\d\d game\.properties -> \.\.data\/game\.properties\n/);
    const lsL = (await exec(c, 'modes', 'c', ['ls', '-lL', '/etc/config'])).out;
    assert.match(lsL, /\n-r-------- +1 root +root +8 .* game\.properties\n/);
    const la = (await exec(c, 'modes', 'c', ['ls', '-la', '/etc/config'])).out.split('\n');
    assert.match(la[1] ?? '', /^drwxrwxrwx .* \.$/);
    assert.ok(la.some((l) => /^drwxr-xr-x .* \.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$/.test(l)), la.join('\n'));
    assert.ok(la.some((l) => /^lrwxrwxrwx .* \.\.data -> \.\.\d{4}_/.test(l)), la.join('\n'));
    assert.equal((await exec(c, 'modes', 'c', ['cat', '/etc/config/game.properties'])).out, 'lives=3\n');
    assert.match((await exec(c, 'modes', 'c', ['ls', '-l', '/etc/config/..data/'])).out, /-r-------- .* game\.properties/);
    assert.match((await exec(c, 'modes', 'c', ['ls', '-lL', '/etc/items/nested'])).out, /-rw------- .* ui\n/);
    assert.equal((await exec(c, 'modes', 'c', ['ls', '/etc/items'])).out, 'nested\n');
    const rm = await exec(c, 'modes', 'c', ['rm', '/etc/config/game.properties']);
    assert.notEqual(rm.code, 0, 'read-only');

    // An update swaps ..data; the files follow.
    const cm = await c.client.get(configMapDescriptor, 'default', 'game');
    await c.client.update(configMapDescriptor, 'default', { ...cm, data: { 'game.properties': 'lives=5\n' } } as KubeObject);
    await c.advance(1000);
    assert.equal((await exec(c, 'modes', 'c', ['cat', '/etc/config/game.properties'])).out, 'lives=5\n');
    assert.equal((await exec(c, 'modes', 'c', ['ls', '/etc/config'])).out, 'game.properties\n');
  } finally {
    await c.stop();
  }
});

test('PVC data lives on disk per bound PersistentVolume, survives a restart, and goes with a deleted volume', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kubeloop-volumes-'));
  try {
    const spec = (claim: string) => ({
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }],
      containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    });
    let c = await startTestCluster({ dataDir });
    try {
      // The pod waits (ContainerCreating) until its claim is bound.
      await c.createPod(spec('www'), 'web');
      await c.advance(5000);
      assert.equal(podStatusText(await c.pod('web'), c.clock.now()), 'ContainerCreating');
      await boundClaim(c, 'www', 'pv-a');
      await running(c, 'web');
      await exec(c, 'web', 'c', ['sh', '-c', 'mkdir -p /data/sub && echo one > /data/sub/file']);
      assert.equal(readFileSync(path.join(dataDir, 'volumes', 'pv-a', 'sub', 'file'), 'utf8'), 'one\n');
      // hostPath data is per node, under nodes/<node>/<path>.
      await c.createPod({ volumes: [{ name: 'h', hostPath: { path: '/var/lib/app' } }], containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo host > /h/f; sleep 3600'], volumeMounts: [{ name: 'h', mountPath: '/h' }] }] }, 'hp');
      await running(c, 'hp');
      await eventually(c, () => existsSync(path.join(dataDir, 'nodes', 'node-1', 'var', 'lib', 'app', 'f')), 'hostPath file on disk');
    } finally {
      await c.stop();
    }

    // A new kubeloop on the same data dir (the store is new too: the objects are created again).
    c = await startTestCluster({ dataDir });
    try {
      await boundClaim(c, 'www', 'pv-a');
      await boundClaim(c, 'other', 'pv-b');
      await c.createPod(spec('www'), 'web');
      await running(c, 'web');
      assert.equal((await exec(c, 'web', 'c', ['cat', '/data/sub/file'])).out, 'one\n');
      await exec(c, 'web', 'c', ['rm', '-r', '/data/sub']);
      assert.equal(existsSync(path.join(dataDir, 'volumes', 'pv-a', 'sub')), false);
      await exec(c, 'web', 'c', ['sh', '-c', 'echo two > /data/x']);

      // Another claim on another volume starts empty.
      await c.createPod(spec('other'), 'web2');
      await running(c, 'web2');
      assert.equal((await exec(c, 'web2', 'c', ['ls', '/data'])).out, '');

      // Deleting a volume with reclaim policy Delete removes its data.
      await c.client.delete(podDescriptor, 'default', 'web', { gracePeriodSeconds: 0 });
      await c.client.delete(persistentVolumeClaimDescriptor, 'default', 'www');
      await c.client.delete(persistentVolumeDescriptor, undefined, 'pv-a');
      // No protection controller runs here: lift the finalizer it would remove.
      await c.client.patch(persistentVolumeDescriptor, undefined, 'pv-a', 'merge', { metadata: { finalizers: null } }).catch(() => undefined);
      await eventually(c, () => !existsSync(path.join(dataDir, 'volumes', 'pv-a')), 'the deleted volume\'s data is gone');
    } finally {
      await c.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
