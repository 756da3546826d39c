// `None` conversion between the versions of a custom resource: an object read through another served version
// than the one it was written with differs only in apiVersion, rewritten on the way out.
import { groupVersion, type ResourceDescriptor } from '../../api/descriptor.js';
import { type Entry, entryJson } from '../../store/store.js';
import { customResourceInfo } from './resource.js';

/** The JSON of a stored object as the endpoint of `d` serves it. */
export function entryJsonFor(d: ResourceDescriptor, e: Entry): string {
  const gv = groupVersion(d);
  if (e.object.apiVersion === gv || !customResourceInfo(d)) return entryJson(e);
  return JSON.stringify({ ...e.object, apiVersion: gv });
}
