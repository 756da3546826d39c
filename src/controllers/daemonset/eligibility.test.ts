import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { daemonTolerations, placement } from './eligibility.js';
import { budgets } from './rolling.js';
import { pinToNode } from './template.js';
import { dsObj, nodeObj } from './testing.js';

describe('daemon placement', () => {
  it('runs on plain and cordoned nodes, not on a control-plane node unless tolerated', () => {
    const ds = dsObj('d');
    assert.deepEqual(placement(nodeObj('a'), ds), { shouldRun: true, shouldContinueRunning: true });
    const cordoned = nodeObj('b', { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] });
    assert.equal(placement(cordoned, ds).shouldRun, true);
    const cp = nodeObj('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });
    assert.deepEqual(placement(cp, ds), { shouldRun: false, shouldContinueRunning: true });
    const tolerating = dsObj('t');
    (tolerating.spec as any).template.spec.tolerations = [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }];
    assert.equal(placement(cp, tolerating).shouldRun, true);
  });

  it('an untolerated NoExecute taint evicts; unreachable and not-ready do not', () => {
    const ds = dsObj('d');
    assert.deepEqual(placement(nodeObj('a', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }), ds), { shouldRun: false, shouldContinueRunning: false });
    const down = nodeObj('b', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] });
    // unreachable:NoSchedule is not among the daemon tolerations: no new pod, but the running one stays.
    assert.deepEqual(placement(down, ds), { shouldRun: false, shouldContinueRunning: true });
    assert.equal(placement(nodeObj('c', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), ds).shouldRun, true);
  });

  it('nodeSelector, required affinity and nodeName decide both ways', () => {
    const ds = dsObj('d');
    (ds.spec as any).template.spec.nodeSelector = { disk: 'ssd' };
    assert.deepEqual(placement(nodeObj('a'), ds), { shouldRun: false, shouldContinueRunning: false });
    assert.equal(placement(nodeObj('b', { labels: { disk: 'ssd' } }), ds).shouldRun, true);
    const pinned = dsObj('p');
    (pinned.spec as any).template.spec.nodeName = 'b';
    assert.equal(placement(nodeObj('a'), pinned).shouldRun, false);
    const aff = dsObj('f');
    (aff.spec as any).template.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }] } } };
    assert.equal(placement(nodeObj('a'), aff).shouldRun, false);
    assert.equal(placement(nodeObj('b'), aff).shouldRun, true);
  });

  it('adds the daemon tolerations once, host network adding network-unavailable', () => {
    const t = daemonTolerations([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], false);
    assert.equal(t.length, 6);
    assert.equal(t[0]!.tolerationSeconds, undefined);
    assert.equal(daemonTolerations([], true).at(-1)!.key, 'node.kubernetes.io/network-unavailable');
  });

  it('pins with a single metadata.name term, keeping preferred terms', () => {
    const a = pinToNode({ nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }], requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }] } } }, 'n1');
    assert.deepEqual(a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] });
    assert.equal(a.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length, 1);
  });

  it('rounds percentages up and falls back to one unavailable', () => {
    const ds = (ru: unknown) => dsObj('d', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: ru } });
    assert.equal(budgets(ds({ maxUnavailable: '10%', maxSurge: 0 }), 5).maxUnavailable, 1);
    assert.equal(budgets(ds({ maxUnavailable: '10%', maxSurge: 0 }), 25).maxUnavailable, 3);
    assert.equal(budgets(ds({ maxUnavailable: 0, maxSurge: '30%' }), 5).maxSurge, 2);
    assert.equal(budgets(ds({ maxUnavailable: 0, maxSurge: 0 }), 5).maxUnavailable, 1);
  });
});
