// End-to-end: a ResourceQuota stopping a ReplicaSet and a LimitRange filling in and enforcing container
// resources, with the real kubectl against `kubeloop up`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startKubeloop } from './harness.js';
import { kube, rows } from './expect.js';

let c: Cluster;
const { ok, fails, eventually } = kube(() => c);

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '2', '--timing', 'instant'] });
});

after(async () => {
  await c?.stop();
});

const RS = `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: capped
spec:
  replicas: 5
  selector:
    matchLabels: {app: capped}
  template:
    metadata:
      labels: {app: capped}
    spec:
      containers:
      - name: nginx
        image: nginx
`;

const LIMITS = `apiVersion: v1
kind: LimitRange
metadata:
  name: cpu-mem
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 128Mi}
    defaultRequest: {cpu: 100m, memory: 64Mi}
    max: {cpu: "1"}
`;

const podCount = (out: string) => rows(out).filter((r) => r[0]?.startsWith('capped-')).length;

describe('ResourceQuota and LimitRange', () => {
  it('kubectl create quota, and the controller fills in its status', async () => {
    assert.equal((await ok(['create', 'quota', 'pods-q', '--hard=pods=3'])).trim(), 'resourcequota/pods-q created');
    await eventually(['get', 'quota', 'pods-q', '-o', 'jsonpath={.status.hard.pods}/{.status.used.pods}'], (o) => o === '3/0', 'status.hard and status.used');
    const table = rows(await ok(['get', 'quota']));
    assert.deepEqual(table[0], ['NAME', 'AGE', 'REQUEST', 'LIMIT']);
    assert.equal(table[1]?.[0], 'pods-q');
    assert.equal(table[1]?.[2], 'pods: 0/3');
  });

  it('a ReplicaSet of 5 under pods=3 gets 3 pods and reports ReplicaFailure with the quota message', async () => {
    await ok(['apply', '-f', '-'], { stdin: RS });
    await eventually(['get', 'pods', '-l', 'app=capped', '--no-headers'], (o) => podCount(o) === 3, 'three pods');
    const msg = /pods "capped-\w{5}" is forbidden: exceeded quota: pods-q, requested: pods=1, used: pods=3, limited: pods=3/;
    const described = await eventually(['describe', 'rs', 'capped'], (o) => /ReplicaFailure\s+True\s+FailedCreate/.test(o), 'the ReplicaFailure condition');
    assert.match(described, /^Replicas:\s+3 current \/ 5 desired$/m);
    const failed = described.split('\n').filter((l) => l.includes('FailedCreate') && l.includes('replicaset-controller'));
    assert.ok(failed.length >= 1, described);
    assert.match(failed[0] as string, /^\s+Warning\s+FailedCreate\s+.*replicaset-controller\s+Error creating: pods "capped-\w{5}" is forbidden: exceeded quota/);
    assert.match(failed[0] as string, msg);
    const cond = await ok(['get', 'rs', 'capped', '-o', 'jsonpath={.status.conditions[0].message}']);
    assert.match(cond, msg);
    assert.equal(podCount(await ok(['get', 'pods', '-l', 'app=capped', '--no-headers'])), 3);
  });

  it('kubectl get and describe quota show the usage', async () => {
    const table = rows(await ok(['get', 'quota', 'pods-q']));
    assert.equal(table[1]?.[2], 'pods: 3/3');
    const described = await ok(['describe', 'quota', 'pods-q']);
    assert.match(described, /^Name:\s+pods-q$/m);
    assert.match(described, /^pods\s+3\s+3$/m);
  });

  it('a direct create over quota is refused with 403 and the message', async () => {
    const err = await fails(['run', 'extra', '--image=nginx']);
    assert.equal(err, 'Error from server (Forbidden): pods "extra" is forbidden: exceeded quota: pods-q, requested: pods=1, used: pods=3, limited: pods=3');
  });

  it('raising the quota lets the ReplicaSet finish and clears the condition', async () => {
    await ok(['patch', 'quota', 'pods-q', '-p', '{"spec":{"hard":{"pods":"5"}}}']);
    await eventually(['get', 'pods', '-l', 'app=capped', '--no-headers'], (o) => podCount(o) === 5, 'five pods', 90_000);
    await eventually(['get', 'rs', 'capped', '-o', 'jsonpath={.status.conditions}'], (o) => o === '', 'ReplicaFailure cleared');
    await eventually(['get', 'quota', 'pods-q', '--no-headers'], (o) => rows(o)[0]?.[2] === 'pods: 5/5', 'pods: 5/5');
  });

  it('a LimitRange fills in requests and limits, visible in kubectl get pod -o yaml', async () => {
    await ok(['create', 'namespace', 'limited']);
    await ok(['apply', '-n', 'limited', '-f', '-'], { stdin: LIMITS });
    const lr = rows(await ok(['get', 'limitrange', '-n', 'limited']));
    assert.deepEqual(lr[0], ['NAME', 'CREATED AT']);
    assert.match(lr[1]?.[1] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal((await ok(['run', 'small', '-n', 'limited', '--image=nginx'])).trim(), 'pod/small created');
    const yaml = await ok(['get', 'pod', 'small', '-n', 'limited', '-o', 'yaml']);
    assert.match(yaml, /kubernetes\.io\/limit-ranger: 'LimitRanger plugin set: cpu, memory request for container\n\s+small; cpu, memory limit for container small'/);
    assert.match(yaml, /resources:\n\s+limits:\n\s+cpu: 500m\n\s+memory: 128Mi\n\s+requests:\n\s+cpu: 100m\n\s+memory: 64Mi/);
    assert.match(yaml, /qosClass: Burstable/);
  });

  it('kubectl run over the LimitRange max is refused with its message and exit code 1', async () => {
    const overrides = JSON.stringify({ spec: { containers: [{ name: 'big', image: 'nginx', resources: { limits: { cpu: '2' } } }] } });
    const r = await c.kubectl(['run', 'big', '-n', 'limited', '--image=nginx', `--overrides=${overrides}`]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  });
});
