import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { COMPACT_REV_KEY, compactStep } from './etcd-compactor.js';
import { type EtcdServer, startEtcd } from './testdata/etcd-server.js';

let etcd: EtcdServer;
let a: Etcd3;
let b: Etcd3;
before(async () => {
  etcd = await startEtcd();
  a = new Etcd3({ hosts: etcd.url });
  b = new Etcd3({ hosts: etcd.url });
});
after(async () => {
  a?.close();
  b?.close();
  await etcd?.stop();
});

test('one process per interval compacts, to the revision of the interval before', async () => {
  await a.put('/registry/configmaps/ns/x').value('1').exec();
  // First interval: a claims it and records the revision; nothing is compacted yet. b loses and learns the version.
  const a1 = await compactStep(a, 0, 0);
  assert.equal(a1.compacted, undefined);
  const b1 = await compactStep(b, 0, 0);
  assert.equal(b1.compacted, undefined);
  assert.equal(b1.version, a1.version);
  assert.equal((await a.get(COMPACT_REV_KEY).string()), '0');

  const before = Number((await a.get('/registry/configmaps/ns/x').exec()).header.revision);
  await a.put('/registry/configmaps/ns/x').value('2').exec();
  // Second interval: b wins this time and compacts to the revision a recorded at the first.
  const b2 = await compactStep(b, b1.version, b1.revision);
  assert.equal(b2.compacted, b1.revision);
  const a2 = await compactStep(a, a1.version, a1.revision);
  assert.equal(a2.compacted, undefined);
  assert.equal(a2.version, b2.version);
  // History before the compacted revision is gone; the current value is not.
  await assert.rejects(() => a.get('/registry/configmaps/ns/x').revision(String(before - 1)).exec(), /compacted/);
  assert.equal(await a.get('/registry/configmaps/ns/x').string(), '2');
});
