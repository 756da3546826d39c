import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { customResourceDefinitionDescriptor as d } from './customresourcedefinition.js';
import { created, createErrors, row, updated, updateErrors } from './kind-test-util.js';

const CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: websites.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    plural: websites
    kind: Website
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              replicas: {type: integer}
`;

describe('CustomResourceDefinition', () => {
  it('defaults names and conversion, and records the stored version', () => {
    const crd = created(d, CRD);
    assert.deepEqual((crd.spec as any).names, { plural: 'websites', kind: 'Website', singular: 'website', listKind: 'WebsiteList' });
    assert.deepEqual((crd.spec as any).conversion, { strategy: 'None' });
    assert.deepEqual((crd.status as any).storedVersions, ['v1']);
    assert.deepEqual(createErrors(d, crd), []);
    assert.deepEqual(row(d, crd), { Name: 'websites.example.com', 'Created At': '2024-05-01T10:00:00Z' });
  });

  it('requires the name to be <plural>.<group> and exactly one storage version', () => {
    const crd = created(d, CRD);
    crd.metadata.name = 'website.example.com';
    (crd.spec as any).versions.push({ name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } });
    assert.deepEqual(createErrors(d, crd), [
      'metadata.name: Invalid value: "website.example.com": must be spec.names.plural+"."+spec.group',
      'spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{apiextensions.CustomResourceDefinitionVersion{Name:"v1", Served:true, Storage:true}, apiextensions.CustomResourceDefinitionVersion{Name:"v2", Served:true, Storage:true}}: must have exactly one version marked as storage version',
    ]);
  });

  it('checks group, scope, names, schemas and printer columns', () => {
    const crd = created(d, CRD);
    const spec = crd.spec as any;
    spec.group = 'example';
    crd.metadata.name = 'websites.example';
    spec.scope = 'Global';
    spec.names.listKind = 'Website';
    delete spec.versions[0].schema;
    spec.versions[0].additionalPrinterColumns = [{ name: 'R', type: 'float', jsonPath: 'spec.replicas' }];
    assert.deepEqual(createErrors(d, crd), [
      'spec.group: Invalid value: "example": should be a domain with at least one dot',
      'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
      'spec.names.listKind: Invalid value: "Website": kind and listKind may not be the same',
      'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required',
      'spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "float": supported values: "integer", "number", "string", "boolean", "date"',
      'spec.versions[0].additionalPrinterColumns[0].jsonPath: Invalid value: "spec.replicas": must be a simple json path starting with .',
    ]);
  });

  it('keeps status, scope and group on update and adds new storage versions to storedVersions', () => {
    const crd = created(d, CRD);
    const next = updated(d, crd, (o) => {
      const spec = o.spec as any;
      spec.versions[0].storage = false;
      spec.versions.push({ name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } });
      spec.scope = 'Cluster';
    });
    assert.deepEqual((next.status as any).storedVersions, ['v1', 'v2']);
    assert.deepEqual(updateErrors(d, next, crd).filter((e) => e.startsWith('spec.scope')), ['spec.scope: Invalid value: "Cluster": field is immutable']);
  });
});
