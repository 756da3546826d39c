import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../api/types.js';
import { Algorithm } from './algorithm.js';
import { SchedulerCache } from './cache.js';
import { histogram, unschedulableMessage } from './diagnosis.js';
import { compilePod } from './podinfo.js';
import { seededRandom } from './score.js';
import { node, pod } from './test-util.js';

function messageFor(p: KubeObject, nodes: KubeObject[], bound: Array<[string, KubeObject]> = []): string {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.upsertNode(n);
  for (const [nodeName, b] of bound) cache.setBound({ ...b, spec: { ...(b.spec as object), nodeName } });
  const info = compilePod(p);
  const r = new Algorithm(cache, seededRandom(1)).schedule(info);
  assert.ok('diagnosis' in r, 'the pod should not fit');
  return unschedulableMessage(info, r.diagnosis);
}

const controlPlane = node('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });

describe('FailedScheduling message', () => {
  it('counts a taint and full nodes, and says which nodes preemption cannot help', () => {
    const msg = messageFor(pod('web', { cpu: '1' }), [controlPlane, node('w1'), node('w2')], [
      ['w1', pod('a', { cpu: '3500m' })],
      ['w2', pod('b', { cpu: '3500m' })],
    ]);
    assert.equal(
      msg,
      '0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. no new claims to deallocate, ' +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });

  it('treats a request bigger than any node as beyond preemption', () => {
    const msg = messageFor(pod('huge', { cpu: '64', memory: '128Gi' }), [controlPlane, node('w1'), node('w2')]);
    assert.equal(
      msg,
      '0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu, 2 Insufficient memory. no new claims to deallocate, ' +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('mixes cordoned, mismatched, port-taken and full nodes', () => {
    const nodes = [node('a', { unschedulable: true }), node('b', { labels: { disk: 'hdd' } }), node('c', { labels: { disk: 'ssd' } }), node('d', { labels: { disk: 'ssd' }, pods: '1' })];
    const p = pod('p', { ports: [{ hostPort: 80 }], spec: { nodeSelector: { disk: 'ssd' } } });
    const msg = messageFor(p, nodes, [['c', pod('x', { ports: [{ hostPort: 80 }] })], ['d', pod('y')]]);
    assert.equal(
      msg,
      "0/4 nodes are available: 1 Too many pods, 1 node(s) didn't have free ports for the requested pod ports, 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable. " +
        'no new claims to deallocate, preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
    );
  });

  it("reports a DaemonSet pod's other nodes as not satisfying NodeAffinity", () => {
    const ds = pod('ds-x', {
      cpu: '1',
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['w1'] }] }] } } } },
    });
    const msg = messageFor(ds, [controlPlane, node('w1', { cpu: '1' }), node('w2')], [['w1', pod('a', { cpu: '500m' })]]);
    assert.equal(
      msg,
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. no new claims to deallocate, " +
        'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
    );
  });

  it('says when the pod may not preempt at all', () => {
    const p = pod('p', { cpu: '1', spec: { preemptionPolicy: 'Never' } });
    const msg = messageFor(p, [node('w1', { cpu: '1' })], [['w1', pod('a', { cpu: '500m' })]]);
    assert.equal(msg, '0/1 nodes are available: 1 Insufficient cpu. no new claims to deallocate, preemption: not eligible due to preemptionPolicy=Never.');
  });

  it('gives the reasons left after evicting every lower-priority pod', () => {
    const p = pod('vip', { cpu: '2', spec: { priority: 1000 } });
    const msg = messageFor(p, [node('w1', { cpu: '2' })], [
      ['w1', pod('low', { cpu: '500m' })],
      ['w1', pod('peer', { cpu: '1', spec: { priority: 1000 } })],
    ]);
    assert.equal(msg, '0/1 nodes are available: 1 Insufficient cpu. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Insufficient cpu.');
  });

  it('reports contradictory node-name terms once for all nodes', () => {
    const p = pod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }, { key: 'metadata.name', operator: 'In', values: ['b'] }] }],
            },
          },
        },
      },
    });
    assert.equal(
      messageFor(p, [node('a'), node('b')]),
      '0/2 nodes are available: pod affinity terms conflict. no new claims to deallocate, preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
  });

  it('sorts the counts as strings, the way Go does', () => {
    const counts = new Map([['node(s) were unschedulable', 2], ['Insufficient cpu', 10], ['Insufficient memory', 2]]);
    assert.deepEqual(histogram(counts), ['10 Insufficient cpu', '2 Insufficient memory', '2 node(s) were unschedulable']);
  });
});
