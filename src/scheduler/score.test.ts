import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Algorithm } from './algorithm.js';
import { SchedulerCache } from './cache.js';
import { compilePod } from './podinfo.js';
import { balancedAllocationScore, leastAllocatedScore, normalize, scoreNodes, seededRandom, selectHost, topologySpreadScores } from './score.js';
import { node, nodeWith, pod } from './test-util.js';

describe('LeastAllocated', () => {
  it('prefers the emptier node, counting unset requests at the defaults', () => {
    const p = compilePod(pod('p', { cpu: '1', memory: '1Gi' }));
    const empty = nodeWith(node('a', { cpu: '4', memory: '4Gi' }));
    const busy = nodeWith(node('b', { cpu: '4', memory: '4Gi' }), pod('x', { cpu: '2', memory: '2Gi' }));
    assert.equal(leastAllocatedScore(p, empty), 75);
    assert.equal(leastAllocatedScore(p, busy), 25);
    // A best-effort pod still weighs 100m / 200Mi, so an empty node wins over one with best-effort pods.
    const be = compilePod(pod('be'));
    const withBestEffort = nodeWith(node('c', { cpu: '1', memory: '1Gi' }), pod('y'), pod('z'));
    assert.ok(leastAllocatedScore(be, nodeWith(node('d', { cpu: '1', memory: '1Gi' }))) > leastAllocatedScore(be, withBestEffort));
  });
});

describe('BalancedAllocation', () => {
  it('prefers nodes where cpu and memory end up used in equal shares', () => {
    const p = compilePod(pod('p', { cpu: '1', memory: '1Gi' }));
    const even = nodeWith(node('a', { cpu: '4', memory: '4Gi' }));
    const skewed = nodeWith(node('b', { cpu: '4', memory: '4Gi' }), pod('x', { cpu: '2' }));
    assert.equal(balancedAllocationScore(p, even), 100);
    assert.equal(balancedAllocationScore(p, skewed), 75);
  });
});

describe('normalize', () => {
  it('scales by the maximum and can reverse', () => {
    assert.deepEqual(normalize([0, 1, 2], false), [0, 50, 100]);
    assert.deepEqual(normalize([0, 1, 2], true), [100, 50, 0]);
    assert.deepEqual(normalize([0, 0], true), [100, 100]);
  });
});

describe('scoring preferences', () => {
  it('avoids intolerable PreferNoSchedule taints and follows preferred affinity', () => {
    const a = nodeWith(node('a', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }));
    const b = nodeWith(node('b', { labels: { disk: 'ssd' } }));
    const c = nodeWith(node('c'));
    const plain = compilePod(pod('p'));
    const [sa, sb, sc] = scoreNodes(plain, [a, b, c]);
    assert.ok((sa as number) < (sb as number) && sb === sc);
    const likesSsd = compilePod(pod('q', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } } }));
    const [, tb, tc] = scoreNodes(likesSsd, [a, b, c]);
    assert.ok((tb as number) > (tc as number));
  });
});

describe('PodTopologySpread defaults', () => {
  it("scores nodes by how many of the pod's ReplicaSet siblings they already run", () => {
    const sibling = (name: string) => pod(name, { replicaSet: 'web' });
    const crowded = nodeWith(node('a'), sibling('s1'), sibling('s2'), pod('stranger'));
    const lighter = nodeWith(node('b'), sibling('s3'));
    const empty = nodeWith(node('c'), pod('other1'), pod('other2'));
    const scores = topologySpreadScores(compilePod(sibling('new')), [crowded, lighter, empty]) as number[];
    assert.ok((scores[0] as number) < (scores[1] as number) && (scores[1] as number) < (scores[2] as number), String(scores));
    assert.equal(topologySpreadScores(compilePod(pod('bare')), [crowded, lighter, empty]), undefined, 'a pod without a controller has no siblings');
  });
});

describe('selectHost', () => {
  it('picks the best score and breaks ties reproducibly from the seed', () => {
    assert.equal(selectHost([1, 5, 3], seededRandom(1)), 1);
    const picks = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 20 }, () => selectHost([7, 7, 7], random));
    };
    assert.deepEqual(picks(42), picks(42));
    assert.equal(new Set(picks(42)).size, 3, 'ties are shared among the equal nodes');
  });
});

describe('spreading', () => {
  it('spreads identical pods evenly over identical nodes as each assumed pod is counted', () => {
    const cache = new SchedulerCache();
    for (const n of ['n1', 'n2', 'n3']) cache.upsertNode(node(n, { cpu: '8', memory: '16Gi' }));
    const algo = new Algorithm(cache, seededRandom(7));
    const counts = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const p = compilePod(pod(`p${i}`, { cpu: '100m', memory: '128Mi' }));
      const r = algo.schedule(p);
      assert.ok('node' in r);
      cache.assume(p, r.node.name);
      counts.set(r.node.name, (counts.get(r.node.name) ?? 0) + 1);
    }
    assert.deepEqual([...counts.values()].sort(), [10, 10, 10]);
  });
});
