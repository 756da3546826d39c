// The kubelet's HTTPS server, run by the process that runs the simulated nodes when the cluster spans several
// processes: API servers elsewhere reach pod logs, exec, attach, port-forward and the pods' simulated servers
// through it, as kube-apiserver reaches a node's kubelet on port 10250. It answers with the same pod stream
// handlers the API server uses when the nodes run in its own process, so the two paths behave alike.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError, errors } from '../../api/errors.js';
import { refuseUpgrade, sendError } from '../../apiserver/http-util.js';
import { execWithoutUpgrade, handlePodLog, handlePodProxy, type PodStreamDeps } from '../../apiserver/podstreams/index.js';
import { serveExecUpgrade } from '../../apiserver/podstreams/exec.js';
import { servePortForwardUpgrade } from '../../apiserver/podstreams/portforward.js';
import { parseKubeletPath } from './paths.js';
import { selfSignedCert } from './tls.js';

export interface KubeletServerOptions {
  /** Address to bind, e.g. 127.0.0.1. */
  address: string;
  /** 0 picks a free port. */
  port: number;
  /** The bearer token callers must present; a random one when absent. */
  token?: string;
  /** The node simulation's stream dependencies; undefined while it is starting (requests then get 503). */
  deps: () => PodStreamDeps | undefined;
  /** Serving certificate and key; a fresh self-signed pair when absent. */
  tls?: { cert: string; key: string };
}

export class KubeletServer {
  private readonly sockets = new Set<Duplex>();

  private constructor(
    private readonly server: https.Server,
    readonly url: string,
    readonly port: number,
    readonly token: string,
  ) {
    server.on('connection', (s: Duplex) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(opts: KubeletServerOptions): Promise<KubeletServer> {
    const token = opts.token ?? randomBytes(32).toString('base64url');
    const tls = opts.tls ?? (await selfSignedCert(opts.address));
    const expected = Buffer.from(`Bearer ${token}`);
    const authorized = (req: IncomingMessage): boolean => {
      const got = Buffer.from(String(req.headers.authorization ?? ''));
      return got.length === expected.length && timingSafeEqual(got, expected);
    };
    const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      if (!authorized(req)) return sendError(res, new ApiError(401, 'Unauthorized', 'Unauthorized'));
      void serveRequest(req, res, opts.deps()).catch((err) => sendError(res, err));
    });
    server.requestTimeout = 0;
    server.keepAliveTimeout = 120_000;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!authorized(req)) return refuseUpgrade(socket, new ApiError(401, 'Unauthorized', 'Unauthorized'));
      try {
        serveUpgrade(req, socket, head, opts.deps());
      } catch (err) {
        refuseUpgrade(socket, err);
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    // A wildcard bind is reachable on loopback at least; name a specific address to be reached from elsewhere.
    const reachable = addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address === '::' ? '::1' : addr.address;
    const host = addr.family === 'IPv6' ? `[${reachable}]` : reachable;
    return new KubeletServer(server, `https://${host}:${addr.port}`, addr.port, token);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }
}

function starting(): ApiError {
  return new ApiError(503, 'ServiceUnavailable', 'the kubelet is starting');
}

async function serveRequest(req: IncomingMessage, res: ServerResponse, deps: PodStreamDeps | undefined): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://kubelet');
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  const parsed = parseKubeletPath(req.url ?? '/');
  if (!parsed) throw errors.notFoundPath();
  if (!deps) throw starting();
  const { target, apiUrl } = parsed;
  switch (target.kind) {
    case 'log':
      if (req.method !== 'GET') throw errors.methodNotAllowed();
      return handlePodLog(req, res, apiUrl, target.namespace, target.pod, deps);
    case 'exec':
    case 'attach':
      return execWithoutUpgrade(deps, target.namespace, target.pod, apiUrl, target.kind);
    case 'portforward':
      deps.getPod(target.namespace, target.pod);
      throw errors.badRequest('Upgrade request required: port-forward needs a WebSocket (SPDY/3.1+portforward.k8s.io) or SPDY/3.1 upgrade');
    case 'proxy':
      return handlePodProxy(req, res, apiUrl, target.namespace, target.target, target.path, deps);
  }
}

function serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, deps: PodStreamDeps | undefined): void {
  const parsed = parseKubeletPath(req.url ?? '/');
  const target = parsed?.target;
  if (!parsed || !target || (target.kind !== 'exec' && target.kind !== 'attach' && target.kind !== 'portforward')) return refuseUpgrade(socket, errors.notFoundPath());
  if (!deps) return refuseUpgrade(socket, starting());
  if (target.kind === 'portforward') return servePortForwardUpgrade(req, socket, head, deps, target.namespace, target.pod);
  serveExecUpgrade(req, socket, head, deps, { namespace: target.namespace, name: target.pod, sub: target.kind, url: parsed.apiUrl });
}


