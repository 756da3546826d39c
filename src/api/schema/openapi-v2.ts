// The Swagger 2.0 document at GET /openapi/v2: the same paths and schemas as the v3 documents, merged into one
// and rewritten in v2's shapes (body parameters, consumes/produces, `#/definitions/` references). Code
// generators and schema validators read this one; kubectl 1.27+ reads v3.
import type { ResourceDescriptor } from '../descriptor.js';
import { openapiV3Document, type OpenApiOptions } from './openapi.js';

type Json = Record<string, unknown>;

const V3_REF = '#/components/schemas/';
const V2_REF = '#/definitions/';

/** Named schemas whose v2 form differs from v3 (v2 has no oneOf). */
const V2_SPECIAL: Record<string, Json> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
};

/** Rewrites references and unwraps described references (v2 lets `$ref` stand beside a description). */
function schemaV2(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(schemaV2);
  if (node === null || typeof node !== 'object') return node;
  const src = node as Json;
  const out: Json = {};
  const allOf = src.allOf as Json[] | undefined;
  for (const [k, v] of Object.entries(src)) {
    if (k === 'allOf' && allOf?.length === 1 && typeof allOf[0]!.$ref === 'string') out.$ref = (allOf[0]!.$ref as string).replace(V3_REF, V2_REF);
    else if (k === '$ref' && typeof v === 'string') out.$ref = v.replace(V3_REF, V2_REF);
    else out[k] = schemaV2(v);
  }
  return out;
}

function parameterV2(p: Json): Json {
  const { schema, ...rest } = p as { schema?: Json } & Json;
  return { ...(schema ?? {}), ...rest };
}

function operationV2(op: Json): Json {
  const { requestBody, responses, parameters, ...rest } = op as { requestBody?: Json; responses?: Record<string, Json>; parameters?: Json[] } & Json;
  const out: Json = {};
  const params = (parameters ?? []).map(parameterV2);
  let consumes = ['*/*'];
  if (requestBody) {
    const content = requestBody.content as Record<string, { schema: Json }>;
    consumes = Object.keys(content);
    params.push({ name: 'body', in: 'body', required: true, schema: schemaV2(Object.values(content)[0]!.schema) });
  }
  let produces: string[] = [];
  const resp: Json = {};
  for (const [code, r] of Object.entries(responses ?? {})) {
    const content = r.content as Record<string, { schema: Json }> | undefined;
    if (content && produces.length === 0) produces = Object.keys(content);
    resp[code] = content ? { description: r.description, schema: schemaV2(Object.values(content)[0]!.schema) } : { description: r.description };
  }
  resp['401'] = { description: 'Unauthorized' };
  Object.assign(out, { description: rest.description, consumes, produces, schemes: ['https'], tags: rest.tags, operationId: rest.operationId });
  if (params.length) out.parameters = params;
  out.responses = resp;
  for (const [k, v] of Object.entries(rest)) if (k.startsWith('x-kubernetes-')) out[k] = v;
  return out;
}

/** Builds the v2 document of every served group version. */
export function openapiV2Document(descriptors: ResourceDescriptor[], options?: OpenApiOptions): Json {
  const gvs = [...new Set(descriptors.map((d) => (d.group ? `${d.group}/${d.version}` : d.version)))];
  const paths: Json = {};
  const definitions: Json = {};
  let version = options?.kubernetesVersion ?? 'v1.32.0';
  for (const gv of gvs) {
    const doc = openapiV3Document(gv, descriptors, options) as { info: { version: string }; paths: Record<string, Json>; components: { schemas: Record<string, Json> } };
    version = doc.info.version;
    for (const [path, item] of Object.entries(doc.paths)) {
      const v2: Json = {};
      for (const [method, value] of Object.entries(item)) {
        v2[method] = method === 'parameters' ? (value as Json[]).map(parameterV2) : operationV2(value as Json);
      }
      paths[path] = v2;
    }
    for (const [name, schema] of Object.entries(doc.components.schemas)) definitions[name] ??= V2_SPECIAL[name] ?? schemaV2(schema);
  }
  const sorted = (o: Json): Json => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version },
    paths: sorted(paths),
    definitions: sorted(definitions),
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}
