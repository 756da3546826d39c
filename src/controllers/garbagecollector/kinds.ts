// Which resources the collector watches, and how an owner reference's apiVersion/kind finds its resource.
import type { Resource } from '../../client/client.js';

/** Events are never owners nor worth collecting, and there are many of them: kube's collector skips them too. */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

/** Resources the collector can act on: those that can be listed, watched and deleted, minus the ignored ones. */
export function gcResources<R extends Resource & { verbs?: readonly string[] }>(all: readonly R[]): R[] {
  return all.filter((r) => {
    if (IGNORED.has(`${r.group}/${r.plural}`)) return false;
    const v = r.verbs;
    return !v || (v.includes('list') && v.includes('watch') && v.includes('delete'));
  });
}

export class KindResolver {
  private readonly byKind = new Map<string, Resource>();

  constructor(resources: readonly Resource[]) {
    for (const r of resources) this.byKind.set(`${r.group}/${r.kind}`, r);
  }

  /** A kind served after the collector started (a custom resource); its first version answers. */
  add(r: Resource): boolean {
    const key = `${r.group}/${r.kind}`;
    if (this.byKind.has(key)) return false;
    this.byKind.set(key, r);
    return true;
  }

  /** The version is not compared: one version of each kind is served, and a reference written against an
   * older version of the same kind still means the same object. */
  resolve(apiVersion: string, kind: string): Resource | undefined {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    return this.byKind.get(`${group}/${kind}`);
  }

  isClusterScoped(apiVersion: string, kind: string): boolean {
    const r = this.resolve(apiVersion, kind);
    return !!r && !r.namespaced;
  }
}

export class UnknownKindError extends Error {
  constructor(apiVersion: string, kind: string) {
    super(`no resource is served for ${apiVersion}, Kind=${kind}`);
  }
}
