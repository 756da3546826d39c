import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { rfc3339 } from '../../clock/clock.js';
import { compareActivePods, compareForDeletion, podDeletionCost, podsToDelete, rankByColocation } from './pod-ranking.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');

interface Opts {
  node?: string;
  phase?: string;
  readyAgo?: number;
  createdAgo?: number;
  restarts?: number;
  cost?: string;
  uid?: string;
  deleting?: boolean;
}

function pod(name: string, o: Opts = {}): KubeObject {
  const metadata: KubeObject['metadata'] = { name, namespace: 'ns', uid: o.uid ?? name, creationTimestamp: rfc3339(NOW - (o.createdAgo ?? 3600_000)) };
  if (o.cost !== undefined) metadata.annotations = { 'controller.kubernetes.io/pod-deletion-cost': o.cost };
  if (o.deleting) metadata.deletionTimestamp = rfc3339(NOW);
  const conditions = o.readyAgo === undefined ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(NOW - o.readyAgo) }];
  return {
    metadata,
    spec: o.node ? { nodeName: o.node } : {},
    status: { phase: o.phase ?? 'Running', conditions, containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }] },
  };
}

function order(pods: KubeObject[], related: KubeObject[] = []): string[] {
  return rankByColocation(pods, related)
    .sort((a, b) => compareForDeletion(a, b, NOW))
    .map((r) => r.pod.metadata.name ?? '');
}

describe('pod deletion ranking', () => {
  it('puts unscheduled before scheduled, then Pending < Unknown < Running, then not ready before ready', () => {
    const pods = [
      pod('ready', { node: 'n', readyAgo: 60_000 }),
      pod('running', { node: 'n' }),
      pod('unknown', { node: 'n', phase: 'Unknown' }),
      pod('pending', { node: 'n', phase: 'Pending' }),
      pod('unscheduled', { phase: 'Pending' }),
    ];
    assert.deepEqual(order(pods), ['unscheduled', 'pending', 'unknown', 'running', 'ready']);
  });

  it('uses pod-deletion-cost before ranks and times', () => {
    const pods = [pod('cheap-old', { node: 'a', readyAgo: 9e6, cost: '-100' }), pod('new', { node: 'a', readyAgo: 1000 }), pod('dear', { node: 'a', readyAgo: 10, cost: '5' })];
    assert.deepEqual(order(pods), ['cheap-old', 'new', 'dear']);
  });

  it('parses the deletion cost as kube does', () => {
    const cost = (v: string) => podDeletionCost(pod('p', { cost: v }));
    assert.equal(cost('-100'), -100);
    assert.equal(cost('0'), 0);
    assert.equal(cost('2147483647'), 2147483647);
    for (const bad of ['+1', '007', '', 'x', '1.5', '2147483648', ' 1', '-']) assert.equal(cost(bad), 0, bad);
    assert.equal(podDeletionCost(pod('p')), 0);
  });

  it('prefers pods on crowded nodes (higher rank), counting only active related pods', () => {
    const a1 = pod('a1', { node: 'a', readyAgo: 60_000 });
    const b1 = pod('b1', { node: 'b', readyAgo: 60_000 });
    const related = [a1, b1, pod('b2', { node: 'b' }), pod('a-gone', { node: 'a', deleting: true }), pod('a-failed', { node: 'a', phase: 'Failed' })];
    assert.deepEqual(order([a1, b1], related), ['b1', 'a1']);
    assert.deepEqual(
      rankByColocation([a1, b1], related).map((r) => r.rank),
      [1, 2],
    );
  });

  it('compares ready times in log2 buckets, breaking ties by uid', () => {
    // 10 s and 12 s ago share a log2 bucket of nanoseconds (2^33 ns is about 8.6 s, 2^34 about 17.2 s).
    const x = pod('x', { node: 'n', readyAgo: 12_000, uid: 'a-uid' });
    const y = pod('y', { node: 'n', readyAgo: 10_000, uid: 'b-uid' });
    assert.deepEqual(order([y, x]), ['x', 'y']);
    // 1 s ago is in a lower bucket than 12 s ago, so the more recently ready pod goes first.
    const z = pod('z', { node: 'n', readyAgo: 1000, uid: 'z-uid' });
    assert.deepEqual(order([x, z]), ['z', 'x']);
    // Without a reference time the comparison is exact.
    assert.ok(compareForDeletion({ pod: y, rank: 0 }, { pod: x, rank: 0 }, 0) < 0);
  });

  it('then more restarts first, then newer creation first', () => {
    assert.deepEqual(order([pod('calm', { node: 'n', restarts: 0 }), pod('crashy', { node: 'n', restarts: 4 })]), ['crashy', 'calm']);
    assert.deepEqual(order([pod('old', { node: 'n', createdAgo: 86_400_000 }), pod('young', { node: 'n', createdAgo: 60_000 })]), ['young', 'old']);
  });

  it('podsToDelete returns the first N by ranking, or everything unsorted when all go', () => {
    const pods = [pod('r', { node: 'n', readyAgo: 60_000 }), pod('u')];
    assert.deepEqual(
      podsToDelete(pods, pods, 1, NOW).map((p) => p.metadata.name),
      ['u'],
    );
    assert.deepEqual(
      podsToDelete(pods, pods, 2, NOW).map((p) => p.metadata.name),
      ['r', 'u'],
    );
  });

  it('the plain ActivePods order ignores cost and compares times exactly', () => {
    const sorted = [pod('cheap', { node: 'n', readyAgo: 12_000, cost: '-1' }), pod('recent', { node: 'n', readyAgo: 10_000 }), pod('unscheduled')].sort(compareActivePods);
    assert.deepEqual(
      sorted.map((p) => p.metadata.name),
      ['unscheduled', 'recent', 'cheap'],
    );
  });
});
