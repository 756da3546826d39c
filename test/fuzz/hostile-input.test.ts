// Hostile input never corrupts the store: thousands of malformed, oversized and invalid requests against a
// real API server on SQLite, each answered without a server error and with a proper Status; the server stays
// ready; and afterwards every object on disk decodes and validates, and a real `kubeloop up` on that data
// serves `kubectl get all -A`.
//
// Deterministic by default (fixed seed); FUZZ_SEED=n and FUZZ_RUNS=n explore further.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startKubeloop } from '../e2e/harness.js';
import { describe as describeRequest, responseProblems } from './checks.js';
import { checkStoredObjects } from './integrity.js';
import { widgetCrd } from './objects.js';
import { REGRESSIONS } from './regressions.js';
import { requestArb, seedRequests } from './requests.js';
import { type FuzzRequest, type FuzzTarget, send, startTarget } from './server.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20260601);
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);

let target: FuzzTarget;

async function expectSane(req: FuzzRequest): Promise<number> {
  const res = await send(target.port, req);
  const problems = responseProblems(req, res);
  assert.deepEqual(problems, [], `${describeRequest(req)}\n→ ${res.status}`);
  return res.status;
}

async function expectReady(): Promise<void> {
  const res = await send(target.port, { method: 'GET', path: '/readyz' }, 5000);
  assert.equal(res.status, 200, `/readyz answered ${res.status}: ${res.body.toString()}`);
}

describe('hostile input', { concurrency: false }, () => {
  before(async () => {
    target = await startTarget();
    const json = { 'content-type': 'application/json' };
    assert.equal(await expectSane({ method: 'POST', path: '/api/v1/namespaces', headers: json, body: JSON.stringify({ metadata: { name: 'fuzz' } }) }), 201);
    assert.equal(await expectSane({ method: 'POST', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', headers: json, body: JSON.stringify(widgetCrd) }), 201);
    // The CRD's resource is served once its watch event is committed and seen.
    for (let i = 0; ; i++) {
      const r = await send(target.port, { method: 'GET', path: `/apis/${widgetCrd.spec.group}/v1/widgets` });
      if (r.status === 200) break;
      assert.ok(i < 200, 'the fuzz CRD was never served');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const req of seedRequests()) await expectSane(req);
  });

  after(async () => {
    await target?.stop();
    if (target) await rm(target.dir, { recursive: true, force: true });
  });

  it('answers the regression cases the fuzzer once found', async () => {
    for (const { request, status } of REGRESSIONS) {
      const got = await expectSane(request);
      assert.equal(got, status, `${describeRequest(request)}: expected ${status}, got ${got}`);
    }
    await expectReady();
  });

  it('answers every hostile request with a 4xx Status or a success, and stays ready', async () => {
    let sent = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(requestArb, { minLength: 1, maxLength: 12 }), async (batch) => {
          for (const req of batch) {
            await expectSane(req);
            sent++;
          }
          // Graceful deletions and watch timeouts run on the fake clock.
          target.clock.advance(1_000);
          await expectReady();
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: process.env.FUZZ_SHRINK !== '1' },
      );
    } catch (err) {
      // fast-check's report repeats whole counterexamples (megabytes of body): keep its replay line and the
      // description of the request that failed.
      const msg = (err as Error).message;
      const replay = /\{ seed: [^}]*\}/.exec(msg)?.[0] ?? '';
      const cause = (err as Error).cause;
      const why = cause instanceof Error ? `${cause.message}\n${cause.stack?.split("\n").slice(1, 8).join("\n")}` : msg.slice(0, 4000);
      throw new Error(`fuzz failure (FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}, after ${sent} requests) ${replay}\n${why.slice(0, 6000)}`);
    }
  });

  it('leaves only valid objects on disk, and a real kubeloop serves them', async () => {
    await target.stop();
    const report = await checkStoredObjects(target.dataDir);
    assert.ok(report.objects > 20, `expected the seeded objects on disk, found ${report.objects}`);
    assert.deepEqual(report.problems, [], `corrupt or invalid objects on disk (seed ${SEED})`);

    const cluster = await startKubeloop({ dir: target.dir, durable: true, args: ['--nodes', '1'] });
    try {
      const r = await cluster.kubectl(['get', 'all', '-A']);
      assert.equal(r.code, 0, `kubectl get all -A failed: ${r.stderr}\n--- server ---\n${cluster.logs().slice(-3000)}`);
      assert.match(r.stdout, /service\/kubernetes/);
    } finally {
      await cluster.stop();
    }
  });
});
