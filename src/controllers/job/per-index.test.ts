import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { matchFailurePolicy } from './failure-policy.js';
import { formatIntervals, indexedTemplate, parseIntervals } from './indexed.js';
import { indexBackoff, indexFailureCount, isIndexFailed, replacementAnnotations } from './per-index.js';
import { matchSuccessPolicy } from './success-policy.js';
import type { JobSpec } from './types.js';

function failedPod(annotations: Record<string, string>, finishedAt = '2026-01-01T00:00:00Z', extra: Record<string, unknown> = {}): KubeObject {
  return {
    metadata: { name: 'p', namespace: 'default', annotations: { 'batch.kubernetes.io/job-completion-index': '0', ...annotations } },
    status: { phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 1, finishedAt } } }], ...extra },
  } as unknown as KubeObject;
}

const spec = (extra: Partial<JobSpec> = {}): JobSpec => ({ completionMode: 'Indexed', completions: 5, backoffLimitPerIndex: 2, ...extra });

describe('index intervals', () => {
  it('writes two neighbours as "a,b" and longer runs as "a-b", like kube', () => {
    assert.equal(formatIntervals(new Set([0, 1])), '0,1');
    assert.equal(formatIntervals(new Set([0, 1, 2, 4, 6, 7])), '0-2,4,6,7');
    assert.equal(formatIntervals(new Set()), '');
    assert.deepEqual([...parseIntervals('0,1,3-4', 5)], [0, 1, 3, 4]);
  });

  it('JOB_COMPLETION_INDEX reads the label and a container keeps its own definition', () => {
    const base = { spec: { containers: [{ name: 'a' }, { name: 'b', env: [{ name: 'JOB_COMPLETION_INDEX', value: 'mine' }] }] } };
    const tpl = indexedTemplate(base, 'j', 2) as { spec: { containers: Array<{ env: Array<Record<string, any>> }> } };
    assert.equal(tpl.spec.containers[0]!.env[0]!.valueFrom.fieldRef.fieldPath, "metadata.labels['batch.kubernetes.io/job-completion-index']");
    assert.deepEqual(tpl.spec.containers[1]!.env, [{ name: 'JOB_COMPLETION_INDEX', value: 'mine' }]);
  });
});

describe('backoffLimitPerIndex helpers', () => {
  it('reads the failure count annotation leniently', () => {
    assert.equal(indexFailureCount(failedPod({ 'batch.kubernetes.io/job-index-failure-count': '3' })), 3);
    assert.equal(indexFailureCount(failedPod({ 'batch.kubernetes.io/job-index-failure-count': 'x' })), 0);
    assert.equal(indexFailureCount(failedPod({ 'batch.kubernetes.io/job-index-failure-count': '-2' })), 0);
    assert.equal(indexFailureCount(failedPod({})), 0);
  });

  it('an index fails when a pod fails with the count at the limit', () => {
    assert.equal(isIndexFailed(spec(), failedPod({ 'batch.kubernetes.io/job-index-failure-count': '1' })), false);
    assert.equal(isIndexFailed(spec(), failedPod({ 'batch.kubernetes.io/job-index-failure-count': '2' })), true);
  });

  it('the replacement inherits count + 1, or ignored + 1 for an Ignore rule', () => {
    const pod = failedPod({ 'batch.kubernetes.io/job-index-failure-count': '1' });
    assert.deepEqual(replacementAnnotations(spec(), pod), { 'batch.kubernetes.io/job-index-failure-count': '2' });
    assert.deepEqual(replacementAnnotations(spec(), undefined), { 'batch.kubernetes.io/job-index-failure-count': '0' });
    const podFailurePolicy = { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [1] } }] };
    assert.deepEqual(replacementAnnotations(spec({ podFailurePolicy }), pod), {
      'batch.kubernetes.io/job-index-failure-count': '1',
      'batch.kubernetes.io/job-index-ignored-failure-count': '1',
    });
  });

  it('waits 10 s, 20 s, 40 s from the last failure of the index', () => {
    const at = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(indexBackoff(failedPod({}), at), 10_000);
    assert.equal(indexBackoff(failedPod({ 'batch.kubernetes.io/job-index-failure-count': '1' }), at + 5_000), 15_000);
    assert.equal(indexBackoff(failedPod({ 'batch.kubernetes.io/job-index-failure-count': '1', 'batch.kubernetes.io/job-index-ignored-failure-count': '1' }), at), 40_000);
    assert.equal(indexBackoff(undefined, at), 0);
  });
});

describe('successPolicy matching', () => {
  const sp = (rules: JobSpec['successPolicy']) => ({ completionMode: 'Indexed', completions: 10, successPolicy: rules });
  it('succeededIndexes needs all listed indexes, or succeededCount of them', () => {
    const s = sp({ rules: [{ succeededIndexes: '0-2,5' }] });
    assert.equal(matchSuccessPolicy(s, new Set([0, 1, 2])), undefined);
    assert.equal(matchSuccessPolicy(s, new Set([0, 1, 2, 5, 7])), 'Matched rules at index 0');
    const c = sp({ rules: [{ succeededIndexes: '7', succeededCount: 1 }, { succeededIndexes: '0-2,5', succeededCount: 2 }] });
    assert.equal(matchSuccessPolicy(c, new Set([1, 5])), 'Matched rules at index 1');
  });

  it('succeededCount alone counts any indexes; no succeeded index never matches', () => {
    const s = sp({ rules: [{ succeededCount: 2 }] });
    assert.equal(matchSuccessPolicy(s, new Set([8])), undefined);
    assert.equal(matchSuccessPolicy(s, new Set([3, 8])), 'Matched rules at index 0');
    assert.equal(matchSuccessPolicy(sp({ rules: [{ succeededCount: 0 }] }), new Set()), undefined);
  });
});

describe('podFailurePolicy matching order', () => {
  it('looks at regular containers before init containers', () => {
    const pod = {
      metadata: { name: 'p', namespace: 'ns' },
      status: {
        phase: 'Failed',
        initContainerStatuses: [{ name: 'init', state: { terminated: { exitCode: 3 } } }],
        containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 4 } } }],
      },
    } as unknown as KubeObject;
    const m = matchFailurePolicy({ rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [0] } }] }, pod);
    assert.equal(m?.message, 'Container main for pod ns/p failed with exit code 4 matching FailJob rule at index 0');
  });
});
