import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allKinds } from '../kinds/index.js';
import { openapiV2Document } from './openapi-v2.js';

type Doc = { swagger: string; paths: Record<string, Record<string, any>>; definitions: Record<string, any> };

describe('openapiV2Document', () => {
  const doc = openapiV2Document([...allKinds]) as unknown as Doc;

  it('merges every group version into one Swagger 2.0 document', () => {
    assert.equal(doc.swagger, '2.0');
    assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods']);
    assert.ok(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']);
    assert.ok(doc.definitions['io.k8s.api.batch.v1.Job']);
  });

  it('writes operations with body parameters, consumes and produces', () => {
    const put = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!.put;
    assert.deepEqual(put.parameters.at(-1), { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.api.apps.v1.Deployment' } });
    assert.deepEqual(put.parameters[0], { type: 'string', uniqueItems: true, name: 'dryRun', in: 'query' });
    assert.ok(put.produces.includes('application/json'));
    assert.deepEqual(put.responses['200'], { description: 'OK', schema: { $ref: '#/definitions/io.k8s.api.apps.v1.Deployment' } });
    assert.equal(put['x-kubernetes-action'], 'put');
  });

  it('uses v2 references, with descriptions beside them', () => {
    assert.deepEqual(doc.definitions['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy, {
      $ref: '#/definitions/io.k8s.api.apps.v1.DeploymentStrategy',
      description: 'The deployment strategy to use to replace existing pods with new ones.',
      'x-kubernetes-patch-strategy': 'retainKeys',
    });
    assert.deepEqual(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], { type: 'string', format: 'int-or-string' });
    const text = JSON.stringify(doc);
    assert.ok(!text.includes('#/components/'));
    for (const m of text.matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) assert.ok(doc.definitions[m[1]!], `dangling $ref ${m[1]}`);
  });
});
