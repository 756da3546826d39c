// Parses Kubernetes REST paths into what they address.
import type { ResourceDescriptor } from '../api/descriptor.js';
import type { Registry } from '../api/registry.js';

export interface ResourceRoute {
  descriptor: ResourceDescriptor;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** For the proxy subresource: the path after `/proxy` (with its leading slash). */
  proxyPath?: string;
}

export type Route =
  | { type: 'resource'; route: ResourceRoute }
  | { type: 'groupVersion'; gv: string }
  | { type: 'unknown' };

/** `segs` are the path segments after /api or /apis (URL-decoded). */
export function parseResourcePath(registry: Registry, core: boolean, segs: string[]): Route {
  let group = '';
  let i = 0;
  if (!core) {
    group = segs[i++] ?? '';
  }
  const version = segs[i++];
  if (!version) return { type: 'unknown' };
  const rest = segs.slice(i);
  const gv = group ? `${group}/${version}` : version;
  if (rest.length === 0) return { type: 'groupVersion', gv };
  const lookup = (plural: string) => registry.resource(group, version, plural);

  // /namespaces/{ns}/{resource}/... addresses namespaced objects; /namespaces/{name}[/{sub}] the namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const d = lookup(rest[2] as string);
    if (d && d.namespaced) {
      const r: ResourceRoute = { descriptor: d, namespace: rest[1] as string };
      if (rest[3] !== undefined) r.name = rest[3];
      if (rest[4] !== undefined) r.subresource = rest[4];
      if (r.subresource === 'proxy') r.proxyPath = `/${rest.slice(5).join('/')}`;
      else if (rest.length > 5) return { type: 'unknown' };
      return { type: 'resource', route: r };
    }
  }
  const d = lookup(rest[0] as string);
  if (!d) return { type: 'unknown' };
  const r: ResourceRoute = { descriptor: d };
  if (rest[1] !== undefined) r.name = rest[1];
  if (rest[2] !== undefined) r.subresource = rest[2];
  if (rest.length > 3) return { type: 'unknown' };
  // A namespaced kind addressed without a namespace can only be listed or watched across all namespaces.
  if (d.namespaced && r.name !== undefined) return { type: 'unknown' };
  return { type: 'resource', route: r };
}
