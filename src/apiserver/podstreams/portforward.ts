// pods/NAME/portforward: kubectl 1.31+ opens a WebSocket with subprotocol `SPDY/3.1+portforward.k8s.io` and runs
// SPDY/3.1 inside it (each binary message carries bytes of the SPDY byte stream); older clients, and 1.31+ when
// the WebSocket upgrade fails, upgrade the HTTP connection to SPDY/3.1 itself (`Upgrade: SPDY/3.1`,
// `X-Stream-Protocol-Version: portforward.k8s.io`). Either way, for every local connection the client opens an
// error stream and a data stream (headers `streamtype`, `port`, `requestid`). The data stream's bytes are one TCP
// connection to the pod's port; here the pod's servers are simulated HTTP handlers, so we parse HTTP/1.1 requests
// from the bytes, ask the handler and write the answer back. Nothing listening: the kubelet's message on the error
// stream.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { errors } from '../../api/errors.js';
import { STATUS_TEXT, type HttpHandler } from '../../containers/http.js';
import { refuseUpgrade } from '../http-util.js';
import type { PodStreamDeps } from './deps.js';
import { FLAG_FIN, type Frame, FrameParser, FrameWriter, header, RstStatus } from './spdy.js';

const WS_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/;

const wss = new WebSocketServer({
  noServer: true,
  // The subprotocol's `/` is not a token character, so `ws` refuses the header as sent; the upgrade handler checks
  // it and hands `ws` a stand-in, and the answer names the real one.
  handleProtocols: (offered) => (offered.has(STAND_IN) ? WS_PROTOCOL : false),
});
const STAND_IN = 'portforward.k8s.io';

/** Finds the pod and checks it can forward; throws the API error kubectl prints. */
function resolvePod(deps: PodStreamDeps, namespace: string, name: string): Pod {
  const pod = deps.getPod(namespace, name);
  if (pod.status?.phase !== 'Running') throw errors.badRequest(`unable to upgrade connection: pod not running; current phase is ${pod.status?.phase ?? 'Pending'}`);
  return pod;
}

/** The 'upgrade' handler for portforward; false when the request is not one. Authenticate before calling. */
export function handlePortForwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, deps: PodStreamDeps): boolean {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const m = PATH.exec(url.pathname);
  if (!m) return false;
  servePortForwardUpgrade(req, socket, head, deps, decodeURIComponent(m[1] as string), decodeURIComponent(m[2] as string));
  return true;
}

/** Runs a port-forward session for a request already routed (the API path, or the kubelet's /portForward). */
export function servePortForwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, deps: PodStreamDeps, ns: string, name: string): void {
  let pod: Pod;
  try {
    pod = resolvePod(deps, ns, name);
  } catch (err) {
    refuseUpgrade(socket, err);
    return;
  }
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (!offered.includes(WS_PROTOCOL)) {
      refuseUpgrade(socket, errors.badRequest(`unable to upgrade connection: port-forward over WebSocket needs subprotocol ${WS_PROTOCOL}`));
      return;
    }
    req.headers['sec-websocket-protocol'] = STAND_IN;
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const session = new PortForwardSession(deps, pod, (b) => ws.readyState === ws.OPEN && ws.send(b, { binary: true }), () => ws.close(1000));
      ws.on('message', (data: Buffer) => session.receive(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer)));
      ws.on('close', () => session.closed());
      ws.on('error', () => session.closed());
    });
    return;
  }
  if (upgrade.startsWith('spdy/3.1')) {
    const versions = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((s) => s.trim());
    if (versions.length && versions[0] !== '' && !versions.includes('portforward.k8s.io')) {
      refuseUpgrade(socket, errors.badRequest('unable to upgrade connection: no supported stream protocol version (portforward.k8s.io)'));
      return;
    }
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n');
    const session = new PortForwardSession(deps, pod, (b) => !socket.destroyed && socket.write(b), () => socket.end());
    if (head.length) session.receive(head);
    socket.on('data', (b: Buffer) => session.receive(b));
    socket.on('close', () => session.closed());
    socket.on('error', () => session.closed());
    return;
  }
  refuseUpgrade(socket, errors.badRequest(`unable to upgrade connection: unsupported upgrade ${JSON.stringify(req.headers.upgrade ?? '')}`));
}

interface Pair {
  port: number;
  errorId?: number;
  dataId?: number;
  conn?: HttpConnection;
}

/** One SPDY session: the streams kubectl opens and the simulated connections behind them. */
export class PortForwardSession {
  private readonly parser = new FrameParser();
  private readonly writer = new FrameWriter();
  private readonly pairs = new Map<string, Pair>();
  /** stream id → request id */
  private readonly streams = new Map<number, string>();
  private lastStreamId = 0;
  private done = false;

  constructor(
    private readonly deps: PodStreamDeps,
    private readonly pod: Pod,
    private readonly send: (b: Buffer) => unknown,
    private readonly end: () => void,
  ) {}

  receive(chunk: Buffer): void {
    if (this.done) return;
    if (process.env.KUBELOOP_DEBUG_SPDY) console.error('spdy <-', chunk.toString('hex'));
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch {
      this.send(this.writer.goaway(this.lastStreamId, 1));
      this.finish();
      return;
    }
    for (const f of frames) {
      if (process.env.KUBELOOP_DEBUG_SPDY) console.error('spdy frame', JSON.stringify(f));
      this.frame(f);
    }
  }

  closed(): void {
    this.done = true;
    for (const p of this.pairs.values()) p.conn?.close();
    this.pairs.clear();
  }

  private finish(): void {
    this.closed();
    this.end();
  }

  private frame(f: Frame): void {
    switch (f.type) {
      case 'syn_stream':
        return this.synStream(f.streamId, f.headers, f.flags);
      case 'data': {
        const rid = this.streams.get(f.streamId);
        const pair = rid === undefined ? undefined : this.pairs.get(rid);
        if (!pair) return;
        if (f.streamId === pair.dataId && pair.conn) {
          if (f.data.length) pair.conn.input(f.data);
          if (f.flags & FLAG_FIN) pair.conn.inputEnded();
        }
        return;
      }
      case 'rst_stream': {
        const rid = this.streams.get(f.streamId);
        if (rid === undefined) return;
        const pair = this.pairs.get(rid);
        if (pair?.dataId === f.streamId) pair.conn?.close();
        this.streams.delete(f.streamId);
        return;
      }
      case 'ping':
        this.send(this.writer.ping(f.id));
        return;
      case 'goaway':
        this.finish();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE, HEADERS, SYN_REPLY: nothing to do (spdystream does no flow control either).
        return;
    }
  }

  private synStream(id: number, headers: Record<string, string[]>, flags: number): void {
    this.lastStreamId = Math.max(this.lastStreamId, id);
    const type = header(headers, 'streamtype');
    const portText = header(headers, 'port') ?? '';
    const port = Number(portText);
    const rid = header(headers, 'requestid') ?? `port-${portText}`;
    if ((type !== 'data' && type !== 'error') || !/^\d+$/.test(portText) || port < 1 || port > 65535) {
      this.send(this.writer.rstStream(id, RstStatus.PROTOCOL_ERROR));
      return;
    }
    this.send(this.writer.synReply(id, {}, 0));
    this.streams.set(id, rid);
    const pair = this.pairs.get(rid) ?? { port };
    this.pairs.set(rid, pair);
    if (type === 'error') pair.errorId = id;
    else pair.dataId = id;
    void flags;
    if (pair.errorId !== undefined && pair.dataId !== undefined && !pair.conn) this.connect(rid, pair);
  }

  private connect(rid: string, pair: Pair): void {
    const dataId = pair.dataId as number;
    const errorId = pair.errorId as number;
    const ns = this.pod.metadata?.namespace ?? 'default';
    const name = this.pod.metadata?.name ?? '';
    const handler = this.deps.containers.servers(ns, name)?.get(pair.port);
    const closeBoth = () => {
      if (this.done) return;
      this.send(this.writer.data(dataId, Buffer.alloc(0), true));
      this.send(this.writer.data(errorId, Buffer.alloc(0), true));
      this.pairs.delete(rid);
      this.streams.delete(dataId);
      this.streams.delete(errorId);
    };
    if (!handler) {
      const uid = this.pod.metadata?.uid ?? '';
      const netns = `/var/run/netns/cni-${uid.slice(0, 8)}-${uid.slice(9, 13)}-${uid.slice(14, 18)}-${uid.slice(19, 23)}-${uid.slice(24)}`;
      const msg =
        `error forwarding port ${pair.port} to pod ${uid.replace(/-/g, '')}, uid : failed to execute portforward in network namespace "${netns}": ` +
        `failed to connect to localhost:${pair.port} inside namespace "${uid.replace(/-/g, '')}", IPv4: dial tcp4 127.0.0.1:${pair.port}: connect: connection refused ` +
        `IPv6 dial tcp6 [::1]:${pair.port}: connect: connection refused `;
      this.send(this.writer.data(errorId, Buffer.from(msg), true));
      this.send(this.writer.data(dataId, Buffer.alloc(0), true));
      this.pairs.delete(rid);
      return;
    }
    pair.conn = new HttpConnection(handler, `127.0.0.1:${pair.port}`, (b) => !this.done && this.send(this.writer.data(dataId, b)), closeBoth);
  }
}

/**
 * One forwarded TCP connection to a simulated HTTP server: requests are parsed from the bytes as they arrive and
 * answered in order; `Connection: close` or the client's end of input ends it.
 */
export class HttpConnection {
  private buf = Buffer.alloc(0);
  private closed = false;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly handler: HttpHandler,
    private readonly host: string,
    private readonly write: (b: Buffer) => unknown,
    private readonly onClose: () => void,
  ) {}

  input(b: Buffer): void {
    if (this.closed) return;
    this.buf = Buffer.concat([this.buf, b]);
    this.busy = this.busy.then(() => this.drain());
  }

  inputEnded(): void {
    this.busy = this.busy.then(() => this.close());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }

  private async drain(): Promise<void> {
    while (!this.closed) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buf.subarray(0, end).toString('latin1').split('\r\n');
      const [method = 'GET', target = '/', version = 'HTTP/1.1'] = (head[0] ?? '').split(' ');
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const len = Number(headers['content-length'] ?? 0) || 0;
      if (this.buf.length < end + 4 + len) return;
      const body = this.buf.subarray(end + 4, end + 4 + len).toString('utf8');
      this.buf = this.buf.subarray(end + 4 + len);
      const answer = await this.handler({
        method,
        path: target,
        headers: { host: headers.host ?? this.host, 'user-agent': headers['user-agent'] ?? '-', ...headers },
        remote: '127.0.0.1',
        ...(body ? { body } : {}),
      });
      const close = (headers.connection ?? '').toLowerCase() === 'close' || version === 'HTTP/1.0';
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(answer.headers)) if (!/^(connection|content-length|transfer-encoding)$/i.test(k)) out[k] = v;
      const bodyBuf = Buffer.from(answer.body, 'utf8');
      const lines = [`HTTP/1.1 ${answer.status} ${STATUS_TEXT[answer.status] ?? ''}`];
      for (const [k, v] of Object.entries(out)) lines.push(`${k}: ${v}`);
      const declared = Object.entries(answer.headers).find(([k]) => k.toLowerCase() === 'content-length')?.[1];
      lines.push(`Content-Length: ${method === 'HEAD' && declared ? declared : bodyBuf.length}`, `Connection: ${close ? 'close' : 'keep-alive'}`);
      const wire = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), method === 'HEAD' ? Buffer.alloc(0) : bodyBuf]);
      this.write(wire);
      if (close) {
        this.close();
        return;
      }
    }
  }
}
