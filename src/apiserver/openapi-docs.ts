// Serves the OpenAPI v3 documents kubectl reads before apply/create/replace/edit.
// TEMPORARY minimal documents until src/api/schema/openapi.ts lands.
import { createHash } from 'node:crypto';
import { groupVersion } from '../api/descriptor.js';
import type { Registry } from '../api/registry.js';

export interface OpenApi {
  root(): string;
  document(pathKey: string): string | undefined;
}

export function createOpenApi(registry: Registry): OpenApi {
  const docs = new Map<string, string>();
  for (const g of registry.groups()) {
    for (const v of g.versions) {
      const gv = g.group ? `${g.group}/${v}` : v;
      const key = g.group ? `apis/${gv}` : `api/${v}`;
      const paths: Record<string, unknown> = {};
      for (const d of registry.all().filter((x) => groupVersion(x) === gv)) {
        const base = d.group ? `/apis/${gv}` : `/api/${v}`;
        const p = d.namespaced ? `${base}/namespaces/{namespace}/${d.plural}/{name}` : `${base}/${d.plural}/{name}`;
        paths[p] = {
          patch: {
            'x-kubernetes-action': 'patch',
            'x-kubernetes-group-version-kind': { group: d.group, version: d.version, kind: d.kind },
            parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
            responses: {},
          },
        };
      }
      docs.set(key, JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } }));
    }
  }
  const rootPaths: Record<string, { serverRelativeURL: string }> = {};
  for (const [key, doc] of docs) {
    const hash = createHash('sha512').update(doc).digest('hex').slice(0, 64).toUpperCase();
    rootPaths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  const root = JSON.stringify({ paths: rootPaths });
  return { root: () => root, document: (k) => docs.get(k) };
}
