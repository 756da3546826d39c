// The HTTP front door: routes a request to discovery, health, OpenAPI or a resource verb.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { groupVersion, type ResourceDescriptor } from '../api/descriptor.js';
import { ApiError, errors } from '../api/errors.js';
import type { Registry } from '../api/registry.js';
import type { Clock } from '../clock/clock.js';
import type { Metrics } from '../metrics/index.js';
import { entryJsonFor } from './crd/convert.js';
import { AGGREGATED_CONTENT_TYPE, Discovery } from './discovery.js';
import { addWarnings, mediaType, parseBody, queryBool, readBody, sendError, sendJson, sendText } from './http-util.js';
import { negotiate } from './negotiate.js';
import { markProtobuf } from './protobuf/index.js';
import type { OpenApi } from './openapi-docs.js';
import { sendOpenApi, wantsProtobuf } from './openapi-http.js';
import type { KubeletProxy, PodStreamDeps } from './podstreams/index.js';
import { parseResourcePath, type ResourceRoute } from './route.js';
import type { ResourceStorage } from './storage/generic.js';
import type { DeleteOptions, FieldValidation, WriteOptions } from './storage/options.js';
import { PATCH_CONTENT_TYPES } from './storage/patch.js';
import { handleSubresource } from './subresources.js';
import { buildTable, parseIncludeObject } from './table.js';
import { WatchStream } from './watch-stream.js';
import { minimumRevision, validateListOptions, waitForRevision } from './storage/list-consistency.js';
import { serveUi } from '../ui/server/index.js';

export const KUBE_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kubeloop',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-28T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export interface HandlerDeps {
  metrics?: Metrics;
  storage: ResourceStorage;
  registry: Registry;
  clock: Clock;
  discovery: Discovery;
  openapi: OpenApi;
  ready: () => boolean;
  podStreams?: () => PodStreamDeps | undefined;
  /** Relays pod streams to kubelets in other processes (when this one runs no node simulation). */
  kubelets?: () => KubeletProxy | undefined;
}

/** What a resource request was, for metrics (kube-apiserver's verb/resource/scope labels). */
interface RequestInfo {
  verb: string;
  resource: string;
  group: string;
  subresource: string;
  scope: string;
}

const requestInfo = new WeakMap<ServerResponse, RequestInfo>();

export function createHandler(deps: HandlerDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const metrics = deps.metrics;
    if (metrics) {
      const started = performance.now();
      res.on('finish', () => {
        const info = requestInfo.get(res);
        if (!info) return;
        metrics.observeRequest(info.verb, info.resource, res.statusCode, (performance.now() - started) / 1000, info);
      });
    }
    try {
      await route(deps, req, res);
    } catch (err) {
      sendError(res, err);
    }
  };
}

function noteRequest(res: ServerResponse, method: string, r: ResourceRoute, watch: boolean): void {
  const d = r.descriptor;
  let verb = method;
  if (method === 'GET') verb = r.name === undefined ? (watch ? 'WATCH' : 'LIST') : 'GET';
  else if (method === 'DELETE' && r.name === undefined) verb = 'DELETECOLLECTION';
  const scope = !d.namespaced ? 'cluster' : r.namespace ? (r.name === undefined ? 'namespace' : 'resource') : 'cluster';
  requestInfo.set(res, { verb, resource: d.plural, group: d.group, subresource: r.subresource ?? '', scope });
}

async function route(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req.url ?? '/');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  if (path === '/ui' || path.startsWith('/ui/')) return serveUi(deps, req, res, url);

  switch (path) {
    case '/version':
      return sendJson(res, 200, KUBE_VERSION);
    case '/healthz':
    case '/livez':
    case '/readyz':
      return health(deps, url, path, res);
    case '/api':
    case '/apis': {
      const acc = negotiate(req.headers.accept);
      if (acc.aggregatedDiscovery) {
        const which = path === '/api' ? 'api' : 'apis';
        return sendText(res, 200, deps.discovery.aggregatedFor(which, acc.aggregatedDiscovery), AGGREGATED_CONTENT_TYPE(acc.aggregatedDiscovery));
      }
      return sendJson(res, 200, path === '/api' ? deps.discovery.apiVersions : deps.discovery.apiGroupList);
    }
    case '/openapi/v3':
      return sendJson(res, 200, deps.openapi.root());
    case '/metrics': {
      if (!deps.metrics) throw errors.notFoundPath();
      const m = await deps.metrics.metricsText();
      return sendText(res, 200, m.body, m.contentType);
    }
  }
  if (path.startsWith('/openapi/v3/') || path === '/openapi/v2') {
    const doc = path === '/openapi/v2' ? deps.openapi.v2(wantsProtobuf(req)) : deps.openapi.document(path.slice('/openapi/v3/'.length));
    if (!doc) throw errors.notFoundPath();
    return sendOpenApi(req, res, url, doc);
  }
  const segs = path.split('/').slice(1).map(decodeSegment);
  if (segs[0] === 'api' || segs[0] === 'apis') {
    if (segs[0] === 'apis' && segs.length === 2) {
      const g = deps.discovery.groups.get(segs[1] as string);
      if (!g) throw errors.notFoundPath();
      return sendJson(res, 200, g);
    }
    const r = parseResourcePath(deps.registry, segs[0] === 'api', segs.slice(1));
    if (r.type === 'groupVersion') {
      const list = deps.discovery.resourceLists.get(r.gv);
      if (!list) throw errors.notFoundPath();
      return sendJson(res, 200, list);
    }
    if (r.type === 'resource') {
      // Proxied paths keep their trailing slash (it is part of the target URL).
      if (r.route.proxyPath !== undefined && url.pathname.endsWith('/') && !r.route.proxyPath.endsWith('/')) r.route.proxyPath += '/';
      return resource(deps, req, res, url, method, r.route);
    }
  }
  throw errors.notFoundPath();
}

/** The request target as a URL. A path that starts with `//` is still a path (WHATWG parsing would take it for
 * a host); an absolute-form target is taken as it is; anything unparseable is a 400, not a server error. */
export function requestUrl(target: string): URL {
  try {
    return target.startsWith('/') ? new URL(`http://kubeloop${target}`) : new URL(target, 'http://kubeloop');
  } catch {
    throw errors.badRequest(`invalid request URI: ${JSON.stringify(target.slice(0, 200))}`);
  }
}

/** A path segment as the client meant it; a malformed escape (`%zz`) is the client's error, as Go's URL parser
 * refuses such a request line with 400. */
function decodeSegment(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    throw errors.badRequest(`invalid URL escape in the request path: ${JSON.stringify(seg)}`);
  }
}

function health(deps: HandlerDeps, url: URL, path: string, res: ServerResponse): void {
  const ok = path !== '/readyz' || deps.ready();
  if (url.searchParams.has('verbose')) {
    const checks = ['ping', 'log', 'etcd', 'poststarthook/start-kubeloop-controllers'];
    const lines = checks.map((c) => `[+]${c} ok`).join('\n');
    const what = path.slice(1);
    return sendText(res, ok ? 200 : 500, `${lines}\n${what} check ${ok ? 'passed' : 'failed'}\n`, 'text/plain; charset=utf-8');
  }
  sendText(res, ok ? 200 : 500, ok ? 'ok' : 'not ready', 'text/plain; charset=utf-8');
}

function writeOptions(url: URL, req?: IncomingMessage): WriteOptions {
  const o: WriteOptions = {};
  const ua = req?.headers['user-agent'];
  if (ua) o.userAgent = ua;
  const force = url.searchParams.get('force');
  if (force !== null) o.force = queryBool(force);
  const dry = url.searchParams.getAll('dryRun');
  if (dry.length) {
    for (const v of dry) if (v !== 'All') throw errors.badRequest(`Invalid dry run value: ${v}`);
    o.dryRun = true;
  }
  const fm = url.searchParams.get('fieldManager');
  if (fm !== null) o.fieldManager = fm;
  const fv = url.searchParams.get('fieldValidation');
  if (fv !== null && fv !== '') {
    if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
      throw errors.badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${fv}"`);
    }
    o.fieldValidation = fv as FieldValidation;
  }
  return o;
}

function listMeta(revision: number, cont?: string, remaining?: number): Record<string, unknown> {
  const m: Record<string, unknown> = { resourceVersion: String(revision) };
  if (cont) m.continue = cont;
  if (remaining !== undefined) m.remainingItemCount = remaining;
  return m;
}

/** Waits until this request's writes are on disk: a durable store group-commits, memory resolves at once. */
export async function writesDurable(deps: HandlerDeps): Promise<void> {
  const store = deps.storage.store;
  await store.durable?.(store.revision());
}

function requireVerb(d: ResourceDescriptor, verb: string): void {
  if (!d.verbs.includes(verb)) throw errors.methodNotAllowed();
}

async function resource(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, url: URL, method: string, r: ResourceRoute): Promise<void> {
  const { storage, clock } = deps;
  const d = r.descriptor;
  if (deps.metrics) noteRequest(res, method, r, queryBool(url.searchParams.get('watch')));
  const ns = d.namespaced ? r.namespace : undefined;
  markProtobuf(res, req.headers.accept);
  if (r.subresource) return handleSubresource(deps, req, res, url, method, r);
  const acc = negotiate(req.headers.accept);
  if (acc.onlyUnsupported) throw errors.notAcceptable(`only the following media types are accepted: application/json, application/yaml`);
  const tableApiVersion = acc.tableVersion === 'v1beta1' ? 'meta.k8s.io/v1beta1' : 'meta.k8s.io/v1';
  const q = url.searchParams;

  if (r.name === undefined) {
    if (method === 'GET') {
      const common = { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined };
      if (queryBool(q.get('watch'))) {
        requireVerb(d, 'watch');
        return watch(deps, req, res, url, d, ns, common, acc.table ? { include: parseIncludeObject(q.get('includeObject')), apiVersion: tableApiVersion } : undefined);
      }
      requireVerb(d, 'list');
      const consistency = {
        resourceVersion: q.get('resourceVersion') ?? undefined,
        resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
        continue: q.get('continue') || undefined,
        sendInitialEvents: q.get('sendInitialEvents') ?? undefined,
      };
      validateListOptions(consistency);
      const minimum = minimumRevision(consistency);
      // A resourceVersion this server's store has not reached yet (written through another API server).
      if (minimum !== undefined && minimum > storage.store.revision()) await waitForRevision(storage.store, minimum);
      const result = storage.list(d, ns, { ...common, limit: limitParam(q.get('limit')), ...consistency });
      const meta = listMeta(result.revision, result.continue, result.remainingItemCount);
      if (acc.table) {
        const include = parseIncludeObject(q.get('includeObject'));
        return sendJson(res, 200, buildTable(d, result.entries.map((e) => e.object), clock.now(), meta, { include, noHeaders: false, apiVersion: tableApiVersion }));
      }
      const gv = groupVersion(d);
      const body = `{"kind":"${d.listKind}","apiVersion":"${gv}","metadata":${JSON.stringify(meta)},"items":[${result.entries.map((e) => entryJsonFor(d, e)).join(',')}]}`;
      return sendText(res, 200, body, 'application/json');
    }
    if (method === 'POST') {
      requireVerb(d, 'create');
      const body = parseBody(await readBody(req), req.headers['content-type'], true);
      const result = await storage.create(d, ns, body, writeOptions(url, req));
      await writesDurable(deps);
      addWarnings(res, result.warnings);
      return sendJson(res, 201, result.object);
    }
    if (method === 'DELETE') {
      requireVerb(d, 'deletecollection');
      const opts = await deleteOptions(req, url);
      const items = await storage.deleteCollection(d, ns, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined }, opts);
      await writesDurable(deps);
      return sendJson(res, 200, { kind: d.listKind, apiVersion: groupVersion(d), metadata: { resourceVersion: String(storage.store.revision()) }, items });
    }
    throw errors.methodNotAllowed();
  }

  const name = r.name;
  switch (method) {
    case 'GET': {
      requireVerb(d, 'get');
      const e = storage.getEntry(d, ns, name);
      if (acc.table) {
        const include = parseIncludeObject(q.get('includeObject'));
        return sendJson(res, 200, buildTable(d, [e.object], clock.now(), { resourceVersion: e.object.metadata.resourceVersion }, { include, noHeaders: false, apiVersion: tableApiVersion }));
      }
      return sendText(res, 200, entryJsonFor(d, e), 'application/json');
    }
    case 'PUT': {
      requireVerb(d, 'update');
      const body = parseBody(await readBody(req), req.headers['content-type'], true);
      const result = await storage.update(d, ns, name, body, writeOptions(url, req));
      await writesDurable(deps);
      addWarnings(res, result.warnings);
      return sendJson(res, 200, result.object);
    }
    case 'PATCH': {
      requireVerb(d, 'patch');
      const { type, patch } = await readPatch(req);
      const result = await storage.patch(d, ns, name, type, patch, writeOptions(url, req));
      await writesDurable(deps);
      addWarnings(res, result.warnings);
      return sendJson(res, result.created ? 201 : 200, result.object);
    }
    case 'DELETE': {
      requireVerb(d, 'delete');
      const opts = await deleteOptions(req, url);
      const { object, deleted } = await storage.delete(d, ns, name, opts);
      await writesDurable(deps);
      if (!deleted) return sendJson(res, 202, object);
      if (d.group === '' && d.kind === 'Pod') return sendJson(res, 200, object);
      const details: Record<string, unknown> = { name, kind: d.plural, uid: object.metadata.uid };
      if (d.group) details.group = d.group;
      return sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details });
    }
  }
  throw errors.methodNotAllowed();
}

export async function readPatch(req: IncomingMessage): Promise<{ type: (typeof PATCH_CONTENT_TYPES)[string]; patch: unknown }> {
  const mt = mediaType(req.headers['content-type']);
  const type = PATCH_CONTENT_TYPES[mt];
  if (!type) {
    throw errors.unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);
  }
  const buf = await readBody(req);
  if (type === 'apply') return { type, patch: parseBody(buf, 'application/yaml') };
  return { type, patch: parseBody(buf, 'application/json') };
}

export async function deleteOptions(req: IncomingMessage, url: URL): Promise<DeleteOptions> {
  const buf = await readBody(req);
  const body = buf.length && buf.toString().trim() ? (parseBody(buf, req.headers['content-type']) as Record<string, unknown>) : undefined;
  return parseDeleteOptions(body, url);
}

/** DeleteOptions from a request body (DELETE body or an Eviction's deleteOptions) and the query string. */
export function parseDeleteOptions(body: Record<string, unknown> | undefined, url: URL): DeleteOptions {
  const o: DeleteOptions = {};
  if (body) {
    if (typeof body.gracePeriodSeconds === 'number') o.gracePeriodSeconds = body.gracePeriodSeconds;
    if (typeof body.propagationPolicy === 'string') o.propagationPolicy = body.propagationPolicy as DeleteOptions['propagationPolicy'];
    if (typeof body.orphanDependents === 'boolean') o.orphanDependents = body.orphanDependents;
    if (body.preconditions && typeof body.preconditions === 'object') o.preconditions = body.preconditions as DeleteOptions['preconditions'];
    if (Array.isArray(body.dryRun) && body.dryRun.length) o.dryRun = true;
  }
  const q = url.searchParams;
  const g = q.get('gracePeriodSeconds');
  if (g !== null) o.gracePeriodSeconds = Number(g);
  const p = q.get('propagationPolicy');
  if (p !== null) o.propagationPolicy = p as DeleteOptions['propagationPolicy'];
  if (q.getAll('dryRun').includes('All')) o.dryRun = true;
  if (o.propagationPolicy && !['Background', 'Foreground', 'Orphan'].includes(o.propagationPolicy)) {
    throw errors.invalid({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', [
      { reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: "${o.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"` },
    ]);
  }
  return o;
}

function watch(
  deps: HandlerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  d: ResourceDescriptor,
  ns: string | undefined,
  selectors: { labelSelector?: string | undefined; fieldSelector?: string | undefined },
  table: { include: ReturnType<typeof parseIncludeObject>; apiVersion: string } | undefined,
): void {
  const q = url.searchParams;
  const timeoutParam = q.get('timeoutSeconds');
  // kube-apiserver closes idle watches after a randomized 30-60 minutes when the client names no timeout.
  const timeoutMs = timeoutParam !== null ? Number(timeoutParam) * 1000 : (1800 + Math.random() * 1800) * 1000;
  let handle: { cancel(): void } | undefined;
  const stream = new WatchStream(res, {
    descriptor: d,
    clock: deps.clock,
    timeoutMs,
    bookmarks: queryBool(q.get('allowWatchBookmarks')),
    onClose: () => handle?.cancel(),
    ...(table ? { table } : {}),
  });
  const opts: Parameters<ResourceStorage['watch']>[2] = { ...selectors };
  const rv = q.get('resourceVersion');
  if (rv !== null) opts.resourceVersion = rv;
  if (queryBool(q.get('allowWatchBookmarks'))) opts.allowWatchBookmarks = true;
  if (q.get('sendInitialEvents') === 'true') opts.sendInitialEvents = true;
  try {
    handle = deps.storage.watch(d, ns, opts, stream);
  } catch (err) {
    // A resume point that left the history window is reported inside the stream, as kube-apiserver does,
    // so informers see an ERROR event with code 410 and relist.
    if (err instanceof ApiError && err.code === 410) {
      stream.error(err.status);
      stream.close();
      return;
    }
    stream.abort();
    throw err;
  }
  stream.setRevision(deps.storage.store.revision());
  stream.start();
}

/** ?limit= as kube-apiserver decodes it into an int64: a number that is not an integer is a bad request. */
function limitParam(raw: string | null): number {
  if (raw === null || raw === '') return 0;
  if (!/^[+-]?\d+$/.test(raw.trim())) throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return Number(raw);
}
