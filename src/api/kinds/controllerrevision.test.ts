import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { controllerRevisionDescriptor as d } from './controllerrevision.js';
import { validationTexts } from './kind-test-util.js';

function revision(over: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: 'web-6d4f8b9c7',
      namespace: 'default',
      creationTimestamp: '2024-01-01T00:00:00Z',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true },
      ],
    },
    data: { spec: { template: { $patch: 'replace', metadata: { labels: { app: 'web' } } } } },
    revision: 1,
    ...over,
  };
}

const messages = (obj: KubeObject, old?: KubeObject): string[] => validationTexts(d, obj, old);

describe('ControllerRevision', () => {
  it('is a plain namespaced kind outside `all`, without generation or status', () => {
    assert.deepEqual(d.shortNames, []);
    assert.deepEqual(d.categories, []);
    assert.equal(d.generation, undefined);
    assert.equal(d.hasStatus, false);
    assert.deepEqual(d.subresources, []);
  });

  it('requires data and a non-negative revision', () => {
    assert.deepEqual(messages(revision()), []);
    assert.deepEqual(messages(revision({ data: undefined, revision: -1 })), [
      'data: Required value: data is mandatory',
      'revision: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  it('lets the revision number change but not the data', () => {
    const old = revision();
    assert.deepEqual(messages(revision({ revision: 4 }), old), []);
    const changed = messages(revision({ data: { spec: {} } }), old);
    assert.equal(changed.length, 1);
    assert.match(changed[0]!, /^data: Invalid value: runtime\.Unknown\{.*Raw:\[\]uint8\{0x7b, 0x22, .*\}.*: field is immutable$/);
  });

  it('prints CONTROLLER as kind.group/name and REVISION', () => {
    assert.deepEqual(
      d.table.columns.map((c) => c.name),
      ['Name', 'Controller', 'Revision', 'Age'],
    );
    const now = Date.parse('2024-01-01T00:04:00Z');
    assert.deepEqual(d.table.cells(revision(), now), ['web-6d4f8b9c7', 'statefulset.apps/web', 1, '4m']);
    const core = revision();
    core.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u2', controller: true }];
    assert.equal(d.table.cells(core, now)[1], 'pod/p');
    const orphan = revision();
    delete orphan.metadata.ownerReferences;
    assert.equal(d.table.cells(orphan, now)[1], '<none>');
  });
});
