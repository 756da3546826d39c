// The HTTP transport of the Client interface: the Kubernetes REST API over node:http(s), so a component
// can run in another process or against another API server. It keeps the in-process transport's
// contract: objects handed out are deep-frozen snapshots, failures are ApiError carrying the server's
// Status, and watch events arrive one at a time, in order.
//
// Watch semantics, which the informer relies on:
// - every line of the stream is handed to onEvent, ERROR events included (their object is the Status);
// - onClose() with no argument when the server ends the stream cleanly (e.g. at timeoutSeconds);
// - onClose(err) when it fails: a non-200 answer (ApiError from its Status), a stream that carried an
//   ERROR event (ApiError from the last such Status; kube-apiserver ends the stream right after one,
//   and the in-process transport reports an expired revision the same way), a broken connection or an
//   undecodable line (the Node or parse error), or a handler that threw (that exception);
// - stop() ends the request and nothing is called afterwards, onClose included.
import http from 'node:http';
import https from 'node:https';
import type { KubeObject } from '../api/types.js';
import { deepFreeze } from '../store/store.js';
import type { Client, DeleteOptions, ListOptions, ObjectList, PatchType, Resource, Watch, WatchEvent, WatchHandlers, WatchOptions, WriteOptions } from './client.js';
import { errorFromResponse, errorFromStatus } from './http-errors.js';
import { readKubeconfig } from './http-kubeconfig.js';
import { LineSplitter } from './ndjson.js';

export interface HttpClientOptions {
  /** `https://host:port`, optionally with a path prefix (a proxy's mount point). */
  server: string;
  /** PEM of the CA that signed the server's certificate; Node's default roots when absent. */
  ca?: string;
  /** PEM client certificate and key, for certificate authentication. */
  cert?: string;
  key?: string;
  /** Bearer token. Like kubectl, sent over https only. */
  token?: string;
  insecureSkipTLSVerify?: boolean;
  userAgent?: string;
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

interface Body {
  type: string;
  data: Buffer;
}

type Query = Record<string, string | number | boolean | undefined>;

export class HttpClient implements Client {
  private readonly origin: URL;
  private readonly prefix: string;
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;

  constructor(opts: HttpClientOptions) {
    this.origin = new URL(opts.server);
    if (this.origin.protocol !== 'https:' && this.origin.protocol !== 'http:') throw new Error(`unsupported server URL ${opts.server}: want http(s)://host:port`);
    this.prefix = this.origin.pathname.replace(/\/+$/, '');
    const tls = this.origin.protocol === 'https:';
    this.transport = tls ? https : http;
    this.agent = tls
      ? new https.Agent({
          keepAlive: true,
          ...(opts.ca ? { ca: opts.ca } : {}),
          ...(opts.cert ? { cert: opts.cert } : {}),
          ...(opts.key ? { key: opts.key } : {}),
          rejectUnauthorized: !opts.insecureSkipTLSVerify,
        })
      : new http.Agent({ keepAlive: true });
    this.headers = {
      accept: 'application/json',
      'user-agent': opts.userAgent ?? `kubeloop-client (${process.platform}/${process.arch}) node/${process.versions.node}`,
    };
    // Credentials never cross a plain-text connection (client-go behaves the same way).
    if (tls && opts.token) this.headers.authorization = `Bearer ${opts.token}`;
  }

  /** Closes every connection of this client, so a test or a shutdown leaves no socket behind. A watch still
   * open then ends with onClose(err); stop watches first to end them quietly. */
  close(): void {
    this.agent.destroy();
  }

  async get(r: Resource, namespace: string | undefined, name: string): Promise<KubeObject> {
    return (await this.call('GET', this.path(r, namespace, required(name)))) as KubeObject;
  }

  async list(r: Resource, namespace: string | undefined, opts: ListOptions = {}): Promise<ObjectList> {
    const q: Query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit || undefined, continue: opts.continue };
    const body = (await this.call('GET', this.path(r, namespace), q)) as { items?: KubeObject[]; metadata?: { resourceVersion?: string; continue?: string } };
    const out: ObjectList = { items: body.items ?? [], resourceVersion: body.metadata?.resourceVersion ?? '' };
    if (body.metadata?.continue) out.continue = body.metadata.continue;
    return out;
  }

  async create(r: Resource, namespace: string | undefined, obj: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    return (await this.call('POST', this.path(r, namespace), writeQuery(opts), json(obj))) as KubeObject;
  }

  async update(r: Resource, namespace: string | undefined, obj: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const name = required(obj.metadata?.name ?? '');
    return (await this.call('PUT', this.path(r, namespace, name, opts.subresource), writeQuery(opts), json(obj))) as KubeObject;
  }

  async patch(r: Resource, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: WriteOptions = {}): Promise<KubeObject> {
    const contentType = PATCH_CONTENT_TYPES[type];
    if (!contentType) throw new Error(`unknown patch type ${String(type)}`);
    // Text is taken as an already-encoded patch (no patch type has a JSON string as its document).
    const data = typeof patch === 'string' ? Buffer.from(patch, 'utf8') : Buffer.from(JSON.stringify(patch), 'utf8');
    return (await this.call('PATCH', this.path(r, namespace, required(name), opts.subresource), writeQuery(opts), { type: contentType, data })) as KubeObject;
  }

  async delete(r: Resource, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject | undefined> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.preconditions) body.preconditions = opts.preconditions;
    if (opts.dryRun) body.dryRun = ['All'];
    const answer = (await this.call('DELETE', this.path(r, namespace, required(name)), {}, json(body))) as Record<string, unknown> | undefined;
    // The object comes back while it waits for finalizers or a grace period (and always for pods); a
    // Status means it is gone.
    if (answer && answer.kind === r.kind && typeof answer.metadata === 'object') return answer as KubeObject;
    return undefined;
  }

  async createSubresource(r: Resource, namespace: string | undefined, name: string, subresource: string, body: KubeObject): Promise<unknown> {
    return this.call('POST', this.path(r, namespace, required(name), subresource), {}, json(body));
  }

  watch(r: Resource, namespace: string | undefined, opts: WatchOptions, handlers: WatchHandlers): Watch {
    const q: Query = {
      watch: true,
      resourceVersion: opts.resourceVersion,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      allowWatchBookmarks: opts.allowWatchBookmarks || undefined,
      timeoutSeconds: opts.timeoutSeconds,
    };
    const target = this.url(this.path(r, namespace), q);
    const abort = new AbortController();
    let done = false;
    let response: http.IncomingMessage | undefined;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      if (response && !response.complete) response.destroy();
      if (err === undefined) handlers.onClose();
      else handlers.onClose(err);
    };

    this.send('GET', target, undefined, abort.signal).then((res) => {
      response = res;
      if (done) {
        res.destroy();
        return;
      }
      if (res.statusCode !== 200) {
        readText(res).then(
          (text) => finish(errorFromResponse(res.statusCode ?? 0, res.statusMessage, text, `watch ${r.plural}`)),
          (err: unknown) => finish(err),
        );
        return;
      }
      const lines = new LineSplitter();
      let failed: unknown;
      const deliver = (batch: string[]) => {
        for (const line of batch) {
          if (done) return;
          const e = decodeEvent(line);
          if (e.type === 'ERROR') failed = errorFromStatus(e.object, 500);
          handlers.onEvent(e);
        }
      };
      res.on('data', (chunk: Buffer) => {
        if (done) return;
        try {
          deliver(lines.push(chunk));
        } catch (err) {
          finish(err);
        }
      });
      res.on('end', () => {
        if (done) return;
        try {
          deliver(lines.end());
        } catch (err) {
          finish(err);
          return;
        }
        finish(failed);
      });
      res.on('error', (err) => finish(err));
      // Reached without 'end' when the connection drops mid-stream.
      res.on('close', () => finish(new Error(`watch of ${r.plural} broke off before the server ended it`)));
    }, (err: unknown) => finish(err));

    return {
      stop: () => {
        if (done) return;
        done = true;
        abort.abort();
        response?.destroy();
      },
    };
  }

  // ---- plumbing ----

  private path(r: Resource, namespace: string | undefined, name?: string, subresource?: string): string {
    let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    // As in the in-process transport, a namespace given for a cluster-scoped kind is ignored, and a
    // namespaced kind without one addresses all namespaces.
    if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${r.plural}`;
    if (name !== undefined) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${encodeURIComponent(subresource)}`;
    return p;
  }

  private url(path: string, query: Query = {}): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
    const s = q.toString();
    return `${this.origin.origin}${this.prefix}${path}${s ? `?${s}` : ''}`;
  }

  /** One request whose whole answer is read; 2xx bodies are decoded and frozen, others thrown as ApiError. */
  private async call(method: string, path: string, query: Query = {}, body?: Body): Promise<unknown> {
    const res = await this.send(method, this.url(path, query), body);
    const text = await readText(res);
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) throw errorFromResponse(code, res.statusMessage, text, `${method} ${path}`);
    if (text.trim() === '') return undefined;
    try {
      return deepFreeze(JSON.parse(text) as unknown);
    } catch (err) {
      throw new Error(`cannot decode the answer to ${method} ${path}: ${(err as Error).message}`);
    }
  }

  /** Sends a request and resolves with the answer's head. A GET that finds its pooled keep-alive connection
   * already closed by the server is sent once more on a fresh one; writes are never repeated. */
  private send(method: string, target: string, body: Body | undefined, signal?: AbortSignal, again = false): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...this.headers };
      if (body) {
        headers['content-type'] = body.type;
        headers['content-length'] = String(body.data.length);
      }
      const req = this.transport.request(target, { method, headers, agent: this.agent, ...(signal ? { signal } : {}) }, resolve);
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (!again && method === 'GET' && req.reusedSocket && err.code === 'ECONNRESET' && !signal?.aborted) {
          resolve(this.send(method, target, body, signal, true));
          return;
        }
        reject(err);
      });
      req.end(body?.data);
    });
  }
}

/** A client for a context of a kubeconfig file (its current context when `context` is absent). */
export async function httpClientFromKubeconfig(file: string, context?: string): Promise<HttpClient> {
  const { namespace: _namespace, ...opts } = await readKubeconfig(file, context);
  return new HttpClient(opts);
}

function required(name: string): string {
  // An empty name would address the collection and turn a get into a list, a PUT into a 405.
  if (!name) throw new Error('resource name may not be empty');
  return name;
}

function json(v: unknown): Body {
  return { type: 'application/json', data: Buffer.from(JSON.stringify(v), 'utf8') };
}

function writeQuery(o: WriteOptions): Query {
  return { dryRun: o.dryRun ? 'All' : undefined, fieldManager: o.fieldManager };
}

function readText(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    // Settles nothing after 'end'; otherwise the connection dropped mid-answer.
    res.on('close', () => reject(new Error('the connection closed before the answer was complete')));
  });
}

const EVENT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

function decodeEvent(line: string): WatchEvent {
  let e: unknown;
  try {
    e = JSON.parse(line);
  } catch (err) {
    throw new Error(`undecodable watch event: ${(err as Error).message}`);
  }
  const { type, object } = (e ?? {}) as { type?: unknown; object?: unknown };
  if (typeof type !== 'string' || !EVENT_TYPES.has(type) || typeof object !== 'object' || object === null) {
    throw new Error(`malformed watch event: ${line.slice(0, 200)}`);
  }
  return { type: type as WatchEvent['type'], object: deepFreeze(object as KubeObject) };
}
