// Subresources: status, scale, pods/binding, pods/eviction, namespaces/finalize, and the pod streams that the
// node simulation will serve (log, exec, attach, portforward).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceDescriptor } from '../api/descriptor.js';
import { errors } from '../api/errors.js';
import { clone } from '../api/meta.js';
import type { KubeObject } from '../api/types.js';
import { type HandlerDeps, readPatch, writesDurable } from './handler.js';
import { addWarnings, parseBody, readBody, sendJson } from './http-util.js';
import type { ResourceRoute } from './route.js';
import type { WriteOptions } from './storage/options.js';
import { applyPatch } from './storage/patch.js';
import { execWithoutUpgrade, handlePodLog, handlePodProxy, handleServiceProxy } from './podstreams/index.js';
import { handleEviction } from './eviction.js';

function opts(url: URL, req?: IncomingMessage): WriteOptions {
  const o: WriteOptions = {};
  if (url.searchParams.getAll('dryRun').includes('All')) o.dryRun = true;
  // The field manager (and its User-Agent default) of the managedFields entry this write records.
  const fm = url.searchParams.get('fieldManager');
  if (fm) o.fieldManager = fm;
  const ua = req?.headers['user-agent'];
  if (ua) o.userAgent = ua;
  const force = url.searchParams.get('force');
  if (force !== null) o.force = force === 'true' || force === '1' || force === '';
  const fv = url.searchParams.get('fieldValidation');
  if (fv === 'Strict' || fv === 'Warn' || fv === 'Ignore') o.fieldValidation = fv;
  return o;
}

function subresourceVerbs(d: ResourceDescriptor, name: string): string[] | undefined {
  return d.subresources.find((s) => s.name === name)?.verbs;
}

export async function handleSubresource(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, url: URL, method: string, r: ResourceRoute): Promise<void> {
  const d = r.descriptor;
  const ns = d.namespaced ? r.namespace : undefined;
  const name = r.name as string;
  const sub = r.subresource as string;
  const isNamespace = d.group === '' && d.kind === 'Namespace';
  if (isNamespace && sub === 'finalize' && method === 'PUT') {
    const body = parseBody(await readBody(req), req.headers['content-type']) as KubeObject;
    const finalizers = ((body.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).slice();
    const obj = await deps.storage.mutate(d, ns, name, (o) => {
      o.spec = { ...((o.spec as object) ?? {}), finalizers };
      if (finalizers.length === 0) delete (o.spec as { finalizers?: string[] }).finalizers;
    });
    await writesDurable(deps);
    return sendJson(res, 200, obj);
  }
  const verbs = subresourceVerbs(d, sub);
  if (!verbs) throw errors.notFoundPath();

  switch (sub) {
    case 'proxy': {
      const streams = deps.podStreams?.();
      const path = r.proxyPath ?? '/';
      if (!streams) {
        // The simulated nodes run in another process: relay to the kubelet of the pod's node.
        const kubelets = deps.kubelets?.();
        if (!kubelets) throw errors.notFoundPath();
        return d.kind === 'Pod' ? kubelets.servePodProxy(req, res, url, ns as string, name, path) : kubelets.serveServiceProxy(req, res, url, ns as string, name, path);
      }
      return d.kind === 'Pod'
        ? handlePodProxy(req, res, url, ns as string, name, path, streams)
        : handleServiceProxy(req, res, url, ns as string, name, path, streams);
    }
    case 'status':
      return status(deps, req, res, url, method, d, ns, name);
    case 'scale':
      return scale(deps, req, res, url, method, d, ns, name);
    case 'binding':
      if (method !== 'POST') throw errors.methodNotAllowed();
      return binding(deps, req, res, url, ns as string, name);
    case 'eviction':
      if (method !== 'POST') throw errors.methodNotAllowed();
      return handleEviction(deps, req, res, url, ns as string, name);
    case 'log':
    case 'exec':
    case 'attach':
    case 'portforward': {
      const streams = deps.podStreams?.();
      if (streams && sub === 'log') {
        if (method !== 'GET') throw errors.methodNotAllowed();
        return handlePodLog(req, res, url, ns as string, name, streams);
      }
      if (streams && (sub === 'exec' || sub === 'attach')) execWithoutUpgrade(streams, ns as string, name, url, sub);
      if (streams && sub === 'portforward') {
        streams.getPod(ns as string, name);
        throw errors.badRequest('Upgrade request required: port-forward needs a WebSocket (SPDY/3.1+portforward.k8s.io) or SPDY/3.1 upgrade');
      }
      const kubelets = streams ? undefined : deps.kubelets?.();
      if (kubelets) {
        if (sub === 'log' && method !== 'GET') throw errors.methodNotAllowed();
        return kubelets.serveSubresource(req, res, url, ns as string, name, sub);
      }
      // Make the pod's existence errors come first, as they would on a real cluster.
      const pod = deps.storage.get(d, ns, name);
      const container = url.searchParams.get('container') ?? ((pod.spec as { containers?: Array<{ name: string }> })?.containers?.[0]?.name ?? '');
      throw errors.badRequest(
        `container "${container}" in pod "${name}" is not available: pods/${sub} needs kubeloop's node simulation, which this build does not run yet`,
      );
    }
  }
  throw errors.methodNotAllowed();
}

async function status(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, url: URL, method: string, d: ResourceDescriptor, ns: string | undefined, name: string) {
  const storage = deps.storage;
  if (method === 'GET') return sendJson(res, 200, storage.get(d, ns, name));
  if (method === 'PUT') {
    const body = parseBody(await readBody(req), req.headers['content-type'], true);
    const result = await storage.update(d, ns, name, body, opts(url, req), 'status');
    await writesDurable(deps);
    addWarnings(res, result.warnings);
    return sendJson(res, 200, result.object);
  }
  if (method === 'PATCH') {
    const { type, patch } = await readPatch(req);
    const result = await storage.patch(d, ns, name, type, patch, opts(url, req), 'status');
    await writesDurable(deps);
    addWarnings(res, result.warnings);
    return sendJson(res, 200, result.object);
  }
  throw errors.methodNotAllowed();
}

function getPath(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

function toScale(d: ResourceDescriptor, obj: KubeObject): KubeObject {
  const spec = d.scale;
  if (!spec) throw errors.notFoundPath();
  const m = obj.metadata;
  const metadata: KubeObject['metadata'] = { name: m.name, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp };
  if (m.namespace) metadata.namespace = m.namespace;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas: (getPath(obj, spec.specReplicasPath) as number | undefined) ?? 0 },
    status: { replicas: (getPath(obj, spec.statusReplicasPath) as number | undefined) ?? 0, selector: spec.selector(obj) },
  };
}

const scaleDescriptor = { group: 'autoscaling', kind: 'Scale', schemaType: 'io.k8s.api.autoscaling.v1.Scale' };

async function scale(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, url: URL, method: string, d: ResourceDescriptor, ns: string | undefined, name: string) {
  const storage = deps.storage;
  const current = storage.get(d, ns, name);
  if (method === 'GET') return sendJson(res, 200, toScale(d, current));
  let next: KubeObject;
  if (method === 'PUT') {
    next = parseBody(await readBody(req), req.headers['content-type']) as KubeObject;
  } else if (method === 'PATCH') {
    const { type, patch } = await readPatch(req);
    next = applyPatch(scaleDescriptor, toScale(d, current), type, patch);
  } else {
    throw errors.methodNotAllowed();
  }
  const replicas = (next.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
    throw errors.badRequest(`Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal ${typeof replicas} into Go struct field ScaleSpec.spec.replicas of type int32`);
  }
  if (replicas < 0) {
    throw errors.invalid({ group: 'autoscaling', kind: 'Scale' }, name, [
      { reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${replicas}: must be greater than or equal to 0` },
    ]);
  }
  const rv = next.metadata?.resourceVersion;
  if (rv && rv !== current.metadata.resourceVersion) throw errors.conflict(d, name);
  const updated = clone(current);
  const path = d.scale?.specReplicasPath ?? ['spec', 'replicas'];
  let cur = updated as Record<string, unknown>;
  for (const p of path.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
  cur[path[path.length - 1] as string] = replicas;
  const result = await storage.update(d, ns, name, updated, { ...opts(url, req), decode: false, managerSubresource: 'scale' });
  await writesDurable(deps);
  return sendJson(res, 200, toScale(d, result.object));
}

async function binding(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, url: URL, ns: string, name: string) {
  const body = parseBody(await readBody(req), req.headers['content-type']) as KubeObject;
  await deps.storage.bind(ns, name, body, url.searchParams.getAll('dryRun').includes('All'));
  await writesDurable(deps);
  return sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

