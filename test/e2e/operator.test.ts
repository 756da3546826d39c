// End-to-end: the example operator (examples/operator) written with @kubernetes/client-node reconciles a
// custom resource against kubeloop: the CRD is applied with kubectl, the operator runs in this process against
// the cluster's kubeconfig, and a Website becomes a ConfigMap plus a Deployment whose pods run, with the
// Website's status (through the status subresource) and printer columns showing the ready replicas.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { type Operator, startOperator } from '../../examples/operator/operator.js';
import { type Cluster, startKubeloop } from './harness.js';
import { kube, rows } from './expect.js';
import { REPO_ROOT } from './kubectl.js';

let c: Cluster;
let op: Operator | undefined;
const { ok, eventually } = kube(() => c);
const EXAMPLE = join(REPO_ROOT, 'examples', 'operator');
const logs: string[] = [];

before(async () => {
  c = await startKubeloop({ args: ['--timing', 'instant'] });
});

after(async () => {
  await op?.stop();
  await c?.stop();
});

describe('example operator (client-node)', () => {
  it('reconciles a Website into a Deployment and a ConfigMap and reports its status', async () => {
    await ok(['apply', '-f', join(EXAMPLE, 'website-crd.yaml')]);
    await ok(['wait', '--for', 'condition=Established', 'crd/websites.example.com', '--timeout=10s']);

    const kc = new k8s.KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    op = startOperator(kc, { log: (m) => logs.push(m) });
    await op.ready;

    assert.match(await ok(['apply', '-f', join(EXAMPLE, 'website.yaml')]), /website.example.com\/hello created/);
    await eventually(['get', 'deployment', 'hello', '-o', 'jsonpath={.status.readyReplicas}'], (out) => out === '2', 'the Deployment to have 2 ready pods');
    const pods = rows(await ok(['get', 'pods', '-l', 'website=hello']));
    assert.equal(pods.length, 3, JSON.stringify(pods));
    for (const p of pods.slice(1)) assert.equal(p[2], 'Running');
    assert.equal(await ok(['get', 'configmap', 'hello-content', '-o', 'jsonpath={.data.index\\.html}']), 'Hello from kubeloop\n');
    const owner = JSON.parse(await ok(['get', 'deployment', 'hello', '-o', 'jsonpath={.metadata.ownerReferences[0]}']));
    assert.equal(owner.kind, 'Website');
    assert.equal(owner.controller, true);

    await eventually(['get', 'website', 'hello', '-o', 'jsonpath={.status.readyReplicas}'], (out) => out === '2', 'the Website status', 20_000);
    const table = rows(await ok(['get', 'websites']));
    assert.deepEqual(table[0], ['NAME', 'REPLICAS', 'READY', 'MESSAGE', 'AGE']);
    assert.deepEqual(table[1]?.slice(0, 4), ['hello', '2', '2', 'Hello from kubeloop']);
  });

  it('follows changes of the Website', async () => {
    await ok(['scale', 'website', 'hello', '--replicas=3']);
    await eventually(['get', 'website', 'hello', '-o', 'jsonpath={.status.readyReplicas}'], (out) => out === '3', 'three ready replicas', 20_000);
    await ok(['patch', 'website', 'hello', '--type=merge', '-p', '{"spec":{"message":"Changed"}}']);
    await eventually(['get', 'configmap', 'hello-content', '-o', 'jsonpath={.data.index\\.html}'], (out) => out === 'Changed\n', 'the new page');
    assert.deepEqual(rows(await ok(['get', 'ws']))[1]?.slice(0, 4), ['hello', '3', '3', 'Changed']);
  });

  it('leaves garbage collection of the children to their ownerReferences', async () => {
    await ok(['delete', 'website', 'hello']);
    await eventually(['get', 'deployments,configmaps', '-l', 'website=hello', '-o', 'name'], (out) => out.trim() === '', 'the owned objects to be collected', 20_000);
  });
});
