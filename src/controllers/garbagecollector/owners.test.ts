import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import type { Client, Resource, Watch, WatchEvent, WatchHandlers, WatchOptions } from '../../client/client.js';
import { CM, configMap, find, type GcStack, idle, pod, POD, refTo, RS, startStack, stopStack, until } from './testutil.js';

const SC: Resource = { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', kind: 'StorageClass', namespaced: false };

function replicaSet(name: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } },
    },
  };
}

/** Holds back watch events of one resource, as an informer that lags behind the API server. */
function holdBack(plural: string) {
  const held: Array<() => void> = [];
  let holding = true;
  const wrap = (inner: Client): Client =>
    new Proxy(inner, {
      get(target, prop, recv) {
        if (prop !== 'watch') return Reflect.get(target, prop, recv);
        return (r: Resource, ns: string | undefined, o: WatchOptions, h: WatchHandlers): Watch =>
          target.watch(r, ns, o, {
            onEvent: (e: WatchEvent) => {
              if (holding && r.plural === plural) held.push(() => h.onEvent(e));
              else h.onEvent(e);
            },
            onClose: (err) => h.onClose(err),
          });
      },
    });
  const release = () => {
    holding = false;
    for (const f of held.splice(0)) f();
  };
  return { wrap, release };
}

describe('garbage collector: owner checks', () => {
  const stacks: GcStack[] = [];
  after(async () => {
    for (const s of stacks) await stopStack(s);
  });
  const start = async (...a: Parameters<typeof startStack>) => {
    const s = await startStack(...a);
    stacks.push(s);
    return s;
  };

  it('checks owners live: a dependent of an owner its cache has not seen yet survives', async () => {
    const lag = holdBack('replicasets');
    const s = await start({ watchClient: lag.wrap });
    const rs = await s.client.create(RS, 'default', replicaSet('late'));
    await s.client.create(POD, 'default', pod('late-0', [refTo(rs, { controller: true, blockOwnerDeletion: true })]));
    await idle(s);
    assert.ok(await find(s.client, POD, 'default', 'late-0'));
    lag.release();
    await idle(s, 500);
    await s.client.delete(RS, 'default', 'late');
    await until(s, 'late-0 collected once its owner is deleted', async () => !(await find(s.client, POD, 'default', 'late-0')));
  });

  it('collects what it finds orphaned at startup', async () => {
    const s = await start({
      prepare: async (st) => {
        const owner = await st.client.create(CM, 'default', configMap('boot-owner'));
        await st.client.create(CM, 'default', configMap('boot-child', [refTo(owner)]));
        await st.client.delete(CM, 'default', 'boot-owner');
      },
    });
    await until(s, 'boot-child collected', async () => !(await find(s.client, CM, 'default', 'boot-child')));
  });

  it('reports an owner reference into another namespace and treats the owner as absent', async () => {
    const s = await start();
    const elsewhere = await s.client.create(CM, 'kube-public', configMap('far-owner'));
    await idle(s, 500);
    await s.client.create(CM, 'default', configMap('far-child', [refTo(elsewhere)]));
    await until(s, 'far-child collected', async () => !(await find(s.client, CM, 'default', 'far-child')));
    const ev = s.recorder.reasons('OwnerRefInvalidNamespace');
    assert.equal(ev.length, 1);
    assert.equal(ev[0]?.type, 'Warning');
    assert.equal(ev[0]?.name, 'far-child');
    assert.equal(ev[0]?.message, `ownerRef [v1/ConfigMap, namespace: default, name: far-owner, uid: ${elsewhere.metadata.uid}] does not exist in namespace "default"`);
    assert.ok(await find(s.client, CM, 'kube-public', 'far-owner'), 'the real owner is untouched');
  });

  it('leaves a cluster-scoped object with a namespaced owner alone, with a warning', async () => {
    const s = await start();
    const owner = await s.client.create(CM, 'default', configMap('ns-owner'));
    await idle(s, 500);
    await s.client.create(SC, undefined, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'odd', ownerReferences: [refTo(owner)] },
      provisioner: 'example.com/none',
    });
    await idle(s);
    assert.ok(await find(s.client, SC, undefined, 'odd'));
    assert.equal(s.recorder.reasons('OwnerRefInvalidNamespace')[0]?.name, 'odd');
    assert.ok(!s.logs.some((l) => l.includes('failed')), 'no retry loop');
  });

  it('reads each collected dependent once and its missing owner not at all (the delete event proved it gone)', async () => {
    let gets = 0;
    const s = await start({
      client: (c) =>
        new Proxy(c, {
          get(target, prop, recv) {
            if (prop === 'get') return (...a: Parameters<Client['get']>) => (gets++, target.get(...a));
            return Reflect.get(target, prop, recv);
          },
        }),
    });
    const rs = await s.client.create(RS, 'default', replicaSet('big'));
    const n = 1000;
    for (let i = 0; i < n; i++) await s.client.create(POD, 'default', pod(`big-${i}`, [refTo(rs, { controller: true, blockOwnerDeletion: true })]));
    await idle(s, 500);
    gets = 0;
    await s.client.delete(RS, 'default', 'big');
    await until(s, 'all pods collected', async () => (await s.client.list(POD, 'default')).items.every((p) => !p.metadata.name?.startsWith('big-')));
    assert.ok(gets <= n + 10, `${gets} GETs for ${n} dependents`);
    assert.equal(s.gc.graphSize() < 50, true, `graph keeps ${s.gc.graphSize()} nodes`);
  });
});
