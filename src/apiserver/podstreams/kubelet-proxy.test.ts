// The API server's relay to a kubelet in another process, in-process on the fake clock: logs (plain and
// following), exec over WebSocket through the spliced upgrade, pod and service proxy, and the errors for a pod
// without a node, a node without a kubelet and a kubelet that does not answer.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import WebSocket from 'ws';
import { ApiError } from '../../api/errors.js';
import { nodeDescriptor } from '../../api/kinds/node.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { serviceDescriptor } from '../../api/kinds/service.js';
import type { KubeObject } from '../../api/types.js';
import { clientLookup } from '../../kubelet/runtime/network.js';
import type { KubeletEndpoint } from '../../kubelet/server/endpoint-record.js';
import { KubeletServer } from '../../kubelet/server/server.js';
import { startTestCluster, type TestCluster } from '../../kubelet/test-harness.js';
import type { PodStreamDeps } from './deps.js';
import { KubeletProxy } from './kubelet-proxy.js';

describe('relaying pod streams to the kubelet of another process', () => {
  let c: TestCluster;
  let kubelet: KubeletServer;
  let front: Server;
  let base: string;
  let streams: PodStreamDeps | undefined;
  const pods = new Map<string, Pod>();
  const nodes = new Map<string, Node>();
  const endpoints = new Map<string, KubeletEndpoint>();

  const getPod = (ns: string, n: string): Pod => {
    const p = pods.get(`${ns}/${n}`);
    if (!p) throw new ApiError(404, 'NotFound', `pods "${n}" not found`);
    return p;
  };

  before(async () => {
    kubelet = await KubeletServer.start({ address: '127.0.0.1', port: 0, deps: () => streams });
    c = await startTestCluster({ count: 1, kubeletEndpoint: { port: kubelet.port, record: 'nodes-proc' } });
    streams = { getPod, containers: c.sim.containers, clock: c.clock, cluster: clientLookup(c.client) };
    endpoints.set('nodes-proc', { url: kubelet.url, token: kubelet.token });
    const proxy = new KubeletProxy({
      getPod,
      getNode: (n) => nodes.get(n),
      endpoint: (r) => endpoints.get(r),
      cluster: clientLookup(c.client),
      dialTimeoutMs: 2000,
    });
    // A stand-in for the API server's routing: pods/NAME/{log,exec,proxy} and services/NAME/proxy.
    front = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const [, , , , ns = '', kind, target = '', sub, ...rest] = url.pathname.split('/');
      const run =
        sub === 'proxy'
          ? kind === 'pods'
            ? proxy.servePodProxy(req, res, url, ns, target, `/${rest.join('/')}`)
            : proxy.serveServiceProxy(req, res, url, ns, target, `/${rest.join('/')}`)
          : proxy.serveSubresource(req, res, url, ns, target, sub as 'log');
      run.catch((err: ApiError) => {
        res.writeHead(err.code ?? 500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(err.status));
      });
    });
    front.on('upgrade', (req, socket, head) => {
      if (!proxy.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    base = `127.0.0.1:${(front.address() as AddressInfo).port}`;

    await c.createPod({ containers: [{ name: 'logger', image: 'busybox', command: ['sh', '-c', 'echo one; echo two; sleep 3600'] }] }, 'logger');
    await c.createPod({ containers: [{ name: 'nginx', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }] }] }, 'web', { labels: { app: 'web' } });
    await c.createPod({ containers: [{ name: 'x', image: 'busybox' }] }, 'pending', { node: null });
    await c.client.create(serviceDescriptor, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] } } as unknown as KubeObject);
    await c.until(async () => (await c.pod('web'))?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true && (await c.pod('logger'))?.status?.phase === 'Running');
    for (const n of ['logger', 'web', 'pending']) pods.set(`default/${n}`, (await c.client.get(podDescriptor, 'default', n)) as unknown as Pod);
    await c.until(async () => !!((await c.client.get(nodeDescriptor, undefined, 'node-1')) as unknown as Node).metadata?.annotations?.['kubeloop.dev/kubelet-endpoint']);
    nodes.set('node-1', (await c.client.get(nodeDescriptor, undefined, 'node-1')) as unknown as Node);
  });

  after(async () => {
    front.close();
    await kubelet.close();
    await c.stop();
  });

  const get = async (path: string) => {
    const r = await fetch(`http://${base}${path}`);
    return { status: r.status, text: await r.text() };
  };

  it('logs come through, with the kubelet\'s errors and status codes', async () => {
    assert.deepEqual(await get('/api/v1/namespaces/default/pods/logger/log'), { status: 200, text: 'one\ntwo\n' });
    assert.deepEqual(await get('/api/v1/namespaces/default/pods/logger/log?tailLines=1'), { status: 200, text: 'two\n' });
    const bad = await get('/api/v1/namespaces/default/pods/logger/log?container=nope');
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.text).message, /container nope is not valid for pod logger/);
  });

  it('a following log stream delivers what exists at once and stops when the caller goes away', async () => {
    const first = await new Promise<string>((resolve, reject) => {
      const req = request(`http://${base}/api/v1/namespaces/default/pods/logger/log?follow=true`, (res) => {
        res.once('data', (d: Buffer) => {
          resolve(d.toString());
          req.destroy();
        });
      });
      req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
      req.end();
    });
    assert.match(first, /^one\n/);
  });

  it('exec over WebSocket passes through the spliced upgrade', async () => {
    const ws = new WebSocket(`ws://${base}/api/v1/namespaces/default/pods/logger/exec?command=echo&command=hi&stdout=true&stderr=true`, ['v5.channel.k8s.io']);
    let out = '';
    let status = '';
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (d: Buffer) => {
        if (d[0] === 1) out += d.subarray(1).toString();
        if (d[0] === 3) status = d.subarray(1).toString();
      });
      ws.on('close', () => resolve());
      ws.on('error', reject);
    });
    assert.equal(ws.protocol, 'v5.channel.k8s.io');
    assert.equal(out, 'hi\n');
    assert.equal(JSON.parse(status).status, 'Success');
  });

  it('an exec the kubelet refuses reaches the caller as its Status', async () => {
    const ws = new WebSocket(`ws://${base}/api/v1/namespaces/default/pods/logger/exec?command=ls&container=nope`, ['v5.channel.k8s.io']);
    const code = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    assert.equal(code, 400);
  });

  it('pod and service proxy reach nginx on the kubelet side', async () => {
    assert.match((await get('/api/v1/namespaces/default/pods/web/proxy/')).text, /Welcome to nginx!/);
    assert.match((await get('/api/v1/namespaces/default/pods/web:http/proxy/index.html')).text, /Welcome to nginx!/);
    assert.equal((await get('/api/v1/namespaces/default/pods/web/proxy/nope')).status, 404);
    assert.match((await get('/api/v1/namespaces/default/services/web:http/proxy/')).text, /Welcome to nginx!/);
    const refused = await get('/api/v1/namespaces/default/pods/web:81/proxy/');
    assert.equal(refused.status, 503);
    assert.match(refused.text, /connection refused/);
  });

  it('a pod without a node, a node without a kubelet, an unreachable kubelet', async () => {
    const unscheduled = await get('/api/v1/namespaces/default/pods/pending/log');
    assert.equal(unscheduled.status, 400);
    assert.equal(JSON.parse(unscheduled.text).message, 'pod pending does not have a host assigned');

    const node = nodes.get('node-1') as Node;
    nodes.set('node-1', { ...node, metadata: { ...node.metadata, annotations: {} } });
    const none = await get('/api/v1/namespaces/default/pods/logger/log');
    assert.equal(none.status, 503);
    assert.match(JSON.parse(none.text).message, /no kubelet is serving node "node-1"/);

    // The record names a port nothing listens on (the kubelet's process is gone).
    nodes.set('node-1', node);
    const dead = await KubeletServer.start({ address: '127.0.0.1', port: 0, deps: () => undefined });
    const url = dead.url;
    await dead.close();
    endpoints.set('nodes-proc', { url, token: 't' });
    try {
      const gone = await get('/api/v1/namespaces/default/pods/logger/log');
      assert.equal(gone.status, 500);
      assert.match(JSON.parse(gone.text).message, /^Get "https:\/\/127\.0\.0\.1:\d+\/containerLogs\/default\/logger\/logger": dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/);
      const ws = new WebSocket(`ws://${base}/api/v1/namespaces/default/pods/logger/exec?command=ls`, ['v5.channel.k8s.io']);
      const res = await new Promise<{ code: number; body: string }>((resolve) =>
        ws.on('unexpected-response', (_req, r) => {
          let body = '';
          r.on('data', (d: Buffer) => (body += d.toString()));
          r.on('end', () => resolve({ code: r.statusCode ?? 0, body }));
        }),
      );
      assert.equal(res.code, 500);
      assert.match(JSON.parse(res.body).message, /^error dialing backend: dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/);
      // The front server still serves.
      assert.equal((await get('/api/v1/namespaces/default/pods/pending/log')).status, 400);
    } finally {
      endpoints.set('nodes-proc', { url: kubelet.url, token: kubelet.token });
    }
  });
});
