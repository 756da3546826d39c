import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../api/errors.js';
import { allKinds } from '../../api/kinds/index.js';
import { Registry } from '../../api/registry.js';
import type { KubeObject } from '../../api/types.js';
import { FakeClock } from '../../clock/clock.js';
import { MemoryStore } from '../../store/memory.js';
import { Discovery } from '../discovery.js';
import { createOpenApi } from '../openapi-docs.js';
import { ResourceStorage } from '../storage/generic.js';
import { CrdController } from './controller.js';

function setup() {
  const registry = new Registry(allKinds);
  const clock = new FakeClock(Date.parse('2024-05-01T10:00:00Z'));
  const storage = new ResourceStorage(new MemoryStore(), registry, clock);
  const ctl = new CrdController(storage, registry, clock);
  ctl.start();
  void storage.create(registry.kind('', 'Namespace')!, undefined, { metadata: { name: 'default' } }, { decode: false });
  return { registry, storage, clock, ctl };
}

const crd = (versions: string[] = ['v1']): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'websites.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'websites', kind: 'Website', shortNames: ['ws'] },
    versions: versions.map((v, i) => ({
      name: v,
      served: true,
      storage: i === 0,
      subresources: { status: {} },
      additionalPrinterColumns: [{ name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' }],
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            spec: { type: 'object', properties: { replicas: { type: 'integer', default: 1 }, message: { type: 'string' } } },
            status: { type: 'object', properties: { ready: { type: 'integer' } } },
          },
        },
      },
    })),
  },
});

const tick = () => new Promise((r) => setImmediate(r));

describe('CustomResourceDefinition serving', () => {
  it('serves a created CRD at once and marks it established', async () => {
    const { registry, storage } = setup();
    const discovery = new Discovery(registry, '127.0.0.1:6443');
    assert.equal(discovery.resourceLists.get('example.com/v1'), undefined);
    const crdD = registry.kind('apiextensions.k8s.io', 'CustomResourceDefinition')!;
    await storage.create(crdD, undefined, crd());
    const d = registry.resource('example.com', 'v1', 'websites');
    assert.ok(d, 'served right after the create');
    assert.match(discovery.resourceLists.get('example.com/v1') ?? '', /"name":"websites".*"shortNames":\["ws"\]/);
    assert.match(discovery.aggregatedFor('apis', 'v2'), /"resource":"websites"/);
    await tick();
    const status = storage.get(crdD, undefined, 'websites.example.com').status as any;
    assert.deepEqual(status.conditions.map((c: any) => `${c.type}=${c.status}`), ['NamesAccepted=True', 'Established=True']);
    assert.equal(status.acceptedNames.listKind, 'WebsiteList');
    assert.deepEqual(status.storedVersions, ['v1']);
  });

  it('prunes, defaults, validates and keeps status out of main-resource writes', async () => {
    const { registry, storage } = setup();
    await storage.create(registry.kind('apiextensions.k8s.io', 'CustomResourceDefinition')!, undefined, crd());
    const d = registry.resource('example.com', 'v1', 'websites')!;
    const obj = { apiVersion: 'example.com/v1', kind: 'Website', metadata: { name: 'w' }, spec: { message: 'hi', colour: 'red' }, status: { ready: 3 } };
    const created = await storage.create(d, 'default', obj, { fieldValidation: 'Warn' });
    assert.deepEqual(created.warnings, ['unknown field "spec.colour"']);
    assert.deepEqual(created.object.spec, { message: 'hi', replicas: 1 });
    assert.equal(created.object.status, undefined);
    assert.equal(created.object.metadata.generation, 1);
    await assert.rejects(
      async () => storage.create(d, 'default', { ...obj, metadata: { name: 'x' } }, { fieldValidation: 'Strict' }),
      (e: ApiError) => e.code === 400 && /Website in version "v1" cannot be handled as a Website: strict decoding error: unknown field "spec.colour"/.test(e.message),
    );
    await assert.rejects(
      async () => storage.create(d, 'default', { ...obj, metadata: { name: 'y' }, spec: { replicas: 'two' } }),
      (e: ApiError) => e.code === 422 && e.message === 'Website.example.com "y" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    );
    await assert.rejects(
      async () => storage.patch(d, 'default', 'w', 'merge', { status: { ready: 'yes' } }, {}, 'status'),
      (e: ApiError) => e.code === 422 && /status.ready: Invalid value: "string": status.ready in body must be of type integer/.test(e.message),
    );
    const st = await storage.patch(d, 'default', 'w', 'merge', { status: { ready: 2 } }, {}, 'status');
    assert.deepEqual(st.object.status, { ready: 2 });
    const up = await storage.patch(d, 'default', 'w', 'merge', { spec: { replicas: 5 }, status: { ready: 9 } });
    assert.deepEqual(up.object.status, { ready: 2 });
    assert.equal(up.object.metadata.generation, 2);
    assert.deepEqual(d.table.cells(up.object, Date.now()), ['w', 5]);
  });

  it('serves several versions with None conversion', async () => {
    const { registry, storage } = setup();
    await storage.create(registry.kind('apiextensions.k8s.io', 'CustomResourceDefinition')!, undefined, crd(['v1', 'v1beta1']));
    const v1 = registry.resource('example.com', 'v1', 'websites')!;
    const beta = registry.resource('example.com', 'v1beta1', 'websites')!;
    await storage.create(beta, 'default', { apiVersion: 'example.com/v1beta1', kind: 'Website', metadata: { name: 'w' }, spec: {} });
    // Same objects under both versions; a v1beta1 body is accepted by the v1 endpoint.
    assert.equal(storage.list(v1, 'default').entries.length, 1);
    const patched = await storage.patch(v1, 'default', 'w', 'merge', { spec: { replicas: 2 } });
    assert.equal(patched.object.apiVersion, 'example.com/v1');
    assert.equal(registry.kind('example.com', 'Website'), v1);
    const root = JSON.parse(createOpenApi(registry).root()).paths;
    assert.ok(root['apis/example.com/v1'] && root['apis/example.com/v1beta1']);
  });

  it('deletes the objects with the CRD, then stops serving', async () => {
    const { registry, storage } = setup();
    const crdD = registry.kind('apiextensions.k8s.io', 'CustomResourceDefinition')!;
    await storage.create(crdD, undefined, crd());
    const d = registry.resource('example.com', 'v1', 'websites')!;
    await storage.create(d, 'default', { metadata: { name: 'a' }, spec: {} });
    await storage.create(d, 'default', { metadata: { name: 'b' }, spec: {} });
    await tick();
    const { deleted } = await storage.delete(crdD, undefined, 'websites.example.com');
    assert.equal(deleted, false);
    await assert.rejects(async () => storage.create(d, 'default', { metadata: { name: 'c' }, spec: {} }), (e: ApiError) => e.code === 405);
    for (let i = 0; i < 5 && registry.resource('example.com', 'v1', 'websites'); i++) await tick();
    assert.equal(registry.resource('example.com', 'v1', 'websites'), undefined);
    assert.equal(storage.store.count('/example.com/websites/'), 0);
    assert.equal(storage.store.get('/apiextensions.k8s.io/customresourcedefinitions/_/websites.example.com'), undefined);
  });

  it('serves the CRDs already in the store when it starts', async () => {
    const first = setup();
    await first.storage.create(first.registry.kind('apiextensions.k8s.io', 'CustomResourceDefinition')!, undefined, crd());
    first.ctl.stop();
    const registry = new Registry(allKinds);
    const storage = new ResourceStorage(first.storage.store, registry, first.clock);
    new CrdController(storage, registry, first.clock).start();
    assert.ok(registry.resource('example.com', 'v1', 'websites'));
  });

  it('refuses names another CRD already serves', async () => {
    const { registry, storage } = setup();
    const crdD = registry.kind('apiextensions.k8s.io', 'CustomResourceDefinition')!;
    await storage.create(crdD, undefined, crd());
    const other = crd();
    other.metadata.name = 'sites.example.com';
    (other.spec as any).names = { plural: 'sites', kind: 'Website' };
    await storage.create(crdD, undefined, other);
    await tick();
    assert.equal(registry.resource('example.com', 'v1', 'sites'), undefined);
    const status = storage.get(crdD, undefined, 'sites.example.com').status as any;
    assert.deepEqual(status.conditions.map((c: any) => `${c.type}=${c.status}:${c.reason}`), ['NamesAccepted=False:KindConflict', 'Established=False:NotAccepted']);
    // Once the first CRD is gone, the second one's names are free.
    await storage.delete(crdD, undefined, 'websites.example.com');
    for (let i = 0; i < 10 && !registry.resource('example.com', 'v1', 'sites'); i++) await tick();
    assert.ok(registry.resource('example.com', 'v1', 'sites'));
  });
});
