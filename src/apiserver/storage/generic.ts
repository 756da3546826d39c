// Kubernetes object semantics over the versioned store: identity, generation, defaulting, validation,
// optimistic concurrency, status/spec separation, finalizers and graceful deletion. Both the HTTP layer and
// in-process clients call this, so every writer goes through the same rules.
import { randomUUID } from 'node:crypto';
import type { ResourceDescriptor } from '../../api/descriptor.js';
import { ApiError, errors } from '../../api/errors.js';
import { clone, generateName } from '../../api/meta.js';
import { applyBinding, validateBinding } from '../../api/kinds/binding.js';
import type { Registry } from '../../api/registry.js';
import type { FieldError, KubeObject } from '../../api/types.js';
import { deepEqualJson, validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/meta.js';
import { type Clock, rfc3339 } from '../../clock/clock.js';
import { parseResourceVersion, tooLargeResourceVersion } from './list-consistency.js';
import { type Entry, GoneError, type Store, StoreConflictError, type StoreEvent, type WatchHandle } from '../../store/store.js';
import type { AdmissionPlugin, AdmissionRequest } from './admission.js';
import { decodeBody } from './decode.js';
import { compileFilter, type ObjectFilter } from './filter.js';
import { listPrefix, objectKey } from './keys.js';
import type { DeleteOptions, ListOptions, WatchOptions, WriteOptions, WriteResult } from './options.js';
import { applyConfiguration, applyPatch, checkApplyOptions, type PatchType, serverSideApply, trackManagedFields } from './patch.js';

export interface ListResult {
  entries: Entry[];
  revision: number;
  continue?: string;
  remainingItemCount?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchSink {
  event(type: WatchEventType, entry: Entry): void;
  /** A bookmark carrying only a resourceVersion (and, after initial events, the initial-events-end annotation). */
  bookmark(revision: number, initialEventsEnd: boolean): void;
}

const namespaceDescriptorKey = { group: '', kind: 'Namespace' };

export class ResourceStorage {
  private readonly admission: AdmissionPlugin[] = [];

  constructor(
    readonly store: Store,
    readonly registry: Registry,
    readonly clock: Clock,
  ) {}

  addAdmission(plugin: AdmissionPlugin): void {
    this.admission.push(plugin);
  }

  // ---- reads ----

  getEntry(d: ResourceDescriptor, namespace: string | undefined, name: string): Entry {
    const e = this.store.get(objectKey(d, namespace, name));
    if (!e) throw errors.notFound(d, name);
    return e;
  }

  get(d: ResourceDescriptor, namespace: string | undefined, name: string): KubeObject {
    return this.getEntry(d, namespace, name).object;
  }

  list(d: ResourceDescriptor, namespace: string | undefined, opts: ListOptions = {}): ListResult {
    const filter = compileFilter(d, opts.labelSelector, opts.fieldSelector);
    const token = opts.continue ? decodeContinue(opts.continue) : undefined;
    const after = token?.start;
    const limit = opts.limit && opts.limit > 0 ? Math.floor(opts.limit) : 0;
    // The snapshot read: the one a paged list began on (its token's revision; -1 continues on the latest), an
    // Exact resourceVersion, else the latest (a NotOlderThan list waited for the store before it came here).
    let at: number | undefined;
    if (token) {
      const rv = opts.resourceVersion;
      if (rv !== undefined && rv !== '' && rv !== '0') throw errors.badRequest('specifying resource version is not allowed when using continue');
      if (token.rv > 0) at = token.rv;
    } else if (opts.resourceVersionMatch === 'Exact' && opts.resourceVersion) {
      at = parseResourceVersion(opts.resourceVersion);
    }
    // One entry past the limit says whether another matching item exists, so a continue token is only handed
    // out when the next page has something in it, and the scan stops there instead of at the end of the store.
    const prefix = listPrefix(d, namespace);
    const pageOpts = {
      ...(after !== undefined && { after }),
      ...(limit > 0 && { limit: limit + 1 }),
      ...(!filter.everything && { filter: (e: Entry) => filter.matches(e.object) }),
    };
    const page = at === undefined ? this.store.page(prefix, pageOpts) : this.store.pageAt(prefix, at, pageOpts);
    if (!page) throw this.snapshotGone(at as number, token?.start);
    const result: ListResult = { entries: page.entries, revision: page.revision };
    if (limit > 0 && page.entries.length > limit) {
      page.entries.length = limit;
      result.continue = encodeContinue((page.entries[limit - 1] as Entry).key, page.revision);
      // Exact only without a selector: then the extra entry is the next key and the store counted the rest.
      if (filter.everything) result.remainingItemCount = page.remaining + 1;
    }
    return result;
  }

  /** A snapshot the store no longer has (or has not reached): kube-apiserver's answers for a compacted revision. */
  private snapshotGone(revision: number, continueFrom: string | undefined): ApiError {
    if (revision > this.store.revision()) return tooLargeResourceVersion(revision, this.store.revision());
    if (continueFrom === undefined) return errors.gone('The resourceVersion for the provided list is too old.');
    const e = errors.gone(
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    );
    // A token for the latest state, from where this one stopped.
    e.status.metadata = { continue: encodeContinue(continueFrom, -1) };
    return e;
  }

  watch(d: ResourceDescriptor, namespace: string | undefined, opts: WatchOptions, sink: WatchSink): WatchHandle {
    const filter = compileFilter(d, opts.labelSelector, opts.fieldSelector);
    const prefix = listPrefix(d, namespace);
    const rv = opts.resourceVersion;
    let from: number;
    const initial = rv === undefined || rv === '' || rv === '0' || opts.sendInitialEvents === true;
    if (initial) {
      const { entries, revision } = this.store.list(prefix);
      for (const e of entries) if (filter.everything || filter.matches(e.object)) sink.event('ADDED', e);
      from = revision;
      if (opts.sendInitialEvents) sink.bookmark(revision, true);
    } else {
      from = Number(rv);
      if (!Number.isInteger(from) || from < 0) throw errors.badRequest(`invalid resource version: ${rv}`);
    }
    try {
      return this.store.watch(prefix, from, (ev) => forward(ev, filter, sink));
    } catch (err) {
      if (err instanceof GoneError) throw errors.gone(err.message);
      throw err;
    }
  }

  // ---- writes ----

  async create(d: ResourceDescriptor, namespace: string | undefined, body: unknown, opts: WriteOptions = {}): Promise<WriteResult<KubeObject>> {
    const warnings: string[] = [];
    const obj = this.decode(d, body, opts, warnings);
    this.checkTypeMeta(d, obj);
    this.checkNamespace(d, obj, namespace);
    const m = obj.metadata;
    if (d.namespaced) this.requireLiveNamespace(d, namespace as string, m.name ?? m.generateName ?? '');

    const now = this.clock.now();
    m.uid = randomUUID();
    m.creationTimestamp = rfc3339(now);
    delete m.resourceVersion;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    delete (m as Record<string, unknown>).selfLink;
    if (d.generation) m.generation = 1;
    else delete m.generation;
    if (!m.name && m.generateName) m.name = generateName(m.generateName);

    d.defaults?.(obj);
    d.prepareForCreate?.(obj);
    dropEmptyMeta(obj);
    if (d.hasStatus && obj.status === undefined) obj.status = {};
    trackManagedFields(d, undefined, obj, opts, undefined, now);
    // Mutating admission (address allocation, default storage class) comes before validation, as in
    // kube-apiserver; whatever it reserved is released if the write does not happen.
    const req: AdmissionRequest = { operation: 'CREATE', descriptor: d, object: obj, dryRun: !!opts.dryRun };
    this.runAdmission(req);
    try {
      this.validateCreate(d, obj);
      const pending = this.runValidatingAdmission(req);
      if (pending) await pending;
    } catch (err) {
      await this.rollbackAdmission(req);
      throw err;
    }

    if (opts.dryRun) return { object: obj, warnings, created: true };
    let entry: Entry;
    try {
      entry = await this.storeCreate(d, namespace, obj, !!m.generateName && !(body as KubeObject)?.metadata?.name);
    } catch (err) {
      await this.rollbackAdmission(req);
      throw err;
    }
    const done = this.commitAdmission(req, false);
    if (done) await done;
    return { object: entry.object, warnings, created: true };
  }

  /** PUT: replace the main resource or a subresource ('status'). */
  async update(
    d: ResourceDescriptor,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions = {},
    subresource?: 'status',
  ): Promise<WriteResult<KubeObject>> {
    // Without a resourceVersion the client asked for "whatever is there now": a store conflict only means this
    // server's cache was behind another writer (several API servers on etcd), so try again on the newer state.
    const unconditional = !(body as KubeObject | null)?.metadata?.resourceVersion;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.updateOnce(d, namespace, name, body, opts, subresource);
      } catch (err) {
        if (!(unconditional && attempt < 4 && isStaleWrite(err))) throw err;
      }
    }
  }

  private async updateOnce(
    d: ResourceDescriptor,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions,
    subresource?: 'status',
  ): Promise<WriteResult<KubeObject>> {
    const warnings: string[] = [];
    const obj = subresource === 'status' && opts.decode === false ? statusOnly(body) : this.decode(d, body, opts, warnings);
    this.checkTypeMeta(d, obj);
    this.checkNamespace(d, obj, namespace);
    if (obj.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    }
    const current = this.getEntry(d, namespace, name);
    const rv = obj.metadata.resourceVersion;
    if (rv && rv !== current.object.metadata.resourceVersion) throw errors.conflict(d, name);
    return this.replace(d, current, obj, opts, subresource, warnings);
  }

  async patch(
    d: ResourceDescriptor,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: WriteOptions = {},
    subresource?: 'status',
  ): Promise<WriteResult<KubeObject>> {
    // A patch is recomputed on the newer object when the store refused a write this server's cache thought
    // current (kube-apiserver's GuaranteedUpdate); a resourceVersion in the patch is still checked each time.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.patchOnce(d, namespace, name, type, patch, opts, subresource);
      } catch (err) {
        if (!(attempt < 4 && isStaleWrite(err))) throw err;
      }
    }
  }

  private async patchOnce(
    d: ResourceDescriptor,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: WriteOptions,
    subresource?: 'status',
  ): Promise<WriteResult<KubeObject>> {
    checkApplyOptions(type, opts);
    if (type === 'strategic' && d.strategicMergePatch === false) {
      throw errors.unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
    }
    if (type === 'apply') return this.apply(d, namespace, name, patch, opts, subresource);
    const current = this.getEntry(d, namespace, name);
    const patched = applyPatch(d, current.object, type, patch);
    const warnings: string[] = [];
    const obj = this.decode(d, patched, opts, warnings);
    this.checkTypeMeta(d, obj);
    if (obj.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    }
    if (d.namespaced && obj.metadata.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const rv = obj.metadata.resourceVersion;
    if (rv && rv !== current.object.metadata.resourceVersion) throw errors.conflict(d, name);
    return this.replace(d, current, obj, opts, subresource, warnings);
  }

  /** Server-side apply (PATCH with application/apply-patch+yaml): creates the object when it is missing. */
  private async apply(d: ResourceDescriptor, namespace: string | undefined, name: string, patch: unknown, opts: WriteOptions, subresource?: 'status'): Promise<WriteResult<KubeObject>> {
    const warnings: string[] = [];
    const config = this.decode(d, applyConfiguration(d, name, patch), opts, warnings);
    config.metadata.name = name;
    if (d.namespaced && config.metadata.namespace !== undefined && config.metadata.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const current = this.store.get(objectKey(d, namespace, name));
    if (!current) {
      if (subresource) throw errors.notFound(d, name);
      const { object, managedFields } = serverSideApply(d, undefined, config, opts, subresource, this.clock.now());
      const result = await this.create(d, namespace, object, { ...opts, decode: false, managedFields });
      result.warnings.unshift(...warnings);
      return result;
    }
    const { object, managedFields } = serverSideApply(d, current.object, config, opts, subresource, this.clock.now());
    object.metadata = { ...object.metadata, resourceVersion: current.object.metadata.resourceVersion };
    const obj = clone(object);
    this.checkTypeMeta(d, obj);
    return this.replace(d, current, obj, { ...opts, managedFields }, subresource, warnings);
  }

  delete(d: ResourceDescriptor, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<{ object: KubeObject; deleted: boolean }> {
    return this.guaranteed(d, name, () => this.deleteOnce(d, namespace, name, opts));
  }

  private async deleteOnce(d: ResourceDescriptor, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<{ object: KubeObject; deleted: boolean }> {
    const current = this.getEntry(d, namespace, name);
    const cur = current.object;
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== cur.metadata.uid) {
      throw errors.conflict(d, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
      throw errors.conflict(
        d,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`,
      );
    }
    if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts = { ...opts, gracePeriodSeconds: 1 };
    const req: AdmissionRequest = { operation: 'DELETE', descriptor: d, object: cur, old: cur, dryRun: !!opts.dryRun };
    this.runAdmission(req);

    const next = clone(cur);
    const m = next.metadata;
    const finalizers = new Set(m.finalizers ?? []);
    const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : undefined);
    const effective = policy ?? (finalizers.has('orphan') ? 'Orphan' : d.defaultPropagation);
    // Deletion finalizers are only (re)considered on the first delete, or when a later one states a policy.
    if (!cur.metadata.deletionTimestamp || policy) {
      finalizers.delete('orphan');
      finalizers.delete('foregroundDeletion');
      if (effective === 'Orphan') finalizers.add('orphan');
      if (effective === 'Foreground') finalizers.add('foregroundDeletion');
    }
    if (!cur.metadata.deletionTimestamp) for (const f of d.finalizersOnDelete ?? []) finalizers.add(f);
    if (d.kind === 'Namespace' && d.group === '') return this.deleteNamespace(d, current, opts);

    const grace = this.gracePeriod(d, cur, opts);
    const now = this.clock.now();
    if (grace > 0 || finalizers.size > 0) {
      const prevDeadline = cur.metadata.deletionTimestamp ? Date.parse(cur.metadata.deletionTimestamp) : undefined;
      const deadline = now + grace * 1000;
      // A second delete may shorten the grace period, never extend it.
      if (prevDeadline === undefined || deadline < prevDeadline) {
        m.deletionTimestamp = rfc3339(deadline);
        m.deletionGracePeriodSeconds = grace;
      }
      m.finalizers = [...finalizers];
      if (m.finalizers.length === 0) delete m.finalizers;
      if (grace > 0 || finalizers.size > 0) {
        if (opts.dryRun) return { object: next, deleted: false };
        if (deepEqualJson(next.metadata, cur.metadata)) return { object: cur, deleted: false };
        const e = await this.store.update(current.key, next, current.modRevision);
        return { object: e.object, deleted: false };
      }
    }
    if (opts.dryRun) return { object: cur, deleted: true };
    await this.store.delete(current.key, current.modRevision);
    await this.commitAdmission(req, true);
    return { object: cur, deleted: true };
  }

  /** Deletes every object of a kind in a namespace that matches the selectors (deletecollection). */
  async deleteCollection(d: ResourceDescriptor, namespace: string | undefined, list: ListOptions, opts: DeleteOptions = {}): Promise<KubeObject[]> {
    const { entries } = this.list(d, namespace, { ...list, limit: 0 });
    const out: KubeObject[] = [];
    for (const e of entries) {
      try {
        out.push((await this.delete(d, namespace, e.object.metadata.name as string, opts)).object);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    return out;
  }

  /** A server-internal write (binding, finalize): applies `mutate` to a copy of the stored object and stores
   * it without the kind's update validation, as kube-apiserver's registry does for such subresources. */
  mutate(d: ResourceDescriptor, namespace: string | undefined, name: string, mutate: (obj: KubeObject) => void, dryRun = false): Promise<KubeObject> {
    return this.guaranteed(d, name, () => this.mutateOnce(d, namespace, name, mutate, dryRun));
  }

  private async mutateOnce(d: ResourceDescriptor, namespace: string | undefined, name: string, mutate: (obj: KubeObject) => void, dryRun: boolean): Promise<KubeObject> {
    const current = this.getEntry(d, namespace, name);
    const obj = clone(current.object);
    mutate(obj);
    delete obj.metadata.resourceVersion;
    if (dryRun) return obj;
    const m = obj.metadata;
    if (m.deletionTimestamp && (m.finalizers ?? []).length === 0 && (m.deletionGracePeriodSeconds ?? 0) === 0) {
      await this.store.delete(current.key, current.modRevision);
      return obj;
    }
    return (await this.store.update(current.key, obj, current.modRevision)).object;
  }

  /** pods/binding: assigns a pending pod to a node (the scheduler's write). */
  async bind(namespace: string, name: string, binding: KubeObject, dryRun = false): Promise<KubeObject> {
    const pods = this.registry.kind('', 'Pod');
    if (!pods) throw errors.notFoundPath();
    return this.guaranteed(pods, name, () => this.bindOnce(pods, namespace, name, binding, dryRun));
  }

  private async bindOnce(pods: ResourceDescriptor, namespace: string, name: string, binding: KubeObject, dryRun: boolean): Promise<KubeObject> {
    const causes = validateBinding(binding);
    if (causes.length) throw errors.invalid({ group: '', kind: 'Binding' }, binding.metadata?.name ?? name, causes);
    const current = this.getEntry(pods, namespace, name);
    const result = applyBinding(current.object, binding, rfc3339(this.clock.now()));
    if (!result.ok) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": ${result.message}`, { name, kind: 'pods/binding' });
    }
    const obj = result.pod;
    delete obj.metadata.resourceVersion;
    if (dryRun) return obj;
    return (await this.store.update(current.key, obj, current.modRevision)).object;
  }

  // ---- internals ----

  private async replace(
    d: ResourceDescriptor,
    current: Entry,
    incoming: KubeObject,
    opts: WriteOptions,
    subresource: 'status' | undefined,
    warnings: string[],
  ): Promise<WriteResult<KubeObject>> {
    const old = current.object;
    let obj: KubeObject;
    if (subresource === 'status') {
      // Only status comes from the request; everything else is the stored (frozen) object, shared rather than
      // copied: the store never changes it, and hooks replace what they change instead of editing in place.
      obj = { ...old, metadata: { ...old.metadata }, status: incoming.status };
      d.prepareForStatusUpdate?.(obj, incoming);
    } else {
      obj = incoming;
      // Server-owned metadata always comes from the stored object.
      const m = obj.metadata;
      const o = old.metadata;
      // A uid in the request must name this object (validation refuses a different one); none means "this one".
      if (!m.uid) m.uid = o.uid;
      m.creationTimestamp = o.creationTimestamp;
      m.generation = o.generation;
      if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp;
      else delete m.deletionTimestamp;
      if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
      else delete m.deletionGracePeriodSeconds;
      if (m.generation === undefined) delete m.generation;
      d.defaults?.(obj);
      if (d.hasStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = old.status;
      }
      d.prepareForUpdate?.(obj, old);
      if (d.generation && specChanged(obj, old, d.generation === 'spec+annotations')) {
        obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
      }
    }
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    trackManagedFields(d, old, obj, opts, subresource, this.clock.now());
    dropEmptyMeta(obj);
    const req: AdmissionRequest = { operation: 'UPDATE', descriptor: d, object: obj, old, dryRun: !!opts.dryRun };
    if (subresource) req.subresource = subresource;
    this.runAdmission(req);
    try {
      this.validateUpdate(d, obj, old, subresource);
      const pending = this.runValidatingAdmission(req);
      if (pending) await pending;
    } catch (err) {
      await this.rollbackAdmission(req);
      throw err;
    }

    // An object whose deletion waited only on finalizers goes once the last one is removed.
    const m = obj.metadata;
    const finalizing = m.deletionTimestamp && (m.finalizers ?? []).length === 0 && (m.deletionGracePeriodSeconds ?? 0) === 0;
    if (opts.dryRun) return { object: obj, warnings };
    if (finalizing) {
      await this.storeWrite(d, old.metadata.name ?? '', this.store.delete(current.key, current.modRevision));
      await this.commitAdmission(req, true);
      return { object: obj, warnings };
    }
    if (deepEqualJson(obj, old)) return { object: old, warnings };
    delete obj.metadata.resourceVersion;
    let e: Entry;
    try {
      e = await this.store.update(current.key, obj, current.modRevision);
    } catch (err) {
      await this.rollbackAdmission(req);
      if (err instanceof StoreConflictError) throw staleWrite(errors.conflict(d, old.metadata.name ?? ''));
      throw err;
    }
    const done = this.commitAdmission(req, false);
    if (done) await done;
    return { object: e.object, warnings };
  }

  private gracePeriod(d: ResourceDescriptor, cur: KubeObject, opts: DeleteOptions): number {
    if (!(d.group === '' && d.kind === 'Pod')) return 0;
    const spec = (cur.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (cur.status as { phase?: string } | undefined)?.phase;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    let grace = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
    if (grace < 0) grace = 1;
    // A pod already past its deadline is not given new time.
    return grace;
  }

  private async deleteNamespace(d: ResourceDescriptor, current: Entry, opts: DeleteOptions): Promise<{ object: KubeObject; deleted: boolean }> {
    const cur = current.object;
    if (cur.metadata.deletionTimestamp) return { object: cur, deleted: false };
    const next = clone(cur);
    next.metadata.deletionTimestamp = rfc3339(this.clock.now());
    next.metadata.deletionGracePeriodSeconds = 0;
    next.status = { ...((next.status as object) ?? {}), phase: 'Terminating' };
    if (opts.dryRun) return { object: next, deleted: false };
    const e = await this.store.update(current.key, next, current.modRevision);
    return { object: e.object, deleted: false };
  }

  /** Server-side read-modify-write (kube's GuaranteedUpdate): a store write that lost a race to another writer
   * (possible with several API servers on one etcd) is recomputed from the new state a few times, then answered
   * with 409 Conflict (404 when the object went away). */
  private async guaranteed<T>(d: ResourceDescriptor, name: string, attempt: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof StoreConflictError)) throw err;
        if (err.reason === 'stale' && i < 4) continue;
        if (err.reason === 'missing') throw errors.notFound(d, name);
        throw errors.conflict(d, name);
      }
    }
  }

  /** A preconditioned write that lost a race answers 409 Conflict (404 when the object went away). */
  private async storeWrite(d: ResourceDescriptor, name: string, write: Promise<Entry>): Promise<Entry> {
    try {
      return await write;
    } catch (err) {
      if (err instanceof StoreConflictError) {
        if (err.reason === 'missing') throw errors.notFound(d, name);
        throw errors.conflict(d, name);
      }
      throw err;
    }
  }

  private async storeCreate(d: ResourceDescriptor, namespace: string | undefined, obj: KubeObject, generated: boolean): Promise<Entry> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.store.create(objectKey(d, namespace, obj.metadata.name as string), obj);
      } catch (err) {
        if (!(err instanceof StoreConflictError)) throw err;
        if (!generated || attempt >= 7) throw errors.alreadyExists(d, obj.metadata.name as string);
        obj.metadata.name = generateName(obj.metadata.generateName as string);
      }
    }
  }

  private decode(d: ResourceDescriptor, body: unknown, opts: WriteOptions, warnings: string[]): KubeObject {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw errors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
    }
    const obj = opts.decode === false ? clone(body as KubeObject) : decodeBody(d, body, opts.fieldValidation ?? 'Warn', warnings);
    if (!obj.metadata || typeof obj.metadata !== 'object') obj.metadata = {};
    return obj;
  }

  private checkTypeMeta(d: ResourceDescriptor, obj: KubeObject): void {
    const gv = d.group ? `${d.group}/${d.version}` : d.version;
    if (obj.apiVersion && obj.apiVersion !== gv) {
      throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${gv})`);
    }
    if (obj.kind && obj.kind !== d.kind) {
      throw errors.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${d.kind})`);
    }
    obj.apiVersion = gv;
    obj.kind = d.kind;
  }

  private checkNamespace(d: ResourceDescriptor, obj: KubeObject, namespace: string | undefined): void {
    if (!d.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = namespace;
  }

  private requireLiveNamespace(d: ResourceDescriptor, namespace: string, name: string): void {
    const nsd = this.registry.kind(namespaceDescriptorKey.group, namespaceDescriptorKey.kind);
    if (!nsd) return;
    const ns = this.store.get(objectKey(nsd, undefined, namespace));
    if (!ns) throw errors.notFound(nsd, namespace);
    if (ns.object.metadata.deletionTimestamp) throw errors.namespaceTerminating(d, name, namespace);
  }

  private validateCreate(d: ResourceDescriptor, obj: KubeObject): void {
    const causes: FieldError[] = [...validateObjectMeta(obj, d.namespaced, nameValidatorFor(d)), ...(d.validate?.(obj) ?? [])];
    if (causes.length) throw errors.invalid(d, obj.metadata.name ?? obj.metadata.generateName ?? '', causes);
  }

  private validateUpdate(d: ResourceDescriptor, obj: KubeObject, old: KubeObject, subresource?: string): void {
    const causes: FieldError[] = validateObjectMetaUpdate(obj, old);
    if (!subresource) {
      causes.push(...(d.validate?.(obj, old) ?? []));
      causes.push(...(d.validateUpdate?.(obj, old) ?? []));
    }
    if (causes.length) throw errors.invalid(d, obj.metadata.name ?? '', dedupe(causes));
  }

  private runAdmission(req: AdmissionRequest): void {
    for (const p of this.admission) p.admit(req);
  }

  /** Synchronous (undefined) unless a plugin has asynchronous work (a quota charge): the common write then
   * reaches the store in the same turn, without extra promise hops. */
  private runValidatingAdmission(req: AdmissionRequest): Promise<void> | undefined {
    for (let i = 0; i < this.admission.length; i++) {
      const r = this.admission[i]?.validate?.(req);
      if (r) return r.then(() => this.validateFrom(req, i + 1));
    }
    return undefined;
  }

  private async validateFrom(req: AdmissionRequest, start: number): Promise<void> {
    for (let i = start; i < this.admission.length; i++) {
      const r = this.admission[i]?.validate?.(req);
      if (r) await r;
    }
  }

  /** Post-commit hooks; undefined (no promise hop) when no plugin has work for this write. */
  private commitAdmission(req: AdmissionRequest, removed: boolean): Promise<void> | undefined {
    let pending: Promise<void>[] | undefined;
    for (const p of this.admission) {
      const r = p.committed?.(req, removed);
      if (r) (pending ??= []).push(r);
    }
    return pending && Promise.all(pending).then(() => undefined);
  }

  private async rollbackAdmission(req: AdmissionRequest): Promise<void> {
    for (const p of this.admission) {
      const r = p.rollback?.(req);
      if (r) await r;
    }
  }
}

/** Go omits empty metadata lists and maps (omitempty), so `finalizers: []` left by a patch is not stored. */
function dropEmptyMeta(obj: KubeObject): void {
  const m = obj.metadata as Record<string, unknown>;
  for (const k of ['labels', 'annotations', 'finalizers', 'ownerReferences', 'managedFields']) {
    const v = m[k];
    if (v === null || (Array.isArray(v) && v.length === 0) || (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0)) delete m[k];
  }
}

/** An in-process status write needs only the request's identity and status, copied; not the whole object. */
function statusOnly(body: unknown): KubeObject {
  const b = body as KubeObject;
  const out: KubeObject = { metadata: { ...(b.metadata ?? {}) }, status: clone(b.status) };
  if (b.apiVersion) out.apiVersion = b.apiVersion;
  if (b.kind) out.kind = b.kind;
  return out;
}

function nameValidatorFor(d: ResourceDescriptor) {
  return d.nameValidator;
}

function dedupe(causes: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const k = `${c.field}\u0000${c.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function specChanged(obj: KubeObject, old: KubeObject, annotationsToo: boolean): boolean {
  for (const k of new Set([...Object.keys(obj), ...Object.keys(old)])) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!deepEqualJson(obj[k], old[k])) return true;
  }
  if (annotationsToo && !deepEqualJson(obj.metadata.annotations ?? {}, old.metadata.annotations ?? {})) return true;
  return false;
}

function forward(ev: StoreEvent, filter: ObjectFilter, sink: WatchSink): void {
  if (filter.everything) {
    sink.event(ev.type, ev.entry);
    return;
  }
  const now = ev.type !== 'DELETED' && filter.matches(ev.entry.object);
  const before = ev.prev !== undefined && filter.matches(ev.prev.object);
  if (ev.type === 'ADDED') {
    if (now) sink.event('ADDED', ev.entry);
  } else if (ev.type === 'DELETED') {
    if (before) sink.event('DELETED', ev.entry);
  } else if (now && before) sink.event('MODIFIED', ev.entry);
  else if (now) sink.event('ADDED', ev.entry);
  else if (before) sink.event('DELETED', ev.entry);
}

function encodeContinue(key: string, revision: number): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: revision, start: key })).toString('base64url');
}

function decodeContinue(token: string): { start: string; rv: number } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as { start?: unknown; rv?: unknown };
    if (typeof parsed.start === 'string') return { start: parsed.start, rv: typeof parsed.rv === 'number' && Number.isSafeInteger(parsed.rv) ? parsed.rv : 0 };
  } catch {
    // fall through
  }
  throw errors.badRequest('continue key is not valid: invalid continue token');
}

const STALE = Symbol('stale write');

/** Marks a 409 that came from the store's own precondition (another writer got there first), not from a
 * resourceVersion the client sent: such a write may be recomputed on the newer object. */
function staleWrite(err: ApiError): ApiError {
  (err as ApiError & { [STALE]?: true })[STALE] = true;
  return err;
}

function isStaleWrite(err: unknown): boolean {
  return err instanceof ApiError && (err as ApiError & { [STALE]?: true })[STALE] === true;
}
