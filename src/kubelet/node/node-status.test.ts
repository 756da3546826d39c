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

describe('nodePodCIDR', () => {
  it('gives every node up to 36,864 a valid /24 of its own and reads its number back', async () => {
    const { nodePodCIDR, indexOfPodCIDR } = await import('./identity.js');
    assert.equal(nodePodCIDR(2), '10.244.2.0/24');
    assert.equal(nodePodCIDR(3071), '10.255.255.0/24');
    assert.equal(nodePodCIDR(3072), '10.112.0.0/24');
    const seen = new Set<string>();
    for (const i of [0, 1, 255, 256, 3071, 3072, 4999, 5000, 36_863]) {
      const cidr = nodePodCIDR(i);
      assert.match(cidr, /^10\.(\d{1,3})\.(\d{1,3})\.0\/24$/);
      assert.ok(Number(cidr.split('.')[1]) <= 255 && !(Number(cidr.split('.')[1]) >= 96 && Number(cidr.split('.')[1]) <= 111), cidr);
      assert.ok(!seen.has(cidr));
      seen.add(cidr);
      assert.equal(indexOfPodCIDR(cidr), i);
    }
    assert.throws(() => nodePodCIDR(36_864));
  });
});
