import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { jobDescriptor as d } from './job.js';
import { created, createErrors, row, TEST_NOW, TEST_UID, updated, updateErrors } from './kind-test-util.js';

// The tutorial's job.yaml.
const MYJOB = `
apiVersion: batch/v1
kind: Job
metadata:
  name: myjob
spec:
  template:
    spec:
      containers:
      - name: ml
        image: iwbaek/train
        args: ['3', 'softmax', '0.5']
      restartPolicy: Never
  backoffLimit: 2
`;

const GENERATED_LABELS = {
  'batch.kubernetes.io/controller-uid': TEST_UID,
  'batch.kubernetes.io/job-name': 'myjob',
  'controller-uid': TEST_UID,
  'job-name': 'myjob',
};

describe('Job defaults and generated selector', () => {
  it('stores job.yaml the way kube-apiserver does', () => {
    const job = created(d, MYJOB);
    const spec = job.spec as any;
    assert.equal(spec.completions, 1);
    assert.equal(spec.parallelism, 1);
    assert.equal(spec.backoffLimit, 2);
    assert.equal(spec.completionMode, 'NonIndexed');
    assert.equal(spec.suspend, false);
    assert.equal(spec.manualSelector, false);
    assert.equal(spec.podReplacementPolicy, 'TerminatingOrFailed');
    assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': TEST_UID } });
    assert.deepEqual(spec.template.metadata.labels, GENERATED_LABELS);
    assert.deepEqual(job.metadata.labels, GENERATED_LABELS);
    assert.equal(spec.template.spec.restartPolicy, 'Never');
    assert.equal(spec.template.spec.dnsPolicy, 'ClusterFirst');
    assert.deepEqual(job.status, {});
    assert.equal(job.metadata.generation, 1);
    assert.deepEqual(createErrors(d, job), []);
  });

  it('defaults backoffLimit to 6 and keeps a work-queue job without completions', () => {
    const job = created(d, { ...baseJob(), spec: { ...(baseJob().spec as object), parallelism: 3 } });
    assert.equal((job.spec as any).backoffLimit, 6);
    assert.equal((job.spec as any).completions, undefined);
  });

  it('keeps labels the user put on the Job', () => {
    const src = baseJob();
    src.metadata.labels = { app: 'x' };
    assert.deepEqual(created(d, src).metadata.labels, { app: 'x' });
  });
});

function baseJob(): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi' },
    spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Never' } } },
  };
}

describe('Job validation', () => {
  it('requires OnFailure or Never', () => {
    const src = baseJob();
    delete (src.spec as any).template.spec.restartPolicy;
    assert.deepEqual(createErrors(d, created(d, src)), ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
    (src.spec as any).template.spec.restartPolicy = 'Sometimes';
    // The pod template's own check and the Job's both fire, as on a real cluster.
    assert.deepEqual(createErrors(d, created(d, src)), [
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"',
    ]);
  });

  it('rejects negative counters', () => {
    const src = baseJob();
    (src.spec as any).backoffLimit = -1;
    assert.deepEqual(createErrors(d, created(d, src)), ['spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0']);
  });

  it('rejects a selector that does not select the generated labels', () => {
    const src = baseJob();
    (src.spec as any).selector = { matchLabels: { app: 'other' } };
    const errs = createErrors(d, created(d, src));
    assert.ok(errs.some((e) => e.startsWith('spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"')));
    assert.ok(errs.some((e) => e.endsWith('`selector` not auto-generated')));
    assert.ok(errs.some((e) => e.endsWith('`selector` does not match template `labels`')));
  });

  it('requires completions for Indexed jobs', () => {
    const src = baseJob();
    (src.spec as any).completionMode = 'Indexed';
    (src.spec as any).parallelism = 2;
    assert.deepEqual(createErrors(d, created(d, src)), ['spec.completions: Required value: when completion mode is Indexed']);
  });

  it('keeps the template, selector and completions fixed', () => {
    const job = created(d, MYJOB);
    const next = updated(d, job, (o) => {
      (o.spec as any).template.spec.containers[0].image = 'other';
      (o.spec as any).completions = 3;
      (o.spec as any).parallelism = 2;
    });
    const errs = updateErrors(d, next, job);
    assert.ok(errs.some((e) => e.startsWith('spec.template: Invalid value: ') && e.endsWith(': field is immutable')));
    assert.ok(errs.includes('spec.completions: Invalid value: 3: field is immutable'));
    assert.ok(!errs.some((e) => e.startsWith('spec.parallelism')));
  });

  it('lets a suspended job that never started change its node selector', () => {
    const src = baseJob();
    (src.spec as any).suspend = true;
    const job = created(d, src);
    const next = updated(d, job, (o) => {
      (o.spec as any).template.spec.nodeSelector = { zone: 'a' };
    });
    assert.deepEqual(updateErrors(d, next, job), []);
  });
});

describe('Job validation: backoffLimitPerIndex, maxFailedIndexes, successPolicy', () => {
  const withSpec = (extra: Record<string, unknown>) => {
    const src = baseJob();
    Object.assign(src.spec as object, extra);
    return created(d, src);
  };
  const indexed = { completionMode: 'Indexed', completions: 3, parallelism: 3 };

  it('defaults backoffLimit to MaxInt32 with backoffLimitPerIndex and accepts a valid spec', () => {
    const job = withSpec({ ...indexed, backoffLimitPerIndex: 1, maxFailedIndexes: 1 });
    assert.equal((job.spec as any).backoffLimit, 2147483647);
    assert.deepEqual(createErrors(d, job), []);
  });

  it('needs Indexed completion mode', () => {
    assert.deepEqual(createErrors(d, withSpec({ backoffLimitPerIndex: 1, maxFailedIndexes: 1 })), [
      'spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode',
      'spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode',
    ]);
  });

  it('maxFailedIndexes needs backoffLimitPerIndex and at most completions', () => {
    assert.deepEqual(createErrors(d, withSpec({ ...indexed, maxFailedIndexes: 4 })), [
      'spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified',
      'spec.maxFailedIndexes: Invalid value: 4: must be less than or equal to completions',
    ]);
    assert.deepEqual(createErrors(d, withSpec({ ...indexed, backoffLimitPerIndex: -1 })), ['spec.backoffLimitPerIndex: Invalid value: -1: must be greater than or equal to 0']);
  });

  it('above 100000 completions asks for maxFailedIndexes and tighter limits', () => {
    const errs = createErrors(d, withSpec({ completionMode: 'Indexed', completions: 100001, parallelism: 10001, backoffLimitPerIndex: 1 }));
    assert.deepEqual(errs, [
      'spec.maxFailedIndexes: Required value: must be specified when completions is above 100000',
      'spec.parallelism: Invalid value: 10001: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index',
    ]);
    assert.deepEqual(createErrors(d, withSpec({ completionMode: 'Indexed', completions: 100001, parallelism: 1, backoffLimitPerIndex: 1, maxFailedIndexes: 10001 })), [
      'spec.maxFailedIndexes: Invalid value: 10001: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index',
    ]);
  });

  it('FailIndex needs backoffLimitPerIndex', () => {
    const podFailurePolicy = { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } }] };
    assert.deepEqual(createErrors(d, withSpec({ ...indexed, podFailurePolicy })), [
      'spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
    ]);
    assert.deepEqual(createErrors(d, withSpec({ ...indexed, backoffLimitPerIndex: 0, podFailurePolicy })), []);
  });

  it('successPolicy rules', () => {
    assert.deepEqual(createErrors(d, withSpec({ ...indexed, successPolicy: { rules: [] } })), [
      'spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified',
    ]);
    assert.deepEqual(createErrors(d, withSpec({ ...indexed, successPolicy: { rules: [{}] } })), [
      'spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified',
    ]);
    assert.deepEqual(createErrors(d, withSpec({ ...indexed, successPolicy: { rules: [{ succeededIndexes: '0-1', succeededCount: 3 }] } })), [
      'spec.successPolicy.rules[0].succeededCount: Invalid value: 3: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)',
    ]);
    assert.deepEqual(createErrors(d, withSpec({ ...indexed, successPolicy: { rules: [{ succeededCount: 4 }] } })), [
      'spec.successPolicy.rules[0].succeededCount: Invalid value: 4: must be less than or equal to 3 (the number of specified completions)',
    ]);
    assert.deepEqual(createErrors(d, withSpec({ ...indexed, successPolicy: { rules: [{ succeededIndexes: '0,3' }] } })), [
      'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "0,3": error parsing succeededIndexes: too large index: "3"',
    ]);
    assert.deepEqual(createErrors(d, withSpec({ ...indexed, successPolicy: { rules: [{ succeededIndexes: '2,1' }] } })), [
      'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "2,1": error parsing succeededIndexes: non-increasing order, previous: 2, current: 1',
    ]);
    const nonIndexed = createErrors(d, withSpec({ successPolicy: { rules: [{ succeededCount: 1 }] } }));
    assert.equal(nonIndexed.length, 1);
    assert.match(nonIndexed[0]!, /^spec\.successPolicy: Invalid value: .*: requires indexed completion mode$/);
  });

  it('backoffLimitPerIndex and successPolicy are immutable, maxFailedIndexes is not', () => {
    const job = withSpec({ ...indexed, backoffLimitPerIndex: 1, maxFailedIndexes: 1 });
    const more = updated(d, job, (o) => {
      (o.spec as any).maxFailedIndexes = 2;
    });
    assert.deepEqual(updateErrors(d, more, job), []);
    const changed = updated(d, job, (o) => {
      (o.spec as any).backoffLimitPerIndex = 2;
    });
    assert.deepEqual(updateErrors(d, changed, job), ['spec.backoffLimitPerIndex: Invalid value: 2: field is immutable']);
  });
});

describe('Job table', () => {
  it('prints STATUS, COMPLETIONS and DURATION', () => {
    const job = created(d, MYJOB);
    job.status = {
      succeeded: 1,
      startTime: '2024-05-01T10:00:00Z',
      completionTime: '2024-05-01T10:00:07Z',
      conditions: [{ type: 'Complete', status: 'True' }],
    };
    assert.deepEqual(row(d, job, TEST_NOW + 121_000), {
      Name: 'myjob',
      Status: 'Complete',
      Completions: '1/1',
      Duration: '7s',
      Age: '2m1s',
      Containers: 'ml',
      Images: 'iwbaek/train',
      Selector: `batch.kubernetes.io/controller-uid=${TEST_UID}`,
    });
  });

  it('shows work-queue jobs as N/1 of P and running jobs without a start as blank duration', () => {
    const src = baseJob();
    (src.spec as any).parallelism = 3;
    const job = created(d, src);
    const r = row(d, job);
    assert.equal(r.Completions, '0/1 of 3');
    assert.equal(r.Duration, '');
    assert.equal(r.Status, 'Running');
    job.status = { conditions: [{ type: 'Suspended', status: 'True' }] };
    assert.equal(row(d, job).Status, 'Suspended');
  });

  it('selects by status.successful', () => {
    const job = created(d, MYJOB);
    assert.equal(d.fieldLabels?.['status.successful']?.(job), '0');
    assert.equal(d.defaultPropagation, 'Orphan');
  });
});
