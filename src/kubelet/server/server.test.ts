// The kubelet server: refuses requests without the bearer token (plain and upgrade), serves kubelet-style paths
// through the shared pod stream handlers, and the Nodes it runs point at it. In-process, on the fake clock.
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { nodeDescriptor } from '../../api/kinds/node.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import type { PodStreamDeps } from '../../apiserver/podstreams/index.js';
import { MemoryStore } from '../../store/memory.js';
import { startTestCluster, type TestCluster } from '../test-harness.js';
import { KUBELET_ENDPOINT_ANNOTATION, publishEndpoint, readEndpoint, withdrawEndpoint } from './endpoint-record.js';
import { kubeletPath, parseKubeletPath } from './paths.js';
import { KubeletServer } from './server.js';

function get(server: KubeletServer, path: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${server.url}${path}`, { rejectUnauthorized: false, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends a raw upgrade request and returns the first response line. */
function upgrade(server: KubeletServer, path: string, headers: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false }, () => {
      s.write([`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, 'Connection: Upgrade', ...headers, '', ''].join('\r\n'));
    });
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) {
        resolve(got.slice(0, got.indexOf('\r\n')));
        s.destroy();
      }
    });
    s.on('error', reject);
  });
}

describe('kubelet server', () => {
  let c: TestCluster;
  let server: KubeletServer;
  let streams: PodStreamDeps | undefined;

  before(async () => {
    server = await KubeletServer.start({ address: '127.0.0.1', port: 0, deps: () => streams });
    c = await startTestCluster({ count: 1, kubeletEndpoint: { port: server.port, record: 'proc-1' } });
    const pods = new Map<string, Pod>();
    streams = {
      getPod: (ns, n) => {
        const p = pods.get(`${ns}/${n}`);
        if (!p) throw Object.assign(new Error('not found'), { code: 404 });
        return p;
      },
      containers: c.sim.containers,
      clock: c.clock,
    };
    await c.createPod({ containers: [{ name: 'logger', image: 'busybox', command: ['sh', '-c', 'echo one; echo two; sleep 3600'] }] }, 'logger');
    await c.until(async () => (await c.pod('logger'))?.status?.phase === 'Running');
    pods.set('default/logger', (await c.client.get(podDescriptor, 'default', 'logger')) as unknown as Pod);
  });

  after(async () => {
    await server.close();
    await c.stop();
  });

  it('refuses requests without the right bearer token, plain and upgrade', async () => {
    const path = '/containerLogs/default/logger/logger';
    for (const token of [undefined, 'wrong', `${server.token}x`]) {
      const r = await get(server, path, token);
      assert.equal(r.status, 401);
      assert.equal(JSON.parse(r.body).reason, 'Unauthorized');
    }
    assert.match(await upgrade(server, '/exec/default/logger/logger?command=ls&output=1', ['Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==']), /^HTTP\/1\.1 401 /);
    assert.match(await upgrade(server, '/portForward/default/logger', ['Upgrade: SPDY/3.1', `Authorization: Bearer nope`]), /^HTTP\/1\.1 401 /);
  });

  it('serves container logs and passes handler errors with their status', async () => {
    const ok = await get(server, '/containerLogs/default/logger/logger?tailLines=1', server.token);
    assert.equal(ok.status, 200);
    assert.equal(ok.body, 'two\n');
    const bad = await get(server, '/containerLogs/default/logger/nope', server.token);
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body).message, /container nope is not valid for pod logger/);
    assert.equal((await get(server, '/nowhere', server.token)).status, 404);
  });

  it('answers an authorized exec upgrade with the WebSocket handshake', async () => {
    const line = await upgrade(server, '/exec/default/logger/logger?command=echo&command=hi&output=1', [
      `Authorization: Bearer ${server.token}`,
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Protocol: v5.channel.k8s.io',
    ]);
    assert.match(line, /^HTTP\/1\.1 101 /);
  });

  it('the Node names the endpoint record and reports the real port', async () => {
    await c.until(async () => {
      const n = (await c.client.get(nodeDescriptor, undefined, 'node-1')) as unknown as Node;
      return n.metadata?.annotations?.[KUBELET_ENDPOINT_ANNOTATION] === 'proc-1' && n.status?.daemonEndpoints?.kubeletEndpoint?.Port === server.port;
    }, 60_000);
  });
});

describe('kubelet endpoint records and paths', () => {
  it('a new holder replaces the records of earlier ones; withdraw removes its own', async () => {
    const store = new MemoryStore();
    await publishEndpoint(store, 'a', { url: 'https://127.0.0.1:1', token: 't1' });
    await publishEndpoint(store, 'a', { url: 'https://127.0.0.1:2', token: 't2' });
    assert.deepEqual(readEndpoint(store, 'a'), { url: 'https://127.0.0.1:2', token: 't2' });
    await publishEndpoint(store, 'b', { url: 'https://127.0.0.1:3', token: 't3' });
    assert.equal(readEndpoint(store, 'a'), undefined);
    await withdrawEndpoint(store, 'b');
    assert.equal(readEndpoint(store, 'b'), undefined);
  });

  it('API options become kubelet query names and back', () => {
    const api = new URL('https://x/api/v1/namespaces/ns/pods/p/exec?command=sh&command=-c&command=echo%20a%2Fb&stdin=true&stdout=true&tty=false&container=c');
    const path = kubeletPath({ kind: 'exec', namespace: 'ns', pod: 'p', container: 'c' }, api);
    assert.equal(path, '/exec/ns/p/c?command=sh&command=-c&command=echo+a%2Fb&input=1&output=1');
    const back = parseKubeletPath(path);
    assert.equal(back?.target.kind, 'exec');
    assert.deepEqual(back?.apiUrl.searchParams.getAll('command'), ['sh', '-c', 'echo a/b']);
    assert.equal(back?.apiUrl.searchParams.get('stdin'), 'true');
    assert.equal(back?.apiUrl.searchParams.get('tty'), null);
    assert.equal(back?.apiUrl.searchParams.get('container'), 'c');
    const proxy = kubeletPath({ kind: 'proxy', namespace: 'ns', target: 'web:http', path: '/a b/c/' }, new URL('https://x/?q=1'));
    assert.equal(proxy, '/podProxy/ns/web%3Ahttp/a%20b/c/?q=1');
    assert.deepEqual(parseKubeletPath(proxy)?.target, { kind: 'proxy', namespace: 'ns', target: 'web:http', path: '/a b/c/' });
    assert.equal(parseKubeletPath('/containerLogs/ns/p'), undefined);
  });
});
