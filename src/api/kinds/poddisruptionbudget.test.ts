import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { created, createErrors, row } from './kind-test-util.js';
import { podDisruptionBudgetDescriptor as d } from './poddisruptionbudget.js';

function pdb(spec: Record<string, unknown>): KubeObject {
  return created(d, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'nginx-pdb' }, spec: { selector: { matchLabels: { app: 'nginx' } }, ...spec } });
}

describe('PodDisruptionBudget', () => {
  it('starts with zeroed status counters and generation 1', () => {
    const p = pdb({ minAvailable: 2 });
    assert.deepEqual(p.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
    assert.equal(p.metadata.generation, 1);
    assert.deepEqual(createErrors(d, p), []);
  });

  it('refuses both budgets at once and bad percentages', () => {
    assert.deepEqual(createErrors(d, pdb({ minAvailable: 2, maxUnavailable: 1 })), [
      'spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000a3c000), Selector:(*v1.LabelSelector)(0xc000a3c000), MaxUnavailable:(*intstr.IntOrString)(0xc000a3c000), UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: minAvailable and maxUnavailable cannot be both set',
    ]);
    assert.deepEqual(createErrors(d, pdb({ minAvailable: '150%' })), [
      'spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
    ]);
    assert.deepEqual(createErrors(d, pdb({ maxUnavailable: -1 })), ['spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0']);
  });

  it('prints MIN AVAILABLE, MAX UNAVAILABLE, ALLOWED DISRUPTIONS', () => {
    const p = pdb({ minAvailable: 2 });
    p.status = { ...(p.status as object), disruptionsAllowed: 1 };
    assert.deepEqual(row(d, p), { Name: 'nginx-pdb', 'Min Available': '2', 'Max Unavailable': 'N/A', 'Allowed Disruptions': 1, Age: '0s' });
    assert.equal(row(d, pdb({ maxUnavailable: '25%' }))['Max Unavailable'], '25%');
    assert.deepEqual(d.shortNames, ['pdb']);
  });
});
