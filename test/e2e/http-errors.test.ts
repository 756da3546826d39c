// End-to-end at the HTTP level: what kube-apiserver answers to bad requests that kubectl never sends, checked
// with a plain HTTPS client holding the kubeconfig's credentials, and that the server keeps serving after them.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { type Cluster, startKubeloop } from './harness.js';

let c: Cluster;
let agent: https.Agent;

before(async () => {
  c = await startKubeloop();
  const cfg = parse(await readFile(c.kubeconfig, 'utf8'));
  const b64 = (s: string) => Buffer.from(s, 'base64').toString();
  agent = new https.Agent({
    ca: b64(cfg.clusters[0].cluster['certificate-authority-data']),
    cert: b64(cfg.users[0].user['client-certificate-data']),
    key: b64(cfg.users[0].user['client-key-data']),
  });
});

after(async () => {
  agent?.destroy();
  await c?.stop();
});

function call(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, useAgent = true): Promise<{ status: number; json: any; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${c.url}${path}`, { method, headers, ...(useAgent ? { agent } : { rejectUnauthorized: false }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown = text;
        try {
          json = JSON.parse(text);
        } catch {
          // plain text body
        }
        resolve({ status: res.statusCode ?? 0, json, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const CM = '/api/v1/namespaces/default/configmaps';

describe('HTTP error answers', () => {
  it('401 with a Status body without credentials', async () => {
    const r = await call('GET', '/api/v1/namespaces', undefined, {}, false);
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('sends Cache-Control: no-cache, private', async () => {
    const r = await call('GET', '/version');
    assert.equal(r.headers['cache-control'], 'no-cache, private');
  });

  it('400 for malformed JSON and YAML, with nothing stored', async () => {
    const bad = await call('POST', CM, '{"metadata": {"name": "x"', { 'content-type': 'application/json' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.reason, 'BadRequest');
    const yaml = await call('POST', CM, 'metadata:\n  name: [unclosed\n', { 'content-type': 'application/yaml' });
    assert.equal(yaml.status, 400);
    assert.equal((await call('GET', `${CM}/x`)).status, 404);
  });

  it('400 for a wrong type, worded as Go decoding errors', async () => {
    const r = await call('POST', '/apis/apps/v1/namespaces/default/deployments', JSON.stringify({ metadata: { name: 'd' }, spec: { replicas: 'three' } }), { 'content-type': 'application/json' });
    assert.equal(r.status, 400);
    assert.equal(r.json.message, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  });

  it('413 for bodies over 3 MiB', async () => {
    const big = JSON.stringify({ metadata: { name: 'big' }, data: { k: 'x'.repeat(3 * 1024 * 1024 + 10) } });
    const r = await call('POST', CM, big, { 'content-type': 'application/json' });
    assert.equal(r.status, 413);
    assert.equal(r.json.reason, 'RequestEntityTooLarge');
  });

  it('400 for a malformed protobuf body and for an apply body without apiVersion and kind', async () => {
    const pb = await call('POST', CM, Buffer.from([0x6b, 0x38, 0x73, 0x00]), { 'content-type': 'application/vnd.kubernetes.protobuf' });
    assert.equal(pb.status, 400);
    assert.match(pb.json.message, /malformed protobuf body/);
    const ssa = await call('PATCH', `${CM}/x?fieldManager=kubectl`, '{}', { 'content-type': 'application/apply-patch+yaml' });
    assert.equal(ssa.status, 400);
    assert.match(ssa.json.message, /invalid object type/);
  });

  it('404 worded as kube-apiserver for unknown resources and paths', async () => {
    const r = await call('GET', '/apis/apps/v1/namespaces/default/widgets');
    assert.equal(r.status, 404);
    assert.equal(r.json.message, 'the server could not find the requested resource');
  });

  it('405 for verbs a resource does not serve', async () => {
    const r = await call('DELETE', '/api/v1/namespaces');
    assert.equal(r.status, 405);
    assert.equal(r.json.reason, 'MethodNotAllowed');
  });

  it('410 Gone inside the watch stream for a compacted resourceVersion is not sent for a current one', async () => {
    const list = await call('GET', CM);
    const rv = list.json.metadata.resourceVersion;
    assert.match(rv, /^\d+$/);
    const r = await call('GET', `${CM}?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
    assert.equal(r.status, 200);
  });

  it('still serves after all of that', async () => {
    const r = await call('POST', CM, JSON.stringify({ metadata: { name: 'fine' } }), { 'content-type': 'application/json' });
    assert.equal(r.status, 201);
    assert.equal((await c.kubectl(['get', 'cm', 'fine', '-o', 'name'])).stdout.trim(), 'configmap/fine');
  });
});
