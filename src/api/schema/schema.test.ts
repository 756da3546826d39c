import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogKinds, catalogTypeNames, fieldToken, hasSchema, schemaAt, schemaOf, typeNameForKind } from './index.js';
import { ATOMIC_STRUCTS, FIELD_PATCH_META } from './patch-metadata.js';
import type { SchemaNode } from './types.js';

const KINDS = [
  ...['Namespace', 'Pod', 'Node', 'Service', 'Endpoints', 'PersistentVolumeClaim', 'PersistentVolume', 'Event', 'ConfigMap', 'Secret',
    'ServiceAccount', 'ReplicationController', 'PodTemplate', 'Binding'].map((k) => `io.k8s.api.core.v1.${k}`),
  ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision'].map((k) => `io.k8s.api.apps.v1.${k}`),
  'io.k8s.api.batch.v1.Job',
  'io.k8s.api.batch.v1.CronJob',
  'io.k8s.api.policy.v1.PodDisruptionBudget',
  'io.k8s.api.policy.v1.Eviction',
  'io.k8s.api.coordination.v1.Lease',
  'io.k8s.api.storage.v1.StorageClass',
  'io.k8s.api.events.v1.Event',
  'io.k8s.api.discovery.v1.EndpointSlice',
  'io.k8s.api.autoscaling.v1.Scale',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
];

const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';

describe('schema catalog', () => {
  it('resolves every served kind, with its group/version/kind', () => {
    for (const name of KINDS) {
      const node = schemaOf(name);
      assert.equal(node.type, 'object', name);
      assert.equal(node.typeName, name);
      assert.ok(node.fieldNames().length > 0, name);
    }
    assert.deepEqual(schemaOf(DEPLOYMENT).groupVersionKinds, [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    assert.deepEqual(schemaOf('io.k8s.api.events.v1.Event').groupVersionKinds, [{ group: 'events.k8s.io', version: 'v1', kind: 'Event' }]);
    assert.deepEqual(schemaOf('io.k8s.api.core.v1.Event').groupVersionKinds, [{ group: '', version: 'v1', kind: 'Event' }]);
    assert.equal(typeNameForKind('apps', 'v1', 'DeploymentList'), 'io.k8s.api.apps.v1.DeploymentList');
    assert.equal(typeNameForKind('discovery.k8s.io', 'v1', 'EndpointSlice'), 'io.k8s.api.discovery.v1.EndpointSlice');
    assert.ok(catalogKinds().length >= KINDS.length);
  });

  it('throws for unknown type names and shares nodes between calls', () => {
    assert.throws(() => schemaOf('io.k8s.api.apps.v1.Nope'), /no schema for type io.k8s.api.apps.v1.Nope/);
    assert.equal(hasSchema('io.k8s.api.apps.v1.Nope'), false);
    assert.equal(schemaOf(DEPLOYMENT), schemaOf(DEPLOYMENT));
    const spec = schemaOf(DEPLOYMENT).field('spec')!;
    assert.equal(spec.field('template'), spec.field('template'));
    assert.equal(schemaOf(DEPLOYMENT).field('constructor'), undefined);
  });

  it('types the fields kubeloop cares about', () => {
    const d = schemaOf(DEPLOYMENT);
    const replicas = schemaAt(d, ['spec', 'replicas'])!;
    assert.equal(replicas.type, 'integer');
    assert.equal(replicas.format, 'int32');
    assert.equal(schemaAt(d, ['metadata', 'generation'])!.format, 'int64');
    assert.equal(schemaAt(d, ['metadata', 'creationTimestamp'])!.type, 'time');
    assert.equal(schemaAt(d, ['metadata', 'labels'])!.type, 'map');
    assert.equal(schemaAt(d, ['metadata', 'labels', 'app'])!.type, 'string');
    assert.equal(schemaAt(d, ['spec', 'strategy', 'rollingUpdate', 'maxSurge'])!.type, 'int-or-string');
    const limits = schemaAt(d, ['spec', 'template', 'spec', 'containers', 0, 'resources', 'limits'])!;
    assert.equal(limits.type, 'map');
    assert.equal(limits.items()!.type, 'quantity');
    assert.equal(schemaAt(schemaOf('io.k8s.api.core.v1.Secret'), ['data', 'x'])!.format, 'byte');
    assert.equal(schemaAt(schemaOf('io.k8s.api.apps.v1.ControllerRevision'), ['data'])!.type, 'any');
    const renew = schemaAt(schemaOf('io.k8s.api.coordination.v1.Lease'), ['spec', 'renewTime'])!;
    assert.equal(renew.type, 'time');
    assert.equal(renew.typeName, 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime');
    assert.equal(schemaAt(schemaOf('io.k8s.api.core.v1.Service'), ['spec', 'ports', 0, 'targetPort'])!.type, 'int-or-string');
    assert.deepEqual(schemaOf('io.k8s.api.apps.v1.DeploymentSpec').required, ['selector', 'template']);
    assert.equal(fieldToken('io.k8s.api.core.v1.PodSpec', 'containers'), '[]io.k8s.api.core.v1.Container');
  });

  it('carries strategic-merge and list metadata', () => {
    const podSpec = schemaOf('io.k8s.api.core.v1.PodSpec');
    const containers = podSpec.field('containers')!;
    assert.equal(containers.type, 'array');
    assert.equal(containers.items()!.typeName, 'io.k8s.api.core.v1.Container');
    assert.equal(containers.patchStrategy, 'merge');
    assert.equal(containers.patchMergeKey, 'name');
    assert.equal(containers.listType, 'map');
    assert.deepEqual(containers.listMapKeys, ['name']);

    const volumes = podSpec.field('volumes')!;
    assert.equal(volumes.patchStrategy, 'merge,retainKeys');
    assert.equal(volumes.patchMergeKey, 'name');
    assert.equal(podSpec.field('tolerations')!.listType, 'atomic');
    assert.equal(podSpec.field('tolerations')!.patchStrategy, undefined);
    assert.equal(podSpec.field('imagePullSecrets')!.patchMergeKey, 'name');

    const container = schemaOf('io.k8s.api.core.v1.Container');
    assert.equal(container.field('ports')!.patchMergeKey, 'containerPort');
    assert.deepEqual(container.field('ports')!.listMapKeys, ['containerPort', 'protocol']);
    assert.equal(container.field('env')!.patchMergeKey, 'name');
    assert.equal(container.field('volumeMounts')!.patchMergeKey, 'mountPath');
    assert.equal(container.field('args')!.listType, 'atomic');
    assert.equal(schemaOf('io.k8s.api.core.v1.EphemeralContainer').field('env')!.patchMergeKey, 'name');

    const meta = schemaOf('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    assert.equal(meta.field('finalizers')!.patchStrategy, 'merge');
    assert.equal(meta.field('finalizers')!.listType, 'set');
    assert.equal(meta.field('ownerReferences')!.patchMergeKey, 'uid');

    const servicePorts = schemaAt(schemaOf('io.k8s.api.core.v1.Service'), ['spec', 'ports'])!;
    assert.equal(servicePorts.patchMergeKey, 'port');
    assert.deepEqual(servicePorts.listMapKeys, ['port', 'protocol']);

    const strategy = schemaAt(schemaOf(DEPLOYMENT), ['spec', 'strategy'])!;
    assert.equal(strategy.patchStrategy, 'retainKeys');
    assert.equal(strategy.typeName, 'io.k8s.api.apps.v1.DeploymentStrategy');
    assert.deepEqual(strategy.fieldNames(), ['rollingUpdate', 'type']);

    assert.equal(schemaAt(schemaOf(DEPLOYMENT), ['status', 'conditions'])!.patchMergeKey, 'type');
    assert.equal(schemaAt(schemaOf('io.k8s.api.batch.v1.Job'), ['status', 'conditions'])!.listType, 'atomic');
    assert.equal(schemaAt(schemaOf(DEPLOYMENT), ['spec', 'selector'])!.mapType, 'atomic');
  });

  it('has metadata only for fields that exist, with map keys present in the elements', () => {
    for (const [typeName, fields] of Object.entries(FIELD_PATCH_META)) {
      assert.ok(hasSchema(typeName), `patch metadata for unknown type ${typeName}`);
      const node = schemaOf(typeName);
      for (const [field, meta] of Object.entries(fields)) {
        const f = node.field(field);
        assert.ok(f, `patch metadata for unknown field ${typeName}.${field}`);
        if (meta.listType) assert.equal(f.type, 'array', `${typeName}.${field} has a list type but is ${f.type}`);
        for (const key of [...(meta.listMapKeys ?? []), ...(meta.patchMergeKey ? [meta.patchMergeKey] : [])]) {
          assert.ok(f.items()?.field(key), `${typeName}.${field}: key ${key} is not a field of the elements`);
        }
      }
    }
    for (const typeName of ATOMIC_STRUCTS) assert.ok(hasSchema(typeName), typeName);
  });

  it('resolves every reference in the catalog', () => {
    const seen = new Set<SchemaNode>();
    const visit = (node: SchemaNode): void => {
      if (seen.has(node)) return;
      seen.add(node);
      for (const name of node.fieldNames()) visit(node.field(name)!);
      const items = node.items();
      if (items) visit(items);
    };
    for (const name of catalogTypeNames()) visit(schemaOf(name));
    assert.ok(catalogTypeNames().length > 250);
  });
});
