// The set of served kinds, looked up the ways the API server needs: by URL (group/version/plural), by kind.
import { groupVersion, type ResourceDescriptor } from './descriptor.js';

export class Registry {
  private readonly byPath = new Map<string, ResourceDescriptor>();
  private readonly byKindKey = new Map<string, ResourceDescriptor>();
  private readonly list: ResourceDescriptor[];

  constructor(descriptors: ResourceDescriptor[]) {
    this.list = [...descriptors];
    for (const d of descriptors) {
      const pathKey = `${d.group}/${d.version}/${d.plural}`;
      if (this.byPath.has(pathKey)) throw new Error(`duplicate resource ${pathKey}`);
      this.byPath.set(pathKey, d);
      this.byKindKey.set(`${d.group}/${d.kind}`, d);
    }
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

  /** Finds the descriptor for an object's apiVersion/kind. */
  forObject(apiVersion: string, kind: string): ResourceDescriptor | undefined {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    return this.kind(group, kind);
  }

  /** Served groups in discovery order (core first, then the others as registered), each with its versions. */
  groups(): Array<{ group: string; versions: string[] }> {
    const out = new Map<string, Set<string>>();
    for (const d of this.list) {
      let s = out.get(d.group);
      if (!s) out.set(d.group, (s = new Set()));
      s.add(d.version);
    }
    return [...out].map(([group, versions]) => ({ group, versions: [...versions] }));
  }

  inGroupVersion(gv: string): ResourceDescriptor[] {
    return this.list.filter((d) => groupVersion(d) === gv);
  }
}
