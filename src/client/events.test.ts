import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { allKinds } from '../api/kinds/index.js';
import { Registry } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import { ApiServer } from '../apiserver/server.js';
import { FakeClock } from '../clock/clock.js';
import { MemoryStore } from '../store/memory.js';
import type { Client, Resource } from './client.js';
import { COMBINED_PREFIX, Lru } from './event-correlator.js';
import { createEventRecorder, EVENTS, type EventRecorderOptions } from './events.js';
import { InProcessClient } from './inprocess.js';

const PODS: Resource = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };
const NODES: Resource = { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false };
const RS: Resource = { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true };

const servers: ApiServer[] = [];
after(() => {
  for (const s of servers) s.namespaces.stop();
});

function cluster(opts: EventRecorderOptions = {}, wrap?: (c: Client) => Client) {
  const clock = new FakeClock();
  const server = new ApiServer({ store: new MemoryStore(), registry: new Registry([...allKinds]), clock });
  server.namespaces.start();
  servers.push(server);
  const client = new InProcessClient(server.storage);
  const recorder = createEventRecorder(wrap ? wrap(client) : client, clock, { component: 'test-controller', host: 'node-a' }, opts);
  return { clock, client, recorder };
}

function pod(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } };
}

/** The query `kubectl describe` makes for an object's events, sorted as it prints them. */
async function describeEvents(client: Client, obj: KubeObject): Promise<Record<string, any>[]> {
  const m = obj.metadata;
  const selector = [`involvedObject.name=${m.name}`, `involvedObject.namespace=${m.namespace ?? ''}`, `involvedObject.kind=${obj.kind}`, `involvedObject.uid=${m.uid}`];
  const list = await client.list(EVENTS, m.namespace ?? 'default', { fieldSelector: selector.join(',') });
  return (list.items as Record<string, any>[]).sort((a, b) => String(a.lastTimestamp).localeCompare(String(b.lastTimestamp)));
}

describe('event recorder', () => {
  it('writes a core/v1 Event in Kubernetes shape, without blocking the caller', async () => {
    const { client, recorder } = cluster();
    const p = await client.create(PODS, 'default', pod('web-0'));
    recorder.event(p, 'Normal', 'Scheduled', 'Successfully assigned default/web-0 to node-a', 'spec.containers{nginx}');
    assert.equal(recorder.stats().created, 0, 'event() returns before anything is written');
    await recorder.flush();
    const [ev, ...rest] = await describeEvents(client, p);
    assert.equal(rest.length, 0);
    assert.match(ev?.metadata.name, /^web-0\.[0-9a-f]{16}$/);
    assert.equal(ev?.metadata.namespace, 'default');
    assert.deepEqual(ev?.involvedObject, {
      kind: 'Pod',
      namespace: 'default',
      name: 'web-0',
      uid: p.metadata.uid,
      apiVersion: 'v1',
      resourceVersion: p.metadata.resourceVersion,
      fieldPath: 'spec.containers{nginx}',
    });
    assert.deepEqual(
      [ev?.type, ev?.reason, ev?.message, ev?.count, ev?.eventTime, ev?.reportingComponent, ev?.reportingInstance],
      ['Normal', 'Scheduled', 'Successfully assigned default/web-0 to node-a', 1, null, 'test-controller', 'node-a'],
    );
    assert.deepEqual(ev?.source, { component: 'test-controller', host: 'node-a' });
    assert.equal(ev?.firstTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(ev?.lastTimestamp, ev?.firstTimestamp);
  });

  it('files events about cluster-scoped objects in the default namespace', async () => {
    const { client, recorder } = cluster();
    const node = await client.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } });
    recorder.event(node, 'Normal', 'RegisteredNode', 'Node node-a event: Registered Node node-a in Controller');
    await recorder.flush();
    const [ev] = (await client.list(EVENTS, 'default', { fieldSelector: 'involvedObject.kind=Node,involvedObject.name=node-a' })).items as Record<string, any>[];
    assert.equal(ev?.metadata.namespace, 'default');
    assert.equal(ev?.involvedObject.namespace, undefined);
  });

  it('counts repeats of an identical event on the one Event, moving lastTimestamp only', async () => {
    const { clock, client, recorder } = cluster();
    const p = await client.create(PODS, 'default', pod('web-0'));
    recorder.event(p, 'Warning', 'BackOff', 'Back-off restarting failed container');
    await recorder.flush();
    for (let i = 0; i < 4; i++) {
      clock.advance(30_000);
      recorder.event(p, 'Warning', 'BackOff', 'Back-off restarting failed container');
      await recorder.flush();
    }
    const evs = await describeEvents(client, p);
    assert.equal(evs.length, 1);
    assert.deepEqual([evs[0]?.count, evs[0]?.firstTimestamp, evs[0]?.lastTimestamp], [5, '2026-01-01T00:00:00Z', '2026-01-01T00:02:00Z']);
    assert.deepEqual([recorder.stats().created, recorder.stats().patched], [1, 4]);

    // A different message, type or field path is a different Event.
    recorder.event(p, 'Warning', 'BackOff', 'Back-off pulling image');
    recorder.event(p, 'Normal', 'BackOff', 'Back-off restarting failed container');
    recorder.event(p, 'Warning', 'BackOff', 'Back-off restarting failed container', 'spec.containers{nginx}');
    await recorder.flush();
    assert.equal((await describeEvents(client, p)).length, 4);
  });

  it('orders a create before its patches even when repeats arrive while it is being written', async () => {
    const { client, recorder } = cluster();
    const p = await client.create(PODS, 'default', pod('web-0'));
    recorder.event(p, 'Normal', 'Pulled', 'Container image already present');
    recorder.event(p, 'Normal', 'Pulled', 'Container image already present');
    await Promise.resolve();
    for (let i = 0; i < 8; i++) {
      recorder.event(p, 'Normal', 'Pulled', 'Container image already present');
      await Promise.resolve();
    }
    await recorder.flush();
    const evs = await describeEvents(client, p);
    assert.equal(evs.length, 1);
    assert.equal(evs[0]?.count, 10);
    const s = recorder.stats();
    assert.equal(s.created, 1);
    assert.equal(s.dropped, 0);
    assert.ok(s.patched >= 1 && s.patched <= 9, `repeats coalesce into few patches (${s.patched})`);
  });

  it('gives distinct events about one object in one instant distinct names', async () => {
    const { client, recorder } = cluster();
    const p = await client.create(PODS, 'default', pod('web-0'));
    recorder.event(p, 'Normal', 'Pulling', 'Pulling image "nginx:1.25"');
    recorder.event(p, 'Normal', 'Pulled', 'Successfully pulled image "nginx:1.25"');
    recorder.event(p, 'Normal', 'Created', 'Created container nginx');
    await recorder.flush();
    const names = (await describeEvents(client, p)).map((e) => e.metadata.name);
    assert.equal(new Set(names).size, 3);
  });

  it('combines similar events after ten distinct messages of one reason', async () => {
    const { client, recorder } = cluster();
    const rs = await client.create(RS, 'default', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-7c5d', namespace: 'default' },
      spec: { replicas: 12, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
    });
    for (let i = 1; i <= 12; i++) {
      recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: web-7c5d-${i}`);
      await recorder.flush();
    }
    const evs = await describeEvents(client, rs);
    const combined = evs.filter((e) => String(e.message).startsWith(COMBINED_PREFIX));
    assert.equal(evs.length, 10);
    assert.equal(combined.length, 1);
    assert.equal(combined[0]?.message, `${COMBINED_PREFIX}Created pod: web-7c5d-12`);
    assert.equal(combined[0]?.count, 3);
    assert.equal(evs.filter((e) => e.count === 1).length, 9);
  });

  it('holds back a source that floods one object, letting one event through per five minutes', async () => {
    const { clock, client, recorder } = cluster();
    const p = await client.create(PODS, 'default', pod('web-0'));
    const other = await client.create(PODS, 'default', pod('web-1'));
    for (let i = 0; i < 30; i++) {
      recorder.event(p, 'Warning', 'Unhealthy', 'Readiness probe failed');
      await recorder.flush();
    }
    assert.equal(recorder.stats().filtered, 5);
    assert.equal((await describeEvents(client, p))[0]?.count, 25);
    recorder.event(other, 'Warning', 'Unhealthy', 'Readiness probe failed');
    await recorder.flush();
    assert.equal((await describeEvents(client, other))[0]?.count, 1, 'another object has its own budget');

    clock.advance(300_000);
    recorder.event(p, 'Warning', 'Unhealthy', 'Readiness probe failed');
    recorder.event(p, 'Warning', 'Unhealthy', 'Readiness probe failed');
    await recorder.flush();
    const [ev] = await describeEvents(client, p);
    // The held-back occurrences still count once a write goes through.
    assert.equal(ev?.count, 32);
    assert.equal(ev?.lastTimestamp, '2026-01-01T00:05:00Z');
  });

  it('re-creates an Event that was deleted, keeping its count', async () => {
    const { client, recorder } = cluster();
    const p = await client.create(PODS, 'default', pod('web-0'));
    recorder.event(p, 'Normal', 'Killing', 'Stopping container nginx');
    await recorder.flush();
    const [first] = await describeEvents(client, p);
    await client.delete(EVENTS, 'default', first?.metadata.name);
    recorder.event(p, 'Normal', 'Killing', 'Stopping container nginx');
    await recorder.flush();
    const [again] = await describeEvents(client, p);
    assert.deepEqual([again?.metadata.name, again?.count], [first?.metadata.name, 2]);
  });

  it('drops events the server refuses without throwing, and counts them', async () => {
    const logs: string[] = [];
    const { recorder } = cluster({ log: (m) => logs.push(m) });
    const ghost = { ...pod('ghost'), metadata: { name: 'ghost', namespace: 'missing', uid: 'u1' } };
    assert.doesNotThrow(() => recorder.event(ghost, 'Normal', 'Scheduled', 'x'));
    assert.doesNotThrow(() => recorder.event({ metadata: {} } as KubeObject, 'Normal', 'NoKind', 'x'));
    assert.doesNotThrow(() => recorder.event(pod('p'), 'Fatal' as 'Normal', 'BadType', 'x'));
    await recorder.flush();
    assert.equal(recorder.stats().dropped, 3);
    assert.equal(recorder.stats().pending, 0);
    assert.equal(logs.length, 1);
  });

  it('retries a write the transport failed, on the clock', async () => {
    let failures = 2;
    const { clock, client, recorder } = cluster({ retryDelayMs: 10_000 }, (c) => ({
      ...bind(c),
      create: async (r, ns, obj, o) => {
        if (r.plural === 'events' && failures-- > 0) throw new Error('connection reset');
        return c.create(r, ns, obj, o);
      },
    }));
    const p = await client.create(PODS, 'default', pod('web-0'));
    recorder.event(p, 'Normal', 'Started', 'Started container nginx');
    let flushed = false;
    const f = recorder.flush().then(() => (flushed = true));
    for (let i = 0; i < 2; i++) {
      await new Promise((r) => setImmediate(r));
      assert.equal(flushed, false);
      clock.advance(10_000);
    }
    await f;
    assert.deepEqual([recorder.stats().created, recorder.stats().dropped], [1, 0]);
    assert.equal((await describeEvents(client, p)).length, 1);
  });

  it('keeps up with 10k pods and aggregates 10k creations by one ReplicaSet', async () => {
    const { client, recorder } = cluster();
    const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'big', namespace: 'default', uid: 'rs-uid' } };
    const n = 10_000;
    for (let i = 0; i < n; i++) {
      const p = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `big-${i}`, namespace: 'default', uid: `uid-${i}` } };
      recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: big-${i}`);
      recorder.event(p, 'Normal', 'Scheduled', `Successfully assigned default/big-${i} to node-a`);
    }
    await recorder.flush();
    const s = recorder.stats();
    assert.equal(s.dropped, 0);
    assert.equal(s.pending, 0);
    const all = (await client.list(EVENTS, 'default')).items as Record<string, any>[];
    assert.equal(all.filter((e) => e.reason === 'Scheduled').length, n);
    const created = all.filter((e) => e.reason === 'SuccessfulCreate');
    assert.equal(created.length, 10, 'nine messages of their own and one combined Event');
    const combined = created.find((e) => String(e.message).startsWith(COMBINED_PREFIX));
    // 25 occurrences got through the spam filter; held-back ones stay in the count of the combined Event.
    assert.equal(combined?.count, n - 9);
  });
});

describe('Lru', () => {
  it('evicts the least recently used key past its size', () => {
    const l = new Lru<number>(3);
    l.set('a', 1);
    l.set('b', 2);
    l.set('c', 3);
    l.get('a');
    l.set('d', 4);
    assert.equal(l.size, 3);
    assert.equal(l.get('b'), undefined);
    assert.equal(l.get('a'), 1);
  });
});

function bind(c: Client): Client {
  return {
    get: c.get.bind(c),
    list: c.list.bind(c),
    watch: c.watch.bind(c),
    create: c.create.bind(c),
    update: c.update.bind(c),
    patch: c.patch.bind(c),
    delete: c.delete.bind(c),
    createSubresource: c.createSubresource.bind(c),
  };
}
