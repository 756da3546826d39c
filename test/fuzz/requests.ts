// fast-check arbitraries for hostile API requests: bodies that are garbage, truncated, oversized or valid
// objects with random damage; every verb and content type; random paths, subresources and query strings.
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { allKinds } from '../../src/api/kinds/index.js';
import { FUZZ_GROUP, validObject } from './objects.js';
import type { FuzzRequest } from './server.js';

export interface Target {
  group: string;
  version: string;
  plural: string;
  kindKey: string;
  namespaced: boolean;
  subresources: string[];
}

export const TARGETS: Target[] = [
  ...allKinds.map((d) => ({
    group: d.group,
    version: d.version,
    plural: d.plural,
    kindKey: `${d.group}/${d.kind}`,
    namespaced: d.namespaced,
    subresources: d.subresources.map((s) => s.name),
  })),
  { group: FUZZ_GROUP, version: 'v1', plural: 'widgets', kindKey: `${FUZZ_GROUP}/Widget`, namespaced: true, subresources: ['status', 'scale'] },
];

/** Names the seed objects use, so that most requests address something that exists. */
export const COMMON_NAMES = ['web', 'db', `widgets.${FUZZ_GROUP}`];
const HOSTILE_NAMES = ['', 'UPPER', 'a'.repeat(254), 'bad_name', '..', '.', 'über', 'a b', '-lead', 'trail-', 'x'.repeat(64), '%zz', 'a%2Fb', '0', 'null'];
export const NAMESPACES = ['default', 'fuzz'];
const HOSTILE_NAMESPACES = ['kube-system', 'nope', 'Bad_NS', '%00', 'a'.repeat(70), '..'];

const SUBRESOURCES = ['status', 'scale', 'binding', 'eviction', 'log', 'finalize', 'exec', 'attach', 'portforward', 'proxy', 'ephemeralcontainers', 'resize', 'junk'];

// ---- values that break assumptions ----

function nested(depth: number, array: boolean): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = array ? [v] : { a: v };
  return v;
}

const hugeString = fc.integer({ min: 1000, max: 400_000 }).map((n) => 'x'.repeat(n));
const weirdString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '\uffff', '💥', 'a=b', '100m', '-1Gi', '1e400', 'NaN', '0x10', 'true', 'null', '{}', '../..', '$patch', 'a'.repeat(64), 'Ω'.repeat(100)),
);
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<unknown>(null, -1, 0, 1.5, -2147483649, 2 ** 53 + 1, 1e308, -1e308, true, false, [], {}) },
  { weight: 3, arbitrary: weirdString },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 20, max: 900 }), fc.boolean()).map(([d, a]) => nested(d, a)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5000 }).map((n) => Array.from({ length: n }, (_, i) => i)) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>({ '': 1 }, { 'a.b/c': 'x' }, JSON.parse('{"__proto__":{"polluted":true}}'), { constructor: { prototype: 1 } }, { $patch: 'delete' }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

// ---- damaged objects ----

const META_FIELDS = ['name', 'namespace', 'generateName', 'labels', 'annotations', 'uid', 'resourceVersion', 'generation', 'finalizers', 'ownerReferences', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'];

type Mutation =
  | { op: 'set' | 'unknown'; path: number[]; value: unknown; key: string }
  | { op: 'delete'; path: number[] }
  | { op: 'meta'; field: string; value: unknown }
  | { op: 'label'; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('set' as const, 'unknown' as const), path: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), value: hostileValue, key: weirdString }),
  fc.record({ op: fc.constant('delete' as const), path: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('meta' as const), field: fc.constantFrom(...META_FIELDS), value: hostileValue }),
  fc.record({ op: fc.constant('label' as const), key: fc.oneof(weirdString, fc.constantFrom('app', 'a/b', 'kubernetes.io/x', 'x'.repeat(70))), value: hostileValue }),
);

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return v !== null && typeof v === 'object';
}

/** Walks `path` (each step picks a child by index modulo the child count) and damages what it lands on. */
export function mutate(obj: Record<string, unknown>, m: Mutation): void {
  if (m.op === 'meta') {
    const meta = isContainer(obj.metadata) && !Array.isArray(obj.metadata) ? obj.metadata : (obj.metadata = {});
    (meta as Record<string, unknown>)[m.field] = m.value;
    return;
  }
  if (m.op === 'label') {
    const meta = isContainer(obj.metadata) && !Array.isArray(obj.metadata) ? (obj.metadata as Record<string, unknown>) : (obj.metadata = {});
    const labels = isContainer(meta.labels) ? (meta.labels as Record<string, unknown>) : (meta.labels = {});
    labels[m.key] = m.value;
    return;
  }
  let node: Record<string, unknown> | unknown[] = obj;
  for (let i = 0; i < m.path.length; i++) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[(m.path[i] as number) % keys.length] as string;
    const child = (node as Record<string, unknown>)[key];
    const last = i === m.path.length - 1 || !isContainer(child);
    if (!last) {
      node = child as Record<string, unknown>;
      continue;
    }
    if (m.op === 'delete') {
      if (Array.isArray(node)) node.splice(Number(key), 1);
      else delete node[key];
    } else if (m.op === 'set') {
      (node as Record<string, unknown>)[key] = m.value;
    } else if (!Array.isArray(node)) {
      node[m.key] = m.value;
    }
    return;
  }
}

export const damagedObject = (kindKey: string): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({ name: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...COMMON_NAMES, 'fz-1', 'fz-2') }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_NAMES) }), mutations: fc.array(mutation, { maxLength: 4 }) })
    .map(({ name, mutations }) => {
      const obj = validObject(kindKey, name) ?? { apiVersion: 'v1', kind: kindKey.split('/')[1], metadata: { name } };
      // Values are shared between runs (constants): damage a copy so a run never changes what the next sees.
      for (const m of mutations) mutate(obj, 'value' in m ? { ...m, value: structuredClone(m.value) } : m);
      return obj;
    });

// ---- body encodings ----

type Encoded = { body: Buffer | string; contentType: string };

function encodings(value: unknown): fc.Arbitrary<Encoded> {
  let json: string;
  try {
    json = JSON.stringify(value) ?? 'null';
  } catch {
    json = '{';
  }
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({ body: json, contentType: 'application/json' }) },
    { weight: 2, arbitrary: fc.constant(null).map(() => ({ body: safeYaml(value, json), contentType: 'application/yaml' })) },
    { weight: 1, arbitrary: fc.nat().map((n) => ({ body: json.slice(0, n % (json.length + 1)), contentType: 'application/json' })) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.string({ maxLength: 3 })).map(([n, s]) => ({ body: garble(json, n, s), contentType: 'application/json' })) },
    { weight: 1, arbitrary: fc.constantFrom('', 'text/plain', 'application/vnd.kubernetes.protobuf', 'application/cbor', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', '*/*', ';;;').map((ct) => ({ body: json, contentType: ct })) },
  );
}

function safeYaml(value: unknown, fallback: string): string {
  try {
    return toYaml(value, { aliasDuplicateObjects: false });
  } catch {
    return fallback;
  }
}

function garble(s: string, at: number, insert: string): string {
  const i = s.length ? at % s.length : 0;
  return s.slice(0, i) + insert + s.slice(i + 1);
}

const garbageBody: fc.Arbitrary<Encoded> = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }).map((b) => ({ body: Buffer.from(b), contentType: 'application/json' })),
  fc.uint8Array({ maxLength: 500 }).map((b) => ({ body: Buffer.concat([Buffer.from('k8s\u0000'), Buffer.from(b)]), contentType: 'application/vnd.kubernetes.protobuf' })),
  fc.jsonValue().map((v) => ({ body: JSON.stringify(v) ?? 'null', contentType: 'application/json' })),
  fc.integer({ min: 10, max: 20000 }).map((n) => ({ body: '['.repeat(n) + ']'.repeat(n), contentType: 'application/json' })),
  fc.integer({ min: 10, max: 20000 }).map((n) => ({ body: '{"a":'.repeat(n) + '1' + '}'.repeat(n), contentType: 'application/json' })),
  fc.integer({ min: 10, max: 5000 }).map((n) => ({ body: `${'- '.repeat(n)}x`, contentType: 'application/yaml' })),
  fc.constantFrom<Encoded>(
    { body: 'a: &a [*a]', contentType: 'application/yaml' },
    { body: `a: &x ["lol","lol"]\nb: &y [*x,*x,*x,*x,*x,*x,*x,*x]\nc: &z [*y,*y,*y,*y,*y,*y,*y,*y]\nd: [*z,*z,*z,*z,*z,*z,*z,*z]`, contentType: 'application/yaml' },
    { body: '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"dup","name":"dup2"}}', contentType: 'application/json' },
    { body: '!!binary aGVsbG8=', contentType: 'application/yaml' },
    { body: '---\na: 1\n---\nb: 2', contentType: 'application/yaml' },
    { body: '\ufeff{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"bom"}}', contentType: 'application/json' },
    { body: 'null', contentType: 'application/json' },
    { body: '[]', contentType: 'application/json' },
    { body: '"str"', contentType: 'application/json' },
    { body: '1e999', contentType: 'application/json' },
  ),
);

const MIB = 1024 * 1024;
const oversizedBody: fc.Arbitrary<Encoded> = fc.constantFrom(3 * MIB - 4096, 3 * MIB + 1, 4 * MIB).map((n) => {
  const padding = 'y'.repeat(Math.max(0, n - 120));
  return { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { big: padding } }), contentType: 'application/json' };
});

// ---- patches ----

const PATCH_PATHS = ['/metadata/labels/x', '/metadata/labels', '/spec/replicas', '/metadata/name', '/metadata/uid', '/', '', '/spec/containers/0/image', '/spec/containers/-', '/metadata/finalizers', '/metadata/finalizers/-', '/status', 'nope', '/a~2b', '/metadata/resourceVersion', '/kind', '/apiVersion', '/metadata/namespace', '/metadata/creationTimestamp', '/metadata/deletionTimestamp', '/spec', '/data/key', '/spec/template/spec/containers/0/ports/0/containerPort', '/metadata/ownerReferences'];
const jsonPatch = fc.array(
  fc.record(
    { op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'junk'), path: fc.oneof(fc.constantFrom(...PATCH_PATHS), weirdString), from: fc.constantFrom(...PATCH_PATHS), value: hostileValue },
    { requiredKeys: ['op'] },
  ),
  { maxLength: 5 },
);
const STRATEGIC_DIRECTIVES = [
  { spec: { template: { spec: { containers: [{ name: 'c', $patch: 'delete' }] } } } },
  { spec: { template: { spec: { containers: [{ $patch: 'replace' }] } } } },
  { spec: { containers: [{ name: 'c', $patch: 'junk' }] } },
  { spec: { containers: [{ image: 'no-name' }] } },
  { spec: { containers: { name: 'not-a-list' } } },
  { metadata: { $patch: 'delete' } },
  { $patch: 'replace' },
  { spec: { '$setElementOrder/containers': [{ name: 'zz' }, 5] } },
  { spec: { $retainKeys: ['x'] } },
  { metadata: { '$deleteFromPrimitiveList/finalizers': ['a', 5] } },
  { spec: { ports: [{ port: 'eighty' }] } },
  { metadata: { ownerReferences: [{ uid: 'u', $patch: 'merge' }] } },
];

function patchBody(kindKey: string): fc.Arbitrary<Encoded> {
  return fc.oneof(
    { weight: 3, arbitrary: jsonPatch.chain((p) => encodings(p)).map((e) => ({ ...e, contentType: e.contentType === 'application/json' ? 'application/json-patch+json' : e.contentType })) },
    { weight: 3, arbitrary: fc.tuple(damagedObject(kindKey), fc.constantFrom('application/merge-patch+json', 'application/strategic-merge-patch+json')).map(([o, ct]) => ({ body: JSON.stringify(partial(o)), contentType: ct })) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...STRATEGIC_DIRECTIVES), fc.constantFrom('application/merge-patch+json', 'application/strategic-merge-patch+json')).map(([o, ct]) => ({ body: JSON.stringify(o), contentType: ct })) },
    { weight: 3, arbitrary: damagedObject(kindKey).map((o) => ({ body: safeYaml(o, JSON.stringify(o)), contentType: 'application/apply-patch+yaml' })) },
    { weight: 1, arbitrary: fc.tuple(garbageBody, fc.constantFrom('application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/apply-patch+cbor', 'application/json')).map(([g, ct]) => ({ body: g.body, contentType: ct })) },
  );
}

/** A merge patch usually carries only part of an object: keep metadata and one other top-level field. */
function partial(o: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(o).filter((k) => k !== 'metadata');
  const out: Record<string, unknown> = { metadata: o.metadata };
  const k = keys[keys.length - 1];
  if (k) out[k] = o[k];
  return out;
}

// ---- delete options ----

const deleteBody: fc.Arbitrary<Encoded | undefined> = fc.oneof(
  fc.constant(undefined),
  fc
    .record(
      {
        kind: fc.constantFrom('DeleteOptions', 'Pod', 'junk'),
        apiVersion: fc.constantFrom('v1', 'meta.k8s.io/v1', 'junk/v9'),
        gracePeriodSeconds: hostileValue,
        propagationPolicy: fc.oneof(fc.constantFrom('Orphan', 'Background', 'Foreground'), hostileValue),
        orphanDependents: hostileValue,
        preconditions: fc.oneof(fc.record({ uid: hostileValue, resourceVersion: hostileValue }, { requiredKeys: [] }), hostileValue),
        dryRun: fc.oneof(fc.constant(['All']), hostileValue),
      },
      { requiredKeys: [] },
    )
    .chain((o) => encodings(o)),
  garbageBody,
);

// ---- query strings ----

const QUERY_VALUES: Record<string, string[]> = {
  labelSelector: ['app=web', 'app in (web,db)', '!app', 'app notin (x)', 'a=b=c', '(((', 'app!=', 'x'.repeat(100) + '=y', 'ü=1', 'app,', ',', 'app=web,tier in (front)', 'a in ()', 'a in (b', 'a=(b)', ''],
  fieldSelector: ['metadata.name=web', 'metadata.namespace!=default', 'status.phase=Running', 'spec.nodeName=', 'metadata.name==x', 'x=y', 'metadata.name', '=', ',', 'type=Opaque', 'involvedObject.name=web', 'spec.schedulerName in (a)'],
  limit: ['-1', '0', '1', '2', '500', 'abc', '1e309', '99999999999999999999', '1.5', ''],
  continue: ['', 'abc', 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiIvIn0', 'eyJzdGFydCI6NX0', '%%%', 'eyJydiI6LTEsInN0YXJ0IjoiL2NvcmUvcG9kcy8ifQ'],
  resourceVersion: ['0', '', '-5', 'abc', '999999999', '1', '1.5', '18446744073709551616'],
  resourceVersionMatch: ['NotOlderThan', 'Exact', 'junk'],
  watch: ['true', '1', 'false', 'junk', ''],
  timeoutSeconds: ['0', '-1', '1', 'abc', '1e10', '999999999999'],
  allowWatchBookmarks: ['true', 'junk'],
  sendInitialEvents: ['true', 'false', 'junk'],
  dryRun: ['All', 'junk', '', 'all'],
  fieldManager: ['fuzz', 'x'.repeat(200), '', 'ü\u0000'],
  fieldValidation: ['Strict', 'Warn', 'Ignore', 'junk', ''],
  force: ['true', 'false', 'junk'],
  pretty: ['true', 'junk'],
  gracePeriodSeconds: ['-1', '0', '30', 'abc', '1e400', '99999999999999999999'],
  propagationPolicy: ['Orphan', 'Background', 'Foreground', 'junk', ''],
  orphanDependents: ['true', 'junk'],
  includeObject: ['Object', 'None', 'Metadata', 'junk'],
  container: ['c', 'nope', ''],
  follow: ['true', 'junk'],
  tailLines: ['-1', '0', '10', 'abc'],
  sinceSeconds: ['-1', '0', 'abc'],
  limitBytes: ['-1', '0', 'abc'],
  previous: ['true', 'junk'],
  timestamps: ['true'],
};

const query: fc.Arbitrary<string> = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...Object.keys(QUERY_VALUES)), fc.nat(), { maxKeys: 4 }),
    fc.option(fc.tuple(weirdString, weirdString), { freq: 4 }),
    fc.boolean(),
  )
  .map(([picked, extra, raw]) => {
    const pairs: Array<[string, string]> = Object.entries(picked).map(([k, n]) => {
      const values = QUERY_VALUES[k] as string[];
      return [k, values[n % values.length] as string];
    });
    if (extra) pairs.push(extra);
    if (pairs.length === 0) return '';
    // Unencoded on purpose now and then: the server must cope with what a careless client sends.
    if (raw) return `?${pairs.map(([k, v]) => `${k}=${v}`).join('&').replace(/[\s\u0000-\u001f\u007f-\uffff#]/g, enc)}`;
    return `?${new URLSearchParams(pairs).toString()}`;
  });

// ---- paths ----

/** encodeURIComponent that takes lone surrogates too (as U+FFFD, what a UTF-8 client would send). */
function enc(s: string): string {
  return encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

function segment(s: string): string {
  return enc(s);
}

function resourcePath(t: Target, ns: string, name?: string, sub?: string): string {
  const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  let p = t.namespaced && ns !== '*' ? `${base}/namespaces/${segment(ns)}/${t.plural}` : `${base}/${t.plural}`;
  if (name !== undefined) p += `/${name.includes('%') ? name : segment(name)}`;
  if (sub !== undefined) p += `/${sub}`;
  return p;
}

const namespaceArb = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...NAMESPACES) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_NAMESPACES, '*') });
const nameArb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...COMMON_NAMES, 'fz-1', 'fz-2') }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_NAMES) });
const targetArb = fc.constantFrom(...TARGETS);

const RANDOM_PATHS = [
  '/api/v1/namespaces/%zz/pods',
  '/api/v1/namespaces/default/pods/%E0%A4%A',
  '/apis/%',
  '/api/v1/../v1/pods',
  '//api//v1//pods',
  '/api/v1/namespaces/default/pods/a/b/c/d/e',
  '/apis/apps',
  '/apis/apps/v9/deployments',
  '/apis/nope.example.com/v1/things',
  '/openapi/v3/apis/apps/v1junk',
  '/openapi/v2',
  '/openapi/v3',
  '/version?x=%zz',
  '/api/v1/watch/pods',
  '/api/v1/namespaces//pods',
  '/api/v1/namespaces/default/',
  '/api/v1/nodes/web/proxy/%zz',
  '/api/v1/namespaces/default/services/web:80/proxy/',
  '/apis/apps/v1/namespaces/default/deployments/web/scale/extra',
  '/metrics',
  '/healthz/etcd',
  '/livez?verbose',
  '/api/v1/namespaces/default/pods/web/log?follow=true',
];
const randomPath = fc.oneof(
  fc.constantFrom(...RANDOM_PATHS),
  fc.array(fc.oneof(weirdString, fc.constantFrom('api', 'apis', 'v1', 'namespaces', 'default', 'pods', 'apps', 'deployments', 'status', '..', '%2F', '%00')), { maxLength: 7 }).map(
    (segs) => `/${segs.map((s) => (s.startsWith('%') ? s : enc(s))).join('/')}`,
  ),
);

// ---- headers ----

const ACCEPTS = [
  'application/json',
  'application/json;as=Table;v=v1;g=meta.k8s.io',
  'application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json',
  'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  'application/vnd.kubernetes.protobuf',
  'application/vnd.kubernetes.protobuf;stream=watch',
  'application/yaml',
  'text/html',
  '*/*',
  ';;==;',
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'application/cbor',
];

function headers(contentType: string | undefined, accept: string | undefined): Record<string, string> {
  const h: Record<string, string> = {};
  if (contentType !== undefined && contentType !== '') h['content-type'] = contentType;
  if (accept !== undefined) h.accept = accept;
  return h;
}
const acceptArb = fc.option(fc.constantFrom(...ACCEPTS), { freq: 2 });

// ---- whole requests ----

const createReq: fc.Arbitrary<FuzzRequest> = targetArb.chain((t) =>
  fc.record({ ns: namespaceArb, q: query, obj: damagedObject(t.kindKey), accept: acceptArb }).chain(({ ns, q, obj, accept }) =>
    encodings(obj).map((e) => ({ method: 'POST', path: resourcePath(t, ns) + q, headers: headers(e.contentType, accept ?? undefined), body: e.body })),
  ),
);

const updateReq: fc.Arbitrary<FuzzRequest> = targetArb.chain((t) =>
  fc.record({ ns: namespaceArb, name: nameArb, q: query, obj: damagedObject(t.kindKey), sub: fc.option(fc.constantFrom('status', 'scale', 'finalize'), { freq: 4 }) }).chain(({ ns, name, q, obj, sub }) =>
    encodings(obj).map((e) => ({ method: 'PUT', path: resourcePath(t, ns, name, sub ?? undefined) + q, headers: headers(e.contentType, undefined), body: e.body })),
  ),
);

const patchReq: fc.Arbitrary<FuzzRequest> = targetArb.chain((t) =>
  fc.record({ ns: namespaceArb, name: nameArb, q: query, body: patchBody(t.kindKey), sub: fc.option(fc.constantFrom('status', 'scale'), { freq: 4 }), manager: fc.boolean() }).map(({ ns, name, q, body, sub, manager }) => {
    const query = body.contentType === 'application/apply-patch+yaml' && manager && !q.includes('fieldManager') ? `${q ? `${q}&` : '?'}fieldManager=fuzz` : q;
    return { method: 'PATCH', path: resourcePath(t, ns, name, sub ?? undefined) + query, headers: headers(body.contentType, undefined), body: body.body };
  }),
);

const deleteReq: fc.Arbitrary<FuzzRequest> = fc.record({ t: targetArb, ns: namespaceArb, name: fc.option(nameArb, { freq: 6 }), q: query, body: deleteBody }).map(({ t, ns, name, q, body }) => ({
  method: 'DELETE',
  path: resourcePath(t, ns, name ?? undefined) + q,
  headers: headers(body?.contentType, undefined),
  ...(body ? { body: body.body } : {}),
}));

const readReq: fc.Arbitrary<FuzzRequest> = fc.record({ t: targetArb, ns: namespaceArb, name: fc.option(nameArb, { freq: 2 }), q: query, accept: acceptArb }).map(({ t, ns, name, q, accept }) => ({
  method: 'GET',
  path: resourcePath(t, ns, name ?? undefined) + q,
  headers: headers(undefined, accept ?? undefined),
  streaming: true,
}));

const subresourceReq: fc.Arbitrary<FuzzRequest> = fc
  .record({
    t: targetArb,
    ns: namespaceArb,
    name: nameArb,
    sub: fc.constantFrom(...SUBRESOURCES),
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
    q: query,
    body: fc.oneof(garbageBody, damagedObject('/Pod').chain((o) => encodings(o)), fc.constantFrom<Encoded>(
      { body: JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Node', name: 'node-1' } }), contentType: 'application/json' },
      { body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web' }, deleteOptions: { gracePeriodSeconds: -5 } }), contentType: 'application/json' },
      { body: JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: -3 } }), contentType: 'application/json' },
      { body: JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: 2147483648 } }), contentType: 'application/json' },
      { body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fuzz' }, spec: { finalizers: [5, null] } }), contentType: 'application/json' },
    )),
  })
  .map(({ t, ns, name, sub, method, q, body }) => ({
    method,
    path: resourcePath(t, ns, name, sub) + q,
    headers: headers(method === 'PATCH' ? 'application/merge-patch+json' : body.contentType, undefined),
    ...(method === 'GET' ? { streaming: true } : { body: body.body }),
  }));

const garbageReq: fc.Arbitrary<FuzzRequest> = fc
  .record({ t: targetArb, ns: namespaceArb, name: fc.option(nameArb), method: fc.constantFrom('POST', 'PUT', 'PATCH'), body: garbageBody, ct: fc.option(fc.constantFrom('application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml', 'application/strategic-merge-patch+json')) })
  .map(({ t, ns, name, method, body, ct }) => ({
    method,
    path: resourcePath(t, ns, method === 'POST' ? undefined : (name ?? 'web')) + (ct === 'application/apply-patch+yaml' ? '?fieldManager=fuzz' : ''),
    headers: headers(method === 'PATCH' ? (ct ?? body.contentType) : body.contentType, undefined),
    body: body.body,
  }));

const oversizedReq: fc.Arbitrary<FuzzRequest> = fc.record({ t: targetArb, ns: namespaceArb, method: fc.constantFrom('POST', 'PUT', 'PATCH'), body: oversizedBody, chunked: fc.boolean() }).map(({ t, ns, method, body, chunked }) => ({
  method,
  path: resourcePath(t, ns, method === 'POST' ? undefined : 'big'),
  // Without Content-Length (chunked) the limit must hold while reading, not only on the declared size.
  headers: { ...headers(method === 'PATCH' ? 'application/merge-patch+json' : body.contentType, undefined), ...(chunked ? { 'transfer-encoding': 'chunked' } : {}) },
  body: body.body,
}));

const randomPathReq: fc.Arbitrary<FuzzRequest> = fc.record({ path: randomPath, q: query, method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'), body: fc.option(garbageBody) }).map(({ path, q, method, body }) => ({
  method,
  path: path + (path.includes('?') ? '' : q),
  headers: headers(body?.contentType, undefined),
  ...(body && method !== 'GET' && method !== 'HEAD' ? { body: body.body } : {}),
  streaming: method === 'GET',
}));

export const requestArb: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 8, arbitrary: createReq },
  { weight: 4, arbitrary: updateReq },
  { weight: 5, arbitrary: patchReq },
  { weight: 2, arbitrary: deleteReq },
  { weight: 4, arbitrary: readReq },
  { weight: 3, arbitrary: subresourceReq },
  { weight: 3, arbitrary: garbageReq },
  { weight: 3, arbitrary: randomPathReq },
  { weight: 1, arbitrary: oversizedReq },
);

/** Valid requests that put one object of every kind in place, so later requests find something to damage. */
export function seedRequests(): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  for (const t of TARGETS) {
    for (const name of ['web', 'db']) {
      const obj = validObject(t.kindKey, name);
      if (!obj || t.kindKey === 'apiextensions.k8s.io/CustomResourceDefinition') continue;
      out.push({ method: 'POST', path: resourcePath(t, 'default'), headers: { 'content-type': 'application/json' }, body: JSON.stringify(obj) });
    }
  }
  return out;
}
