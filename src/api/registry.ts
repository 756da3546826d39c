// The set of served kinds, looked up the ways the API server needs: by URL (group/version/plural), by kind.
// Built-in kinds are registered at start; custom resources (CustomResourceDefinitions) come and go while the
// server runs, so the registry is mutable and tells listeners (discovery, OpenAPI, controllers) when it changes.
import { groupVersion, type ResourceDescriptor } from './descriptor.js';

export type RegistryListener = (change: { added: readonly ResourceDescriptor[]; removed: readonly ResourceDescriptor[] }) => void;

export class Registry {
  private readonly byPath = new Map<string, ResourceDescriptor>();
  private readonly byKindKey = new Map<string, ResourceDescriptor>();
  private readonly byGroupVersion = new Map<string, ResourceDescriptor[]>();
  private list: ResourceDescriptor[] = [];
  private readonly listeners = new Set<RegistryListener>();
  private generation = 0;

  constructor(descriptors: readonly ResourceDescriptor[]) {
    for (const d of descriptors) this.insert(d);
  }

  /** Increases on every change: caches built from the registry compare it to know they are stale. */
  get version(): number {
    return this.generation;
  }

  all(): readonly ResourceDescriptor[] {
    return this.list;
  }

  resource(group: string, version: string, plural: string): ResourceDescriptor | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  kind(group: string, kind: string): ResourceDescriptor | undefined {
    return this.byKindKey.get(`${group}/${kind}`);
  }

  /** Finds the descriptor for an object's apiVersion/kind (the exact version when served, else the kind's). */
  forObject(apiVersion: string, kind: string): ResourceDescriptor | undefined {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const exact = this.byGroupVersion.get(groupVersion({ group, version }))?.find((d) => d.kind === kind);
    return exact ?? this.kind(group, kind);
  }

  /** Served groups in discovery order (core first, then the others as registered), each with its versions. */
  groups(): Array<{ group: string; versions: string[] }> {
    const out = new Map<string, string[]>();
    for (const d of this.list) {
      let s = out.get(d.group);
      if (!s) out.set(d.group, (s = []));
      if (!s.includes(d.version)) s.push(d.version);
    }
    return [...out].map(([group, versions]) => ({ group, versions }));
  }

  inGroupVersion(gv: string): ResourceDescriptor[] {
    return this.byGroupVersion.get(gv) ?? [];
  }

  /**
   * Adds resources and removes others in one change (a CRD update may do both); listeners hear of it once.
   * A descriptor replaces one already registered at the same group/version/plural. Descriptors of one kind
   * registered in several versions: the first added answers `kind()` lookups (the preferred version).
   */
  update(add: readonly ResourceDescriptor[], remove: readonly ResourceDescriptor[] = []): void {
    const removed: ResourceDescriptor[] = [];
    for (const d of remove) if (this.delete(d)) removed.push(d);
    for (const d of add) {
      const existing = this.byPath.get(pathKey(d));
      if (existing && this.delete(existing)) removed.push(existing);
      this.insert(d);
    }
    if (add.length === 0 && removed.length === 0) return;
    this.generation++;
    for (const l of [...this.listeners]) l({ added: add, removed });
  }

  add(...descriptors: ResourceDescriptor[]): void {
    this.update(descriptors);
  }

  remove(...descriptors: ResourceDescriptor[]): void {
    this.update([], descriptors);
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  onChange(listener: RegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private insert(d: ResourceDescriptor): void {
    const key = pathKey(d);
    if (this.byPath.has(key)) throw new Error(`duplicate resource ${key}`);
    this.byPath.set(key, d);
    const kindKey = `${d.group}/${d.kind}`;
    if (!this.byKindKey.has(kindKey)) this.byKindKey.set(kindKey, d);
    const gv = groupVersion(d);
    const inGv = this.byGroupVersion.get(gv);
    if (inGv) inGv.push(d);
    else this.byGroupVersion.set(gv, [d]);
    // A new array, so callers that hold the previous `all()` see a consistent snapshot.
    this.list = [...this.list, d];
  }

  private delete(d: ResourceDescriptor): boolean {
    const key = pathKey(d);
    const cur = this.byPath.get(key);
    if (!cur) return false;
    this.byPath.delete(key);
    this.list = this.list.filter((x) => x !== cur);
    const gv = groupVersion(cur);
    const inGv = (this.byGroupVersion.get(gv) ?? []).filter((x) => x !== cur);
    if (inGv.length) this.byGroupVersion.set(gv, inGv);
    else this.byGroupVersion.delete(gv);
    const kindKey = `${cur.group}/${cur.kind}`;
    if (this.byKindKey.get(kindKey) === cur) {
      this.byKindKey.delete(kindKey);
      const other = this.list.find((x) => x.group === cur.group && x.kind === cur.kind);
      if (other) this.byKindKey.set(kindKey, other);
    }
    return true;
  }
}

function pathKey(d: ResourceDescriptor): string {
  return `${d.group}/${d.version}/${d.plural}`;
}
