// Serves the OpenAPI v3 documents kubectl reads before apply/create/replace/edit (built once from the catalog).
import type { ResourceDescriptor } from '../api/descriptor.js';
import type { Registry } from '../api/registry.js';
import { groupVersionOfPath, openapiV3DocumentText, openapiV3Root } from '../api/schema/openapi.js';

export interface OpenApi {
  root(): string;
  document(pathKey: string): string | undefined;
}

export function createOpenApi(registry: Registry): OpenApi {
  const descriptors = [...registry.all()] as ResourceDescriptor[];
  let root: string | undefined;
  return {
    root: () => (root ??= JSON.stringify(openapiV3Root(descriptors))),
    document: (key) => {
      const gv = groupVersionOfPath(key);
      if (!gv || !descriptors.some((d) => (d.group ? `${d.group}/${d.version}` : d.version) === gv)) return undefined;
      return openapiV3DocumentText(gv, descriptors);
    },
  };
}
