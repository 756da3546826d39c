// The protobuf tables must cover every field of every served kind: the OpenAPI catalog the API
// server validates with (src/api/schema/catalog.json) is the list of fields, the tables add numbers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MESSAGES, TOP_LEVEL } from './schema.js';

interface CatalogType {
  f?: Record<string, string>;
}
const catalog = JSON.parse(readFileSync(new URL('../../api/schema/catalog.json', import.meta.url), 'utf8')) as {
  kinds: Record<string, [string, string, string][]>;
  packages: Record<string, Record<string, CatalogType>>;
};

/** Catalog names whose protobuf message is named differently in our tables (same short name in two groups). */
const RENAMED: Record<string, string> = {
  'io.k8s.api.events.v1.Event': 'EventsEvent',
  'io.k8s.api.events.v1.EventList': 'EventsEventList',
  'io.k8s.api.events.v1.EventSeries': 'EventSeries',
  'io.k8s.api.discovery.v1.Endpoint': 'DiscoveryEndpoint',
  'io.k8s.api.discovery.v1.EndpointPort': 'DiscoveryEndpointPort',
};
const SCALAR: Record<string, string> = {
  string: 'string',
  int32: 'int32',
  int64: 'int64',
  boolean: 'bool',
  time: 'Time',
  microtime: 'MicroTime',
  quantity: 'Quantity',
  'int-or-string': 'IntOrString',
  'fields-v1': 'FieldsV1',
  any: 'RawExtension',
  byte: 'bytes',
};

/** Fields newer than the catalog (which follows Kubernetes 1.34): clients of later versions may send them. */
const NEWER_THAN_CATALOG = new Set([
  'SecurityContext.ulimits',
  'PodCertificateProjection.userAnnotations',
  'PodSpec.workloadRef',
  'NodeFeatures.containerUlimits',
  'NodeStatus.declaredFeatures',
  'ResourceHealth.message',
  'VolumeMountStatus.volumeStatus',
  'PodStatus.allocatedResources',
  'PodStatus.resources',
]);

function split(full: string): [string, string] {
  const i = full.lastIndexOf('.');
  return [full.slice(0, i), full.slice(i + 1)];
}

/** Every JSON field of a message, embedded (`...`) messages inlined, with its definition. */
function flatFields(name: string): Map<string, { type: string; repeated: boolean; map: boolean }> {
  const out = new Map<string, { type: string; repeated: boolean; map: boolean }>();
  for (const fd of MESSAGES.get(name)!.values()) {
    if (fd.json === '...') for (const [k, v] of flatFields(fd.type)) out.set(k, v);
    else out.set(fd.json, fd);
  }
  return out;
}

describe('protobuf tables against the OpenAPI catalog', () => {
  const problems: string[] = [];
  const seen = new Set<string>();
  const check = (pkg: string, type: string, message: string): void => {
    const key = `${pkg}.${type}`;
    if (seen.has(key)) return;
    seen.add(key);
    const def = catalog.packages[pkg]?.[type];
    if (!def) {
      problems.push(`${key}: not in the catalog`);
      return;
    }
    if (!MESSAGES.has(message)) {
      problems.push(`${key}: no message ${message}`);
      return;
    }
    const ours = flatFields(message);
    const theirs = def.f ?? {};
    for (const [field, t] of Object.entries(theirs)) {
      if (field === 'apiVersion' || field === 'kind') continue;
      const fd = ours.get(field);
      if (!fd) {
        problems.push(`${message}.${field} (${t}) has no field number`);
        continue;
      }
      let inner = t;
      const repeated = inner.startsWith('[]');
      const map = inner.startsWith('{}');
      if (repeated || map) inner = inner.slice(2);
      if (repeated !== fd.repeated || map !== fd.map) problems.push(`${message}.${field}: catalog ${t}, table ${fd.repeated ? 'repeated ' : ''}${fd.map ? 'map ' : ''}${fd.type}`);
      const scalar = SCALAR[inner];
      if (scalar) {
        if (scalar !== fd.type) problems.push(`${message}.${field}: catalog ${t}, table ${fd.type}`);
        continue;
      }
      const [p, n] = inner.includes('.') ? split(inner) : [pkg, inner];
      const expected = RENAMED[`${p}.${n}`] ?? n;
      if (expected !== fd.type) problems.push(`${message}.${field}: catalog ${p}.${n}, table ${fd.type}`);
      else check(p, n, expected);
    }
    for (const field of ours.keys()) {
      if (!(field in theirs) && !NEWER_THAN_CATALOG.has(`${message}.${field}`)) problems.push(`${message}.${field} is in the table but not in the catalog`);
    }
  };
  for (const [full, gvks] of Object.entries(catalog.kinds)) {
    for (const [group, version, kind] of gvks) {
      const message = TOP_LEVEL[`${group ? `${group}/` : ''}${version}/${kind}`];
      if (!message) continue;
      const [pkg, type] = split(full);
      check(pkg, type, message);
    }
  }

  it('every served kind has a message', () => {
    const missing: string[] = [];
    for (const gvks of Object.values(catalog.kinds)) {
      for (const [group, version, kind] of gvks) {
        if (group === 'apiextensions.k8s.io' || ['APIResourceList', 'WatchEvent'].includes(kind)) continue;
        if (!TOP_LEVEL[`${group ? `${group}/` : ''}${version}/${kind}`]) missing.push(`${group}/${version}/${kind}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('every field of every served kind has a field number of the right type', () => {
    assert.deepEqual(problems, []);
  });
});
