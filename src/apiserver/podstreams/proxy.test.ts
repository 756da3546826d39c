// The pod and service proxy handlers against simulated nginx pods on the fake clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { serviceDescriptor } from '../../api/kinds/service.js';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { clientLookup } from '../../kubelet/runtime/network.js';
import { startTestCluster } from '../../kubelet/test-harness.js';
import type { PodStreamDeps } from './deps.js';
import { handlePodProxy, handleServiceProxy } from './proxy.js';

test('pods/NAME:PORT/proxy and services/NAME:PORT/proxy reach nginx; errors are 503 Status', async () => {
  const c = await startTestCluster();
  const pods = new Map<string, Pod>();
  const deps: PodStreamDeps = {
    getPod: (ns, n) => {
      const p = pods.get(`${ns}/${n}`);
      if (!p) throw new ApiError(404, 'NotFound', `pods "${n}" not found`);
      return p;
    },
    containers: c.sim.containers,
    clock: c.clock,
    cluster: clientLookup(c.client),
  };
  // A plain HTTP server in front of the handlers, so the requests and answers are real ones.
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, kind, target, , ...rest] = url.pathname.split('/');
    const run = kind === 'pods' ? handlePodProxy : handleServiceProxy;
    run(req, res, url, 'default', target ?? '', `/${rest.join('/')}`, deps).catch((err: ApiError) => {
      res.writeHead(err.code ?? 500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(err.status));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await c.createPod({ containers: [{ name: 'nginx', image: 'nginx', ports: [{ name: 'http', containerPort: 80 }] }] }, 'web', { labels: { app: 'web' } });
    await c.client.create(serviceDescriptor, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] } } as unknown as KubeObject);
    await c.until(async () => (await c.pod('web'))?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true);
    pods.set('default/web', (await c.client.get(podDescriptor, 'default', 'web')) as unknown as Pod);
    const get = async (p: string) => {
      const r = await fetch(`${base}${p}`);
      return { status: r.status, text: await r.text() };
    };
    assert.match((await get('/pods/web/proxy/')).text, /Welcome to nginx!/);
    assert.equal((await get('/pods/web:http/proxy/nope')).status, 404);
    assert.match((await get('/services/web:http/proxy/')).text, /Welcome to nginx!/);
    assert.match((await get('/services/web:8080/proxy/index.html')).text, /Welcome to nginx!/);
    const refused = await get('/pods/web:81/proxy/');
    assert.equal(refused.status, 503);
    assert.match(refused.text, /error trying to reach service: dial tcp [\d.]+:81: connect: connection refused/);
    assert.equal((await get('/services/nosuch/proxy/')).status, 404);
  } finally {
    server.close();
    await c.stop();
  }
});
