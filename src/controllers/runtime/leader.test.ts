import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../api/errors.js';
import { allKinds } from '../../api/kinds/index.js';
import { leaseDescriptor } from '../../api/kinds/lease.js';
import { Registry } from '../../api/registry.js';
import type { KubeObject } from '../../api/types.js';
import { ApiServer } from '../../apiserver/server.js';
import { FakeClock } from '../../clock/clock.js';
import type { Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import { InProcessClient } from '../../client/inprocess.js';
import { MemoryStore } from '../../store/memory.js';
import { LeaderElector, recordOf, type LeaderElectorOptions } from './leader.js';

function cluster() {
  const clock = new FakeClock();
  const server = new ApiServer({ store: new MemoryStore(), registry: new Registry([...allKinds]), clock });
  server.namespaces.start();
  return { clock, server, client: new InProcessClient(server.storage) };
}

/** A client whose calls can be made to fail, like an API server that became unreachable. */
function flaky(inner: Client): Client & { down: boolean } {
  const c = {
    down: false,
    guard<T>(fn: () => Promise<T>): Promise<T> {
      return c.down ? Promise.reject(new ApiError(503, 'ServiceUnavailable', 'unreachable')) : fn();
    },
    get: (...a: Parameters<Client['get']>) => c.guard(() => inner.get(...a)),
    list: (...a: Parameters<Client['list']>) => c.guard(() => inner.list(...a)),
    watch: (...a: Parameters<Client['watch']>) => inner.watch(...a),
    create: (...a: Parameters<Client['create']>) => c.guard(() => inner.create(...a)),
    update: (...a: Parameters<Client['update']>) => c.guard(() => inner.update(...a)),
    patch: (...a: Parameters<Client['patch']>) => c.guard(() => inner.patch(...a)),
    delete: (...a: Parameters<Client['delete']>) => c.guard(() => inner.delete(...a)),
    createSubresource: (...a: Parameters<Client['createSubresource']>) => c.guard(() => inner.createSubresource(...a)),
  };
  return c;
}

interface Candidate {
  le: LeaderElector;
  started: number;
  stopped: number;
  leaders: string[];
  errors: unknown[];
}

function candidate(client: Client, clock: FakeClock, identity: string, extra: Partial<LeaderElectorOptions> = {}): Candidate {
  const c: Candidate = { le: undefined as unknown as LeaderElector, started: 0, stopped: 0, leaders: [], errors: [] };
  c.le = new LeaderElector({
    client,
    clock,
    identity,
    random: () => 0,
    onStartedLeading: () => c.started++,
    onStoppedLeading: () => {
      c.stopped++;
    },
    onNewLeader: (id) => c.leaders.push(id),
    onError: (err) => c.errors.push(err),
    ...extra,
  });
  return c;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Moves the fake clock in small steps, letting each step's API calls finish, and checks after every step that
 * at most one candidate believes it leads. */
async function run(clock: FakeClock, ms: number, all: Candidate[] = [], step = 250): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await settle();
    assert.ok(all.filter((c) => c.le.isLeader()).length <= 1, 'two leaders at once');
  }
}

async function lease(client: Client): Promise<KubeObject> {
  return client.get(leaseDescriptor, 'kube-system', 'kube-controller-manager');
}

test('two candidates on one store: exactly one leads, and keeps renewing', async () => {
  const { clock, client } = cluster();
  const a = candidate(client, clock, 'a');
  const b = candidate(client, clock, 'b');
  a.le.start();
  b.le.start(); // both find no lease: one create wins, the other gets AlreadyExists
  await settle();
  assert.equal(a.le.isLeader(), true);
  assert.equal(b.le.isLeader(), false);
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, [], 'losing the create race is not an error');

  const first = recordOf(await lease(client));
  assert.equal(first.holderIdentity, 'a');
  assert.equal(first.leaseDurationSeconds, 15);
  assert.equal(first.leaseTransitions, 0);
  assert.match(first.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

  await run(clock, 60_000, [a, b]);
  assert.equal(a.started, 1);
  assert.equal(b.started, 0);
  assert.equal(b.le.getLeader(), 'a');
  assert.deepEqual(b.leaders, ['a']);
  const later = recordOf(await lease(client));
  assert.equal(later.holderIdentity, 'a');
  assert.equal(later.acquireTime, first.acquireTime, 'renewals keep acquireTime');
  assert.notEqual(later.renewTime, first.renewTime);
  assert.ok(Date.parse(later.renewTime ?? '') >= clock.now() - 2_000, 'renewed every retry period');
  await a.le.stop();
  await b.le.stop();
});

test('a leader that vanishes without releasing is replaced once the lease expires', async () => {
  const { clock, client } = cluster();
  const a = candidate(client, clock, 'a');
  const b = candidate(client, clock, 'b');
  a.le.start();
  await settle();
  b.le.start();
  await run(clock, 5_000, [a, b]);
  assert.equal(a.le.isLeader(), true);

  await a.le.stop({ release: false }); // as a crash would: the lease still names a
  const lastRenew = Date.parse(recordOf(await lease(client)).renewTime ?? '');
  await run(clock, 12_000, [a, b]);
  assert.equal(b.le.isLeader(), false, 'must wait for the lease to expire');
  await run(clock, 8_000, [a, b]);
  assert.equal(b.le.isLeader(), true);
  const rec = recordOf(await lease(client));
  assert.equal(rec.holderIdentity, 'b');
  assert.equal(rec.leaseTransitions, 1);
  const took = Date.parse(rec.acquireTime ?? '') - lastRenew;
  assert.ok(took >= 15_000 && took <= 15_000 + 2 * 2_000, `took over ${took} ms after the last renewal`);
  assert.deepEqual(b.leaders, ['a', 'b']);
  await b.le.stop();
});

test('stop() calls onStoppedLeading, then releases the lease so a successor need not wait', async () => {
  const { clock, client } = cluster();
  const order: string[] = [];
  const a = candidate(client, clock, 'a', {
    onStoppedLeading: async () => {
      order.push(`stopped; holder=${recordOf(await lease(client)).holderIdentity}`);
    },
  });
  const b = candidate(client, clock, 'b');
  a.le.start();
  await settle();
  b.le.start();
  await run(clock, 4_000, [a, b]);

  await a.le.stop();
  assert.deepEqual(order, ['stopped; holder=a'], 'controllers stop before the lease is let go');
  assert.equal(a.le.isLeader(), false);
  const released = recordOf(await lease(client));
  assert.equal(released.holderIdentity, '');
  assert.equal(released.leaseDurationSeconds, 1);
  assert.equal(released.leaseTransitions, 0);

  await run(clock, 4_400, [a, b]); // one jittered retry period at most
  assert.equal(b.le.isLeader(), true);
  const rec = recordOf(await lease(client));
  assert.equal(rec.holderIdentity, 'b');
  assert.equal(rec.leaseTransitions, 1);
  assert.equal(rec.leaseDurationSeconds, 15);
  await b.le.stop();
  assert.equal(recordOf(await lease(client)).holderIdentity, '');
});

test('a leader whose renewals fail steps down at the renew deadline, before anyone takes over', async () => {
  const { clock, client } = cluster();
  const aClient = flaky(client);
  const a = candidate(aClient, clock, 'a');
  const b = candidate(client, clock, 'b');
  a.le.start();
  await settle();
  b.le.start();
  await run(clock, 3_000, [a, b]);
  assert.equal(a.le.isLeader(), true);

  aClient.down = true;
  const cut = clock.now();
  await run(clock, 8_000, [a, b]);
  assert.equal(a.le.isLeader(), true, 'still within the renew deadline');
  await run(clock, 6_000, [a, b]);
  assert.equal(a.le.isLeader(), false);
  assert.equal(a.stopped, 1);
  assert.ok(a.errors.length > 0);
  assert.equal(b.le.isLeader(), false, 'the lease has not expired yet for b');
  await run(clock, 10_000, [a, b]);
  assert.equal(b.le.isLeader(), true);
  assert.ok(clock.now() - cut <= 15_000 + 2_000 + 10_000);

  aClient.down = false; // a is a candidate again, and finds b holding the lease
  await run(clock, 30_000, [a, b]);
  assert.equal(a.le.isLeader(), false);
  assert.equal(a.started, 1);
  assert.equal(recordOf(await lease(client)).holderIdentity, 'b');
  await a.le.stop();
  await b.le.stop();
});

test('a leader that finds the lease taken over steps down at once', async () => {
  const { clock, client } = cluster();
  const a = candidate(client, clock, 'a');
  a.le.start();
  await settle();
  assert.equal(a.le.isLeader(), true);
  const cur = await lease(client);
  await client.update(leaseDescriptor, 'kube-system', { ...cur, spec: { ...(cur.spec as object), holderIdentity: 'intruder' } });
  await run(clock, 2_500, [a]);
  assert.equal(a.le.isLeader(), false);
  assert.equal(a.stopped, 1);
  assert.deepEqual(a.errors, [], 'the conflict on the optimistic write is expected');
  assert.equal(a.le.getLeader(), 'intruder');
  await a.le.stop();
  assert.equal(recordOf(await lease(client)).holderIdentity, 'intruder', 'stop must not release a lease it does not hold');
});

test('a lease already naming this identity is taken back at once, keeping its history', async () => {
  const { clock, client } = cluster();
  await client.create(leaseDescriptor, 'kube-system', {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'kube-controller-manager', namespace: 'kube-system' },
    spec: { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: '2025-12-31T23:59:50.000000Z', renewTime: '2025-12-31T23:59:58.000000Z', leaseTransitions: 3 },
  });
  const a = candidate(client, clock, 'a');
  a.le.start();
  await settle();
  assert.equal(a.le.isLeader(), true);
  const rec = recordOf(await lease(client));
  assert.equal(rec.leaseTransitions, 3);
  assert.equal(rec.acquireTime, '2025-12-31T23:59:50.000000Z');
  await a.le.stop();
});

test('a lease held by someone else is respected for a full duration from when it was first seen', async () => {
  const { clock, client } = cluster();
  await client.create(leaseDescriptor, 'kube-system', {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'kube-controller-manager', namespace: 'kube-system' },
    // Timestamps from a clock we cannot trust: only a change of the record counts as a renewal.
    spec: { holderIdentity: 'old', leaseDurationSeconds: 15, renewTime: '2020-01-01T00:00:00.000000Z', leaseTransitions: 7 },
  });
  const a = candidate(client, clock, 'a');
  a.le.start();
  await run(clock, 14_000, [a]);
  assert.equal(a.le.isLeader(), false);
  await run(clock, 4_000, [a]);
  assert.equal(a.le.isLeader(), true);
  assert.equal(recordOf(await lease(client)).leaseTransitions, 8);
  await a.le.stop();
});

test('custom lease location, events on the lease, and option validation', async () => {
  const { clock, client } = cluster();
  const events: string[] = [];
  const recorder: EventRecorder = { event: (obj, type, reason, message) => events.push(`${obj.metadata.name} ${type} ${reason} ${message}`) };
  const a = candidate(client, clock, 'a', { namespace: 'default', name: 'my-manager', recorder });
  a.le.start();
  await settle();
  assert.equal(a.le.isLeader(), true);
  assert.equal(recordOf(await client.get(leaseDescriptor, 'default', 'my-manager')).holderIdentity, 'a');
  await a.le.stop();
  assert.deepEqual(events, ['my-manager Normal LeaderElection a became leader', 'my-manager Normal LeaderElection a stopped leading']);
  assert.throws(() => a.le.start(), /cannot be restarted/);

  const base = { client, clock, onStartedLeading() {}, onStoppedLeading() {} };
  assert.throws(() => new LeaderElector({ ...base, leaseDurationMs: 10_000 }), /leaseDuration must be greater than renewDeadline/);
  assert.throws(() => new LeaderElector({ ...base, renewDeadlineMs: 2_400 }), /retryPeriod\*JitterFactor/);
  assert.match(new LeaderElector(base).identity, /^.+_[0-9a-f-]{36}$/);
});
