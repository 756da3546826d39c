import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { applyBinding, validateBinding } from './binding.js';

describe('Binding', () => {
  it('validates the target', () => {
    assert.deepEqual(validateBinding({ target: { kind: 'Node', name: 'node-1' } }), []);
    assert.deepEqual(validateBinding({ target: { kind: 'Pod' } }).map((e) => `${e.field}: ${e.message}`), [
      'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
      'target.name: Required value',
    ]);
  });

  it('assigns the node, merges annotations and marks the pod scheduled', () => {
    const pod: KubeObject = { metadata: { name: 'p', annotations: { a: '1' } }, spec: { containers: [] }, status: { phase: 'Pending' } };
    const r = applyBinding(pod, { metadata: { annotations: { b: '2' } }, target: { name: 'node-1' } }, '2024-05-01T12:00:00Z');
    assert.ok(r.ok);
    assert.equal((r.pod.spec as any).nodeName, 'node-1');
    assert.deepEqual(r.pod.metadata.annotations, { a: '1', b: '2' });
    assert.deepEqual((r.pod.status as any).conditions, [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-05-01T12:00:00Z' }]);
    assert.equal((pod.spec as any).nodeName, undefined, 'the input is not changed');
    const again = applyBinding(r.pod, { target: { name: 'node-2' } }, '2024-05-01T12:00:01Z');
    assert.deepEqual(again, { ok: false, message: 'pod p is already assigned to node "node-1"' });
  });
});
