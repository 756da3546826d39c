import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { cronJobDescriptor } from '../../api/kinds/cronjob.js';
import { jobDescriptor } from '../../api/kinds/job.js';
import type { KubeObject } from '../../api/types.js';
import { rfc3339 } from '../../clock/clock.js';
import { createStack, Driver, type TestStack } from '../runtime/testkit.js';
import { cronJobController } from './controller.js';

let stack: TestStack;
let driver: Driver;

beforeEach(async () => {
  stack = createStack();
  // Half a minute past, as in kube's example: the first slot is the next whole minute.
  stack.clock.advance(30_000);
  driver = new Driver(stack, cronJobController());
  await driver.start();
});
afterEach(() => driver.stop());

function cronJob(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'hello', image: 'busybox' }] } } } },
      ...spec,
    },
  } as KubeObject;
}

async function jobs(): Promise<KubeObject[]> {
  return (await stack.client.list(jobDescriptor, 'default')).items.filter((j) => !j.metadata.deletionTimestamp);
}

async function finishJob(job: KubeObject, type: 'Complete' | 'Failed'): Promise<void> {
  const fresh = await stack.client.get(jobDescriptor, 'default', job.metadata.name ?? '');
  const now = rfc3339(stack.clock.now());
  const status: Record<string, unknown> = { startTime: now, conditions: [{ type, status: 'True', lastTransitionTime: now }] };
  if (type === 'Complete') status.completionTime = now;
  await stack.client.update(jobDescriptor, 'default', { ...fresh, status }, { subresource: 'status' });
}

async function minute(): Promise<void> {
  stack.clock.advance(60_000);
  await driver.drain();
}

const cjStatus = async (name: string) => (await stack.client.get(cronJobDescriptor, 'default', name)).status as Record<string, any>;

describe('cronjob controller', () => {
  it('creates <name>-<minutes> at the next slot with the scheduled-timestamp annotation', async () => {
    await stack.client.create(cronJobDescriptor, 'default', cronJob('hello'));
    await driver.drain();
    assert.equal((await jobs()).length, 0);
    stack.clock.advance(30_100);
    await driver.drain();
    const [job] = await jobs();
    const slot = Date.parse('2026-01-01T00:01:00Z');
    assert.equal(job!.metadata.name, `hello-${slot / 60_000}`);
    assert.equal(job!.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-01T00:01:00Z');
    assert.equal(job!.metadata.ownerReferences?.[0]?.kind, 'CronJob');
    const st = await cjStatus('hello');
    assert.equal(st.lastScheduleTime, '2026-01-01T00:01:00Z');
    assert.equal(st.active[0].name, job!.metadata.name);
    assert.deepEqual(stack.recorder.reasons('SuccessfulCreate').map((e) => e.message), [`Created job ${job!.metadata.name}`]);
  });

  it('Forbid skips slots while a job runs', async () => {
    await stack.client.create(cronJobDescriptor, 'default', cronJob('f', { concurrencyPolicy: 'Forbid' }));
    await driver.drain();
    await minute();
    await minute();
    assert.equal((await jobs()).length, 1);
    assert.equal(stack.recorder.reasons('JobAlreadyActive').length, 1);
    // As in kube's controller the skipped slot is not recorded, so once the running job ends the most
    // recent missed slot starts late (startingDeadlineSeconds is what bounds that).
    await finishJob((await jobs())[0]!, 'Complete');
    await driver.drain();
    const names = (await jobs()).map((j) => j.metadata.name).sort();
    assert.deepEqual(names, ['f-29453761', 'f-29453762']);
    assert.equal((await cjStatus('f')).lastScheduleTime, '2026-01-01T00:02:00Z');
  });

  it('Replace deletes the running job before creating the next', async () => {
    await stack.client.create(cronJobDescriptor, 'default', cronJob('r', { concurrencyPolicy: 'Replace' }));
    await driver.drain();
    await minute();
    const [first] = await jobs();
    await minute();
    const now = await jobs();
    assert.equal(now.length, 1);
    assert.notEqual(now[0]!.metadata.name, first!.metadata.name);
    const reasons = stack.recorder.events.map((e) => e.reason);
    assert.deepEqual(reasons, ['SuccessfulCreate', 'SuccessfulDelete', 'SuccessfulCreate']);
  });

  it('a slot missed by more than startingDeadlineSeconds is dropped without an event', async () => {
    // kube-controller-manager only looks at slots newer than now - startingDeadlineSeconds, so the late
    // slot is never seen: no job, no MissSchedule, and the next look is at the following slot.
    await stack.client.create(cronJobDescriptor, 'default', cronJob('late', { startingDeadlineSeconds: 10 }));
    await driver.drain();
    stack.clock.advance(60_000);
    await driver.drain();
    assert.equal((await jobs()).length, 0);
    assert.equal(stack.recorder.reasons('MissSchedule').length, 0);
    assert.equal((await cjStatus('late')).lastScheduleTime, undefined);
    // The 00:02 slot is on time again.
    stack.clock.advance(30_100);
    await driver.drain();
    assert.deepEqual((await jobs()).map((j) => j.metadata.name), [`late-${Date.parse('2026-01-01T00:02:00Z') / 60_000}`]);
  });

  it('Forbid: a skipped slot keeps lastScheduleTime and reports JobAlreadyActive on every sync', async () => {
    await stack.client.create(cronJobDescriptor, 'default', cronJob('fa', { concurrencyPolicy: 'Forbid' }));
    await driver.drain();
    await minute();
    await minute();
    assert.equal((await cjStatus('fa')).lastScheduleTime, '2026-01-01T00:01:00Z');
    // Any change to the running job wakes the CronJob; the slot is still unmet, so it says so again.
    const [job] = await jobs();
    await stack.client.update(jobDescriptor, 'default', { ...job!, metadata: { ...job!.metadata, labels: { poke: '1' } } });
    await driver.drain();
    assert.equal(stack.recorder.reasons('JobAlreadyActive').length, 2);
    assert.equal((await jobs()).length, 1);
    assert.equal((await cjStatus('fa')).lastScheduleTime, '2026-01-01T00:01:00Z');
  });

  it('Forbid with startingDeadlineSeconds: a slot skipped too long ago is not started when the job ends', async () => {
    await stack.client.create(cronJobDescriptor, 'default', cronJob('fd', { concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 20 }));
    await driver.drain();
    stack.clock.advance(30_100); // 00:01:00.1: first job
    await driver.drain();
    await minute(); // 00:02:00.1: skipped
    assert.equal(stack.recorder.reasons('JobAlreadyActive').length, 1);
    stack.clock.advance(30_000); // 00:02:30.1: the 00:02 slot is now older than the deadline
    await finishJob((await jobs())[0]!, 'Complete');
    await driver.drain();
    assert.equal((await jobs()).length, 1);
    assert.equal(stack.recorder.reasons('MissSchedule').length, 0);
    assert.equal((await cjStatus('fd')).lastScheduleTime, '2026-01-01T00:01:00Z');
    stack.clock.advance(30_000); // 00:03 runs normally
    await driver.drain();
    assert.equal((await jobs()).length, 2);
    assert.equal((await cjStatus('fd')).lastScheduleTime, '2026-01-01T00:03:00Z');
  });

  it('Replace: an active job that went missing is dropped (MissingJob), not replaced', async () => {
    await stack.client.create(cronJobDescriptor, 'default', cronJob('rg', { concurrencyPolicy: 'Replace' }));
    await driver.drain();
    await minute();
    const [first] = await jobs();
    // The job vanishes behind the controller's back, but status.active still lists it.
    await stack.client.delete(jobDescriptor, 'default', first!.metadata.name ?? '', { propagationPolicy: 'Background' });
    await driver.drain();
    // The MissingJob path takes it out of active first, so the next slot starts normally.
    await minute();
    assert.equal(stack.recorder.reasons('MissingJob').length, 1);
    assert.equal(stack.recorder.reasons('FailedGet').length, 0);
    assert.equal((await jobs()).length, 1);
  });

  it('a schedule that never fires is reported as InvalidSchedule', async () => {
    await stack.client.create(cronJobDescriptor, 'default', cronJob('feb', { schedule: '59 23 31 2 *' }));
    await driver.drain();
    assert.deepEqual(stack.recorder.reasons('InvalidSchedule').map((e) => e.message), ['invalid schedule: 59 23 31 2 * : time difference between two schedules is less than 1 second']);
    assert.equal((await jobs()).length, 0);
  });

  it('keeps 3 successful and 1 failed job', async () => {
    await stack.client.create(cronJobDescriptor, 'default', cronJob('h'));
    await driver.drain();
    for (let i = 0; i < 5; i++) {
      await minute();
      const open = (await jobs()).filter((j) => !(j.status as any)?.conditions);
      await finishJob(open[0]!, i < 2 ? 'Failed' : 'Complete');
      await driver.drain();
    }
    await driver.drain();
    const left = await jobs();
    const done = left.filter((j) => (j.status as any)?.conditions?.[0]?.type === 'Complete');
    const failed = left.filter((j) => (j.status as any)?.conditions?.[0]?.type === 'Failed');
    assert.equal(done.length, 3);
    assert.equal(failed.length, 1);
    assert.ok((await cjStatus('h')).lastSuccessfulTime);
  });

  it('suspend stops new jobs', async () => {
    await stack.client.create(cronJobDescriptor, 'default', cronJob('s', { suspend: true }));
    await driver.drain();
    await minute();
    assert.equal((await jobs()).length, 0);
  });
});
