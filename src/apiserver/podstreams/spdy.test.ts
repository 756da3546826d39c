// SPDY/3.1 framing: header blocks through zlib with the SPDY dictionary (both directions, several blocks on one
// context), data, control frames and a byte stream split at awkward places.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { FLAG_FIN, FrameParser, FrameType, FrameWriter, SPDY_DICTIONARY, adler32, header } from './spdy.js';

/** A client-side compressor like Go's: one deflate context, each block sync-flushed. */
function clientDeflater() {
  const d = zlib.createDeflate({ dictionary: SPDY_DICTIONARY, level: 9 });
  const out: Buffer[] = [];
  d.on('data', (b: Buffer) => out.push(b));
  return (raw: Buffer) =>
    new Promise<Buffer>((resolve) => {
      d.write(raw);
      d.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve(Buffer.concat(out.splice(0))));
    });
}

function rawHeaders(h: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  parts.push(u32(Object.keys(h).length));
  for (const [k, v] of Object.entries(h)) parts.push(u32(k.length), Buffer.from(k), u32(v.length), Buffer.from(v));
  return Buffer.concat(parts);
}

function synStream(id: number, block: Buffer): Buffer {
  const body = Buffer.alloc(10);
  body.writeUInt32BE(id, 0);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(FrameType.SYN_STREAM, 2);
  head.writeUIntBE(10 + block.length, 5, 3);
  return Buffer.concat([head, body, block]);
}

test('the dictionary is the spec one (1423 bytes, ends enq=0.)', () => {
  assert.equal(SPDY_DICTIONARY.length, 1423);
  assert.equal(SPDY_DICTIONARY.subarray(-6).toString(), 'enq=0.');
  assert.equal(adler32(Buffer.from('Wikipedia')), 0x11e60398);
});

test('parses SYN_STREAMs whose header blocks share one zlib context, fed a byte at a time', async () => {
  const deflate = clientDeflater();
  const a = synStream(1, await deflate(rawHeaders({ streamtype: 'error', port: '80', requestid: '0' })));
  const b = synStream(3, await deflate(rawHeaders({ streamtype: 'data', port: '80', requestid: '0' })));
  const p = new FrameParser();
  const frames = [];
  for (const byte of Buffer.concat([a, b])) frames.push(...p.push(Buffer.from([byte])));
  assert.equal(frames.length, 2);
  const [f1, f2] = frames;
  assert.ok(f1?.type === 'syn_stream' && f2?.type === 'syn_stream');
  assert.equal(f1.streamId, 1);
  assert.equal(header(f1.headers, 'streamtype'), 'error');
  assert.equal(f2.streamId, 3);
  assert.equal(header(f2.headers, 'streamtype'), 'data');
  assert.equal(header(f2.headers, 'port'), '80');
});

test('our header blocks inflate with a standard zlib reader, across several blocks', async () => {
  const w = new FrameWriter();
  const r1 = w.synReply(1, { a: ['1'] });
  const r2 = w.synReply(3, { b: ['x', 'y'] });
  // A reader that keeps its context: feed both blocks through one inflate stream.
  const inf = zlib.createInflate({ dictionary: SPDY_DICTIONARY });
  const chunks: Buffer[] = [];
  inf.on('data', (b: Buffer) => chunks.push(b));
  const feed = (buf: Buffer) => new Promise<Buffer>((res) => {
    inf.write(buf);
    inf.flush(zlib.constants.Z_SYNC_FLUSH, () => res(Buffer.concat(chunks.splice(0))));
  });
  assert.deepEqual(await feed(r1.subarray(12)), rawHeaders({ a: '1' }));
  assert.deepEqual(await feed(r2.subarray(12)), rawHeaders({ b: 'x\0y' }));
  // And our own parser reads them back as frames.
  const p = new FrameParser();
  const frames = p.push(Buffer.concat([r1, r2, w.data(3, Buffer.from('hi'), true), w.ping(7), w.rstStream(3, 5), w.goaway(3), w.windowUpdate(1, 100), w.settings([{ id: 7, value: 65536 }])]));
  assert.deepEqual(frames.map((f) => f.type), ['syn_reply', 'syn_reply', 'data', 'ping', 'rst_stream', 'goaway', 'window_update', 'settings']);
  const d = frames[2];
  assert.ok(d?.type === 'data');
  assert.equal(d.data.toString(), 'hi');
  assert.equal(d.flags, FLAG_FIN);
  const b = frames[1];
  assert.ok(b?.type === 'syn_reply');
  assert.deepEqual(b.headers, { b: ['x', 'y'] });
  const s = frames[7];
  assert.ok(s?.type === 'settings');
  assert.deepEqual(s.entries, [{ flags: 0, id: 7, value: 65536 }]);
});
