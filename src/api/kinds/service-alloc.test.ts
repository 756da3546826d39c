import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResourceStorage } from '../../apiserver/storage/generic.js';
import { FakeClock } from '../../clock/clock.js';
import { MemoryStore } from '../../store/memory.js';
import { type Entry, StoreConflictError } from '../../store/store.js';
import { ApiError } from '../errors.js';
import { Registry } from '../registry.js';
import type { KubeObject } from '../types.js';
import { namespaceDescriptor } from './namespace.js';
import { createServiceAllocator, type ServiceAllocatorOptions, serviceAddressAdmission } from './service-alloc.js';
import { IP_RECORDS, PORT_RECORDS } from './service-ranges.js';
import { serviceDescriptor as d } from './service.js';

/** A store whose next write to `failKey` is refused, as a lost etcd transaction would be. */
class FlakyStore extends MemoryStore {
  failKey: string | undefined;
  override update(key: string, object: KubeObject, expectRevision?: number): Promise<Entry> {
    if (key === this.failKey) {
      this.failKey = undefined;
      return Promise.reject(new Error('etcdserver: request timed out'));
    }
    return super.update(key, object, expectRevision);
  }
}

/** One API server's write path over a shared store, with its own allocator (as a separate process has). */
function apiServer(store: MemoryStore, clock: FakeClock, opts: Partial<ServiceAllocatorOptions> = {}) {
  const storage = new ResourceStorage(store, new Registry([namespaceDescriptor, d]), clock);
  const alloc = createServiceAllocator({ store, clock, ...opts });
  storage.addAdmission(serviceAddressAdmission(alloc));
  return { storage, alloc };
}

async function cluster(n = 2, opts: Partial<ServiceAllocatorOptions> = {}, store = new MemoryStore()) {
  const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
  const servers = Array.from({ length: n }, () => apiServer(store, clock, opts));
  await servers[0]?.storage.create(namespaceDescriptor, undefined, { metadata: { name: 'default' } });
  await Promise.all(servers.map((s) => s.alloc.ready));
  return { store, clock, servers: servers as [ReturnType<typeof apiServer>, ReturnType<typeof apiServer>] };
}

function svc(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec };
}

const clusterIP = (name: string, ip?: string) => svc(name, { ports: [{ port: 80 }], ...(ip ? { clusterIP: ip } : {}) });
const nodePort = (name: string, ports: Array<Record<string, unknown>> = [{ port: 80 }]) => svc(name, { type: 'NodePort', ports });

function recordNames(store: MemoryStore, prefix: string): string[] {
  return store.list(prefix).entries.map((e) => e.object.metadata.name as string);
}

function spec(o: KubeObject): any {
  return o.spec;
}

/** A writable copy of a stored (frozen) object with `change` applied. */
function edited(o: KubeObject, change: (spec: any, o: KubeObject) => void): KubeObject {
  const copy = structuredClone(o);
  change(copy.spec, copy);
  return copy;
}

function invalid(message: string) {
  return (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, 422);
    assert.equal(err.message, message);
    return true;
  };
}

/** Lets asynchronous work started by a timer (a repair pass) finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

describe('Service address allocation', () => {
  it('hands out a cluster IP from 10.96.0.0/12 and node ports from 30000-32767, one record each', async () => {
    const { store, servers } = await cluster(1);
    const before = store.revision();
    const s = (await servers[0].storage.create(d, 'default', nodePort('web', [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }]))).object;
    assert.match(spec(s).clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    assert.deepEqual(spec(s).clusterIPs, [spec(s).clusterIP]);
    for (const p of spec(s).ports) assert.ok(p.nodePort >= 30000 && p.nodePort <= 32767);
    // The Service and one record per value: nothing else is written.
    assert.equal(store.revision() - before, 4);
    assert.deepEqual(recordNames(store, IP_RECORDS), [spec(s).clusterIP]);
    assert.deepEqual(recordNames(store, PORT_RECORDS).sort(), spec(s).ports.map((p: any) => String(p.nodePort)).sort());
    const rec = store.get(`${IP_RECORDS}${spec(s).clusterIP}`)?.object;
    assert.deepEqual(rec?.service, { namespace: 'default', name: 'web', uid: s.metadata.uid });
  });

  it('shares one node port between TCP and UDP on the same port number', async () => {
    const { store, servers } = await cluster(1);
    const s = (await servers[0].storage.create(d, 'default', nodePort('dns', [{ name: 'tcp', port: 53 }, { name: 'udp', port: 53, protocol: 'UDP' }]))).object;
    const [a, b] = spec(s).ports;
    assert.equal(a.nodePort, b.nodePort);
    assert.deepEqual(recordNames(store, PORT_RECORDS), [String(a.nodePort)]);
  });

  it('refuses, on another server, an address or port the first one handed out, with kube texts', async () => {
    const { servers } = await cluster();
    const [a, b] = servers;
    await a.storage.create(d, 'default', svc('web', { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30080 }] }));
    await assert.rejects(
      b.storage.create(d, 'default', clusterIP('other', '10.96.0.10')),
      invalid('Service "other" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated'),
    );
    await assert.rejects(
      b.storage.create(d, 'default', nodePort('other', [{ port: 80, nodePort: 30080 }])),
      invalid('Service "other" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated'),
    );
    await assert.rejects(b.storage.create(d, 'default', clusterIP('other', '10.0.0.1')), /the provided IP \(10\.0\.0\.1\) is not in the valid range\. The range of valid IPs is 10\.96\.0\.0\/12/);
    await assert.rejects(
      b.storage.create(d, 'default', nodePort('other', [{ port: 80, nodePort: 8080 }])),
      /spec\.ports\[0\]\.nodePort: Invalid value: 8080: provided port is not in the valid range\. The range of valid ports is 30000-32767/,
    );
  });

  it('lets exactly one of two servers have an IP both request at the same moment', async () => {
    const { store, servers } = await cluster();
    // Both check the cache before either has written its record: the store's atomic create decides.
    const results = await Promise.allSettled([
      servers[0].storage.create(d, 'default', clusterIP('one', '10.96.0.20')),
      servers[1].storage.create(d, 'default', clusterIP('two', '10.96.0.20')),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.match(lost.reason.message, /failed to allocate IP 10\.96\.0\.20: provided IP is already allocated/);
    assert.deepEqual(recordNames(store, IP_RECORDS), ['10.96.0.20']);
  });

  it('moves an automatic pick that another server took first to another value', async () => {
    // Same random source on both servers: both choose the same first candidates.
    const { store, servers } = await cluster(2, { random: () => 0.5 });
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (servers[i % 2] as ReturnType<typeof apiServer>).storage.create(d, 'default', nodePort(`s${i}`))),
    );
    const ips = made.map((r) => spec(r.object).clusterIP);
    const ports = made.map((r) => spec(r.object).ports[0].nodePort);
    assert.equal(new Set(ips).size, 6);
    assert.equal(new Set(ports).size, 6);
    // What was returned is what was stored, and each value has its record.
    for (const r of made) assert.deepEqual(spec(store.get(`/core/services/default/${r.object.metadata.name}`)?.object as KubeObject).clusterIP, spec(r.object).clusterIP);
    assert.deepEqual(recordNames(store, IP_RECORDS).sort(), [...ips].sort());
    assert.deepEqual(recordNames(store, PORT_RECORDS).sort(), ports.map(String).sort());
  });

  it('removes the records of a create that fails', async () => {
    const { store, servers } = await cluster();
    await servers[0].storage.create(d, 'default', nodePort('web'));
    // AlreadyExists comes from the store, after the addresses were claimed.
    await assert.rejects(servers[1].storage.create(d, 'default', nodePort('web')), (e: ApiError) => e.code === 409);
    // Validation refuses after admission picked addresses.
    await assert.rejects(servers[1].storage.create(d, 'default', svc('bad', { type: 'NodePort', ports: [{ port: 70000 }] })), (e: ApiError) => e.code === 422);
    assert.equal(recordNames(store, IP_RECORDS).length, 1);
    assert.equal(recordNames(store, PORT_RECORDS).length, 1);
  });

  it('claims nothing on a dry run, but still refuses what is taken', async () => {
    const { store, servers } = await cluster();
    const dry = await servers[0].storage.create(d, 'default', nodePort('web'), { dryRun: true });
    assert.ok(spec(dry.object).clusterIP);
    assert.ok(spec(dry.object).ports[0].nodePort);
    assert.equal(store.count(IP_RECORDS) + store.count(PORT_RECORDS), 0);
    await servers[0].storage.create(d, 'default', clusterIP('web', '10.96.0.30'));
    await assert.rejects(servers[1].storage.create(d, 'default', clusterIP('other', '10.96.0.30'), { dryRun: true }), /provided IP is already allocated/);
  });

  it('frees addresses only once a delete or an update is stored', async () => {
    const store = new FlakyStore();
    const { servers } = await cluster(2, {}, store);
    const [a, b] = servers;
    const web = (await a.storage.create(d, 'default', svc('web', { type: 'NodePort', clusterIP: '10.96.0.40', ports: [{ port: 80, nodePort: 30040 }] }))).object;
    const key = '/core/services/default/web';

    // NodePort -> ClusterIP drops the node port, but the write fails: the port stays taken.
    const toClusterIP = (o: KubeObject) =>
      edited(o, (s) => {
        s.type = 'ClusterIP';
        s.ports = [{ port: 80 }];
      });
    store.failKey = key;
    await assert.rejects(a.storage.update(d, 'default', 'web', toClusterIP(web)), /timed out/);
    assert.deepEqual(recordNames(store, PORT_RECORDS), ['30040']);
    await assert.rejects(b.storage.create(d, 'default', nodePort('other', [{ port: 80, nodePort: 30040 }])), /provided port is already allocated/);

    // The same update stored: the port is free for anyone.
    const cip = (await a.storage.update(d, 'default', 'web', toClusterIP(web))).object;
    assert.deepEqual(recordNames(store, PORT_RECORDS), []);
    await b.storage.create(d, 'default', nodePort('other', [{ port: 80, nodePort: 30040 }]));

    // ClusterIP -> NodePort claims a new port; when the write fails the claim goes away again.
    const toNodePort = (o: KubeObject) => edited(o, (s) => (s.type = 'NodePort'));
    store.failKey = key;
    await assert.rejects(a.storage.update(d, 'default', 'web', toNodePort(cip)), /timed out/);
    assert.deepEqual(recordNames(store, PORT_RECORDS), ['30040']);

    // Deleting frees the IP: the other server may hand it out by request.
    await a.storage.delete(d, 'default', 'web');
    assert.deepEqual(recordNames(store, IP_RECORDS).includes('10.96.0.40'), false);
    await b.storage.create(d, 'default', clusterIP('again', '10.96.0.40'));
  });

  it('keeps a Service with finalizers holding its addresses until it is really gone', async () => {
    const { store, servers } = await cluster(1);
    const s = svc('held', { clusterIP: '10.96.0.50', ports: [{ port: 80 }] });
    s.metadata.finalizers = ['example.com/hold'];
    await servers[0].storage.create(d, 'default', s);
    await servers[0].storage.delete(d, 'default', 'held');
    assert.deepEqual(recordNames(store, IP_RECORDS), ['10.96.0.50']);
    const cur = servers[0].storage.get(d, 'default', 'held');
    await servers[0].storage.update(d, 'default', 'held', edited(cur, (_s, o) => (o.metadata.finalizers = [])));
    assert.deepEqual(recordNames(store, IP_RECORDS), []);
  });

  it('answers range full, and allocates again once a Service is deleted', async () => {
    const { servers } = await cluster(2, { cidr: '10.96.0.0/30' });
    await servers[0].storage.create(d, 'default', clusterIP('a'));
    await servers[1].storage.create(d, 'default', clusterIP('b'));
    await assert.rejects(servers[0].storage.create(d, 'default', clusterIP('c')), (e: ApiError) => e.code === 500 && /failed to allocate a serviceIP: range is full/.test(e.message));
    await servers[1].storage.delete(d, 'default', 'a');
    await servers[0].storage.create(d, 'default', clusterIP('c'));
  });

  it('allocates when an ExternalName service becomes ClusterIP', async () => {
    const { store, servers } = await cluster(1);
    const old = (await servers[0].storage.create(d, 'default', svc('ext', { type: 'ExternalName', externalName: 'db.example.com' }))).object;
    assert.equal(store.count(IP_RECORDS), 0);
    const next = edited(old, (_s, o) => (o.spec = { type: 'ClusterIP', ports: [{ port: 80 }] }));
    const s = (await servers[0].storage.update(d, 'default', 'ext', next)).object;
    assert.ok(spec(s).clusterIP);
    assert.deepEqual(recordNames(store, IP_RECORDS), [spec(s).clusterIP]);
  });
});

describe('Service allocation records: migration and repair', () => {
  it('writes the records a data dir from before them lacks, so old addresses stay taken', async () => {
    const store = new MemoryStore();
    await store.create('/core/namespaces/_/default', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    // Stored by an older version: Services only. 10.96.0.0/30 has two usable addresses, .1 and .2.
    await store.create('/core/services/default/old', { ...svc('old', { type: 'NodePort', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ port: 80, nodePort: 30001 }] }), metadata: { name: 'old', namespace: 'default', uid: 'u1' } });
    const clock = new FakeClock();
    const a = apiServer(store, clock, { cidr: '10.96.0.0/30' });
    const b = apiServer(store, clock, { cidr: '10.96.0.0/30' });
    await Promise.all([a.alloc.ready, b.alloc.ready]);
    assert.deepEqual(recordNames(store, IP_RECORDS), ['10.96.0.1']);
    assert.deepEqual(recordNames(store, PORT_RECORDS), ['30001']);
    assert.deepEqual(store.get(`${IP_RECORDS}10.96.0.1`)?.object.service, { namespace: 'default', name: 'old', uid: 'u1' });
    // Refused for the port, after picking .2: the pick is given back.
    await assert.rejects(b.storage.create(d, 'default', nodePort('clash', [{ port: 80, nodePort: 30001 }])), /provided port is already allocated/);
    const picked = (await a.storage.create(d, 'default', clusterIP('new'))).object;
    assert.equal(spec(picked).clusterIP, '10.96.0.2');
  });

  it('waits for the first pass before claiming, so a new Service cannot take an old one\'s address', async () => {
    const store = new MemoryStore();
    await store.create('/core/namespaces/_/default', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    await store.create('/core/services/default/old', { ...svc('old', { clusterIP: '10.96.0.7', clusterIPs: ['10.96.0.7'], ports: [{ port: 80 }] }), metadata: { name: 'old', namespace: 'default' } });
    const a = apiServer(store, new FakeClock());
    // Not awaiting ready: the create itself waits for it.
    await assert.rejects(a.storage.create(d, 'default', clusterIP('new', '10.96.0.7')), /provided IP is already allocated/);
  });

  it('removes leaked records after the grace period and restores missing ones, on a timer', async () => {
    const { store, clock, servers } = await cluster(1, { repairIntervalMs: 180_000, leakGraceMs: 60_000 });
    const { storage, alloc } = servers[0];
    const kept = (await storage.create(d, 'default', nodePort('kept'))).object;
    const ip = spec(kept).clusterIP as string;
    // A claim whose Service never got stored (its server died between the two writes).
    await alloc.records.claim(alloc.records.ips, alloc.records.ips.lo + 100, { namespace: 'default', name: 'ghost' });
    // A record lost some other way.
    await store.delete(`${IP_RECORDS}${ip}`);
    // A record whose Service holds another value now.
    await alloc.records.claim(alloc.records.ports, 30999, { namespace: 'default', name: 'kept' });

    clock.advance(30_000);
    const early = await alloc.repair.runOnce();
    assert.deepEqual(early, { created: 1, removed: 0 });
    assert.ok(store.get(`${IP_RECORDS}${ip}`), 'the missing record is back');
    assert.ok(store.get(`${IP_RECORDS}10.96.0.101`), 'a young record is left alone: its Service may be on its way');

    clock.advance(150_000); // the periodic pass, 3 minutes after the first
    await settle();
    assert.equal(store.get(`${IP_RECORDS}10.96.0.101`), undefined);
    assert.equal(store.get(`${PORT_RECORDS}30999`), undefined);
    assert.deepEqual(recordNames(store, IP_RECORDS), [ip]);
    assert.deepEqual(recordNames(store, PORT_RECORDS), [String(spec(kept).ports[0].nodePort)]);
    alloc.stop();
    assert.equal(clock.timers(), 0);
  });

  it('treats a conflicting claim as taken, whoever wrote it', async () => {
    const { servers } = await cluster(1);
    const { records } = servers[0].alloc;
    await records.claim(records.ports, 30500, { namespace: 'x', name: 'y' });
    await assert.rejects(records.claim(records.ports, 30500, { namespace: 'x', name: 'z' }), (e) => e instanceof StoreConflictError && e.reason === 'exists');
    assert.deepEqual(await records.ownerAfterConflict(records.ports, 30500), { namespace: 'x', name: 'y' });
  });
});
