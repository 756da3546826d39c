// End-to-end: the headless Service of the tutorial's StatefulSet gets Endpoints and an EndpointSlice listing
// its ready pods, as `kubectl get endpoints`, `kubectl describe svc` and `kubectl get endpointslices` show
// them, and they follow a pod's deletion and replacement.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kube, rows, SEED } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';

let c: Cluster;
const k = kube(() => c);

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '2', '--time-scale', '4'] });
});

after(async () => {
  await c?.stop();
});

const ADDR = /^10\.244\.\d+\.\d+:80$/;

function endpointList(out: string): string[] {
  return (rows(out)[1]?.[1] ?? '').split(',').filter((a) => a !== '<none>');
}

describe('Endpoints and EndpointSlices of a headless Service', () => {
  it('list the three ready StatefulSet pods on the target port', async () => {
    assert.equal(await k.ok(['apply', '-f', join(SEED, 'mysts.yaml')]), 'statefulset.apps/mysts created\nservice/mysts created\n');
    const r = await c.kubectl(['rollout', 'status', 'sts', 'mysts'], { timeoutMs: 90_000 });
    assert.equal(r.code, 0, r.stderr);
    const out = await k.eventually(['get', 'endpoints', 'mysts'], (o) => endpointList(o).length === 3, 'three endpoints');
    assert.deepEqual(rows(out)[0], ['NAME', 'ENDPOINTS', 'AGE']);
    for (const a of endpointList(out)) assert.match(a, ADDR);

    const slices = rows(await k.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=mysts']));
    assert.deepEqual(slices[0], ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    assert.equal(slices.length, 2);
    const [name, type, ports, addrs] = slices[1] ?? [];
    assert.match(name ?? '', /^mysts-[a-z0-9]{5}$/);
    assert.deepEqual([type, ports], ['IPv4', '80']);
    assert.equal(addrs?.split(',').length, 3);

    const yaml = await k.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=mysts', '-o', 'jsonpath={.items[0].endpoints[*].hostname}']);
    assert.deepEqual(yaml.split(' ').sort(), ['mysts-0', 'mysts-1', 'mysts-2']);
    const describe = await k.ok(['describe', 'svc', 'mysts']);
    assert.match(describe, /Endpoints:\s+10\.244\.\d+\.\d+:80,10\.244\.\d+\.\d+:80,10\.244\.\d+\.\d+:80\n/);
  });

  it('follow a deleted pod out and its replacement back in', async () => {
    const ip = await k.ok(['get', 'pod', 'mysts-1', '-o', 'jsonpath={.status.podIP}']);
    await k.ok(['delete', 'pod', 'mysts-1', '--wait=false']);
    await k.eventually(['get', 'endpoints', 'mysts'], (o) => !endpointList(o).includes(`${ip}:80`) && endpointList(o).length === 2, 'the deleted pod out of the endpoints');
    await k.eventually(['get', 'endpoints', 'mysts'], (o) => endpointList(o).length === 3, 'the replacement in the endpoints');
    const slices = rows(await k.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=mysts', '--no-headers']));
    assert.equal(slices.length, 1);
    assert.equal(slices[0]?.[3]?.split(',').length, 3);
  });

  it('leave the kubernetes Service alone', async () => {
    const slices = await k.ok(['get', 'endpointslices', '-l', 'endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io,kubernetes.io/service-name=kubernetes']);
    assert.equal(slices, '');
  });
});
