// The SPDY/3.1 framing kubectl's port-forward speaks (client-go runs moby/spdystream over a WebSocket tunnel):
// a frame parser fed with bytes as they arrive, encoders for the frames a server sends, and the header blocks,
// which are zlib streams with the SPDY/3 dictionary and one compression context per direction for the whole
// session. We inflate the client's blocks by re-inflating the session's compressed history (header blocks are
// few and small: two per forwarded connection), and deflate ours as stored blocks, which any zlib reader takes.
import zlib from 'node:zlib';

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

export const RstStatus = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6 } as const;

/** Header names are lowercase; a header with several values carries them NUL-separated. */
export type Headers = Record<string, string[]>;

export type Frame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; flags: number; streamId: number; associatedId: number; priority: number; headers: Headers }
  | { type: 'syn_reply'; flags: number; streamId: number; headers: Headers }
  | { type: 'headers'; flags: number; streamId: number; headers: Headers }
  | { type: 'rst_stream'; flags: number; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: Array<{ flags: number; id: number; value: number }> }
  | { type: 'ping'; flags: number; id: number }
  | { type: 'goaway'; flags: number; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; flags: number; streamId: number; delta: number }
  | { type: 'unknown'; flags: number; frameType: number; data: Buffer };

const WORDS = ['options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language', 'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer', 'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning', 'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin'];
const TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden' +
  '404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,' +
  'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

/** The SPDY/3 header compression dictionary (draft 3, section 2.6.10.1): 1423 bytes. */
export const SPDY_DICTIONARY: Buffer = Buffer.concat([
  ...WORDS.flatMap((w) => [u32(w.length), Buffer.from(w, 'latin1')]),
  Buffer.from(TAIL, 'latin1'),
]);

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export function encodeHeaderBlock(headers: Headers): Buffer {
  const parts: Buffer[] = [u32(Object.keys(headers).length)];
  for (const [k, vs] of Object.entries(headers)) {
    const name = Buffer.from(k.toLowerCase(), 'utf8');
    const value = Buffer.from(vs.join('\0'), 'utf8');
    parts.push(u32(name.length), name, u32(value.length), value);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(buf: Buffer): Headers {
  const out: Headers = {};
  let off = 0;
  const need = (n: number) => {
    if (off + n > buf.length) throw new Error('spdy: truncated header block');
  };
  need(4);
  const count = buf.readUInt32BE(off);
  off += 4;
  for (let i = 0; i < count; i++) {
    need(4);
    const nl = buf.readUInt32BE(off);
    off += 4;
    need(nl);
    const name = buf.subarray(off, off + nl).toString('utf8');
    off += nl;
    need(4);
    const vl = buf.readUInt32BE(off);
    off += 4;
    need(vl);
    const value = buf.subarray(off, off + vl).toString('utf8');
    off += vl;
    out[name] = [...(out[name] ?? []), ...value.split('\0')];
  }
  return out;
}

/** The server's header compressor: a zlib stream (dictionary announced) of stored blocks, each header block
 * sync-flushed. */
export class HeaderDeflater {
  private started = false;
  compress(headers: Headers): Buffer {
    const raw = encodeHeaderBlock(headers);
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      // CMF 0x78 (deflate, 32K window); FLG: FDICT set, FLEVEL 0, FCHECK so that CMF*256+FLG is a multiple of 31.
      const flg0 = 0x20;
      const fcheck = 31 - ((0x78 * 256 + flg0) % 31);
      parts.push(Buffer.from([0x78, flg0 | (fcheck % 31)]), u32(adler32(SPDY_DICTIONARY)));
    }
    for (let off = 0; off < raw.length || off === 0; off += 0xffff) {
      const chunk = raw.subarray(off, off + 0xffff);
      const hdr = Buffer.alloc(5);
      hdr[0] = 0; // BFINAL 0, BTYPE 00 (stored); byte-aligned
      hdr.writeUInt16LE(chunk.length, 1);
      hdr.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(hdr, chunk);
      if (raw.length === 0) break;
    }
    // An empty stored block, as a sync flush ends with: readers (Go's flate) hand out what they have only there.
    parts.push(Buffer.from([0, 0, 0, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

/** The client's header decompressor: one zlib context across the session's header blocks. */
export class HeaderInflater {
  private readonly history: Buffer[] = [];
  private produced = 0;
  decompress(block: Buffer): Headers {
    this.history.push(block);
    const all = zlib.inflateSync(Buffer.concat(this.history), { dictionary: SPDY_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const mine = all.subarray(this.produced);
    this.produced = all.length;
    return decodeHeaderBlock(mine);
  }
}

/** Splits a byte stream into frames. Header blocks are decompressed here, in arrival order. */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);
  private readonly inflater = new HeaderInflater();

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + len) break;
      const head = this.buf.subarray(0, 8);
      const body = this.buf.subarray(8, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      frames.push(this.frame(head, Buffer.from(body)));
    }
    return frames;
  }

  private frame(head: Buffer, body: Buffer): Frame {
    const flags = head[4] as number;
    if (((head[0] as number) & 0x80) === 0) return { type: 'data', streamId: head.readUInt32BE(0) & 0x7fffffff, flags, data: body };
    const version = head.readUInt16BE(0) & 0x7fff;
    if (version !== SPDY_VERSION) throw new Error(`spdy: unsupported version ${version}`);
    const type = head.readUInt16BE(2);
    const sid = () => body.readUInt32BE(0) & 0x7fffffff;
    switch (type) {
      case FrameType.SYN_STREAM:
        return { type: 'syn_stream', flags, streamId: sid(), associatedId: body.readUInt32BE(4) & 0x7fffffff, priority: (body[8] as number) >> 5, headers: this.inflater.decompress(body.subarray(10)) };
      case FrameType.SYN_REPLY:
        return { type: 'syn_reply', flags, streamId: sid(), headers: this.inflater.decompress(body.subarray(4)) };
      case FrameType.HEADERS:
        return { type: 'headers', flags, streamId: sid(), headers: this.inflater.decompress(body.subarray(4)) };
      case FrameType.RST_STREAM:
        return { type: 'rst_stream', flags, streamId: sid(), status: body.readUInt32BE(4) };
      case FrameType.SETTINGS: {
        const n = body.readUInt32BE(0);
        const entries = [];
        for (let i = 0; i < n; i++) {
          const o = 4 + i * 8;
          entries.push({ flags: body[o] as number, id: body.readUIntBE(o + 1, 3), value: body.readUInt32BE(o + 4) });
        }
        return { type: 'settings', flags, entries };
      }
      case FrameType.PING:
        return { type: 'ping', flags, id: body.readUInt32BE(0) };
      case FrameType.GOAWAY:
        return { type: 'goaway', flags, lastGoodStreamId: sid(), status: body.length >= 8 ? body.readUInt32BE(4) : 0 };
      case FrameType.WINDOW_UPDATE:
        return { type: 'window_update', flags, streamId: sid(), delta: body.readUInt32BE(4) & 0x7fffffff };
      default:
        return { type: 'unknown', flags, frameType: type, data: body };
    }
  }
}

function control(type: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head[4] = flags;
  head.writeUIntBE(body.length, 5, 3);
  return Buffer.concat([head, body]);
}

/** Encodes the frames a server sends; owns the session's header compressor. */
export class FrameWriter {
  private readonly deflater = new HeaderDeflater();

  data(streamId: number, data: Buffer, fin = false): Buffer {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(streamId & 0x7fffffff, 0);
    head[4] = fin ? FLAG_FIN : 0;
    head.writeUIntBE(data.length, 5, 3);
    return Buffer.concat([head, data]);
  }

  synStream(streamId: number, headers: Headers, flags = 0): Buffer {
    const body = Buffer.concat([u32(streamId), u32(0), Buffer.from([0, 0]), this.deflater.compress(headers)]);
    return control(FrameType.SYN_STREAM, flags, body);
  }

  synReply(streamId: number, headers: Headers = {}, flags = 0): Buffer {
    return control(FrameType.SYN_REPLY, flags, Buffer.concat([u32(streamId), this.deflater.compress(headers)]));
  }

  rstStream(streamId: number, status: number): Buffer {
    return control(FrameType.RST_STREAM, 0, Buffer.concat([u32(streamId), u32(status)]));
  }

  settings(entries: Array<{ flags?: number; id: number; value: number }>): Buffer {
    const parts = [u32(entries.length)];
    for (const e of entries) {
      const b = Buffer.alloc(8);
      b[0] = e.flags ?? 0;
      b.writeUIntBE(e.id, 1, 3);
      b.writeUInt32BE(e.value, 4);
      parts.push(b);
    }
    return control(FrameType.SETTINGS, 0, Buffer.concat(parts));
  }

  ping(id: number): Buffer {
    return control(FrameType.PING, 0, u32(id));
  }

  goaway(lastGoodStreamId: number, status = 0): Buffer {
    return control(FrameType.GOAWAY, 0, Buffer.concat([u32(lastGoodStreamId), u32(status)]));
  }

  windowUpdate(streamId: number, delta: number): Buffer {
    return control(FrameType.WINDOW_UPDATE, 0, Buffer.concat([u32(streamId), u32(delta)]));
  }
}

/** A header's first value. */
export function header(h: Headers, name: string): string | undefined {
  return h[name.toLowerCase()]?.[0];
}
