import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeStatus } from 'kubernetes-types/core/v1.js';
import { sameNodeStatus } from './node-status.js';

const status = (beat: string, ready = 'True'): NodeStatus => ({
  capacity: { cpu: '4', memory: '8Gi' },
  conditions: [{ type: 'Ready', status: ready, reason: 'KubeletReady', lastHeartbeatTime: beat, lastTransitionTime: '2026-01-01T00:00:00Z' }],
  images: [{ names: ['docker.io/library/nginx:latest'], sizeBytes: 1 }],
});

describe('sameNodeStatus', () => {
  it('ignores heartbeat times and keys set to undefined', () => {
    const a = status('2026-01-01T00:00:10Z');
    const b = { ...status('2026-01-01T00:00:20Z'), phase: undefined };
    assert.ok(sameNodeStatus(a, b));
  });

  it('sees any other change, at any depth and in key order', () => {
    assert.ok(!sameNodeStatus(status('t'), status('t', 'False')));
    const more = status('t');
    more.images = [...more.images!, { names: ['busybox'], sizeBytes: 2 }];
    assert.ok(!sameNodeStatus(status('t'), more));
    const extra = { ...status('t'), allocatable: { cpu: '4' } };
    assert.ok(!sameNodeStatus(status('t'), extra));
    assert.ok(!sameNodeStatus(extra, status('t')));
    assert.ok(sameNodeStatus({ capacity: { memory: '1', cpu: '2' } }, { capacity: { cpu: '2', memory: '1' } }));
    assert.ok(sameNodeStatus(undefined, {}));
  });
});
