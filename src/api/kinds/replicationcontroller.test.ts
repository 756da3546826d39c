import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { errorTexts as texts } from './kind-test-util.js';
import { replicationControllerDescriptor as rcd } from './replicationcontroller.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

function rc(spec: any, metadata: object = {}): KubeObject {
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'web', namespace: 'default', ...metadata }, spec };
  rcd.defaults?.(obj);
  return obj;
}

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } };

describe('ReplicationController defaults', () => {
  it('copies template labels into an empty selector and empty object labels, and defaults replicas to 1', () => {
    const obj = rc({ template: structuredClone(template) });
    assert.deepEqual((obj.spec as any).selector, { app: 'web' });
    assert.deepEqual(obj.metadata.labels, { app: 'web' });
    assert.equal((obj.spec as any).replicas, 1);
    assert.equal((obj.spec as any).template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal((obj.spec as any).template.spec.enableServiceLinks, undefined);
  });

  it('keeps an explicit selector, labels and replica count', () => {
    const obj = rc({ replicas: 0, selector: { app: 'web', tier: 'fe' }, template: { ...structuredClone(template), metadata: { labels: { app: 'web', tier: 'fe' } } } }, { labels: { team: 'a' } });
    assert.deepEqual((obj.spec as any).selector, { app: 'web', tier: 'fe' });
    assert.deepEqual(obj.metadata.labels, { team: 'a' });
    assert.equal((obj.spec as any).replicas, 0);
  });
});

describe('ReplicationController validation', () => {
  it('accepts a defaulted controller', () => {
    assert.deepEqual(rcd.validate?.(rc({ template: structuredClone(template) })), []);
  });

  it('reports selector, replicas and template problems with kube paths', () => {
    const obj = rc({ replicas: -1, selector: { app: 'other' }, template: { ...structuredClone(template), spec: { ...template.spec, restartPolicy: 'Never', activeDeadlineSeconds: 5 } } });
    assert.deepEqual(texts(rcd.validate?.(obj) ?? []), [
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicationController is not Supported',
    ]);
  });

  it('requires a selector and a template', () => {
    const obj = rc({});
    assert.deepEqual(texts(rcd.validate?.(obj) ?? []), ['spec.selector: Required value', 'spec.template: Required value']);
  });
});

describe('ReplicationController descriptor', () => {
  it('is served as rc with status and scale, orphaning pods by default', () => {
    assert.deepEqual(rcd.shortNames, ['rc']);
    assert.deepEqual(rcd.subresources.map((s) => s.name), ['status', 'scale']);
    assert.equal(rcd.defaultPropagation, 'Orphan');
    assert.equal(rcd.generation, 'spec');
    const obj = rc({ template: structuredClone(template) });
    rcd.prepareForCreate?.(obj);
    assert.deepEqual(obj.status, { replicas: 0 });
    assert.equal(rcd.scale?.selector(obj), 'app=web');
    assert.equal(rcd.fieldLabels?.['status.replicas']?.(obj), '0');
  });

  it('prints DESIRED/CURRENT/READY and the wide columns', () => {
    const obj = rc({ replicas: 3, template: structuredClone(template) }, { creationTimestamp: '2024-05-01T11:50:00Z' });
    obj.status = { replicas: 3, readyReplicas: 2 };
    assert.deepEqual(rcd.table.cells(obj, NOW), ['web', 3, 3, 2, '10m', 'nginx', 'nginx:1.27', 'app=web']);
  });
});
