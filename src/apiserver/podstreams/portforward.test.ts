// The forwarded connection to a simulated HTTP server: requests parsed from bytes as they arrive (split anywhere,
// pipelined), keep-alive, HEAD, Connection: close; and a SPDY session end to end with a scripted client.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { HttpHandler } from '../../containers/http.js';
import type { PodStreamDeps } from './deps.js';
import { HttpConnection, PortForwardSession } from './portforward.js';
import { FLAG_FIN, FrameParser, FrameType, SPDY_DICTIONARY, header } from './spdy.js';

const page: HttpHandler = (req) => ({ status: req.path === '/' ? 200 : 404, headers: { 'Content-Type': 'text/plain', 'Content-Length': '3' }, body: req.method === 'HEAD' ? '' : `${req.path === '/' ? 'hi!' : 'no!'}` });
const tick = () => new Promise((r) => setImmediate(r));

test('HttpConnection answers pipelined requests split at any byte, HEAD, then Connection: close', async () => {
  let out = '';
  let closed = false;
  const conn = new HttpConnection(page, '127.0.0.1:80', (b) => (out += b.toString()), () => (closed = true));
  const wire = 'GET / HTTP/1.1\r\nHost: x\r\n\r\nHEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nConnection: close\r\n\r\n';
  for (const ch of wire) conn.input(Buffer.from(ch));
  for (let i = 0; i < 20; i++) await tick();
  const answers = out.split('HTTP/1.1 ').slice(1);
  assert.equal(answers.length, 3);
  assert.match(answers[0] as string, /^200 OK\r\n[\s\S]*Content-Length: 3\r\nConnection: keep-alive\r\n\r\nhi!$/);
  assert.match(answers[1] as string, /^404 Not Found\r\n[\s\S]*Content-Length: 3\r\n[\s\S]*\r\n\r\n$/);
  assert.match(answers[2] as string, /Connection: close\r\n\r\nhi!$/);
  assert.ok(closed);
});

function clientFrames() {
  const d = zlib.createDeflate({ dictionary: SPDY_DICTIONARY });
  const chunks: Buffer[] = [];
  d.on('data', (b: Buffer) => chunks.push(b));
  const block = (h: Record<string, string>) =>
    new Promise<Buffer>((res) => {
      const parts: Buffer[] = [];
      const u32 = (n: number) => {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(n);
        return b;
      };
      parts.push(u32(Object.keys(h).length));
      for (const [k, v] of Object.entries(h)) parts.push(u32(k.length), Buffer.from(k), u32(v.length), Buffer.from(v));
      d.write(Buffer.concat(parts));
      d.flush(zlib.constants.Z_SYNC_FLUSH, () => res(Buffer.concat(chunks.splice(0))));
    });
  return {
    async syn(id: number, h: Record<string, string>) {
      const b = await block(h);
      const head = Buffer.alloc(18);
      head.writeUInt16BE(0x8003, 0);
      head.writeUInt16BE(FrameType.SYN_STREAM, 2);
      head.writeUIntBE(10 + b.length, 5, 3);
      head.writeUInt32BE(id, 8);
      return Buffer.concat([head, b]);
    },
    data(id: number, text: string, fin = false) {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(id, 0);
      head[4] = fin ? FLAG_FIN : 0;
      head.writeUIntBE(Buffer.byteLength(text), 5, 3);
      return Buffer.concat([head, Buffer.from(text)]);
    },
  };
}

test('a SPDY session: SYN_REPLY for both streams, the answer on the data stream, FIN on both; refused port on the error stream', async () => {
  const pod = { metadata: { name: 'web', namespace: 'default', uid: '4898fcd5-5f39-4897-9f93-3a9daddae05d' }, status: { phase: 'Running' } } as Pod;
  const servers = new Map<number, HttpHandler>([[80, page]]);
  const deps = { containers: { servers: () => servers } } as unknown as PodStreamDeps;
  const sent: Buffer[] = [];
  const session = new PortForwardSession(deps, pod, (b) => sent.push(b), () => {});
  const c = clientFrames();
  session.receive(await c.syn(1, { streamtype: 'error', port: '80', requestid: '0' }));
  session.receive(await c.syn(3, { streamtype: 'data', port: '80', requestid: '0' }));
  session.receive(c.data(3, 'GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n'));
  session.receive(c.data(3, '', true));
  session.receive(await c.syn(5, { streamtype: 'error', port: '81', requestid: '1' }));
  session.receive(await c.syn(7, { streamtype: 'data', port: '81', requestid: '1' }));
  for (let i = 0; i < 20; i++) await tick();
  const frames = new FrameParser().push(Buffer.concat(sent));
  const replies = frames.filter((f) => f.type === 'syn_reply').map((f) => (f.type === 'syn_reply' ? f.streamId : 0));
  assert.deepEqual(replies, [1, 3, 5, 7]);
  const data = (id: number) => frames.filter((f) => f.type === 'data' && f.streamId === id) as Array<{ data: Buffer; flags: number }>;
  assert.match(Buffer.concat(data(3).map((f) => f.data)).toString(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*hi!$/);
  assert.ok(data(3).some((f) => f.flags & FLAG_FIN));
  assert.ok(data(1).some((f) => f.flags & FLAG_FIN));
  assert.match(Buffer.concat(data(5).map((f) => f.data)).toString(), /error forwarding port 81 to pod .*connection refused/);
  assert.equal(header({ a: ['b'] }, 'A'), 'b');
});
