// Discovery documents, legacy and aggregated, built from the registry and rebuilt when it changes (custom
// resources come and go as CRDs are created and deleted).
import type { ResourceDescriptor } from '../api/descriptor.js';
import type { Registry } from '../api/registry.js';

export const AGGREGATED_CONTENT_TYPE = (v: 'v2' | 'v2beta1') => `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;

function subresourceKind(d: ResourceDescriptor, s: ResourceDescriptor['subresources'][number]) {
  return { group: s.group ?? d.group, version: s.version ?? d.version, kind: s.kind ?? d.kind };
}

function legacyResources(descs: ResourceDescriptor[]): unknown[] {
  const out: unknown[] = [];
  for (const d of descs) {
    const r: Record<string, unknown> = {
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: d.verbs,
    };
    if (d.shortNames.length) r.shortNames = d.shortNames;
    if (d.categories.length) r.categories = d.categories;
    out.push(r);
    for (const s of d.subresources) {
      const k = subresourceKind(d, s);
      const sr: Record<string, unknown> = { name: `${d.plural}/${s.name}`, singularName: '', namespaced: d.namespaced, kind: k.kind, verbs: s.verbs };
      if (k.group !== d.group || k.version !== d.version) {
        sr.group = k.group;
        sr.version = k.version;
      }
      out.push(sr);
    }
  }
  return out;
}

function aggregatedResources(descs: ResourceDescriptor[]): unknown[] {
  return descs.map((d) => {
    const r: Record<string, unknown> = {
      resource: d.plural,
      responseKind: { group: d.group, version: d.version, kind: d.kind },
      scope: d.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: d.singular,
      verbs: d.verbs,
    };
    if (d.shortNames.length) r.shortNames = d.shortNames;
    if (d.categories.length) r.categories = d.categories;
    if (d.subresources.length) {
      r.subresources = d.subresources.map((s) => ({ subresource: s.name, responseKind: subresourceKind(d, s), verbs: s.verbs }));
    }
    return r;
  });
}

interface Built {
  apiGroupList: string;
  resourceLists: Map<string, string>;
  groups: Map<string, string>;
  aggregated: Map<string, string>;
}

export class Discovery {
  readonly apiVersions: string;
  private built?: Built;
  private builtAt = -1;

  constructor(
    private readonly registry: Registry,
    serverAddress: string,
  ) {
    this.apiVersions = JSON.stringify({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    });
  }

  get apiGroupList(): string {
    return this.current().apiGroupList;
  }

  /** Legacy APIResourceList documents by group version. */
  get resourceLists(): ReadonlyMap<string, string> {
    return this.current().resourceLists;
  }

  /** APIGroup documents by group name. */
  get groups(): ReadonlyMap<string, string> {
    return this.current().groups;
  }

  /** The documents of the registry as it is now; rebuilt (lazily) after custom resources come or go. */
  private current(): Built {
    if (this.built && this.builtAt === this.registry.version) return this.built;
    const registry = this.registry;
    const named = registry.groups().filter((g) => g.group !== '');
    const groupObj = (g: { group: string; versions: string[] }) => ({
      name: g.group,
      versions: g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${g.group}/${g.versions[0]}`, version: g.versions[0] },
    });
    const built: Built = {
      apiGroupList: JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: named.map(groupObj) }),
      resourceLists: new Map(),
      groups: new Map(),
      aggregated: new Map(),
    };
    for (const g of named) built.groups.set(g.group, JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...groupObj(g) }));
    for (const g of registry.groups()) {
      for (const v of g.versions) {
        const gv = g.group ? `${g.group}/${v}` : v;
        const descs = registry.inGroupVersion(gv);
        built.resourceLists.set(gv, JSON.stringify({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: legacyResources(descs) }));
      }
    }
    this.built = built;
    this.builtAt = registry.version;
    return built;
  }

  /** Aggregated discovery for /api (core) or /apis (named groups). */
  aggregatedFor(which: 'api' | 'apis', version: 'v2' | 'v2beta1'): string {
    const cache = this.current().aggregated;
    const cacheKey = `${which}/${version}`;
    const hit = cache.get(cacheKey);
    if (hit) return hit;
    const groups = this.registry.groups().filter((g) => (which === 'api' ? g.group === '' : g.group !== ''));
    const items = groups.map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: aggregatedResources(this.registry.inGroupVersion(g.group ? `${g.group}/${v}` : v)),
        freshness: 'Current',
      })),
    }));
    const doc = JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items });
    cache.set(cacheKey, doc);
    return doc;
  }
}

export function isServedGroupVersion(registry: Registry, gv: string): boolean {
  return registry.inGroupVersion(gv).length > 0;
}
