// The HTTP transport against a real kubeloop API server over TLS in this process, plus a scripted raw
// server for the framing cases a real server never produces on demand (split characters, plain-text errors).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../api/errors.js';
import { configMapDescriptor } from '../api/kinds/configmap.js';
import { deploymentDescriptor } from '../api/kinds/deployment.js';
import { allKinds } from '../api/kinds/index.js';
import { namespaceDescriptor } from '../api/kinds/namespace.js';
import { podDescriptor } from '../api/kinds/pod.js';
import { Registry } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import { createAuthenticator } from '../apiserver/authn.js';
import { ApiServer } from '../apiserver/server.js';
import { RealClock } from '../clock/clock.js';
import { kubeconfigFor, writeStandaloneKubeconfig } from '../cli/kubeconfig.js';
import { ensurePki, type Pki } from '../cli/pki.js';
import { MemoryStore } from '../store/memory.js';
import type { Client, ObjectList, Resource, WatchEvent, WatchOptions } from './client.js';
import { HttpClient, httpClientFromKubeconfig } from './http.js';
import { InformerFactory } from './informer.js';
import { LineSplitter } from './ndjson.js';

let pki: Pki;
const servers: ApiServer[] = [];
const clients: HttpClient[] = [];

before(async () => {
  pki = await ensurePki(undefined, { hosts: ['127.0.0.1'] });
});

after(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
});

async function startServer(store = new MemoryStore()): Promise<{ server: ApiServer; url: string }> {
  const server = new ApiServer({
    store,
    registry: new Registry([...allKinds]),
    clock: new RealClock(),
    tls: { caCert: pki.caCert, serverCert: pki.serverCert, serverKey: pki.serverKey, authenticate: createAuthenticator(pki) },
  });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url };
}

function track(c: HttpClient): HttpClient {
  clients.push(c);
  return c;
}

function certClient(url: string): HttpClient {
  return track(new HttpClient({ server: url, ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > ms) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function apiErr(code: number, reason: string, message?: string | RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ApiError, `not an ApiError: ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.reason, reason);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  };
}

interface Recorder {
  events: WatchEvent[];
  closes: unknown[];
  closed: Promise<unknown>;
  stop(): void;
}

function record(client: Client, r: Resource, ns: string | undefined, opts: WatchOptions): Recorder {
  const events: WatchEvent[] = [];
  const closes: unknown[] = [];
  let settle: (v: unknown) => void = () => {};
  const closed = new Promise<unknown>((res) => (settle = res));
  const w = client.watch(r, ns, opts, {
    onEvent: (e) => events.push(e),
    onClose: (err) => {
      closes.push(err);
      settle(err);
    },
  });
  return { events, closes, closed, stop: () => w.stop() };
}

const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(labels ? { labels } : {}) },
  data,
});

const deployment = (name: string, replicas = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] },
          { name: 'sidecar', image: 'busybox:1.36', command: ['sleep', '3600'] },
        ],
      },
    },
  },
});

const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } });

describe('HttpClient against a kubeloop API server', () => {
  let url: string;
  let client: HttpClient;
  before(async () => {
    ({ url } = await startServer());
    client = certClient(url);
  });

  it('creates, reads, updates, lists and deletes configmaps', async () => {
    const created = await client.create(configMapDescriptor, 'default', cm('crud', { a: '1' }), { fieldManager: 'http-test' });
    assert.equal(created.metadata.namespace, 'default');
    assert.ok(created.metadata.uid);
    assert.ok(Object.isFrozen(created), 'answers are frozen like the in-process snapshots');
    const got = await client.get(configMapDescriptor, 'default', 'crud');
    assert.deepEqual(got.data, { a: '1' });
    const updated = await client.update(configMapDescriptor, 'default', { ...structuredClone(got), data: { a: '2' } });
    assert.deepEqual(updated.data, { a: '2' });
    assert.notEqual(updated.metadata.resourceVersion, got.metadata.resourceVersion);
    const list = await client.list(configMapDescriptor, 'default');
    assert.ok(list.items.some((o) => o.metadata.name === 'crud'));
    assert.ok(Number(list.resourceVersion) >= Number(updated.metadata.resourceVersion));
    assert.equal(await client.delete(configMapDescriptor, 'default', 'crud'), undefined, 'a Status answer means gone');
    await assert.rejects(client.get(configMapDescriptor, 'default', 'crud'), apiErr(404, 'NotFound', 'configmaps "crud" not found'));
  });

  it('does not persist dry-run writes', async () => {
    const dry = await client.create(configMapDescriptor, 'default', cm('dry'), { dryRun: true });
    assert.equal(dry.metadata.name, 'dry');
    await assert.rejects(client.get(configMapDescriptor, 'default', 'dry'), apiErr(404, 'NotFound'));
  });

  it('handles deployments: status subresource and the three patch types', async () => {
    const d = await client.create(deploymentDescriptor, 'default', deployment('web'));
    assert.equal((d.spec as { replicas: number }).replicas, 1);

    const withStatus = structuredClone(d);
    withStatus.status = { observedGeneration: 1, replicas: 3 };
    (withStatus.spec as { replicas: number }).replicas = 7; // ignored by a status write
    const s = await client.update(deploymentDescriptor, 'default', withStatus, { subresource: 'status' });
    assert.equal((s.status as { replicas: number }).replicas, 3);
    assert.equal((s.spec as { replicas: number }).replicas, 1);
    const s2 = await client.patch(deploymentDescriptor, 'default', 'web', 'merge', { status: { readyReplicas: 2 } }, { subresource: 'status' });
    assert.equal((s2.status as { readyReplicas: number }).readyReplicas, 2);

    // Strategic merge: containers merge by name, so the sidecar and the web container's ports survive.
    const p = await client.patch(deploymentDescriptor, 'default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } } } });
    const containers = (p.spec as { template: { spec: { containers: Array<{ name: string; image: string; ports?: unknown[] }> } } }).template.spec.containers;
    assert.deepEqual(containers.map((c) => [c.name, c.image]), [['web', 'nginx:1.26'], ['sidecar', 'busybox:1.36']]);
    assert.equal(containers[0]?.ports?.length, 1);

    const m = await client.patch(deploymentDescriptor, 'default', 'web', 'merge', { metadata: { labels: { tier: 'front' } } });
    assert.deepEqual(m.metadata.labels, { tier: 'front' });
    const j = await client.patch(deploymentDescriptor, 'default', 'web', 'json', [{ op: 'replace', path: '/spec/replicas', value: 4 }]);
    assert.equal((j.spec as { replicas: number }).replicas, 4);
    assert.equal(await client.delete(deploymentDescriptor, 'default', 'web', { propagationPolicy: 'Background' }), undefined);
  });

  it('lists with label and field selectors and pages with limit/continue', async () => {
    await client.create(namespaceDescriptor, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sel' } });
    await client.create(configMapDescriptor, 'sel', cm('a1', {}, { app: 'a', tier: 'x' }));
    await client.create(configMapDescriptor, 'sel', cm('a2', {}, { app: 'a', tier: 'y' }));
    await client.create(configMapDescriptor, 'sel', cm('b1', {}, { app: 'b' }));
    const names = (l: ObjectList) => l.items.map((o) => o.metadata.name).sort();
    assert.deepEqual(names(await client.list(configMapDescriptor, 'sel', { labelSelector: 'app=a' })), ['a1', 'a2']);
    assert.deepEqual(names(await client.list(configMapDescriptor, 'sel', { labelSelector: 'app in (a,b),tier!=x' })), ['a2', 'b1']);
    assert.deepEqual(names(await client.list(configMapDescriptor, 'sel', { fieldSelector: 'metadata.name=b1' })), ['b1']);
    const across = await client.list(configMapDescriptor, undefined, { fieldSelector: 'metadata.namespace=sel' });
    assert.equal(across.items.length, 3);

    const page1 = await client.list(configMapDescriptor, 'sel', { limit: 2 });
    assert.equal(page1.items.length, 2);
    assert.ok(page1.continue);
    const page2 = await client.list(configMapDescriptor, 'sel', { limit: 2, continue: page1.continue });
    assert.deepEqual([...names(page1), ...names(page2)], ['a1', 'a2', 'b1']);
    assert.equal(page2.continue, undefined);
  });

  it('reports 404, 409 and 422 as ApiError with the server Status', async () => {
    await assert.rejects(client.get(deploymentDescriptor, 'default', 'nope'), apiErr(404, 'NotFound', 'deployments.apps "nope" not found'));
    await client.create(configMapDescriptor, 'default', cm('dup'));
    await assert.rejects(client.create(configMapDescriptor, 'default', cm('dup')), apiErr(409, 'AlreadyExists', 'configmaps "dup" already exists'));
    const stale = structuredClone(await client.get(configMapDescriptor, 'default', 'dup'));
    await client.patch(configMapDescriptor, 'default', 'dup', 'merge', { data: { k: 'v' } });
    await assert.rejects(client.update(configMapDescriptor, 'default', stale), apiErr(409, 'Conflict', /^Operation cannot be fulfilled on configmaps "dup": the object has been modified/));
    await assert.rejects(client.create(deploymentDescriptor, 'default', deployment('neg', -1)), (err: unknown) => {
      apiErr(422, 'Invalid', /^Deployment\.apps "neg" is invalid: spec\.replicas: Invalid value: -1/)(err);
      const details = (err as ApiError).status.details;
      assert.equal(details?.kind, 'Deployment');
      assert.equal(details?.causes?.[0]?.field, 'spec.replicas');
      return true;
    });
    await assert.rejects(client.delete(configMapDescriptor, 'default', 'dup', { preconditions: { uid: 'not-the-uid' } }), apiErr(409, 'Conflict'));
  });

  it('refuses missing credentials with 401, accepts the bearer token', async () => {
    const anon = track(new HttpClient({ server: url, ca: pki.caCert }));
    await assert.rejects(anon.get(namespaceDescriptor, undefined, 'default'), apiErr(401, 'Unauthorized'));
    const bearer = track(new HttpClient({ server: url, ca: pki.caCert, token: pki.token }));
    assert.equal((await bearer.get(namespaceDescriptor, undefined, 'default')).metadata.name, 'default');
    const insecure = track(new HttpClient({ server: url, token: pki.token, insecureSkipTLSVerify: true }));
    assert.equal((await insecure.get(namespaceDescriptor, undefined, 'default')).metadata.name, 'default');
    const untrusting = track(new HttpClient({ server: url, token: pki.token }));
    await assert.rejects(untrusting.get(namespaceDescriptor, undefined, 'default'), /self-signed|unable to verify|certificate/i);
  });

  it('binds and evicts pods through createSubresource, and returns pods from delete', async () => {
    await client.create(podDescriptor, 'default', pod('bind-me'));
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-me' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } };
    const answer = (await client.createSubresource(podDescriptor, 'default', 'bind-me', 'binding', binding)) as { kind: string; status: string };
    assert.equal(answer.kind, 'Status');
    assert.equal(answer.status, 'Success');
    assert.equal(((await client.get(podDescriptor, 'default', 'bind-me')).spec as { nodeName?: string }).nodeName, 'node-1');
    await assert.rejects(client.createSubresource(podDescriptor, 'default', 'bind-me', 'binding', binding), apiErr(409, 'Conflict', /already assigned/));

    const gone = await client.delete(podDescriptor, 'default', 'bind-me', { gracePeriodSeconds: 0 });
    assert.equal(gone?.kind, 'Pod', 'pods come back from DELETE as objects');
    assert.equal(gone?.metadata.name, 'bind-me');

    await client.create(podDescriptor, 'default', pod('evict-me'));
    const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evict-me', namespace: 'default' } };
    await client.createSubresource(podDescriptor, 'default', 'evict-me', 'eviction', eviction);
    await assert.rejects(client.get(podDescriptor, 'default', 'evict-me'), apiErr(404, 'NotFound'));
  });

  it('watches from a resourceVersion: ADDED, MODIFIED, DELETED in order', async () => {
    const { resourceVersion } = await client.list(configMapDescriptor, 'default');
    const w = record(client, configMapDescriptor, 'default', { resourceVersion });
    await sleep(50); // let the watch reach the server before writing
    await client.create(configMapDescriptor, 'default', cm('watched', { v: '1' }));
    await client.patch(configMapDescriptor, 'default', 'watched', 'merge', { data: { v: '2' } });
    await client.delete(configMapDescriptor, 'default', 'watched');
    await eventually(() => w.events.length >= 3, 'three events');
    assert.deepEqual(w.events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'watched'], ['MODIFIED', 'watched'], ['DELETED', 'watched']]);
    assert.deepEqual(w.events[1]?.object.data, { v: '2' });
    const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.ok(rvs[0]! > Number(resourceVersion) && rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!);
    w.stop();
    await sleep(50);
    assert.deepEqual(w.closes, [], 'stop() calls nothing');
  });

  it('watches without a resourceVersion (initial ADDED), with a selector, and ends at timeoutSeconds', async () => {
    await client.create(configMapDescriptor, 'default', cm('pre-1', {}, { w: 'yes' }));
    await client.create(configMapDescriptor, 'default', cm('pre-2', {}, { w: 'no' }));
    const w = record(client, configMapDescriptor, 'default', { labelSelector: 'w=yes', timeoutSeconds: 1 });
    await eventually(() => w.events.length >= 1, 'the initial event');
    await client.create(configMapDescriptor, 'default', cm('post-no', {}, { w: 'no' }));
    await client.create(configMapDescriptor, 'default', cm('post-yes', {}, { w: 'yes' }));
    assert.equal(await w.closed, undefined, 'a timed-out watch closes without an error');
    assert.deepEqual(w.events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'pre-1'], ['ADDED', 'post-yes']]);
    assert.equal(w.closes.length, 1);
  });

  it('turns a refused watch into onClose(ApiError)', async () => {
    const w = record(client, configMapDescriptor, 'default', { resourceVersion: 'not-a-number' });
    const err = await w.closed;
    apiErr(400, 'BadRequest', /invalid resource version/)(err);
    assert.deepEqual(w.events, []);
  });

  it('reads a kubeconfig with inline data and with file paths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubeloop-http-'));
    try {
      const inline = join(dir, 'inline.yaml');
      await writeStandaloneKubeconfig(inline, kubeconfigFor({ server: url, pki }));
      const a = track(await httpClientFromKubeconfig(inline));
      assert.equal((await a.get(namespaceDescriptor, undefined, 'default')).metadata.name, 'default');

      await writeFile(join(dir, 'ca.crt'), pki.caCert);
      await writeFile(join(dir, 'admin.crt'), pki.clientCert);
      await writeFile(join(dir, 'admin.key'), pki.clientKey);
      const files = join(dir, 'files.yaml');
      await writeFile(
        files,
        [
          'apiVersion: v1',
          'kind: Config',
          'current-context: other',
          'clusters:',
          `- name: c\n  cluster:\n    server: ${url}\n    certificate-authority: ca.crt`,
          'users:',
          '- name: certs\n  user:\n    client-certificate: admin.crt\n    client-key: admin.key',
          '- name: nobody\n  user: {}',
          'contexts:',
          '- name: files\n  context:\n    cluster: c\n    user: certs',
          '- name: other\n  context:\n    cluster: c\n    user: nobody',
          '',
        ].join('\n'),
      );
      const b = track(await httpClientFromKubeconfig(files, 'files'));
      assert.equal((await b.get(namespaceDescriptor, undefined, 'default')).metadata.name, 'default');
      const c = track(await httpClientFromKubeconfig(files)); // current context: no credentials
      await assert.rejects(c.get(namespaceDescriptor, undefined, 'default'), apiErr(401, 'Unauthorized'));
      await assert.rejects(httpClientFromKubeconfig(files, 'missing'), /context "missing" not found/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('HttpClient watch past the history window', () => {
  it('delivers the 410 as an ERROR event, then onClose(ApiError 410)', async () => {
    const { url } = await startServer(new MemoryStore({ historyEvents: 5 }));
    const client = certClient(url);
    const first = await client.create(configMapDescriptor, 'default', cm('old'));
    for (let i = 0; i < 10; i++) await client.patch(configMapDescriptor, 'default', 'old', 'merge', { data: { i: String(i) } });
    const w = record(client, configMapDescriptor, 'default', { resourceVersion: first.metadata.resourceVersion as string });
    const err = await w.closed;
    apiErr(410, 'Expired', /too old resource version/)(err);
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0]?.type, 'ERROR');
    assert.equal((w.events[0]?.object as unknown as { code: number }).code, 410);
  });

  it('reports a watch cut off by the server going away as onClose(err)', async () => {
    const { server, url } = await startServer();
    const client = certClient(url);
    const w = record(client, configMapDescriptor, 'default', {});
    await sleep(50);
    await server.close();
    const err = await w.closed;
    assert.ok(err instanceof Error, 'a broken stream is an error');
    assert.ok(!(err instanceof ApiError));
  });
});

describe('HttpClient framing (scripted server)', () => {
  let url: string;
  let raw: http.Server;
  let lastAuth: string | undefined;
  const served = new WeakMap<object, number>();
  before(async () => {
    raw = http.createServer((req, res) => {
      lastAuth = req.headers.authorization;
      res.socket?.setNoDelay(true);
      if (req.url?.endsWith('/flaky')) {
        // Hangs up on the second request of a kept-alive connection, as a server timing out an idle
        // connection does when the client picks it at the same moment.
        const n = (served.get(req.socket) ?? 0) + 1;
        served.set(req.socket, n);
        if (n > 1) return req.socket.destroy();
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(cm('flaky')));
      }
      if (req.url?.includes('watch=true')) {
        // One event per character of a multi-byte string split across writes, and a line split mid-way.
        const ev1 = Buffer.from(`{"type":"ADDED","object":{"kind":"ConfigMap","metadata":{"name":"ü€𝄞","resourceVersion":"5"}}}\n`, 'utf8');
        const ev2 = Buffer.from(`{"type":"MODIFIED","object":{"kind":"ConfigMap","metadata":{"name":"ü€𝄞","resourceVersion":"6"}}}`, 'utf8');
        const cut = ev1.indexOf(Buffer.from('€', 'utf8')) + 1; // inside the three-byte euro sign
        const cut2 = ev1.indexOf(Buffer.from('𝄞', 'utf8')) + 2; // inside the four-byte clef
        const pieces = [ev1.subarray(0, cut), ev1.subarray(cut, cut2), Buffer.concat([ev1.subarray(cut2), ev2.subarray(0, 10)]), ev2.subarray(10)];
        res.writeHead(200, { 'content-type': 'application/json' });
        let i = 0;
        const next = () => {
          const p = pieces[i++];
          if (!p) return res.end(); // the last event has no newline
          res.write(p);
          setTimeout(next, 15);
        };
        next();
        return;
      }
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('oops');
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => raw.close(() => r())));

  it('reassembles lines and characters split across chunks', async () => {
    const client = track(new HttpClient({ server: url, token: 'secret' }));
    const w = record(client, configMapDescriptor, 'default', { resourceVersion: '4' });
    assert.equal(await w.closed, undefined);
    assert.deepEqual(w.events.map((e) => [e.type, e.object.metadata.name, e.object.metadata.resourceVersion]), [['ADDED', 'ü€𝄞', '5'], ['MODIFIED', 'ü€𝄞', '6']]);
    assert.equal(lastAuth, undefined, 'no bearer token over plain http');
  });

  it('resends a GET, never a write, whose kept-alive connection was hung up', async () => {
    const client = track(new HttpClient({ server: url }));
    assert.equal((await client.get(configMapDescriptor, 'default', 'flaky')).metadata.name, 'flaky');
    assert.equal((await client.get(configMapDescriptor, 'default', 'flaky')).metadata.name, 'flaky');
    await assert.rejects(client.update(configMapDescriptor, 'default', cm('flaky')), /socket hang up/);
  });

  it('maps a plain-text error answer by its HTTP code', async () => {
    const client = track(new HttpClient({ server: url }));
    await assert.rejects(client.get(configMapDescriptor, 'default', 'x'), apiErr(500, 'InternalError', /500.*"oops"/));
  });

  it('LineSplitter keeps partial lines and characters until completed', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('{"a":"é"}\r\n\n{"b":"日本"}\n{"c":1}', 'utf8');
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...s.push(bytes.subarray(i, i + 1)));
    out.push(...s.end());
    assert.deepEqual(out, ['{"a":"é"}', '{"b":"日本"}', '{"c":1}']);
  });
});

describe('SharedInformer over HttpClient', () => {
  it('syncs, follows changes, and relists after a 410', async () => {
    const { url } = await startServer(new MemoryStore({ historyEvents: 5 }));
    const client = certClient(url);
    await client.create(configMapDescriptor, 'default', cm('seed'));
    for (let i = 0; i < 10; i++) await client.patch(configMapDescriptor, 'default', 'seed', 'merge', { data: { i: String(i) } });

    // The first list claims a revision long compacted away, so the first watch gets 410 Gone.
    let lists = 0;
    const stale: Client = {
      ...bind(client),
      list: async (r, ns, o) => {
        const l = await client.list(r, ns, o);
        return lists++ === 0 ? { ...l, resourceVersion: '1' } : l;
      },
    };
    const factory = new InformerFactory(stale, new RealClock());
    const inf = factory.informer(configMapDescriptor);
    const seen: string[] = [];
    inf.addHandler({
      add: (o) => seen.push(`add ${o.metadata.name}`),
      update: (_, o) => seen.push(`update ${o.metadata.name} ${JSON.stringify(o.data)}`),
      delete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    factory.start();
    try {
      await factory.waitForSync();
      assert.ok(inf.get('default', 'seed'));
      await eventually(() => lists >= 2, 'a relist after 410');

      await client.create(configMapDescriptor, 'default', cm('live', { v: '1' }));
      await eventually(() => inf.get('default', 'live') !== undefined, 'the created object in the cache');
      await client.patch(configMapDescriptor, 'default', 'live', 'merge', { data: { v: '2' } });
      await eventually(() => (inf.get('default', 'live')?.data as { v?: string } | undefined)?.v === '2', 'the update in the cache');
      await client.delete(configMapDescriptor, 'default', 'live');
      await eventually(() => inf.get('default', 'live') === undefined, 'the deletion in the cache');
      assert.deepEqual(
        seen.filter((s) => s.includes('live')),
        ['add live', 'update live {"v":"2"}', 'delete live'],
      );
      assert.equal(lists, 2, 'one relist, no loop');
    } finally {
      factory.stop();
    }
  });
});

function bind(c: HttpClient): Client {
  return {
    get: c.get.bind(c),
    list: c.list.bind(c),
    watch: c.watch.bind(c),
    create: c.create.bind(c),
    update: c.update.bind(c),
    patch: c.patch.bind(c),
    delete: c.delete.bind(c),
    createSubresource: c.createSubresource.bind(c),
  };
}
