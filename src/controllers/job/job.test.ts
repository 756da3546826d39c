import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { jobDescriptor } from '../../api/kinds/job.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import type { KubeObject } from '../../api/types.js';
import { rfc3339 } from '../../clock/clock.js';
import { createStack, Driver, type TestStack } from '../runtime/testkit.js';
import { jobController } from './controller.js';
import { JOB_TRACKING_FINALIZER } from './types.js';

let stack: TestStack;
let driver: Driver;

beforeEach(async () => {
  stack = createStack();
  driver = new Driver(stack, jobController());
  await driver.start();
});
afterEach(() => driver.stop());

function jobManifest(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }, ...spec },
  } as KubeObject;
}

async function pods(): Promise<KubeObject[]> {
  return (await stack.client.list(podDescriptor, 'default')).items.filter((p) => !p.metadata.deletionTimestamp || p.metadata.finalizers?.length);
}

async function finishPod(pod: KubeObject, phase: 'Succeeded' | 'Failed'): Promise<void> {
  const fresh = await stack.client.get(podDescriptor, 'default', pod.metadata.name ?? '');
  const at = rfc3339(stack.clock.now());
  const status = {
    phase,
    containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: phase === 'Failed' ? 1 : 0, startedAt: at, finishedAt: at } } }],
  };
  await stack.client.update(podDescriptor, 'default', { ...fresh, status }, { subresource: 'status' });
}

async function getJob(name: string): Promise<KubeObject & { status: Record<string, any> }> {
  return (await stack.client.get(jobDescriptor, 'default', name)) as KubeObject & { status: Record<string, any> };
}

const types = (job: { status: Record<string, any> }) => (job.status.conditions ?? []).map((c: { type: string }) => c.type);

describe('job controller', () => {
  it('runs one pod with the tracking finalizer and completes in two steps', async () => {
    await stack.client.create(jobDescriptor, 'default', jobManifest('pi'));
    await driver.drain();
    const [pod, ...rest] = await pods();
    assert.equal(rest.length, 0);
    assert.deepEqual(pod!.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
    assert.match(pod!.metadata.name ?? '', /^pi-/);
    let job = await getJob('pi');
    assert.equal(job.status.active, 1);
    assert.ok(job.status.startTime);
    stack.clock.advance(5000);
    await finishPod(pod!, 'Succeeded');
    await driver.drain();
    job = await getJob('pi');
    assert.deepEqual(types(job), ['SuccessCriteriaMet', 'Complete']);
    assert.equal(job.status.succeeded, 1);
    assert.equal(job.status.active, undefined);
    assert.deepEqual(job.status.uncountedTerminatedPods, {});
    assert.equal(job.status.completionTime, rfc3339(stack.clock.now()));
    const after = await stack.client.get(podDescriptor, 'default', pod!.metadata.name ?? '');
    assert.deepEqual(after.metadata.finalizers ?? [], []);
    assert.deepEqual(stack.recorder.events.map((e) => e.reason), ['SuccessfulCreate', 'Completed']);
  });

  it('fails after backoffLimit 2 with three failed pods, waiting 10 s then 20 s', async () => {
    await stack.client.create(jobDescriptor, 'default', jobManifest('bug', { backoffLimit: 2 }));
    await driver.drain();
    for (const wait of [10_000, 20_000]) {
      const running = (await pods()).filter((p) => !['Succeeded', 'Failed'].includes((p.status as any)?.phase));
      assert.equal(running.length, 1);
      await finishPod(running[0]!, 'Failed');
      await driver.drain();
      assert.equal((await pods()).length, wait === 10_000 ? 1 : 2, 'no replacement before the backoff');
      stack.clock.advance(wait - 1);
      await driver.drain();
      assert.equal((await pods()).length, wait === 10_000 ? 1 : 2);
      stack.clock.advance(1);
      await driver.drain();
      assert.equal((await pods()).length, wait === 10_000 ? 2 : 3);
    }
    const last = (await pods()).find((p) => !['Succeeded', 'Failed'].includes((p.status as any)?.phase));
    await finishPod(last!, 'Failed');
    await driver.drain();
    const job = await getJob('bug');
    assert.deepEqual(types(job), ['FailureTarget', 'Failed']);
    assert.equal(job.status.failed, 3);
    assert.equal(job.status.conditions[1].reason, 'BackoffLimitExceeded');
    assert.equal(job.status.conditions[1].message, 'Job has reached the specified backoff limit');
    assert.equal(job.status.completionTime, undefined);
    assert.ok(stack.recorder.reasons('BackoffLimitExceeded').length === 1);
  });

  it('backoffLimit 0 fails on the first failure', async () => {
    await stack.client.create(jobDescriptor, 'default', jobManifest('zero', { backoffLimit: 0 }));
    await driver.drain();
    await finishPod((await pods())[0]!, 'Failed');
    await driver.drain();
    assert.deepEqual(types(await getJob('zero')), ['FailureTarget', 'Failed']);
  });

  it('completions 5 / parallelism 2 never runs more than 2 pods', async () => {
    await stack.client.create(jobDescriptor, 'default', jobManifest('par', { completions: 5, parallelism: 2 }));
    await driver.drain();
    for (let done = 0; done < 5; done++) {
      const running = (await pods()).filter((p) => !['Succeeded', 'Failed'].includes((p.status as any)?.phase));
      assert.equal(running.length, Math.min(2, 5 - done));
      await finishPod(running[0]!, 'Succeeded');
      await driver.drain();
    }
    const job = await getJob('par');
    assert.equal(job.status.succeeded, 5);
    assert.deepEqual(types(job), ['SuccessCriteriaMet', 'Complete']);
  });

  it('fails with DeadlineExceeded after activeDeadlineSeconds, counting the killed pod', async () => {
    await stack.client.create(jobDescriptor, 'default', jobManifest('slow', { activeDeadlineSeconds: 10 }));
    await driver.drain();
    stack.clock.advance(10_000);
    await driver.drain();
    // Without a kubelet the deleted pod goes as soon as its finalizer is off.
    const job = await getJob('slow');
    assert.equal(job.status.failed, 1);
    assert.deepEqual(types(job), ['FailureTarget', 'Failed']);
    assert.equal(job.status.conditions[1].reason, 'DeadlineExceeded');
  });

  it('suspend at create makes no pods and no startTime; resume starts it', async () => {
    await stack.client.create(jobDescriptor, 'default', jobManifest('sus', { suspend: true }));
    await driver.drain();
    let job = await getJob('sus');
    assert.equal((await pods()).length, 0);
    assert.equal(job.status.startTime, undefined);
    assert.equal(job.status.conditions[0].reason, 'JobSuspended');
    await stack.client.patch(jobDescriptor, 'default', 'sus', 'merge', { spec: { suspend: false } });
    await driver.drain();
    job = await getJob('sus');
    assert.ok(job.status.startTime);
    assert.equal(job.status.conditions[0].reason, 'JobResumed');
    assert.equal((await pods()).length, 1);
  });

  it('takes the finalizer off pods of a deleted job', async () => {
    await stack.client.create(jobDescriptor, 'default', jobManifest('gone'));
    await driver.drain();
    await stack.client.delete(jobDescriptor, 'default', 'gone', { propagationPolicy: 'Background' });
    await driver.drain();
    const [pod] = (await stack.client.list(podDescriptor, 'default')).items;
    assert.deepEqual(pod!.metadata.finalizers ?? [], []);
  });

  it('Indexed: one pod per index with hostname, env and annotation; completedIndexes 0-2', async () => {
    await stack.client.create(jobDescriptor, 'default', jobManifest('idx', { completionMode: 'Indexed', completions: 3, parallelism: 3 }));
    await driver.drain();
    const all = await pods();
    assert.equal(all.length, 3);
    const byIndex = new Map(all.map((p) => [p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], p]));
    for (const i of ['0', '1', '2']) {
      const p = byIndex.get(i) as KubeObject & { spec: any };
      assert.match(p.metadata.name ?? '', new RegExp(`^idx-${i}-[a-z0-9]{5}$`));
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-completion-index'], i);
      assert.equal(p.spec.hostname, `idx-${i}`);
      assert.equal(p.spec.containers[0].env.at(-1).name, 'JOB_COMPLETION_INDEX');
    }
    await finishPod(byIndex.get('1')!, 'Succeeded');
    await driver.drain();
    assert.equal((await getJob('idx')).status.completedIndexes, '1');
    await finishPod(byIndex.get('0')!, 'Failed');
    await driver.drain();
    stack.clock.advance(10_000);
    await driver.drain();
    const again = (await pods()).filter((p) => !['Succeeded', 'Failed'].includes((p.status as any)?.phase));
    assert.deepEqual(again.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).sort(), ['0', '2']);
    for (const p of again) await finishPod(p, 'Succeeded');
    await driver.drain();
    const job = await getJob('idx');
    assert.equal(job.status.completedIndexes, '0-2');
    assert.equal(job.status.succeeded, 3);
    assert.equal(job.status.failed, 1);
    assert.deepEqual(types(job), ['SuccessCriteriaMet', 'Complete']);
  });

  it('OnFailure: container restarts reaching backoffLimit fail the job', async () => {
    const spec = { backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } };
    await stack.client.create(jobDescriptor, 'default', jobManifest('onf', spec));
    await driver.drain();
    const [pod] = await pods();
    const fresh = await stack.client.get(podDescriptor, 'default', pod!.metadata.name ?? '');
    const status = { phase: 'Running', containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] };
    await stack.client.update(podDescriptor, 'default', { ...fresh, status }, { subresource: 'status' });
    await driver.drain();
    const job = await getJob('onf');
    assert.equal(job.status.conditions[0].type, 'FailureTarget');
    assert.equal(job.status.conditions[0].reason, 'BackoffLimitExceeded');
  });

  it('podFailurePolicy: FailJob on an exit code ends the job; Ignore does not count', async () => {
    const podFailurePolicy = {
      rules: [
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
        { action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'In', values: [42] } },
      ],
    };
    await stack.client.create(jobDescriptor, 'default', jobManifest('pfp', { podFailurePolicy, backoffLimit: 6 }));
    await driver.drain();
    const [first] = await pods();
    let fresh = await stack.client.get(podDescriptor, 'default', first!.metadata.name ?? '');
    await stack.client.update(podDescriptor, 'default', { ...fresh, status: { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'True' }] } }, { subresource: 'status' });
    await driver.drain();
    let job = await getJob('pfp');
    assert.equal(job.status.failed, undefined);
    const second = (await pods()).find((p) => p.metadata.name !== first!.metadata.name && (p.status as any)?.phase !== 'Failed');
    assert.ok(second, 'an ignored failure is replaced at once');
    fresh = await stack.client.get(podDescriptor, 'default', second.metadata.name ?? '');
    const status = { phase: 'Failed', containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 42 } } }] };
    await stack.client.update(podDescriptor, 'default', { ...fresh, status }, { subresource: 'status' });
    await driver.drain();
    job = await getJob('pfp');
    assert.deepEqual(types(job), ['FailureTarget', 'Failed']);
    assert.equal(job.status.conditions[1].reason, 'PodFailurePolicy');
    assert.equal(job.status.conditions[1].message, `Container c for pod default/${second.metadata.name} failed with exit code 42 matching FailJob rule at index 1`);
    assert.equal(job.status.failed, 1);
  });

  const INDEX = 'batch.kubernetes.io/job-completion-index';
  const FAILURES = 'batch.kubernetes.io/job-index-failure-count';
  const isRunning = (p: KubeObject) => !['Succeeded', 'Failed'].includes((p.status as any)?.phase);
  const runningAt = async (i: number) => (await pods()).filter((p) => isRunning(p) && p.metadata.annotations?.[INDEX] === String(i));
  const indexedSpec = (extra: Record<string, unknown> = {}) => ({ completionMode: 'Indexed', completions: 3, parallelism: 3, ...extra });

  it('backoffLimitPerIndex: an index is retried after its own backoff, then given up; FailedIndexes', async () => {
    await stack.client.create(jobDescriptor, 'default', jobManifest('bpi', indexedSpec({ backoffLimitPerIndex: 1 })));
    await driver.drain();
    for (const i of [0, 1, 2]) assert.equal((await runningAt(i))[0]?.metadata.annotations?.[FAILURES], '0');
    let job = await getJob('bpi');
    assert.equal(job.status.failedIndexes, '');
    assert.equal(job.spec && (job.spec as any).backoffLimit, 2147483647);

    const [first] = await runningAt(1);
    await finishPod(first!, 'Failed');
    await driver.drain();
    // The failed pod waits, finalizer on and uncounted, for the replacement that inherits its count.
    let kept = await stack.client.get(podDescriptor, 'default', first!.metadata.name ?? '');
    assert.deepEqual(kept.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
    job = await getJob('bpi');
    assert.equal(job.status.failed, undefined);
    assert.equal((await runningAt(1)).length, 0);
    stack.clock.advance(9_999);
    await driver.drain();
    assert.equal((await runningAt(1)).length, 0, 'no replacement before 10 s');
    stack.clock.advance(1);
    await driver.drain();
    const [second] = await runningAt(1);
    assert.equal(second?.metadata.annotations?.[FAILURES], '1');
    kept = await stack.client.get(podDescriptor, 'default', first!.metadata.name ?? '');
    assert.deepEqual(kept.metadata.finalizers ?? [], []);
    assert.equal((await getJob('bpi')).status.failed, 1);

    // The second failure reaches the limit: the index fails and is not retried.
    await finishPod(second!, 'Failed');
    await driver.drain();
    stack.clock.advance(60_000);
    await driver.drain();
    job = await getJob('bpi');
    assert.equal(job.status.failedIndexes, '1');
    assert.equal(job.status.failed, 2);
    assert.equal((await runningAt(1)).length, 0);
    assert.deepEqual(types(job), []);

    for (const i of [0, 2]) await finishPod((await runningAt(i))[0]!, 'Succeeded');
    await driver.drain();
    job = await getJob('bpi');
    assert.deepEqual(types(job), ['FailureTarget', 'Failed']);
    assert.equal(job.status.conditions[1].reason, 'FailedIndexes');
    assert.equal(job.status.conditions[1].message, 'Job has failed indexes');
    assert.equal(job.status.completedIndexes, '0,2');
    assert.equal(job.status.failedIndexes, '1');
    assert.equal(job.status.succeeded, 2);
    assert.equal(job.status.failed, 2);
    assert.deepEqual(stack.recorder.reasons('FailedIndexes').map((e) => [e.type, e.message]), [['Warning', 'Job has failed indexes']]);
  });

  it('maxFailedIndexes: one failed index too many fails the job and stops the rest', async () => {
    await stack.client.create(jobDescriptor, 'default', jobManifest('mfi', indexedSpec({ backoffLimitPerIndex: 0, maxFailedIndexes: 0 })));
    await driver.drain();
    await finishPod((await runningAt(2))[0]!, 'Failed');
    await driver.drain();
    const job = await getJob('mfi');
    assert.deepEqual(types(job), ['FailureTarget', 'Failed']);
    assert.equal(job.status.conditions[0].reason, 'MaxFailedIndexesExceeded');
    assert.equal(job.status.conditions[0].message, 'Job has exceeded the specified maximal number of failed indexes');
    assert.equal(job.status.failedIndexes, '2');
    // The two pods it killed count as failures too (their indexes did not fail).
    assert.equal(job.status.failed, 3);
    assert.equal(job.status.active, undefined);
  });

  it('podFailurePolicy FailIndex fails the index at once; Ignore keeps the count and records the ignored one', async () => {
    const podFailurePolicy = {
      rules: [
        { action: 'FailIndex', onExitCodes: { operator: 'In', values: [42] } },
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
      ],
    };
    await stack.client.create(jobDescriptor, 'default', jobManifest('fix', indexedSpec({ backoffLimitPerIndex: 3, podFailurePolicy })));
    await driver.drain();
    // Index 0: a disruption is forgiven; the replacement comes after the backoff with the ignored count.
    let pod = (await runningAt(0))[0]!;
    let fresh = await stack.client.get(podDescriptor, 'default', pod.metadata.name ?? '');
    await stack.client.update(podDescriptor, 'default', { ...fresh, status: { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'True' }] } }, { subresource: 'status' });
    await driver.drain();
    stack.clock.advance(10_000);
    await driver.drain();
    const [again] = await runningAt(0);
    assert.equal(again?.metadata.annotations?.[FAILURES], '0');
    assert.equal(again?.metadata.annotations?.['batch.kubernetes.io/job-index-ignored-failure-count'], '1');
    assert.equal((await getJob('fix')).status.failed, undefined);
    // Index 1: exit code 42 matches FailIndex, so the index fails although its budget is 3.
    pod = (await runningAt(1))[0]!;
    fresh = await stack.client.get(podDescriptor, 'default', pod.metadata.name ?? '');
    const status = { phase: 'Failed', containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 42 } } }] };
    await stack.client.update(podDescriptor, 'default', { ...fresh, status }, { subresource: 'status' });
    await driver.drain();
    const job = await getJob('fix');
    assert.equal(job.status.failedIndexes, '1');
    assert.equal(job.status.failed, 1);
    assert.deepEqual(types(job), []);
  });

  it('successPolicy: succeededIndexes met ends the job early with SuccessPolicy, killed pods not counted', async () => {
    const successPolicy = { rules: [{ succeededCount: 3 }, { succeededIndexes: '0,2' }] };
    await stack.client.create(jobDescriptor, 'default', jobManifest('sp', { completionMode: 'Indexed', completions: 4, parallelism: 4, successPolicy }));
    await driver.drain();
    await finishPod((await runningAt(0))[0]!, 'Succeeded');
    await driver.drain();
    assert.deepEqual(types(await getJob('sp')), []);
    await finishPod((await runningAt(2))[0]!, 'Succeeded');
    await driver.drain();
    const job = await getJob('sp');
    assert.deepEqual(types(job), ['SuccessCriteriaMet', 'Complete']);
    for (const c of job.status.conditions) {
      assert.equal(c.reason, 'SuccessPolicy');
      assert.equal(c.message, 'Matched rules at index 1');
    }
    assert.equal(job.status.completedIndexes, '0,2');
    assert.equal(job.status.succeeded, 2);
    assert.equal(job.status.failed, undefined);
    assert.equal(job.status.active, undefined);
    assert.ok(job.status.completionTime);
    assert.equal((await pods()).filter(isRunning).length, 0);
    assert.deepEqual(stack.recorder.reasons('Completed').map((e) => e.message), ['Job completed']);
  });

  it('successPolicy: succeededCount alone', async () => {
    const successPolicy = { rules: [{ succeededCount: 1 }] };
    await stack.client.create(jobDescriptor, 'default', jobManifest('spc', { completionMode: 'Indexed', completions: 3, parallelism: 1, successPolicy }));
    await driver.drain();
    await finishPod((await pods())[0]!, 'Succeeded');
    await driver.drain();
    const job = await getJob('spc');
    assert.deepEqual(types(job), ['SuccessCriteriaMet', 'Complete']);
    assert.equal(job.status.conditions[0].message, 'Matched rules at index 0');
    assert.equal(job.status.completedIndexes, '0');
  });
});
