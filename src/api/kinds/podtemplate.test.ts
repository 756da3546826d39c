import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { podTemplateDescriptor as ptd } from './podtemplate.js';

describe('PodTemplate', () => {
  const obj: KubeObject = {
    metadata: { name: 'base', namespace: 'default' },
    template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'redis:7' }] } },
  };
  ptd.defaults?.(obj);

  it('defaults the template spec and validates it under `template`', () => {
    assert.equal((obj.template as any).spec.dnsPolicy, 'ClusterFirst');
    assert.deepEqual(ptd.validate?.(obj), []);
    const bad = structuredClone(obj) as any;
    bad.template.spec.containers[1].image = '';
    assert.deepEqual((ptd.validate?.(bad) ?? []).map((e) => `${e.field}: ${e.message}`), ['template.spec.containers[1].image: Required value']);
  });

  it('prints containers, images and pod labels', () => {
    assert.deepEqual(ptd.table.columns.map((c) => c.name), ['Name', 'Containers', 'Images', 'Pod Labels']);
    assert.deepEqual(ptd.table.cells(obj, 0), ['base', 'a,b', 'nginx,redis:7', 'app=web,tier=fe']);
  });
});
