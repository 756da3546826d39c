// Serves the OpenAPI documents: v3 per group version (kubectl reads these before apply/create/replace/edit and
// for explain) and the merged v2 document. Each is built once from the catalog and served with an ETag.
import { createHash } from 'node:crypto';
import type { ResourceDescriptor } from '../api/descriptor.js';
import type { Registry } from '../api/registry.js';
import { customResourceDocument } from './crd/openapi.js';
import { customResourceInfo } from './crd/resource.js';
import { encodeOpenApiV2 } from '../api/schema/openapi-v2-proto.js';
import { openapiV2Document } from '../api/schema/openapi-v2.js';
import { groupVersionOfPath, openapiV3DocumentHash, openapiV3DocumentText, openapiV3Root } from '../api/schema/openapi.js';

type Json = Record<string, unknown>;

export interface OpenApiDocument {
  text: string | Buffer;
  /** Quoted strong ETag of the text. */
  etag: string;
  contentType?: string;
}

/** What kube-apiserver answers for the protobuf form of /openapi/v2. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

export interface OpenApi {
  root(): string;
  document(pathKey: string): OpenApiDocument | undefined;
  v2(protobuf?: boolean): OpenApiDocument;
}

function withEtag(text: string | Buffer, contentType?: string): OpenApiDocument {
  const etag = `"${createHash('sha512').update(text).digest('hex').toUpperCase()}"`;
  return contentType ? { text, etag, contentType } : { text, etag };
}

export function createOpenApi(registry: Registry): OpenApi {
  // Built-in kinds come from the catalog; custom resources (CRDs) come and go and are documented from their schemas.
  const descriptors = registry.all().filter((d) => !customResourceInfo(d)) as ResourceDescriptor[];
  let root: string | undefined;
  let customRoot: { at: number; text: string } | undefined;
  let v2: Json | undefined;
  let v2Json: OpenApiDocument | undefined;
  let v2Proto: OpenApiDocument | undefined;
  return {
    root: () => {
      root ??= JSON.stringify(openapiV3Root(descriptors));
      if (!registry.all().some((d) => customResourceInfo(d))) return root;
      if (customRoot?.at !== registry.version) customRoot = { at: registry.version, text: JSON.stringify(withCustomPaths(JSON.parse(root), registry)) };
      return customRoot.text;
    },
    document: (key) => {
      const gv = groupVersionOfPath(key);
      if (gv && !descriptors.some((d) => (d.group ? `${d.group}/${d.version}` : d.version) === gv)) {
        const custom = registry.inGroupVersion(gv).filter((d) => customResourceInfo(d));
        if (!custom.length) return undefined;
        const doc = customResourceDocument(gv, custom);
        return { text: doc.text, etag: `"${doc.hash}"` };
      }
      if (!gv || !descriptors.some((d) => (d.group ? `${d.group}/${d.version}` : d.version) === gv)) return undefined;
      return { text: openapiV3DocumentText(gv, descriptors), etag: `"${openapiV3DocumentHash(gv, descriptors)}"` };
    },
    v2: (protobuf) => {
      v2 ??= openapiV2Document(descriptors);
      if (protobuf) return (v2Proto ??= withEtag(encodeOpenApiV2(v2), OPENAPI_V2_PROTOBUF));
      return (v2Json ??= withEtag(JSON.stringify(v2)));
    },
  };
}

/** The v3 root with an entry per custom resource group version added. */
function withCustomPaths(root: { paths: Record<string, { serverRelativeURL: string }> }, registry: Registry): unknown {
  const gvs = new Map<string, ResourceDescriptor[]>();
  for (const d of registry.all()) {
    if (!customResourceInfo(d)) continue;
    const key = `apis/${d.group}/${d.version}`;
    if (root.paths[key]) continue;
    gvs.set(key, [...(gvs.get(key) ?? []), d]);
  }
  for (const [key, ds] of gvs) {
    const first = ds[0] as ResourceDescriptor;
    root.paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${customResourceDocument(`${first.group}/${first.version}`, ds).hash}` };
  }
  root.paths = Object.fromEntries(Object.entries(root.paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return root;
}
