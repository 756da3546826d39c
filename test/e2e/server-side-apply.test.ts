// End-to-end: `kubectl apply --server-side` against kubeloop, with managedFields, conflicts and forcing.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { type Cluster, startKubeloop } from './harness.js';
import { kube } from './expect.js';

let c: Cluster;
const { ok, fails } = kube(() => c);
let scratch: string;

before(async () => {
  c = await startKubeloop({ args: ['--timing', 'instant'] });
  scratch = await mkdtemp(join(tmpdir(), 'kubeloop-ssa-'));
});

after(async () => {
  await c?.stop();
});

function deployment(replicas: number, opts: { env?: boolean } = {}): string {
  const env = opts.env === false ? '' : '\n        env:\n        - name: MODE\n          value: demo';
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.21
        ports:
        - containerPort: 80${env}
`;
}

async function file(name: string, text: string): Promise<string> {
  const p = join(scratch, name);
  await writeFile(p, text);
  return p;
}

async function getJson(...args: string[]): Promise<Record<string, any>> {
  return JSON.parse(await ok(['get', ...args, '-o', 'json', '--show-managed-fields'])) as Record<string, any>;
}

describe('kubectl apply --server-side', () => {
  it('creates, updates, conflicts, forces, dry-runs and prunes', async () => {
    const f = await file('deploy.yaml', deployment(2));
    assert.equal((await ok(['apply', '--server-side', '-f', f])).trim(), 'deployment.apps/web serverside-applied');
    let d = await getJson('deployment', 'web');
    assert.equal(d.spec.replicas, 2);
    const applied = (d.metadata.managedFields as any[]).find((e) => e.manager === 'kubectl');
    assert.equal(applied.operation, 'Apply');
    assert.equal(applied.apiVersion, 'apps/v1');
    assert.equal(applied.fieldsType, 'FieldsV1');
    assert.match(applied.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(applied.fieldsV1['f:spec']['f:replicas'], {});
    assert.deepEqual(applied.fieldsV1['f:metadata'], { 'f:labels': { 'f:app': {} } });
    const container = applied.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}'];
    assert.deepEqual(Object.keys(container), ['.', 'f:env', 'f:image', 'f:name', 'f:ports']);
    assert.deepEqual(container['f:ports'], { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } });

    // Plain -o yaml hides managedFields; --show-managed-fields shows them.
    assert.doesNotMatch(await ok(['get', 'deployment', 'web', '-o', 'yaml']), /managedFields/);

    await writeFile(f, deployment(3));
    assert.equal((await ok(['apply', '--server-side', '-f', f])).trim(), 'deployment.apps/web serverside-applied');
    assert.equal((await getJson('deployment', 'web')).spec.replicas, 3);

    assert.equal((await ok(['scale', 'deployment', 'web', '--replicas=5'])).trim(), 'deployment.apps/web scaled');
    const shown = await ok(['get', 'deployment', 'web', '-o', 'yaml', '--show-managed-fields']);
    assert.match(shown, /manager: kubectl\n\s+operation: Apply/);
    // kubectl scale names no field manager: the User-Agent's "kubectl" is recorded, under the scale subresource.
    assert.match(shown, /manager: kubectl\n\s+operation: Update\n\s+subresource: scale/);

    await writeFile(f, deployment(4));
    const err = await fails(['apply', '--server-side', '-f', f]);
    assert.equal(
      err.split('\n')[0],
      'error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
    );
    assert.match(err, /--force-conflicts/);
    assert.equal((await getJson('deployment', 'web')).spec.replicas, 5);

    assert.equal((await ok(['apply', '--server-side', '--force-conflicts', '-f', f])).trim(), 'deployment.apps/web serverside-applied');
    d = await getJson('deployment', 'web');
    assert.equal(d.spec.replicas, 4);
    assert.equal((d.metadata.managedFields as any[]).find((e) => e.subresource === 'scale'), undefined, 'the scale entry lost its only field');

    await writeFile(f, deployment(7));
    assert.equal((await ok(['apply', '--server-side', '--dry-run=server', '-f', f])).trim(), 'deployment.apps/web serverside-applied (server dry run)');
    assert.equal((await getJson('deployment', 'web')).spec.replicas, 4);

    // Leaving a field out of the applied file removes it from the object.
    await writeFile(f, deployment(4, { env: false }));
    await ok(['apply', '--server-side', '-f', f]);
    d = await getJson('deployment', 'web');
    assert.equal(d.spec.template.spec.containers[0].env, undefined);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.21');
  });

  it('names the components that wrote: kube-controller-manager for a pod it created, kubelet for its status', async () => {
    await ok(['create', 'deployment', 'managers', '--image=nginx', '--replicas=1']);
    const { eventually } = kube(() => c);
    await eventually(['get', 'pods', '-l', 'app=managers', '-o', 'jsonpath={.items[*].status.phase}'], (o) => o === 'Running', 'a Running pod');
    const pod = parse(await ok(['get', 'pods', '-l', 'app=managers', '-o', 'yaml', '--show-managed-fields'])) as { items: Array<{ metadata: { managedFields: Array<{ manager: string; operation: string; subresource?: string }> } }> };
    const managers = (pod.items[0]?.metadata.managedFields ?? []).map((m) => `${m.manager} ${m.operation}${m.subresource ? ` ${m.subresource}` : ''}`);
    assert.deepEqual(managers.sort(), ['kube-controller-manager Update', 'kubelet Update status']);
    const deploy = parse(await ok(['get', 'deploy', 'managers', '-o', 'yaml', '--show-managed-fields'])) as { metadata: { managedFields: Array<{ manager: string; subresource?: string }> } };
    assert.deepEqual(deploy.metadata.managedFields.map((m) => `${m.manager}${m.subresource ? ` ${m.subresource}` : ''}`).sort(), ['kube-controller-manager status', 'kubectl-create']);
    await ok(['delete', 'deployment', 'managers']);
  });

  it('takes over from client-side apply without conflicts', async () => {
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: ${v}\n  size: big\n`;
    const f = await file('cm.yaml', cm('blue'));
    assert.equal((await ok(['apply', '-f', f])).trim(), 'configmap/settings created');
    let o = await getJson('configmap', 'settings');
    assert.deepEqual(
      (o.metadata.managedFields as any[]).map((e) => [e.manager, e.operation]),
      [['kubectl-client-side-apply', 'Update']],
    );
    await writeFile(f, cm('green'));
    assert.equal((await ok(['apply', '--server-side', '-f', f])).trim(), 'configmap/settings serverside-applied');
    o = await getJson('configmap', 'settings');
    assert.equal(o.data.color, 'green');
    const last = JSON.parse(o.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.equal(last.data.color, 'green');
  });

  it('answers raw apply requests as kube-apiserver does', async () => {
    const cm = (kind = 'ConfigMap') => JSON.stringify({ apiVersion: 'v1', kind, metadata: { name: 'raw' }, data: { a: '1' } });
    const path = '/api/v1/namespaces/default/configmaps/raw';
    const missing = await applyRaw(path, cm());
    assert.equal(missing.status, 422);
    assert.equal(missing.json.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const created = await applyRaw(`${path}?fieldManager=tester`, cm());
    assert.equal(created.status, 201);
    assert.deepEqual(created.json.metadata.managedFields.map((e: any) => [e.manager, e.operation]), [['tester', 'Apply']]);
    const again = await applyRaw(`${path}?fieldManager=tester`, cm());
    assert.equal(again.status, 200);
    assert.equal(again.json.metadata.resourceVersion, created.json.metadata.resourceVersion, 'a no-op apply writes nothing');
    const wrong = await applyRaw(`${path}?fieldManager=tester`, cm('Secret'));
    assert.equal(wrong.status, 400);
    const other = await applyRaw(`${path}?fieldManager=other`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'raw' }, data: { a: '2' } }));
    assert.equal(other.status, 409);
    assert.equal(other.json.reason, 'Conflict');
    assert.equal(other.json.message, 'Apply failed with 1 conflict: conflict with "tester": .data.a');
    assert.deepEqual(other.json.details.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "tester"', field: '.data.a' }]);
  });
});

async function applyRaw(path: string, body: string): Promise<{ status: number; json: any }> {
  const cfg = parse(await readFile(c.kubeconfig, 'utf8'));
  const b64 = (s: string) => Buffer.from(s, 'base64').toString();
  const agent = new https.Agent({
    ca: b64(cfg.clusters[0].cluster['certificate-authority-data']),
    cert: b64(cfg.users[0].user['client-certificate-data']),
    key: b64(cfg.users[0].user['client-key-data']),
  });
  try {
    return await new Promise((resolve, reject) => {
      const req = https.request(`${c.url}${path}`, { method: 'PATCH', headers: { 'content-type': 'application/apply-patch+yaml' }, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }));
      });
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    agent.destroy();
  }
}
