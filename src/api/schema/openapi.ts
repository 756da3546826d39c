// The OpenAPI v3 documents kubectl reads (GET /openapi/v3 and /openapi/v3/<api|apis/group>/<version>): before
// apply/create/replace/edit it looks for a PATCH operation tagged with the object's group/version/kind that
// declares the `fieldValidation` parameter, and then lets the server validate fields. Schemas come from the
// catalog, with the strategic-merge and list extensions of patch-metadata.ts, so `kubectl explain` works too.
//
// Documents never change while the process runs; each is rendered once and kept as text.
import { createHash } from 'node:crypto';
import type { ResourceDescriptor } from '../descriptor.js';
import {
  FIELDS_V1_TYPE,
  INT_OR_STRING_TYPE,
  META_V1,
  MICRO_TIME_TYPE,
  QUANTITY_TYPE,
  RAW_EXTENSION_TYPE,
  TIME_TYPE,
  hasSchema,
  schemaOf,
} from './index.js';
import type { SchemaNode } from './types.js';
import descriptionsJson from './descriptions.json' with { type: 'json' };

/** Field documentation by type name, then field name ('' is the type's own description). */
const descriptions = descriptionsJson as Record<string, Record<string, string>>;

export interface OpenApiOptions {
  /** info.version of the documents; kube-apiserver puts its own version there. */
  kubernetesVersion?: string;
  /**
   * List application/strategic-merge-patch+json in PATCH request bodies. kubectl then computes apply patches
   * from these schemas instead of its compiled-in types; off by default so kubectl keeps its exact built-in
   * merge keys.
   */
  advertiseStrategicMerge?: boolean;
}

type Json = Record<string, unknown>;

const PATCH_TYPE = `${META_V1}.Patch`;
const DELETE_OPTIONS = `${META_V1}.DeleteOptions`;
const STATUS = `${META_V1}.Status`;
const SCALE = 'io.k8s.api.autoscaling.v1.Scale';
const EVICTION = 'io.k8s.api.policy.v1.Eviction';
const BINDING = 'io.k8s.api.core.v1.Binding';

/** Named schemas that are not catalog objects, written as kube-apiserver publishes them. */
const SPECIAL_SCHEMAS: Record<string, Json> = {
  [TIME_TYPE]: { type: 'string', format: 'date-time' },
  [MICRO_TIME_TYPE]: { type: 'string', format: 'date-time' },
  [QUANTITY_TYPE]: { oneOf: [{ type: 'string' }, { type: 'number' }] },
  [INT_OR_STRING_TYPE]: { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] },
  [RAW_EXTENSION_TYPE]: { type: 'object' },
  [FIELDS_V1_TYPE]: { type: 'object' },
  [PATCH_TYPE]: { type: 'object' },
};

function ref(typeName: string): Json {
  return { $ref: `#/components/schemas/${typeName}` };
}

/** Field schema; `collect` records every named schema the field refers to. */
function fieldSchema(node: SchemaNode, collect: (typeName: string) => void): Json {
  let schema: Json;
  switch (node.type) {
    case 'object':
      collect(node.typeName!);
      schema = ref(node.typeName!);
      break;
    case 'array':
      schema = { type: 'array', items: fieldSchema(node.items()!, collect) };
      break;
    case 'map':
      schema = { type: 'object', additionalProperties: fieldSchema(node.items()!, collect) };
      break;
    case 'string':
      schema = node.format ? { type: 'string', format: node.format } : { type: 'string' };
      break;
    case 'integer':
      schema = { type: 'integer', format: node.format ?? 'int64' };
      break;
    case 'number':
      schema = { type: 'number', format: node.format ?? 'double' };
      break;
    case 'boolean':
      schema = { type: 'boolean' };
      break;
    default:
      collect(node.typeName!);
      schema = ref(node.typeName!);
  }
  if (node.patchStrategy) schema['x-kubernetes-patch-strategy'] = node.patchStrategy;
  if (node.patchMergeKey) schema['x-kubernetes-patch-merge-key'] = node.patchMergeKey;
  if (node.listType) schema['x-kubernetes-list-type'] = node.listType;
  if (node.listMapKeys) schema['x-kubernetes-list-map-keys'] = node.listMapKeys;
  if (node.mapType && node.type === 'map') schema['x-kubernetes-map-type'] = node.mapType;
  return schema;
}

/** A field's schema with its description; a reference is wrapped in allOf, as kube-apiserver's v3 documents do. */
function describedField(node: SchemaNode, description: string | undefined, collect: (typeName: string) => void): Json {
  const schema = fieldSchema(node, collect);
  if (!description) return schema;
  if (schema.$ref) {
    const { $ref, ...extensions } = schema;
    return { allOf: [{ $ref }], description, ...extensions };
  }
  return { description, ...schema };
}

function objectSchema(typeName: string, collect: (typeName: string) => void): Json {
  const node = schemaOf(typeName);
  const docs = descriptions[typeName];
  const properties: Json = {};
  for (const name of [...node.fieldNames()].sort()) properties[name] = describedField(node.field(name)!, docs?.[name], collect);
  const schema: Json = docs?.[''] ? { description: docs[''], type: 'object', properties } : { type: 'object', properties };
  if (node.required?.length) schema.required = [...node.required];
  if (node.groupVersionKinds) schema['x-kubernetes-group-version-kind'] = node.groupVersionKinds.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
  if (node.mapType) schema['x-kubernetes-map-type'] = node.mapType;
  return schema;
}

/** All schemas reachable from `roots`, keyed and sorted by name. */
export function componentSchemas(roots: string[]): Json {
  const out = new Map<string, Json>();
  const pending = [...roots];
  const collect = (name: string): void => {
    if (!out.has(name) && !pending.includes(name)) pending.push(name);
  };
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (out.has(name)) continue;
    if (SPECIAL_SCHEMAS[name]) out.set(name, SPECIAL_SCHEMAS[name]!);
    else if (hasSchema(name)) out.set(name, objectSchema(name, collect));
  }
  return Object.fromEntries([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function gvKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function gvOf(d: ResourceDescriptor): string {
  return d.group ? `${d.group}/${d.version}` : d.version;
}

/** "apps/v1" → "AppsV1", "" + "v1" → "CoreV1", "coordination.k8s.io/v1" → "CoordinationV1" (operation ids). */
function opPrefix(group: string, version: string): string {
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  const g = group ? group.split('.')[0]!.split('-').map(cap).join('') : 'Core';
  return `${g}${cap(version)}`;
}

function tag(group: string, version: string): string {
  return `${group ? group.split('.')[0]!.replace(/-/g, '') : 'core'}_${version}`;
}

const query = (name: string, type = 'string'): Json => ({ name, in: 'query', schema: { type, uniqueItems: true } });
const pathParam = (name: string): Json => ({ name, in: 'path', required: true, schema: { type: 'string', uniqueItems: true } });
const WRITE_PARAMS = [query('dryRun'), query('fieldManager'), query('fieldValidation')];
const LIST_PARAMS = [
  query('allowWatchBookmarks', 'boolean'), query('continue'), query('fieldSelector'), query('labelSelector'), query('limit', 'integer'),
  query('resourceVersion'), query('resourceVersionMatch'), query('sendInitialEvents', 'boolean'), query('timeoutSeconds', 'integer'),
  query('watch', 'boolean'),
];
const DELETE_PARAMS = [query('dryRun'), query('gracePeriodSeconds', 'integer'), query('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean'), query('orphanDependents', 'boolean'), query('propagationPolicy')];

const MEDIA = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

function content(typeName: string, media = MEDIA): Json {
  return Object.fromEntries(media.map((m) => [m, { schema: ref(typeName) }]));
}

function responses(typeName: string, codes: string[]): Json {
  return Object.fromEntries(codes.map((c) => [c, { description: c === '201' ? 'Created' : c === '202' ? 'Accepted' : 'OK', content: content(typeName) }]));
}

interface OpSpec {
  action: string;
  verb: string;
  id: string;
  typeName: string;
  gvk: { group: string; version: string; kind: string };
  tagName: string;
  params?: Json[];
  body?: Json;
  codes: string[];
  responseType?: string;
}

function operation(op: OpSpec): Json {
  const out: Json = {
    description: `${op.verb} ${op.gvk.kind}`,
    operationId: op.id,
    tags: [op.tagName],
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': op.gvk,
  };
  if (op.params?.length) out.parameters = op.params;
  if (op.body) out.requestBody = { content: op.body, required: true };
  out.responses = responses(op.responseType ?? op.typeName, op.codes);
  return out;
}

function patchBody(advertiseStrategicMerge: boolean): Json {
  const types = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];
  if (advertiseStrategicMerge) types.push('application/strategic-merge-patch+json');
  return Object.fromEntries(types.map((t) => [t, { schema: ref(PATCH_TYPE) }]));
}

/** Paths and the schema roots for one resource. */
function resourcePaths(d: ResourceDescriptor, opts: Required<OpenApiOptions>, paths: Json, roots: Set<string>): void {
  const gvk = { group: d.group, version: d.version, kind: d.kind };
  const typeName = d.schemaType;
  const listType = hasSchema(`${typeName}List`) ? `${typeName}List` : undefined;
  roots.add(typeName);
  if (listType) roots.add(listType);
  const base = d.group ? `/apis/${d.group}/${d.version}` : `/api/${d.version}`;
  const collection = d.namespaced ? `${base}/namespaces/{namespace}/${d.plural}` : `${base}/${d.plural}`;
  const item = `${collection}/{name}`;
  const scope = d.namespaced ? 'Namespaced' : '';
  const prefix = opPrefix(d.group, d.version);
  const tagName = tag(d.group, d.version);
  const has = (verb: string): boolean => d.verbs.includes(verb);
  const common = (extra: Json[]): Json[] => [...(d.namespaced ? [pathParam('namespace')] : []), query('pretty'), ...extra];

  const coll: Json = { parameters: common([]) };
  if (has('list') && listType) {
    coll.get = operation({ action: 'list', verb: 'list or watch objects of kind', id: `list${prefix}${scope}${d.kind}`, typeName: listType, gvk, tagName, params: LIST_PARAMS, codes: ['200'] });
  }
  if (has('create')) {
    coll.post = operation({ action: 'post', verb: 'create a', id: `create${prefix}${scope}${d.kind}`, typeName, gvk, tagName, params: WRITE_PARAMS, body: content(typeName), codes: ['200', '201', '202'] });
  }
  if (has('deletecollection')) {
    roots.add(DELETE_OPTIONS).add(STATUS);
    coll.delete = operation({ action: 'deletecollection', verb: 'delete collection of', id: `deletecollection${prefix}${scope}${d.kind}`, typeName, gvk, tagName, params: [...DELETE_PARAMS, ...LIST_PARAMS], body: content(DELETE_OPTIONS, ['application/json']), codes: ['200'], responseType: STATUS });
  }
  if (Object.keys(coll).length > 1) paths[collection] = coll;

  const one: Json = { parameters: common([pathParam('name')]) };
  if (has('get')) one.get = operation({ action: 'get', verb: 'read the specified', id: `read${prefix}${scope}${d.kind}`, typeName, gvk, tagName, codes: ['200'] });
  if (has('update')) one.put = operation({ action: 'put', verb: 'replace the specified', id: `replace${prefix}${scope}${d.kind}`, typeName, gvk, tagName, params: WRITE_PARAMS, body: content(typeName), codes: ['200', '201'] });
  if (has('patch')) {
    roots.add(PATCH_TYPE);
    one.patch = operation({ action: 'patch', verb: 'partially update the specified', id: `patch${prefix}${scope}${d.kind}`, typeName, gvk, tagName, params: [...WRITE_PARAMS, query('force', 'boolean')], body: patchBody(opts.advertiseStrategicMerge), codes: ['200', '201'] });
  }
  if (has('delete')) {
    roots.add(DELETE_OPTIONS).add(STATUS);
    one.delete = operation({ action: 'delete', verb: 'delete a', id: `delete${prefix}${scope}${d.kind}`, typeName, gvk, tagName, params: DELETE_PARAMS, body: content(DELETE_OPTIONS, ['application/json']), codes: ['200', '202'], responseType: STATUS });
  }
  if (Object.keys(one).length > 1) paths[item] = one;

  if (d.namespaced && has('list') && listType) {
    paths[`${base}/${d.plural}`] = {
      parameters: [query('pretty')],
      get: operation({ action: 'list', verb: 'list or watch objects of kind', id: `list${prefix}${d.kind}ForAllNamespaces`, typeName: listType, gvk, tagName, params: LIST_PARAMS, codes: ['200'] }),
    };
  }

  for (const sub of d.subresources) {
    const path = `${item}/${sub.name}`;
    const subParams = common([pathParam('name')]);
    const name = `${d.kind}${sub.name.charAt(0).toUpperCase()}${sub.name.slice(1)}`;
    if (sub.name === 'status' || sub.name === 'scale') {
      const subType = sub.name === 'scale' ? SCALE : typeName;
      const subGvk = sub.name === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : gvk;
      roots.add(subType).add(PATCH_TYPE);
      const entry: Json = { parameters: subParams };
      if (sub.verbs.includes('get')) entry.get = operation({ action: 'get', verb: `read ${sub.name} of the specified`, id: `read${prefix}${scope}${name}`, typeName: subType, gvk: subGvk, tagName, codes: ['200'] });
      if (sub.verbs.includes('update')) entry.put = operation({ action: 'put', verb: `replace ${sub.name} of the specified`, id: `replace${prefix}${scope}${name}`, typeName: subType, gvk: subGvk, tagName, params: WRITE_PARAMS, body: content(subType), codes: ['200', '201'] });
      if (sub.verbs.includes('patch')) entry.patch = operation({ action: 'patch', verb: `partially update ${sub.name} of the specified`, id: `patch${prefix}${scope}${name}`, typeName: subType, gvk: subGvk, tagName, params: [...WRITE_PARAMS, query('force', 'boolean')], body: patchBody(opts.advertiseStrategicMerge), codes: ['200', '201'] });
      paths[path] = entry;
    } else if (sub.name === 'binding' || sub.name === 'eviction') {
      const subType = sub.name === 'binding' ? BINDING : EVICTION;
      const subGvk = sub.name === 'binding' ? { group: '', version: 'v1', kind: 'Binding' } : { group: 'policy', version: 'v1', kind: 'Eviction' };
      roots.add(subType);
      paths[path] = {
        parameters: subParams,
        post: operation({ action: 'post', verb: `create ${sub.name} of a`, id: `create${prefix}${scope}${name}`, typeName: subType, gvk: subGvk, tagName, params: WRITE_PARAMS, body: content(subType), codes: ['200', '201', '202'] }),
      };
    }
  }
}

const docCache = new Map<string, { text: string; hash: string }>();

/** What a document depends on: the descriptors' shape, not their functions. */
function signature(gv: string, descriptors: ResourceDescriptor[], opts: Required<OpenApiOptions>): string {
  const parts = descriptors
    .filter((d) => gvOf(d) === gv)
    .map((d) => [d.kind, d.plural, d.namespaced, d.schemaType, d.verbs.join(','), d.subresources.map((s) => `${s.name}:${s.verbs.join(',')}`).join(';')].join('|'))
    .sort();
  return `${gv}\n${opts.kubernetesVersion}\n${opts.advertiseStrategicMerge}\n${parts.join('\n')}`;
}

function withDefaults(opts: OpenApiOptions = {}): Required<OpenApiOptions> {
  return { kubernetesVersion: opts.kubernetesVersion ?? 'v1.32.0', advertiseStrategicMerge: opts.advertiseStrategicMerge ?? false };
}

function buildDocument(gv: string, descriptors: ResourceDescriptor[], opts: Required<OpenApiOptions>): Json {
  const paths: Json = {};
  const roots = new Set<string>();
  for (const d of descriptors.filter((x) => gvOf(x) === gv && hasSchema(x.schemaType))) resourcePaths(d, opts, paths, roots);
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: opts.kubernetesVersion },
    paths: sortedPaths,
    components: { schemas: componentSchemas([...roots].sort()) },
  };
}

function cachedDocument(gv: string, descriptors: ResourceDescriptor[], options?: OpenApiOptions): { text: string; hash: string } {
  const opts = withDefaults(options);
  const key = signature(gv, descriptors, opts);
  let hit = docCache.get(key);
  if (!hit) {
    const text = JSON.stringify(buildDocument(gv, descriptors, opts));
    hit = { text, hash: createHash('sha512').update(text).digest('hex').toUpperCase() };
    docCache.set(key, hit);
  }
  return hit;
}

/** The OpenAPI v3 document of one group version ("v1", "apps/v1"), as an object. */
export function openapiV3Document(groupVersion: string, descriptors: ResourceDescriptor[], options?: OpenApiOptions): Json {
  return JSON.parse(cachedDocument(groupVersion, descriptors, options).text) as Json;
}

/** The same document as the JSON text to send (built once, then served from memory). */
export function openapiV3DocumentText(groupVersion: string, descriptors: ResourceDescriptor[], options?: OpenApiOptions): string {
  return cachedDocument(groupVersion, descriptors, options).text;
}

/** Stable hash of a group version's document, used in the root's `?hash=` URLs (and usable as an ETag). */
export function openapiV3DocumentHash(groupVersion: string, descriptors: ResourceDescriptor[], options?: OpenApiOptions): string {
  return cachedDocument(groupVersion, descriptors, options).hash;
}

/** Maps a root path key ("api/v1", "apis/apps/v1") to its group version ("v1", "apps/v1"). */
export function groupVersionOfPath(pathKey: string): string | undefined {
  const core = /^api\/([^/]+)$/.exec(pathKey);
  if (core) return core[1];
  const named = /^apis\/([^/]+)\/([^/]+)$/.exec(pathKey);
  return named ? `${named[1]}/${named[2]}` : undefined;
}

/** GET /openapi/v3: one entry per served group version, pointing at its document with a content hash. */
export function openapiV3Root(descriptors: ResourceDescriptor[], options?: OpenApiOptions): { paths: Record<string, { serverRelativeURL: string }> } {
  const gvs = new Map<string, ResourceDescriptor>();
  for (const d of descriptors) if (!gvs.has(gvOf(d))) gvs.set(gvOf(d), d);
  const entries = [...gvs.entries()]
    .map(([gv, d]) => [gvKey(d.group, d.version), gv] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [key, gv] of entries) {
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${openapiV3DocumentHash(gv, descriptors, options)}` };
  }
  return { paths };
}
