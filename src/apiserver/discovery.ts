// Discovery documents, legacy and aggregated, built once from the registry (they never change at run time).
import { groupVersion, type ResourceDescriptor } from '../api/descriptor.js';
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

export class Discovery {
  readonly apiVersions: string;
  readonly apiGroupList: string;
  readonly resourceLists = new Map<string, string>();
  readonly groups = new Map<string, string>();
  private readonly aggregated = new Map<string, string>();

  constructor(
    private readonly registry: Registry,
    serverAddress: string,
  ) {
    this.apiVersions = JSON.stringify({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    });
    const named = registry.groups().filter((g) => g.group !== '');
    const groupObj = (g: { group: string; versions: string[] }) => ({
      name: g.group,
      versions: g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${g.group}/${g.versions[0]}`, version: g.versions[0] },
    });
    this.apiGroupList = JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: named.map(groupObj) });
    for (const g of named) this.groups.set(g.group, JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...groupObj(g) }));
    for (const g of registry.groups()) {
      for (const v of g.versions) {
        const gv = g.group ? `${g.group}/${v}` : v;
        const descs = registry.inGroupVersion(gv);
        this.resourceLists.set(gv, JSON.stringify({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: legacyResources(descs) }));
      }
    }
  }

  /** Aggregated discovery for /api (core) or /apis (named groups). */
  aggregatedFor(which: 'api' | 'apis', version: 'v2' | 'v2beta1'): string {
    const cacheKey = `${which}/${version}`;
    const hit = this.aggregated.get(cacheKey);
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
    this.aggregated.set(cacheKey, doc);
    return doc;
  }
}

export function isServedGroupVersion(registry: Registry, gv: string): boolean {
  return registry.all().some((d) => groupVersion(d) === gv);
}
