import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ApiError } from '../api/errors.js';
import { nodeDescriptor } from '../api/kinds/node.js';
import { podDescriptor } from '../api/kinds/pod.js';
import { podDisruptionBudgetDescriptor } from '../api/kinds/poddisruptionbudget.js';
import type { KubeObject } from '../api/types.js';
import { createStack, makeReady, type TestStack } from '../controllers/runtime/testkit.js';
import { evictPod, MULTIPLE_BUDGETS, VIOLATES_BUDGET } from './eviction.js';

const NS = 'default';
let stacks: TestStack[] = [];
afterEach(() => {
  for (const s of stacks) s.informers.stop();
  stacks = [];
});

function stack(): TestStack {
  const s = createStack();
  stacks.push(s);
  return s;
}

async function pod(s: TestStack, name: string, opts: { ready?: boolean; phase?: string; labels?: Record<string, string> } = {}): Promise<KubeObject> {
  const p = await s.client.create(podDescriptor, NS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: opts.labels ?? { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] },
  } as KubeObject);
  const ready = await makeReady(s.client, p, { ready: opts.ready ?? true });
  if (!opts.phase) return ready;
  return s.client.update(podDescriptor, NS, { ...ready, status: { ...(ready.status as object), phase: opts.phase } }, { subresource: 'status' });
}

/** A budget with the status the disruption controller would have written. */
async function budget(s: TestStack, status: Record<string, unknown>, spec: Record<string, unknown> = {}, name = 'web-pdb'): Promise<KubeObject> {
  const pdb = await s.client.create(podDisruptionBudgetDescriptor, NS, {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name },
    spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } }, ...spec },
  } as KubeObject);
  return s.client.update(
    podDisruptionBudgetDescriptor,
    NS,
    { ...pdb, status: { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, ...status } },
    { subresource: 'status' },
  );
}

function evict(s: TestStack, name: string, deleteOptions?: Record<string, unknown>, dryRun: string[] = []) {
  const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS }, ...(deleteOptions ? { deleteOptions } : {}) };
  return evictPod(s.server.storage, s.clock, NS, name, body, dryRun);
}

async function apiError(fn: () => unknown): Promise<ApiError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  assert.fail('expected an ApiError');
}

async function exists(s: TestStack, name: string): Promise<boolean> {
  try {
    await s.client.get(podDescriptor, NS, name);
    return true;
  } catch {
    return false;
  }
}

async function pdbStatus(s: TestStack, name = 'web-pdb'): Promise<Record<string, any>> {
  return (await s.client.get(podDisruptionBudgetDescriptor, NS, name)).status as Record<string, any>;
}

describe('pods/eviction', () => {
  it('deletes a pod no budget covers', async () => {
    const s = stack();
    await pod(s, 'a');
    assert.deepEqual((await evict(s, 'a')), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    assert.equal(await exists(s, 'a'), false);
  });

  it('refuses with 429 when the budget allows no disruption', async () => {
    const s = stack();
    await pod(s, 'a');
    await budget(s, { currentHealthy: 3, desiredHealthy: 3, expectedPods: 3 });
    const err = (await apiError(() => (evict(s, 'a'))));
    assert.deepEqual(err.status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: VIOLATES_BUDGET,
      reason: 'TooManyRequests',
      code: 429,
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb needs 3 healthy pods and has 3 currently' }] },
    });
    assert.equal(await exists(s, 'a'), true);
  });

  it('spends a disruption, notes the pod, marks it and deletes it', async () => {
    const s = stack();
    await pod(s, 'a');
    await budget(s, { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, conditions: [] });
    const before = await s.client.get(podDescriptor, NS, 'a');
    assert.equal((await evict(s, 'a')).status, 'Success');
    assert.equal(await exists(s, 'a'), false);
    const st = await pdbStatus(s);
    assert.equal(st.disruptionsAllowed, 0);
    assert.deepEqual(Object.keys(st.disruptedPods), ['a']);
    assert.equal(st.conditions[0].reason, 'InsufficientPods');
    assert.ok(before.metadata.resourceVersion);
  });

  it('marks a pod that terminates gracefully with DisruptionTarget', async () => {
    const s = stack();
    await s.client.create(nodeDescriptor, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } } as KubeObject);
    const p = await s.client.create(podDescriptor, NS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'g', labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] },
    } as KubeObject);
    await makeReady(s.client, p, { node: 'n1' });
    await budget(s, { disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1, expectedPods: 3 });
    await evict(s, 'g');
    const left = await s.client.get(podDescriptor, NS, 'g');
    assert.ok(left.metadata.deletionTimestamp);
    const cond = ((left.status as any).conditions as any[]).find((c) => c.type === 'DisruptionTarget');
    assert.deepEqual([cond.status, cond.reason, cond.message], ['True', 'EvictionByEvictionAPI', 'Eviction API: evicting']);
    assert.equal((await pdbStatus(s)).disruptionsAllowed, 1);
  });

  it('answers 429 "still being processed" while the budget status lags its generation', async () => {
    const s = stack();
    await pod(s, 'a');
    await budget(s, { observedGeneration: 0, disruptionsAllowed: 5 });
    const err = (await apiError(() => (evict(s, 'a'))));
    assert.equal(err.code, 429);
    assert.deepEqual(err.status.details, {
      causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb is still being processed by the server.' }],
      retryAfterSeconds: 10,
    });
  });

  it('refuses a pod under two budgets with a 500 Status', async () => {
    const s = stack();
    await pod(s, 'a');
    await budget(s, { disruptionsAllowed: 1 });
    await budget(s, { disruptionsAllowed: 1 }, {}, 'other-pdb');
    assert.deepEqual((await evict(s, 'a')), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: MULTIPLE_BUDGETS, code: 500 });
    assert.equal(await exists(s, 'a'), true);
  });

  it('ignores budgets for finished and pending pods', async () => {
    const s = stack();
    await pod(s, 'done', { phase: 'Succeeded' });
    await pod(s, 'waiting', { phase: 'Pending', ready: false });
    await budget(s, {});
    assert.equal((await evict(s, 'done')).status, 'Success');
    assert.equal((await evict(s, 'waiting')).status, 'Success');
    assert.equal(await exists(s, 'done'), false);
    assert.equal(await exists(s, 'waiting'), false);
  });

  it('lets an unready pod go for free while the application is healthy (IfHealthyBudget)', async () => {
    const s = stack();
    await pod(s, 'sick', { ready: false });
    await budget(s, { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 3 });
    assert.equal((await evict(s, 'sick')).status, 'Success');
    assert.equal(await exists(s, 'sick'), false);
    assert.equal((await pdbStatus(s)).disruptedPods, undefined);
  });

  it('keeps an unready pod when the application is disrupted, unless the policy is AlwaysAllow', async () => {
    const s = stack();
    await pod(s, 'sick', { ready: false });
    await budget(s, { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2, expectedPods: 3 });
    assert.equal((await apiError(() => (evict(s, 'sick')))).code, 429);
    await s.client.patch(podDisruptionBudgetDescriptor, NS, 'web-pdb', 'merge', { spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } });
    // The generation moved; the controller would catch up before this matters.
    const pdb = await s.client.get(podDisruptionBudgetDescriptor, NS, 'web-pdb');
    await s.client.update(podDisruptionBudgetDescriptor, NS, { ...pdb, status: { ...(pdb.status as object), observedGeneration: 2 } }, { subresource: 'status' });
    assert.equal((await evict(s, 'sick')).status, 'Success');
    assert.equal(await exists(s, 'sick'), false);
  });

  it('dry run checks the budget but changes nothing', async () => {
    const s = stack();
    await pod(s, 'a');
    await budget(s, { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 });
    const rv = (await s.client.get(podDisruptionBudgetDescriptor, NS, 'web-pdb')).metadata.resourceVersion;
    assert.equal((await evict(s, 'a', undefined, ['All'])).status, 'Success');
    assert.equal((await evict(s, 'a', { dryRun: ['All'] })).status, 'Success');
    assert.equal(await exists(s, 'a'), true);
    assert.equal((await s.client.get(podDisruptionBudgetDescriptor, NS, 'web-pdb')).metadata.resourceVersion, rv);
  });

  it('honours deleteOptions preconditions and checks the name', async () => {
    const s = stack();
    await pod(s, 'a');
    const err = (await apiError(() => (evict(s, 'a', { preconditions: { uid: 'nope' } }))));
    assert.equal(err.code, 409);
    assert.match(err.message, /^Operation cannot be fulfilled on Pod "a": the UID in the precondition \(nope\) does not match/);
    const bad = (await apiError(() => evictPod(s.server.storage, s.clock, NS, 'a', { metadata: { name: 'b' } })));
    assert.deepEqual([bad.code, bad.message], [400, 'name in URL does not match name in Eviction object']);
    assert.equal((await apiError(() => (evict(s, 'missing')))).code, 404);
  });
});
