import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { eventDescriptor as d } from './event.js';
import { created, createErrors, row, TEST_NOW } from './kind-test-util.js';

function scaled(): KubeObject {
  return created(d, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.17c8a1b2c3d4e5f6' },
    involvedObject: { kind: 'Deployment', namespace: 'default', name: 'web', uid: 'u1', apiVersion: 'apps/v1' },
    reason: 'ScalingReplicaSet',
    message: 'Scaled up replica set web-7c5ddbdf54 from 0 to 10 ',
    source: { component: 'deployment-controller' },
    firstTimestamp: '2024-05-01T09:57:00Z',
    lastTimestamp: '2024-05-01T09:57:51Z',
    count: 1,
    type: 'Normal',
  });
}

describe('core/v1 Event', () => {
  it('puts LAST SEEN first and the name last', () => {
    assert.deepEqual(row(d, scaled(), TEST_NOW), {
      'Last Seen': '2m9s',
      Type: 'Normal',
      Reason: 'ScalingReplicaSet',
      Object: 'deployment/web',
      Subobject: '',
      Source: 'deployment-controller',
      Message: 'Scaled up replica set web-7c5ddbdf54 from 0 to 10',
      'First Seen': '3m',
      Count: 1,
      Name: 'web.17c8a1b2c3d4e5f6',
    });
    assert.deepEqual(
      d.table.columns.map((c) => [c.name, c.priority, c.format]),
      [
        ['Last Seen', 0, ''], ['Type', 0, ''], ['Reason', 0, ''], ['Object', 0, ''], ['Subobject', 1, ''], ['Source', 1, ''],
        ['Message', 0, ''], ['First Seen', 1, ''], ['Count', 1, ''], ['Name', 1, 'name'],
      ],
    );
  });

  it('reads series and eventTime written by the new API', () => {
    const e = scaled();
    Object.assign(e, { firstTimestamp: null, lastTimestamp: null, count: 0, eventTime: '2024-05-01T09:59:00.123456Z' });
    (e as any).source = { component: 'kubelet', host: 'node-1' };
    let r = row(d, e);
    assert.deepEqual([r['Last Seen'], r['First Seen'], r.Count, r.Source], ['59s', '59s', 1, 'kubelet, node-1']);
    (e as any).series = { count: 4, lastObservedTime: '2024-05-01T09:59:50.000000Z' };
    r = row(d, e);
    assert.deepEqual([r['Last Seen'], r.Count], ['10s', 4]);
  });

  it('supports kubectl describe field selectors', () => {
    const e = scaled();
    const f = d.fieldLabels ?? {};
    assert.equal(f['involvedObject.kind']?.(e), 'Deployment');
    assert.equal(f['involvedObject.uid']?.(e), 'u1');
    assert.equal(f.source?.(e), 'deployment-controller');
    assert.equal(f.reason?.(e), 'ScalingReplicaSet');
    assert.deepEqual(d.shortNames, ['ev']);
  });

  it('checks the namespace of the involved object', () => {
    const e = scaled();
    e.metadata.namespace = 'other';
    assert.deepEqual(createErrors(d, e), ['involvedObject.namespace: Invalid value: "default": does not match event.namespace']);
  });
});
