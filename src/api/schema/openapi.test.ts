import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceDescriptor, SubresourceDescriptor } from '../descriptor.js';
import { groupVersionOfPath, openapiV3Document, openapiV3DocumentText, openapiV3Root } from './openapi.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function descriptor(group: string, version: string, kind: string, plural: string, namespaced: boolean, schemaType: string, subresources: SubresourceDescriptor[] = []): ResourceDescriptor {
  return {
    group, version, kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames: [], categories: [], namespaced,
    verbs: ALL_VERBS, subresources, schemaType, hasStatus: subresources.length > 0, defaultPropagation: 'Background',
    table: { columns: [], cells: () => [] },
  };
}

const status: SubresourceDescriptor = { name: 'status', verbs: ['get', 'patch', 'update'] };
const scale: SubresourceDescriptor = { name: 'scale', verbs: ['get', 'patch', 'update'], group: 'autoscaling', version: 'v1', kind: 'Scale' };

const DESCRIPTORS: ResourceDescriptor[] = [
  descriptor('', 'v1', 'Pod', 'pods', true, 'io.k8s.api.core.v1.Pod', [status, { name: 'binding', verbs: ['create'] }, { name: 'eviction', verbs: ['create'] }]),
  descriptor('', 'v1', 'Node', 'nodes', false, 'io.k8s.api.core.v1.Node', [status]),
  descriptor('', 'v1', 'Event', 'events', true, 'io.k8s.api.core.v1.Event'),
  descriptor('apps', 'v1', 'Deployment', 'deployments', true, 'io.k8s.api.apps.v1.Deployment', [status, scale]),
  descriptor('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true, 'io.k8s.api.apps.v1.ControllerRevision'),
  descriptor('batch', 'v1', 'Job', 'jobs', true, 'io.k8s.api.batch.v1.Job', [status]),
  descriptor('events.k8s.io', 'v1', 'Event', 'events', true, 'io.k8s.api.events.v1.Event'),
  descriptor('coordination.k8s.io', 'v1', 'Lease', 'leases', true, 'io.k8s.api.coordination.v1.Lease'),
];

type Doc = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };

describe('openapiV3Root', () => {
  it('lists every group version with a stable content hash', () => {
    const root = openapiV3Root(DESCRIPTORS);
    assert.deepEqual(Object.keys(root.paths), ['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/coordination.k8s.io/v1', 'apis/events.k8s.io/v1']);
    for (const [key, { serverRelativeURL }] of Object.entries(root.paths)) {
      assert.match(serverRelativeURL, new RegExp(`^/openapi/v3/${key.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`));
      assert.ok(groupVersionOfPath(key));
    }
    assert.deepEqual(openapiV3Root(DESCRIPTORS), root);
    const fewer = openapiV3Root(DESCRIPTORS.filter((d) => d.kind !== 'ControllerRevision'));
    assert.notEqual(fewer.paths['apis/apps/v1']!.serverRelativeURL, root.paths['apis/apps/v1']!.serverRelativeURL);
    assert.equal(fewer.paths['api/v1']!.serverRelativeURL, root.paths['api/v1']!.serverRelativeURL);
  });

  it('maps path keys back to group versions', () => {
    assert.equal(groupVersionOfPath('api/v1'), 'v1');
    assert.equal(groupVersionOfPath('apis/apps/v1'), 'apps/v1');
    assert.equal(groupVersionOfPath('apis/apps'), undefined);
  });
});

describe('openapiV3Document', () => {
  it('declares fieldValidation on the PATCH of every kind, tagged with its group/version/kind', () => {
    for (const d of DESCRIPTORS) {
      const gv = d.group ? `${d.group}/${d.version}` : d.version;
      const doc = openapiV3Document(gv, DESCRIPTORS) as Doc;
      assert.equal(doc.openapi, '3.0.0');
      assert.equal(doc.info.title, 'Kubernetes');
      const base = d.group ? `/apis/${gv}` : `/api/${gv}`;
      const item = d.namespaced ? `${base}/namespaces/{namespace}/${d.plural}/{name}` : `${base}/${d.plural}/{name}`;
      const patch = doc.paths[item]?.patch;
      assert.ok(patch, `PATCH ${item}`);
      assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: d.group, version: d.version, kind: d.kind });
      assert.equal(patch['x-kubernetes-action'], 'patch');
      assert.ok(patch.parameters.some((p: { name: string; in: string }) => p.name === 'fieldValidation' && p.in === 'query'));
      for (const verb of ['get', 'put', 'delete']) assert.ok(doc.paths[item]![verb], `${verb} ${item}`);
      const collection = item.slice(0, -'/{name}'.length);
      assert.ok(doc.paths[collection]!.post, `POST ${collection}`);
      assert.ok(doc.paths[collection]!.get, `GET ${collection}`);
      assert.ok(doc.components.schemas[d.schemaType]['x-kubernetes-group-version-kind'].some((g: { kind: string; group: string }) => g.kind === d.kind && g.group === d.group));
    }
  });

  it('publishes status and scale subresources with the right kinds', () => {
    const doc = openapiV3Document('apps/v1', DESCRIPTORS) as Doc;
    const base = '/apis/apps/v1/namespaces/{namespace}/deployments/{name}';
    assert.deepEqual(doc.paths[`${base}/status`]!.patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.deepEqual(doc.paths[`${base}/scale`]!.put['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    assert.ok(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
    assert.ok(doc.paths['/apis/apps/v1/deployments']!.get, 'list across namespaces');
    const core = openapiV3Document('v1', DESCRIPTORS) as Doc;
    assert.ok(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction']!.post);
    assert.ok(core.paths['/api/v1/nodes/{name}']!.patch, 'cluster-scoped path');
  });

  it('builds component schemas from the catalog with patch extensions', () => {
    const doc = openapiV3Document('apps/v1', DESCRIPTORS) as Doc;
    const schemas = doc.components.schemas;
    assert.deepEqual(schemas['io.k8s.api.core.v1.PodSpec'].properties.containers, {
      description: 'List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.',
      type: 'array',
      items: { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' },
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    });
    assert.deepEqual(schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.replicas, {
      description: 'Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.',
      type: 'integer',
      format: 'int32',
    });
    // A described reference is wrapped in allOf, with its extensions beside it (kube-apiserver's v3 shape).
    assert.deepEqual(schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy, {
      allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }],
      description: 'The deployment strategy to use to replace existing pods with new ones.',
      'x-kubernetes-patch-strategy': 'retainKeys',
    });
    assert.equal(schemas['io.k8s.api.apps.v1.DeploymentStrategy'].description, 'DeploymentStrategy describes how to replace existing pods with new ones.');
    assert.deepEqual(schemas['io.k8s.api.apps.v1.DeploymentSpec'].required, ['selector', 'template']);
    assert.deepEqual(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] });
    assert.deepEqual(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Time'], { type: 'string', format: 'date-time' });
    assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']['x-kubernetes-map-type'], 'atomic');

    // Every reference points at a schema of the same document.
    const text = openapiV3DocumentText('apps/v1', DESCRIPTORS);
    for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(schemas[m[1]!], `dangling $ref ${m[1]}`);
  });

  it('advertises strategic merge patch only when asked to', () => {
    const item = '/apis/apps/v1/namespaces/{namespace}/deployments/{name}';
    const plain = openapiV3Document('apps/v1', DESCRIPTORS) as Doc;
    assert.equal('application/strategic-merge-patch+json' in plain.paths[item]!.patch.requestBody.content, false);
    assert.ok('application/merge-patch+json' in plain.paths[item]!.patch.requestBody.content);
    const smp = openapiV3Document('apps/v1', DESCRIPTORS, { advertiseStrategicMerge: true }) as Doc;
    assert.ok('application/strategic-merge-patch+json' in smp.paths[item]!.patch.requestBody.content);
  });

  it('renders each document once', () => {
    const a = openapiV3DocumentText('v1', DESCRIPTORS);
    const b = openapiV3DocumentText('v1', [...DESCRIPTORS]);
    assert.equal(a, b);
    assert.deepEqual(JSON.parse(a), openapiV3Document('v1', DESCRIPTORS));
  });
});
