// Pod streams when the simulated nodes run in another process: find the kubelet of the pod's node (the Node's
// endpoint annotation names a record holding the kubelet server's URL and bearer token) and relay the request
// there, as kube-apiserver does. Logs and proxied HTTP go through as HTTP requests, streamed both ways; exec,
// attach and port-forward upgrades are forwarded with the kubelet path and the token, then the two connections
// are spliced into one byte pipe, so WebSocket, SPDY over WebSocket and plain SPDY all pass through untouched.
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { ApiError, errors } from '../../api/errors.js';
import type { ClusterLookup } from '../../kubelet/runtime/network.js';
import { KUBELET_ENDPOINT_ANNOTATION, type KubeletEndpoint } from '../../kubelet/server/endpoint-record.js';
import { kubeletPath, type KubeletRequest } from '../../kubelet/server/paths.js';
import { refuseUpgrade, sendError } from '../http-util.js';
import { pickContainer } from './deps.js';
import { serviceEndpoint, splitTarget } from './proxy.js';

export interface KubeletProxyDeps {
  /** The pod, or throws the API's NotFound error. */
  getPod(namespace: string, name: string): Pod;
  getNode(name: string): Node | undefined;
  /** The record an endpoint annotation names. */
  endpoint(record: string): KubeletEndpoint | undefined;
  /** Services and pods for services/NAME/proxy. */
  cluster?: ClusterLookup;
  /** How long connecting to a kubelet may take (default 5 s). */
  dialTimeoutMs?: number;
}

const UPGRADE_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/;
/** Request headers naming this hop's target or carrying the caller's credentials: never passed to the kubelet. */
const CALLER_ONLY = ['host', 'authorization', 'cookie', 'proxy-authorization'];
const UPGRADE_SKIP = new Set(CALLER_ONLY);
/** For plain requests, also the headers that describe this hop's connection. */
const HOP_REQUEST = new Set([...CALLER_ONLY, 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'accept-encoding']);
const HOP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'trailer', 'proxy-authenticate']);

export class KubeletProxy {
  constructor(private readonly deps: KubeletProxyDeps) {}

  /** The kubelet that runs a pod, or the error kube-apiserver gives when there is none to ask. */
  locate(pod: Pod): KubeletEndpoint {
    const name = pod.metadata?.name ?? '';
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
    const node = this.deps.getNode(nodeName);
    if (!node) throw new ApiError(404, 'NotFound', `nodes "${nodeName}" not found`, { name: nodeName, kind: 'nodes' });
    const record = node.metadata?.annotations?.[KUBELET_ENDPOINT_ANNOTATION];
    const ep = record ? this.deps.endpoint(record) : undefined;
    if (!ep) throw new ApiError(503, 'ServiceUnavailable', `no kubelet is serving node "${nodeName}" (is a kubeloop process with --role nodes or all running?)`);
    return ep;
  }

  /** pods/NAME/{log,exec,attach,portforward} without an upgrade: log streams; the others get the kubelet's
   * answer to a request that cannot upgrade. */
  async serveSubresource(req: IncomingMessage, res: ServerResponse, url: URL, namespace: string, name: string, sub: 'log' | 'exec' | 'attach' | 'portforward'): Promise<void> {
    const pod = this.deps.getPod(namespace, name);
    const ep = this.locate(pod);
    await this.forwardHttp(req, res, ep, kubeletPath(streamTarget(pod, sub, url), url));
  }

  /** pods/NAME[:PORT]/proxy[/PATH]. */
  async servePodProxy(req: IncomingMessage, res: ServerResponse, url: URL, namespace: string, target: string, path: string): Promise<void> {
    const pod = this.deps.getPod(namespace, splitTarget(target).name);
    const ep = this.locate(pod);
    await this.forwardHttp(req, res, ep, kubeletPath({ kind: 'proxy', namespace, target, path }, url));
  }

  /** services/NAME[:PORT]/proxy[/PATH]: a ready endpoint chosen here, then that pod's kubelet. */
  async serveServiceProxy(req: IncomingMessage, res: ServerResponse, url: URL, namespace: string, target: string, path: string): Promise<void> {
    if (!this.deps.cluster) throw errors.badRequest('services/proxy needs the cluster lookup');
    const { pod, port } = await serviceEndpoint(this.deps.cluster, namespace, target);
    const ep = this.locate(pod);
    const podTarget = `${pod.metadata?.name ?? ''}:${port}`;
    await this.forwardHttp(req, res, ep, kubeletPath({ kind: 'proxy', namespace: pod.metadata?.namespace ?? namespace, target: podTarget, path }, url));
  }

  /** The 'upgrade' handler for exec, attach and portforward; false when the request is none of them.
   * Authenticate before calling. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = UPGRADE_PATH.exec(url.pathname);
    if (!m) return false;
    let ep: KubeletEndpoint;
    let path: string;
    try {
      const pod = this.deps.getPod(decodeURIComponent(m[1] as string), decodeURIComponent(m[2] as string));
      ep = this.locate(pod);
      path = kubeletPath(streamTarget(pod, m[3] as 'exec' | 'attach' | 'portforward', url), url);
    } catch (err) {
      refuseUpgrade(socket, err);
      return true;
    }
    this.splice(req, socket, head, ep, path);
    return true;
  }

  private splice(req: IncomingMessage, socket: Duplex, head: Buffer, ep: KubeletEndpoint, path: string): void {
    const target = new URL(ep.url);
    const up = tls.connect({ host: target.hostname.replace(/^\[|\]$/g, ''), port: Number(target.port), rejectUnauthorized: false });
    let connected = false;
    up.setTimeout(this.deps.dialTimeoutMs ?? 5000);
    up.once('timeout', () => up.destroy(new Error(`dial tcp ${target.host}: i/o timeout`)));
    up.once('secureConnect', () => {
      connected = true;
      up.setTimeout(0);
      const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${target.host}`, `Authorization: Bearer ${ep.token}`];
      const raw = req.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const k = raw[i] as string;
        // The upgrade's own Connection header must reach the kubelet; the caller's credentials must not.
        if (UPGRADE_SKIP.has(k.toLowerCase())) continue;
        lines.push(`${k}: ${raw[i + 1] as string}`);
      }
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      socket.pipe(up);
      up.pipe(socket);
    });
    up.on('error', (err) => {
      if (!connected) refuseUpgrade(socket, new ApiError(500, '', `error dialing backend: ${dialError(err, target.host)}`));
      else socket.destroy();
    });
    up.on('close', () => {
      if (connected) socket.end();
    });
    socket.on('error', () => up.destroy());
    socket.on('close', () => up.destroy());
  }

  private forwardHttp(req: IncomingMessage, res: ServerResponse, ep: KubeletEndpoint, path: string): Promise<void> {
    const target = new URL(ep.url);
    const headers: Record<string, string | string[]> = { authorization: `Bearer ${ep.token}` };
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_REQUEST.has(k)) headers[k] = v;
    return new Promise<void>((resolve) => {
      let connected = false;
      const up = https.request(
        { host: target.hostname.replace(/^\[|\]$/g, ''), port: Number(target.port), method: req.method ?? 'GET', path, headers, rejectUnauthorized: false, agent: false },
        (answer) => {
          const out: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !HOP_RESPONSE.has(k)) out[k] = v;
          res.writeHead(answer.statusCode ?? 502, answer.statusMessage ?? '', out);
          // A following log stream flushes each line as it comes.
          res.flushHeaders();
          answer.pipe(res);
          answer.on('end', resolve);
          answer.on('error', () => {
            res.destroy();
            resolve();
          });
        },
      );
      up.on('socket', (s) => {
        s.setTimeout(this.deps.dialTimeoutMs ?? 5000);
        s.once('timeout', () => {
          if (!connected) up.destroy(new Error(`dial tcp ${target.host}: i/o timeout`));
        });
        s.once('secureConnect', () => {
          connected = true;
          s.setTimeout(0);
        });
      });
      up.on('error', (err) => {
        if (!res.headersSent) sendError(res, new ApiError(500, '', `${goMethod(req.method ?? 'GET')} "${ep.url}${path}": ${dialError(err, target.host)}`));
        else res.destroy();
        resolve();
      });
      // The caller went away (`kubectl logs -f` interrupted): stop the kubelet's stream too.
      res.on('close', () => {
        up.destroy();
        resolve();
      });
      req.pipe(up);
    });
  }
}

/** What kubectl's request names, as the kubelet request for the pod it resolved to. */
function streamTarget(pod: Pod, sub: 'log' | 'exec' | 'attach' | 'portforward', url: URL): KubeletRequest {
  const namespace = pod.metadata?.namespace ?? 'default';
  const name = pod.metadata?.name ?? '';
  if (sub === 'portforward') return { kind: 'portforward', namespace, pod: name };
  return { kind: sub, namespace, pod: name, container: pickContainer(pod, url.searchParams.get('container')) };
}

/** Go's url.Error spelling of a method ("Get"), which starts kube-apiserver's message for a failed request. */
function goMethod(m: string): string {
  return m.slice(0, 1) + m.slice(1).toLowerCase();
}

/** A connection error in Go's words, which is how kube-apiserver reports an unreachable kubelet. */
function dialError(err: Error, host: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return `dial tcp ${host}: connect: connection refused`;
  if (code === 'EHOSTUNREACH') return `dial tcp ${host}: connect: no route to host`;
  if (code === 'ECONNRESET') return `read tcp ${host}: read: connection reset by peer`;
  return err.message;
}
