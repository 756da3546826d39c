// End-to-end: kubectl 1.32's typed clients send `kubectl create <generator>` bodies as protobuf; every
// one of them must work against kubeloop exactly as it does against a real cluster.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kube, rows } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';

let c: Cluster;
const k = kube(() => c);

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '2'] });
});

after(async () => {
  await c?.stop();
});

describe('kubectl create generators (protobuf bodies)', () => {
  it('namespace', async () => {
    assert.equal((await k.ok(['create', 'namespace', 'x'])).trim(), 'namespace/x created');
    assert.match(await k.ok(['get', 'ns', 'x', '-o', 'jsonpath={.status.phase}']), /^Active$/);
  });

  it('configmap', async () => {
    assert.equal((await k.ok(['create', 'configmap', 'c', '--from-literal=a=b'])).trim(), 'configmap/c created');
    assert.equal(await k.ok(['get', 'cm', 'c', '-o', 'jsonpath={.data.a}']), 'b');
  });

  it('secret generic', async () => {
    assert.equal((await k.ok(['create', 'secret', 'generic', 's', '--from-literal=k=v'])).trim(), 'secret/s created');
    assert.equal(Buffer.from(await k.ok(['get', 'secret', 's', '-o', 'jsonpath={.data.k}']), 'base64').toString(), 'v');
  });

  it('serviceaccount', async () => {
    assert.equal((await k.ok(['create', 'serviceaccount', 'robot'])).trim(), 'serviceaccount/robot created');
  });

  it('service clusterip', async () => {
    assert.equal((await k.ok(['create', 'service', 'clusterip', 'svc', '--tcp=80:80'])).trim(), 'service/svc created');
    const svc = JSON.parse(await k.ok(['get', 'svc', 'svc', '-o', 'json']));
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.deepEqual(svc.spec.ports.map((p: { port: number; targetPort: number }) => [p.port, p.targetPort]), [[80, 80]]);
    assert.match(svc.spec.clusterIP ?? '', /^\d+\.\d+\.\d+\.\d+$/);
  });

  it('deployment runs its pods', async () => {
    assert.equal((await k.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2'])).trim(), 'deployment.apps/web created');
    await k.eventually(
      ['get', 'pods', '-l', 'app=web'],
      (o) => {
        const r = rows(o).slice(1);
        return r.length === 2 && r.every((x) => x[2] === 'Running');
      },
      'two Running web pods',
    );
  });

  it('job', async () => {
    assert.equal((await k.ok(['create', 'job', 'pi', '--image=busybox', '--', 'echo', 'hi'])).trim(), 'job.batch/pi created');
    const cmd = await k.ok(['get', 'job', 'pi', '-o', 'jsonpath={.spec.template.spec.containers[0].command}']);
    assert.deepEqual(JSON.parse(cmd), ['echo', 'hi']);
  });

  it('cronjob, then job --from=cronjob', async () => {
    assert.equal(
      (await k.ok(['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '--', 'echo', 'hi'])).trim(),
      'cronjob.batch/cj created',
    );
    assert.equal((await k.ok(['create', 'job', 'manual', '--from=cronjob/cj'])).trim(), 'job.batch/manual created');
    const owner = await k.ok(['get', 'job', 'manual', '-o', 'jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}']);
    assert.equal(owner, 'CronJob/cj');
  });
});
