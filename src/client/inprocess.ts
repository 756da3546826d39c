// The in-process transport: calls the API server's storage directly. No HTTP and no JSON, but the same
// defaulting, admission, validation and optimistic concurrency as a kubectl request; objects handed out are
// the store's frozen snapshots (copy before changing). Watch events arrive on a microtask, never inside the
// writer's call, as they would over a network.
import type { ResourceDescriptor } from '../api/descriptor.js';
import { ApiError, errors } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { type EvictionBody, evictPod } from '../apiserver/eviction.js';
import type { ResourceStorage, WatchEventType as StorageEventType } from '../apiserver/storage/generic.js';
import type { Entry } from '../store/store.js';
import type { Client, DeleteOptions, ListOptions, ObjectList, PatchType, Resource, Watch, WatchEvent, WatchHandlers, WatchOptions, WriteOptions } from './client.js';

export class InProcessClient implements Client {
  /** `userAgent` names the component behind the writes, as client-go's User-Agent does: its part before the
   * first `/` becomes the field manager of writes that name none (kube-controller-manager, kubelet…). */
  constructor(
    private readonly storage: ResourceStorage,
    private readonly userAgent?: string,
  ) {}

  /** The same storage, written to as another component. */
  as(userAgent: string): InProcessClient {
    return new InProcessClient(this.storage, userAgent);
  }

  private d(r: Resource): ResourceDescriptor {
    const d = this.storage.registry.resource(r.group, r.version, r.plural);
    if (!d) throw errors.notFoundPath();
    return d;
  }

  private ns(d: ResourceDescriptor, namespace: string | undefined): string | undefined {
    return d.namespaced ? namespace : undefined;
  }

  async get(r: Resource, namespace: string | undefined, name: string): Promise<KubeObject> {
    const d = this.d(r);
    return this.storage.get(d, this.ns(d, namespace), name);
  }

  async list(r: Resource, namespace: string | undefined, opts: ListOptions = {}): Promise<ObjectList> {
    const d = this.d(r);
    const res = this.storage.list(d, this.ns(d, namespace), opts);
    const out: ObjectList = { items: res.entries.map((e) => e.object), resourceVersion: String(res.revision) };
    if (res.continue) out.continue = res.continue;
    return out;
  }

  watch(r: Resource, namespace: string | undefined, opts: WatchOptions, handlers: WatchHandlers): Watch {
    const d = this.d(r);
    let stopped = false;
    let queue: WatchEvent[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      const batch = queue;
      queue = [];
      for (const e of batch) {
        if (stopped) return;
        handlers.onEvent(e);
      }
    };
    const push = (e: WatchEvent) => {
      if (stopped) return;
      queue.push(e);
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush);
      }
    };
    const storageOpts: Parameters<ResourceStorage['watch']>[2] = {};
    if (opts.labelSelector) storageOpts.labelSelector = opts.labelSelector;
    if (opts.fieldSelector) storageOpts.fieldSelector = opts.fieldSelector;
    if (opts.resourceVersion !== undefined) storageOpts.resourceVersion = opts.resourceVersion;
    let handle: { cancel(): void } | undefined;
    try {
      handle = this.storage.watch(d, this.ns(d, namespace), storageOpts, {
        event: (type: StorageEventType, entry: Entry) => push({ type, object: entry.object }),
        bookmark: (revision: number) => push({ type: 'BOOKMARK', object: { kind: d.kind, apiVersion: d.group ? `${d.group}/${d.version}` : d.version, metadata: { resourceVersion: String(revision) } } }),
      });
    } catch (err) {
      queueMicrotask(() => handlers.onClose(err));
      return { stop: () => {} };
    }
    return {
      stop: () => {
        if (stopped) return;
        stopped = true;
        handle?.cancel();
      },
    };
  }

  async create(r: Resource, namespace: string | undefined, obj: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const d = this.d(r);
    return (await this.storage.create(d, this.ns(d, namespace), obj, { decode: false, ...writeOpts(opts, this.userAgent) })).object;
  }

  async update(r: Resource, namespace: string | undefined, obj: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const d = this.d(r);
    return (await this.storage.update(d, this.ns(d, namespace), obj.metadata.name ?? '', obj, { decode: false, ...writeOpts(opts, this.userAgent) }, opts.subresource)).object;
  }

  async patch(r: Resource, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: WriteOptions = {}): Promise<KubeObject> {
    const d = this.d(r);
    return (await this.storage.patch(d, this.ns(d, namespace), name, type, patch, { decode: false, ...writeOpts(opts, this.userAgent) }, opts.subresource)).object;
  }

  async delete(r: Resource, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject | undefined> {
    const d = this.d(r);
    return (await this.storage.delete(d, this.ns(d, namespace), name, opts)).object;
  }

  async createSubresource(r: Resource, namespace: string | undefined, name: string, subresource: string, body: KubeObject): Promise<unknown> {
    const d = this.d(r);
    const ns = this.ns(d, namespace);
    if (d.group === '' && d.kind === 'Pod' && subresource === 'binding') {
      return this.storage.bind(ns as string, name, body);
    }
    if (d.group === '' && d.kind === 'Pod' && subresource === 'eviction') {
      // The same budget checks as the HTTP eviction subresource; a refusal is a thrown ApiError (429, 500).
      const status = await evictPod(this.storage, this.storage.clock, ns as string, name, body as EvictionBody);
      if (status.status === 'Failure') throw new ApiError(status.code, status.reason ?? 'InternalError', status.message ?? '', status.details);
      return status;
    }
    throw errors.methodNotAllowed();
  }
}

function writeOpts(o: WriteOptions, userAgent: string | undefined): { dryRun?: boolean; fieldManager?: string; userAgent?: string } {
  const out: { dryRun?: boolean; fieldManager?: string; userAgent?: string } = {};
  if (o.dryRun) out.dryRun = true;
  if (o.fieldManager) out.fieldManager = o.fieldManager;
  if (userAgent) out.userAgent = userAgent;
  return out;
}
