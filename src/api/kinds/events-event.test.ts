import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { eventsEventDescriptor as d } from './events-event.js';
import { created, createErrors, row, TEST_NOW, updated, updateErrors } from './kind-test-util.js';

function ev(extra: Record<string, unknown> = {}): KubeObject {
  return created(d, {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web-0.17c8' },
    eventTime: '2024-05-01T09:59:00.000000Z',
    regarding: { kind: 'Pod', namespace: 'default', name: 'web-0' },
    reason: 'Pulled',
    note: 'Successfully pulled image',
    action: 'Pulling',
    reportingController: 'kubelet',
    reportingInstance: 'node-1',
    type: 'Normal',
    ...extra,
  });
}

describe('events.k8s.io/v1 Event', () => {
  it('has no short name so `ev` stays with core events', () => {
    assert.deepEqual(d.shortNames, []);
    assert.equal(d.group, 'events.k8s.io');
  });

  it('applies the strict create rules', () => {
    assert.deepEqual(createErrors(d, ev()), []);
    assert.deepEqual(createErrors(d, ev({ eventTime: null, type: 'Info', deprecatedCount: 3 })), [
      'eventTime: Required value',
      'type: Invalid value: "": has invalid value: Info',
      'count: Invalid value: "": needs to be unset',
    ]);
    assert.equal(createErrors(d, ev({ reportingController: '' }))[0], 'reportingController: Required value');
  });

  it('keeps most fields fixed', () => {
    const old = ev();
    const next = updated(d, old, (o) => {
      (o as any).note = 'changed';
    });
    assert.deepEqual(updateErrors(d, next, old), ['message: Invalid value: "changed": field is immutable']);
  });

  it('prints like core events', () => {
    const r = row(d, ev(), TEST_NOW);
    assert.deepEqual([r['Last Seen'], r.Object, r.Message, r.Source], ['60s', 'pod/web-0', 'Successfully pulled image', 'kubelet, node-1']);
    assert.equal(d.fieldLabels?.['regarding.name']?.(ev()), 'web-0');
  });
});
