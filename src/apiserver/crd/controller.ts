// What the apiextensions-apiserver's controllers do, in one place: when a CustomResourceDefinition is created or
// changed, its served versions become resources (registry → discovery, OpenAPI, routing) at once and its status
// says so (NamesAccepted, Established, acceptedNames); when it is deleted, the cleanup finalizer deletes every
// custom object of it, and the resource disappears once the CRD is gone.
import type { ResourceDescriptor } from '../../api/descriptor.js';
import { ApiError } from '../../api/errors.js';
import { CRD_CLEANUP_FINALIZER } from '../../api/kinds/customresourcedefinition.js';
import type { Registry } from '../../api/registry.js';
import { registerRuntimeSchema } from '../../api/schema/index.js';
import type { KubeObject } from '../../api/types.js';
import { deepEqualJson } from '../../api/validation/meta.js';
import { type Clock, rfc3339 } from '../../clock/clock.js';
import type { Timer } from '../../clock/clock.js';
import type { WatchHandle } from '../../store/store.js';
import type { ResourceStorage } from '../storage/generic.js';
import { listPrefix } from '../storage/keys.js';
import { type CrdNames, type CrdSpec, customResourceDescriptors } from './resource.js';

type Obj = Record<string, unknown>;

interface Condition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

const CRD_GROUP = 'apiextensions.k8s.io';

export class CrdController {
  /** Descriptors currently registered for each CRD, by CRD name. */
  private readonly served = new Map<string, ResourceDescriptor[]>();
  /** CRDs being deleted: their resources still serve reads and deletes, but refuse creates. */
  private readonly terminating = new Set<string>();
  private readonly descriptorOwner = new WeakMap<ResourceDescriptor, string>();
  private readonly pending = new Set<string>();
  private readonly retries = new Map<string, Timer>();
  private handle?: WatchHandle;
  private stopped = false;

  constructor(
    private readonly storage: ResourceStorage,
    private readonly registry: Registry,
    private readonly clock: Clock,
  ) {}

  private get crdDescriptor(): ResourceDescriptor | undefined {
    return this.registry.kind(CRD_GROUP, 'CustomResourceDefinition');
  }

  start(): void {
    const crdD = this.crdDescriptor;
    if (!crdD) return;
    this.storage.addAdmission({
      name: 'CustomResourceDefinitionLifecycle',
      admit: (req) => {
        if (req.operation !== 'CREATE' || req.subresource) return;
        const owner = this.descriptorOwner.get(req.descriptor);
        if (owner && this.terminating.has(owner)) {
          throw new ApiError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating');
        }
      },
    });
    const store = this.storage.store;
    const { entries, revision } = store.list(listPrefix(crdD));
    for (const e of entries) this.sync(e.object);
    this.handle = store.watch(listPrefix(crdD), revision, (ev) => {
      if (this.stopped) return;
      if (ev.type === 'DELETED') this.forget(ev.entry.object.metadata.name ?? '');
      else this.sync(ev.entry.object);
    });
  }

  stop(): void {
    this.stopped = true;
    this.handle?.cancel();
    for (const t of this.retries.values()) t.cancel();
    this.retries.clear();
  }

  /** The CRD a custom resource's descriptor was built from. */
  ownerOf(d: ResourceDescriptor): string | undefined {
    return this.descriptorOwner.get(d);
  }

  private forget(name: string): void {
    const old = this.served.get(name) ?? [];
    this.served.delete(name);
    this.terminating.delete(name);
    this.retries.get(name)?.cancel();
    this.retries.delete(name);
    this.registry.update([], old);
    for (const d of old) if (!this.registry.all().some((x) => x.schemaType === d.schemaType)) registerRuntimeSchema(d.schemaType, undefined);
    // A CRD whose names conflicted with this one's may be served now.
    const crdD = this.crdDescriptor;
    if (!crdD || old.length === 0) return;
    for (const e of this.storage.store.list(listPrefix(crdD)).entries) {
      const other = e.object.metadata.name ?? '';
      if (!(this.served.get(other) ?? []).length) this.sync(e.object);
    }
  }

  /** Registers what the CRD serves now, then (after the current write returns) brings its status up to date. */
  private sync(crd: KubeObject): void {
    const name = crd.metadata.name ?? '';
    const spec = crd.spec as CrdSpec | undefined;
    if (!spec?.names?.plural || !spec.names.kind || !Array.isArray(spec.versions)) return;
    const old = this.served.get(name) ?? [];
    const conflict = this.nameConflict(name, spec);
    const deleting = !!crd.metadata.deletionTimestamp;
    if (deleting) this.terminating.add(name);
    else this.terminating.delete(name);
    // Status writes (and other changes outside spec) leave what is served alone.
    const servedSpec = this.servedCrd.get(name)?.spec;
    if (conflict ? old.length > 0 : !(old.length > 0 && deepEqualJson(crd.spec, servedSpec))) {
      const next = conflict ? [] : customResourceDescriptors(crd);
      for (const d of next) this.descriptorOwner.set(d, name);
      this.served.set(name, next);
      this.servedCrd.set(name, crd);
      this.registry.update(next, old.filter((d) => !next.some((n) => n.plural === d.plural && n.version === d.version && n.group === d.group)));
    }
    this.schedule(name);
  }

  private readonly servedCrd = new Map<string, KubeObject>();

  private nameConflict(crdName: string, spec: CrdSpec): Condition | undefined {
    for (const d of this.registry.all()) {
      if (d.group !== spec.group) continue;
      const owner = this.descriptorOwner.get(d);
      if (owner === crdName) continue;
      if (d.plural === spec.names.plural) return { type: 'NamesAccepted', status: 'False', reason: 'PluralConflict', message: `"${spec.names.plural}" is already in use` };
      if (d.kind === spec.names.kind) return { type: 'NamesAccepted', status: 'False', reason: 'KindConflict', message: `"${spec.names.kind}" is already in use` };
      for (const s of spec.names.shortNames ?? []) {
        if (d.shortNames.includes(s)) return { type: 'NamesAccepted', status: 'False', reason: 'ShortNamesConflict', message: `"${s}" is already in use` };
      }
    }
    return undefined;
  }

  /** Status writes and cleanup run after the write that triggered them has returned. */
  private schedule(name: string): void {
    if (this.pending.has(name)) return;
    this.pending.add(name);
    queueMicrotask(() => {
      this.pending.delete(name);
      if (this.stopped) return;
      this.reconcile(name).catch((err: unknown) => {
        if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
        this.retryLater(name);
      });
    });
  }

  private retryLater(name: string, ms = 200): void {
    if (this.retries.has(name) || this.stopped) return;
    this.retries.set(
      name,
      this.clock.after(ms, () => {
        this.retries.delete(name);
        this.schedule(name);
      }),
    );
  }

  private async reconcile(name: string): Promise<void> {
    const crdD = this.crdDescriptor;
    if (!crdD) return;
    const entry = this.storage.store.get(`${listPrefix(crdD)}${name}`);
    if (!entry) return;
    const crd = entry.object;
    const spec = crd.spec as CrdSpec;
    const conflict = this.nameConflict(name, spec);
    const now = rfc3339(this.clock.now());
    const status = (crd.status ?? {}) as Obj;
    const conditions = [...((status.conditions as Condition[] | undefined) ?? [])];
    const setCondition = (c: Condition): void => {
      const i = conditions.findIndex((x) => x.type === c.type);
      const prev = conditions[i];
      const next = { type: c.type, status: c.status, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime ?? now : now, reason: c.reason, message: c.message };
      if (i >= 0) conditions[i] = next;
      else conditions.push(next);
    };
    if (conflict) {
      setCondition(conflict);
      setCondition({ type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' });
    } else {
      setCondition({ type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' });
      const established = conditions.find((c) => c.type === 'Established' && c.status === 'True');
      if (!established) setCondition({ type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' });
    }
    const deleting = !!crd.metadata.deletionTimestamp && (crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER);
    if (deleting) setCondition({ type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' });
    const nextStatus: Obj = { ...status, conditions };
    if (!conflict) nextStatus.acceptedNames = acceptedNames(spec.names);
    if (!deepEqualJson(nextStatus, status)) {
      await this.storage.mutate(crdD, undefined, name, (o) => {
        o.status = nextStatus;
      });
    }
    if (deleting) await this.cleanup(name);
  }

  /** Deletes every object of the CRD; removes the finalizer once none is left (objects may wait on finalizers). */
  private async cleanup(name: string): Promise<void> {
    const crdD = this.crdDescriptor;
    const d = (this.served.get(name) ?? [])[0];
    if (d) {
      const storage = this.storage;
      const { entries } = storage.store.list(listPrefix(d));
      for (const e of entries) {
        if (e.object.metadata.deletionTimestamp) continue;
        try {
          await storage.delete(d, d.namespaced ? e.object.metadata.namespace : undefined, e.object.metadata.name ?? '', {});
        } catch (err) {
          if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
        }
      }
      if (storage.store.count(listPrefix(d)) > 0) {
        this.retryLater(name, 500);
        return;
      }
    }
    if (!crdD) return;
    await this.storage.mutate(crdD, undefined, name, (o) => {
      const f = (o.metadata.finalizers ?? []).filter((x) => x !== CRD_CLEANUP_FINALIZER);
      if (f.length) o.metadata.finalizers = f;
      else delete o.metadata.finalizers;
    });
  }
}

function acceptedNames(names: CrdNames): Obj {
  const out: Obj = { plural: names.plural, singular: names.singular ?? names.kind.toLowerCase(), kind: names.kind, listKind: names.listKind ?? `${names.kind}List` };
  if (names.shortNames?.length) out.shortNames = names.shortNames;
  if (names.categories?.length) out.categories = names.categories;
  return out;
}
