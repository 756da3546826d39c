// Store keys: /<group or "core">/<plural>/<namespace or "_">/<name>. The trailing-slash prefixes list one
// namespace or the whole resource.
import type { ResourceDescriptor } from '../../api/descriptor.js';

function groupSegment(d: ResourceDescriptor): string {
  return d.group || 'core';
}

export function objectKey(d: ResourceDescriptor, namespace: string | undefined, name: string): string {
  return `/${groupSegment(d)}/${d.plural}/${d.namespaced ? namespace : '_'}/${name}`;
}

export function listPrefix(d: ResourceDescriptor, namespace?: string): string {
  if (!d.namespaced) return `/${groupSegment(d)}/${d.plural}/_/`;
  return namespace ? `/${groupSegment(d)}/${d.plural}/${namespace}/` : `/${groupSegment(d)}/${d.plural}/`;
}
