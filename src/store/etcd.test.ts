import assert from 'node:assert/strict';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import type { KubeObject } from '../api/types.js';
import { storeContract } from './contract.js';
import { EtcdStore, etcdKey, storeKey } from './etcd.js';
import { GoneError, StoreConflictError, type StoreEvent } from './store.js';
import { type EtcdServer, startEtcd } from './testdata/etcd-server.js';

const obj = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({ metadata: { name, uid: `uid-${name}` }, ...extra });

let etcd: EtcdServer;
let admin: Etcd3;
before(async () => {
  etcd = await startEtcd();
  admin = new Etcd3({ hosts: etcd.url });
});
after(async () => {
  admin?.close();
  await etcd?.stop();
});

/** A fresh store over an empty /registry/ (tests run one after another on one etcd). */
async function fresh(o: { historyEvents?: number } = {}): Promise<EtcdStore> {
  await admin.delete().prefix('/registry/').exec();
  return EtcdStore.open({ servers: [etcd.url], ...o });
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

storeContract('EtcdStore', (o) => fresh(o));

describe('EtcdStore', () => {
  it('maps store keys to /registry/<resource>/<namespace>/<name> and back', () => {
    assert.equal(etcdKey('/core/pods/default/a'), '/registry/pods/default/a');
    assert.equal(etcdKey('/core/namespaces/_/default'), '/registry/namespaces/_/default');
    assert.equal(etcdKey('/apps/deployments/ns/d'), '/registry/apps/deployments/ns/d');
    for (const k of ['/core/pods/default/a', '/core/namespaces/_/default', '/apps/deployments/ns/d', '/example.com/widgets/ns/w']) {
      assert.equal(storeKey(etcdKey(k)), k);
    }
    assert.equal(storeKey('/other/x'), undefined);
  });

  it('stores JSON under the etcd key; resourceVersion is the mod revision', async () => {
    const s = await fresh();
    const e = await s.create('/apps/deployments/ns/d', obj('d', { spec: { replicas: 2 } }));
    const res = await admin.get('/registry/apps/deployments/ns/d').exec();
    const kv = res.kvs[0];
    assert.ok(kv);
    assert.equal(Number(kv.mod_revision), e.modRevision);
    const stored = JSON.parse(kv.value.toString()) as KubeObject;
    assert.equal(stored.metadata.resourceVersion, undefined);
    assert.deepEqual(stored.spec, { replicas: 2 });
    assert.equal(e.object.metadata.resourceVersion, String(e.modRevision));
    await s.close();
  });

  it('two stores on one etcd share objects, watches and optimistic concurrency', async () => {
    const a = await fresh();
    const b = await EtcdStore.open({ servers: [etcd.url] });
    const seen: StoreEvent[] = [];
    b.watch('/core/configmaps/', b.revision(), (e) => seen.push(e));
    const created = await a.create('/core/configmaps/ns/c', obj('c', { data: { v: '1' } }));
    await until(() => b.get('/core/configmaps/ns/c') !== undefined);
    assert.equal(b.get('/core/configmaps/ns/c')?.modRevision, created.modRevision);
    assert.deepEqual(seen.map((e) => `${e.type} ${e.revision}`), [`ADDED ${created.modRevision}`]);
    // Both update from the same revision: exactly one wins.
    const results = await Promise.allSettled([
      a.update('/core/configmaps/ns/c', obj('c', { data: { v: 'a' } }), created.modRevision),
      b.update('/core/configmaps/ns/c', obj('c', { data: { v: 'b' } }), created.modRevision),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(lost.reason instanceof StoreConflictError && lost.reason.reason === 'stale');
    // Creating an existing key from the other store is refused by etcd, not only by the cache.
    await assert.rejects(() => b.create('/core/configmaps/ns/c', obj('c')), (err: unknown) => err instanceof StoreConflictError && err.reason === 'exists');
    // A write resolves only once its own cache shows it (read-your-writes).
    const d = await b.delete('/core/configmaps/ns/c');
    assert.equal(b.get('/core/configmaps/ns/c'), undefined);
    assert.equal(d.object.metadata.name, 'c');
    await until(() => a.get('/core/configmaps/ns/c') === undefined);
    await a.close();
    await b.close();
  });

  it('an unconditional update retries against a cache that is behind', async () => {
    const a = await fresh();
    const b = await EtcdStore.open({ servers: [etcd.url] });
    await a.create('/core/configmaps/ns/x', obj('x'));
    await until(() => b.get('/core/configmaps/ns/x') !== undefined);
    // a changes it; b writes without a precondition before (or after) its cache caught up: it still succeeds.
    const [, written] = await Promise.all([a.update('/core/configmaps/ns/x', obj('x', { data: { by: 'a' } })), b.update('/core/configmaps/ns/x', obj('x', { data: { by: 'b' } }))]);
    assert.ok(written.modRevision > 0);
    await a.close();
    await b.close();
  });

  it('reloads every object after a restart, and answers Gone before the cache began', async () => {
    const s = await fresh();
    const e = await s.create('/core/pods/ns/a', obj('a'));
    await s.update('/core/pods/ns/a', obj('a', { v: 2 }));
    await s.close();
    const t = await EtcdStore.open({ servers: [etcd.url] });
    const back = t.get('/core/pods/ns/a');
    assert.equal(back?.object.metadata.uid, 'uid-a');
    assert.equal(back?.modRevision, e.modRevision + 1);
    assert.throws(() => t.watch('/core/pods/', e.modRevision - 1, () => {}), GoneError);
    await t.close();
  });

  it('loads a store larger than one range page and one gRPC message', async () => {
    await admin.delete().prefix('/registry/').exec();
    const pad = 'x'.repeat(3000);
    const puts = [];
    for (let i = 0; i < 2500; i++) puts.push(admin.put(`/registry/configmaps/big/c${String(i).padStart(4, '0')}`).value(JSON.stringify({ metadata: { name: `c${i}` }, data: { pad } })).exec());
    await Promise.all(puts);
    const s = await EtcdStore.open({ servers: [etcd.url] });
    assert.equal(s.count('/core/configmaps/big/'), 2500);
    assert.equal(s.list('/core/configmaps/big/').entries[2499]?.key, '/core/configmaps/big/c2499');
    await s.close();
  });

  it('fails clearly when etcd cannot be reached', async () => {
    await assert.rejects(() => EtcdStore.open({ servers: ['http://127.0.0.1:1'], dialTimeoutMs: 300 }), /cannot reach etcd/);
  });

  it('relists when etcd compacted past its watch while it was cut off, and carries on', async () => {
    await admin.delete().prefix('/registry/').exec();
    const proxy = await cuttableProxy(new URL(etcd.url));
    const s = await EtcdStore.open({ servers: [proxy.url] });
    await s.create('/core/configmaps/ns/keep', obj('keep'));
    await s.create('/core/configmaps/ns/change', obj('change'));
    await s.create('/core/configmaps/ns/gone', obj('gone'));
    const seen: StoreEvent[] = [];
    s.watch('/core/configmaps/', s.revision(), (e) => seen.push(e));
    proxy.cut();
    // Meanwhile another client changes things and etcd compacts its history past the cache's revision.
    await admin.put('/registry/configmaps/ns/change').value(JSON.stringify(obj('change', { data: { v: '2' } }))).exec();
    await admin.delete().key('/registry/configmaps/ns/gone').exec();
    const put = await admin.put('/registry/configmaps/ns/new').value(JSON.stringify(obj('new'))).exec();
    await admin.kv.compact({ revision: put.header.revision, physical: true });
    proxy.resume();
    await until(() => s.stats.resyncs === 1 && s.get('/core/configmaps/ns/new') !== undefined, 20_000);
    assert.equal(s.get('/core/configmaps/ns/gone'), undefined);
    assert.deepEqual(s.get('/core/configmaps/ns/change')?.object.data, { v: '2' });
    assert.deepEqual(seen.map((e) => `${e.type} ${e.key.split('/').pop()}`).sort(), ['ADDED new', 'DELETED gone', 'MODIFIED change']);
    // It follows etcd again: writes resolve and changes made elsewhere arrive.
    const w = await s.update('/core/configmaps/ns/keep', obj('keep', { data: { v: '3' } }));
    assert.ok(w.modRevision > Number(put.header.revision));
    await admin.put('/registry/configmaps/ns/later').value(JSON.stringify(obj('later'))).exec();
    await until(() => s.get('/core/configmaps/ns/later') !== undefined);
    await s.close();
    await proxy.close();
  });
});

/** A TCP proxy to etcd whose connections can be cut and refused for a while (a network partition). */
async function cuttableProxy(target: URL): Promise<{ url: string; cut(): void; resume(): void; close(): Promise<void> }> {
  let open = true;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    for (const sk of [client, upstream]) {
      sockets.add(sk);
      sk.on('close', () => sockets.delete(sk));
      sk.on('error', () => sk.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    cut() {
      open = false;
      for (const sk of sockets) sk.destroy();
    },
    resume() {
      open = true;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
