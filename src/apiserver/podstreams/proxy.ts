// pods/NAME[:PORT]/proxy/PATH and services/NAME[:PORT]/proxy/PATH: the API server forwards the request to a
// simulated server, a pod's own or one of a service's ready endpoints, and relays its answer. Failures read as
// kube-apiserver words them (503 with a Status).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { ApiError, errors } from '../../api/errors.js';
import { STATUS_TEXT } from '../../containers/http.js';
import { type ClusterLookup, ServiceRouter } from '../../kubelet/runtime/network.js';
import type { PodStreamDeps } from './deps.js';

/** `name`, `name:port` or `scheme:name:port`. */
export function splitTarget(raw: string): { name: string; port?: string } {
  const parts = raw.split(':');
  if (parts.length === 3) return { name: parts[1] as string, ...(parts[2] ? { port: parts[2] } : {}) };
  return { name: parts[0] as string, ...(parts[1] ? { port: parts[1] } : {}) };
}

function unavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

/** Forwards to the server on `port` of pod `ns/name`, or throws the error the client should see. */
async function forward(req: IncomingMessage, res: ServerResponse, url: URL, deps: PodStreamDeps, pod: Pod, port: number, path: string): Promise<void> {
  const ns = pod.metadata?.namespace ?? 'default';
  const ip = pod.status?.podIP;
  const handler = deps.containers.servers(ns, pod.metadata?.name ?? '')?.get(port);
  if (!ip || !handler) throw unavailable(`error trying to reach service: dial tcp ${ip ?? ''}:${port}: connect: connection refused`);
  const body = await readBody(req);
  const answer = await handler({
    method: req.method ?? 'GET',
    path: `${path.startsWith('/') ? path : `/${path}`}${url.search}`,
    headers: { host: `${ip}:${port}`, 'user-agent': String(req.headers['user-agent'] ?? 'Go-http-client/1.1') },
    remote: pod.status?.hostIP ?? '127.0.0.1',
    ...(body ? { body } : {}),
  });
  res.writeHead(answer.status, STATUS_TEXT[answer.status] ?? '', { ...answer.headers, 'Content-Length': String(Buffer.byteLength(answer.body)) });
  res.end(answer.body);
}

function podPort(pod: Pod, port: string | undefined): number {
  if (port === undefined) return 80;
  if (/^\d+$/.test(port)) return Number(port);
  for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === port) return p.containerPort;
  throw unavailable(`error trying to reach service: no port named ${JSON.stringify(port)} in pod ${pod.metadata?.name}`);
}

/** GET (or any method) pods/NAME[:PORT]/proxy[/PATH]. `target` is the NAME[:PORT] segment. */
export async function handlePodProxy(req: IncomingMessage, res: ServerResponse, url: URL, namespace: string, target: string, path: string, deps: PodStreamDeps): Promise<void> {
  const { name, port } = splitTarget(target);
  const pod = deps.getPod(namespace, name);
  await forward(req, res, url, deps, pod, podPort(pod, port), path);
}

/** services/NAME[:PORT]/proxy[/PATH]: one ready endpoint of the service, the port by name or number. */
export async function handleServiceProxy(req: IncomingMessage, res: ServerResponse, url: URL, namespace: string, target: string, path: string, deps: PodStreamDeps): Promise<void> {
  if (!deps.cluster) throw errors.badRequest('services/proxy needs the cluster lookup (PodStreamDeps.cluster)');
  const ep = await serviceEndpoint(deps.cluster, namespace, target);
  await forward(req, res, url, deps, ep.pod, ep.port, path);
}

/** The ready pod and port a services/NAME[:PORT]/proxy request goes to, or the error the client should see. */
export async function serviceEndpoint(cluster: ClusterLookup, namespace: string, target: string): Promise<{ pod: Pod; port: number }> {
  const { name, port } = splitTarget(target);
  const svc: Service | undefined = await cluster.service(namespace, name);
  if (!svc) throw new ApiError(404, 'NotFound', `services "${name}" not found`, { name, kind: 'services' });
  const ports = svc.spec?.ports ?? [];
  const sp = port === undefined ? ports[0] : ports.find((p) => p.name === port || String(p.port) === port);
  if (!sp) throw unavailable(`no endpoints available for service "${name}"`);
  const ep = await routerFor(cluster).pick(svc, sp);
  if (!ep) throw unavailable(`no endpoints available for service "${name}"`);
  return ep;
}

const routers = new WeakMap<object, ServiceRouter>();

function routerFor(lookup: ClusterLookup): ServiceRouter {
  let r = routers.get(lookup);
  if (!r) routers.set(lookup, (r = new ServiceRouter(lookup)));
  return r;
}
