// OpenAPI v3 documents of custom resource group versions, built from the CRDs' schemas as kube-apiserver's
// CRD OpenAPI builder does: the PATCH operations declare `fieldValidation` (so kubectl lets the server validate
// fields) and the kind's schema carries x-kubernetes-group-version-kind (so `kubectl explain` finds it).
import { createHash } from 'node:crypto';
import type { ResourceDescriptor } from '../../api/descriptor.js';
import type { JsonSchema } from '../../api/crd/schema.js';
import { componentSchemas } from '../../api/schema/openapi.js';
import { customResourceInfo } from './resource.js';

type Json = Record<string, unknown>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const OBJECT_META = `${META}.ObjectMeta`;
const LIST_META = `${META}.ListMeta`;
const DELETE_OPTIONS = `${META}.DeleteOptions`;
const STATUS = `${META}.Status`;
const PATCH = `${META}.Patch`;
const SCALE = 'io.k8s.api.autoscaling.v1.Scale';

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const query = (name: string, type = 'string'): Json => ({ name, in: 'query', schema: { type, uniqueItems: true } });
const pathParam = (name: string): Json => ({ name, in: 'path', required: true, schema: { type: 'string', uniqueItems: true } });
const WRITE_PARAMS = [query('dryRun'), query('fieldManager'), query('fieldValidation')];
const LIST_PARAMS = [
  query('allowWatchBookmarks', 'boolean'), query('continue'), query('fieldSelector'), query('labelSelector'), query('limit', 'integer'),
  query('resourceVersion'), query('resourceVersionMatch'), query('sendInitialEvents', 'boolean'), query('timeoutSeconds', 'integer'), query('watch', 'boolean'),
];
const DELETE_PARAMS = [query('dryRun'), query('gracePeriodSeconds', 'integer'), query('orphanDependents', 'boolean'), query('propagationPolicy')];
const MEDIA = ['application/json', 'application/yaml'];
const PATCH_MEDIA = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];

/** `example.com` + `v1` + `Website` → `com.example.v1.Website`, the definition name kube-apiserver uses. */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

function content(typeName: string, media = MEDIA): Json {
  return Object.fromEntries(media.map((m) => [m, { schema: ref(typeName) }]));
}

function op(action: string, description: string, id: string, d: ResourceDescriptor, typeName: string, codes: string[], extra: Json = {}, gvk?: Json): Json {
  return {
    description,
    operationId: id,
    tags: [`${d.group.split('.')[0]}_${d.version}`],
    ...extra,
    responses: Object.fromEntries(codes.map((c) => [c, { description: c === '201' ? 'Created' : c === '202' ? 'Accepted' : 'OK', content: content(typeName) }])),
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk ?? { group: d.group, version: d.version, kind: d.kind },
  };
}

/** The CRD schema as published: type meta and metadata filled in at the root, as kube does. */
function kindSchema(d: ResourceDescriptor, schema: JsonSchema | undefined): Json {
  const s = structuredClone(schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as Json;
  const props = { ...((s.properties as Json | undefined) ?? {}) };
  props.apiVersion = {
    description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
    type: 'string',
  };
  props.kind = {
    description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
    type: 'string',
  };
  props.metadata = { allOf: [ref(OBJECT_META)], description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" };
  s.properties = Object.fromEntries(Object.entries(props).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  s.type = 'object';
  s['x-kubernetes-group-version-kind'] = [{ group: d.group, kind: d.kind, version: d.version }];
  return s;
}

function listSchema(d: ResourceDescriptor, item: string): Json {
  return {
    description: `${d.kind}List is a list of ${d.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object.', type: 'string' },
      items: { description: `List of ${d.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, type: 'array', items: ref(item) },
      kind: { description: 'Kind is a string value representing the REST resource this object represents.', type: 'string' },
      metadata: { allOf: [ref(LIST_META)], description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    },
    'x-kubernetes-group-version-kind': [{ group: d.group, kind: d.listKind, version: d.version }],
  };
}

function resourcePaths(d: ResourceDescriptor, paths: Json, schemas: Json): void {
  const typeName = definitionName(d.group, d.version, d.kind);
  const listName = definitionName(d.group, d.version, d.listKind);
  schemas[typeName] = kindSchema(d, customResourceInfo(d)?.schema);
  schemas[listName] = listSchema(d, typeName);
  const base = `/apis/${d.group}/${d.version}`;
  const collection = d.namespaced ? `${base}/namespaces/{namespace}/${d.plural}` : `${base}/${d.plural}`;
  const item = `${collection}/{name}`;
  const scope = d.namespaced ? 'Namespaced' : '';
  const verb = `${d.group.split('.')[0]}${d.version}`;
  const common = (extra: Json[]): Json[] => [...(d.namespaced ? [pathParam('namespace')] : []), query('pretty'), ...extra];
  const patchBody = { requestBody: { content: Object.fromEntries(PATCH_MEDIA.map((m) => [m, { schema: ref(PATCH) }])), required: true } };
  paths[collection] = {
    parameters: common([]),
    get: op('list', `list objects of kind ${d.kind}`, `list${verb}${scope}${d.kind}`, d, listName, ['200'], { parameters: LIST_PARAMS }),
    post: op('post', `create a ${d.kind}`, `create${verb}${scope}${d.kind}`, d, typeName, ['200', '201', '202'], { parameters: WRITE_PARAMS, requestBody: { content: content(typeName), required: true } }),
    delete: op('deletecollection', `delete collection of ${d.kind}`, `deletecollection${verb}${scope}${d.kind}`, d, STATUS, ['200'], {
      parameters: [...DELETE_PARAMS, ...LIST_PARAMS],
      requestBody: { content: content(DELETE_OPTIONS, ['application/json']), required: false },
    }),
  };
  paths[item] = {
    parameters: common([pathParam('name')]),
    get: op('get', `read the specified ${d.kind}`, `read${verb}${scope}${d.kind}`, d, typeName, ['200'], { parameters: [query('resourceVersion')] }),
    put: op('put', `replace the specified ${d.kind}`, `replace${verb}${scope}${d.kind}`, d, typeName, ['200', '201'], { parameters: WRITE_PARAMS, requestBody: { content: content(typeName), required: true } }),
    patch: op('patch', `partially update the specified ${d.kind}`, `patch${verb}${scope}${d.kind}`, d, typeName, ['200', '201'], { parameters: [...WRITE_PARAMS, query('force', 'boolean')], ...patchBody }),
    delete: op('delete', `delete a ${d.kind}`, `delete${verb}${scope}${d.kind}`, d, STATUS, ['200', '202'], {
      parameters: DELETE_PARAMS,
      requestBody: { content: content(DELETE_OPTIONS, ['application/json']), required: false },
    }),
  };
  if (d.namespaced) {
    paths[`${base}/${d.plural}`] = {
      parameters: [query('pretty')],
      get: op('list', `list objects of kind ${d.kind}`, `list${verb}${d.kind}ForAllNamespaces`, d, listName, ['200'], { parameters: LIST_PARAMS }),
    };
  }
  for (const sub of d.subresources) {
    const scale = sub.name === 'scale';
    const t = scale ? SCALE : typeName;
    const gvk = scale ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : undefined;
    const n = `${d.kind}${scale ? 'Scale' : 'Status'}`;
    paths[`${item}/${sub.name}`] = {
      parameters: common([pathParam('name')]),
      get: op('get', `read ${sub.name} of the specified ${d.kind}`, `read${verb}${scope}${n}`, d, t, ['200'], { parameters: [query('resourceVersion')] }, gvk),
      put: op('put', `replace ${sub.name} of the specified ${d.kind}`, `replace${verb}${scope}${n}`, d, t, ['200', '201'], { parameters: WRITE_PARAMS, requestBody: { content: content(t), required: true } }, gvk),
      patch: op('patch', `partially update ${sub.name} of the specified ${d.kind}`, `patch${verb}${scope}${n}`, d, t, ['200', '201'], { parameters: [...WRITE_PARAMS, query('force', 'boolean')], ...patchBody }, gvk),
    };
  }
}

const cache = new Map<string, { text: string; hash: string }>();

/** The document of one custom group version (`example.com/v1`) from its descriptors, built once per shape. */
export function customResourceDocument(gv: string, descriptors: readonly ResourceDescriptor[]): { text: string; hash: string } {
  const custom = descriptors.filter((d) => customResourceInfo(d) !== undefined);
  const key = `${gv}\n${custom.map((d) => `${d.plural}|${JSON.stringify(customResourceInfo(d)?.schema ?? null)}|${d.namespaced}|${d.subresources.map((s) => s.name).join(',')}`).join('\n')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const paths: Json = {};
  const schemas: Json = {};
  for (const d of custom) resourcePaths(d, paths, schemas);
  const roots = [OBJECT_META, LIST_META, DELETE_OPTIONS, STATUS, PATCH];
  if (custom.some((d) => d.subresources.some((s) => s.name === 'scale'))) roots.push(SCALE);
  const all = { ...componentSchemas(roots), ...schemas };
  const doc = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    components: { schemas: Object.fromEntries(Object.entries(all).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) },
  };
  const text = JSON.stringify(doc);
  const result = { text, hash: createHash('sha512').update(text).digest('hex').toUpperCase() };
  if (cache.size > 256) cache.clear();
  cache.set(key, result);
  return result;
}
