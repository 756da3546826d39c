import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { jobDescriptor } from '../../api/kinds/job.js';
import type { KubeObject } from '../../api/types.js';
import { rfc3339 } from '../../clock/clock.js';
import { createStack, Driver, type TestStack } from '../runtime/testkit.js';
import { ttlAfterFinishedController } from './ttl.js';

let stack: TestStack;
let driver: Driver;

beforeEach(async () => {
  stack = createStack();
  driver = new Driver(stack, ttlAfterFinishedController());
  await driver.start();
});
afterEach(() => driver.stop());

async function createJob(name: string, ttl?: number): Promise<void> {
  const spec: Record<string, unknown> = { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } };
  if (ttl !== undefined) spec.ttlSecondsAfterFinished = ttl;
  await stack.client.create(jobDescriptor, 'default', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, spec } as KubeObject);
}

async function complete(name: string): Promise<void> {
  const job = await stack.client.get(jobDescriptor, 'default', name);
  const now = rfc3339(stack.clock.now());
  const status = { startTime: now, completionTime: now, succeeded: 1, conditions: [{ type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: now }, { type: 'Complete', status: 'True', lastTransitionTime: now }] };
  await stack.client.update(jobDescriptor, 'default', { ...job, status }, { subresource: 'status' });
}

async function deleting(name: string): Promise<boolean> {
  try {
    return !!(await stack.client.get(jobDescriptor, 'default', name)).metadata.deletionTimestamp;
  } catch {
    return true;
  }
}

describe('ttl-after-finished controller', () => {
  it('deletes a finished job exactly ttlSecondsAfterFinished after it finished, in the foreground', async () => {
    await createJob('t', 100);
    await driver.drain();
    await complete('t');
    await driver.drain();
    stack.clock.advance(99_999);
    await driver.drain();
    assert.equal(await deleting('t'), false);
    stack.clock.advance(1);
    await driver.drain();
    const job = await stack.client.get(jobDescriptor, 'default', 't');
    assert.ok(job.metadata.deletionTimestamp);
    assert.ok(job.metadata.finalizers?.includes('foregroundDeletion'));
  });

  it('ttl 0 deletes right after completion; no TTL or unfinished keeps the job', async () => {
    await createJob('zero', 0);
    await createJob('keep');
    await createJob('running', 0);
    await complete('zero');
    await complete('keep');
    await driver.drain();
    assert.equal(await deleting('zero'), true);
    assert.equal(await deleting('keep'), false);
    assert.equal(await deleting('running'), false);
  });
});
