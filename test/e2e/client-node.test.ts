// End-to-end with @kubernetes/client-node: typed lists, an informer's watch, and its relist after 410 Gone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { type Cluster, startKubeloop } from './harness.js';

let c: Cluster;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;

before(async () => {
  c = await startKubeloop({ args: ['--watch-history', '20'] });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
});

after(async () => {
  await c?.stop();
});

function configMap(name: string): k8s.V1ConfigMap {
  return { metadata: { name }, data: { k: name } };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('@kubernetes/client-node', () => {
  it('creates and lists with the typed client', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('one') });
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    assert.deepEqual(
      list.items.map((i) => i.metadata?.name),
      ['one'],
    );
    assert.match(list.metadata?.resourceVersion ?? '', /^\d+$/);
    await assert.rejects(core.readNamespacedConfigMap({ name: 'missing', namespace: 'default' }), (err: { code?: number }) => err.code === 404);
  });

  it('keeps an informer in sync through its watch', async () => {
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
    const added: string[] = [];
    const deleted: string[] = [];
    informer.on('add', (o) => added.push(o.metadata?.name ?? ''));
    informer.on('delete', (o) => deleted.push(o.metadata?.name ?? ''));
    informer.on('error', () => {});
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('two') });
    await core.deleteNamespacedConfigMap({ name: 'one', namespace: 'default' });
    await until(() => added.includes('two') && deleted.includes('one'), 'watch events');
    assert.deepEqual(informer.list().map((o) => o.metadata?.name), ['two']);
    await informer.stop();
  });

  it('relists after the server answers a stale watch with 410 Gone', async () => {
    // Push the history window (20 events) well past revision 1.
    for (let i = 0; i < 30; i++) await core.createNamespacedConfigMap({ namespace: 'default', body: configMap(`bulk-${i}`) });
    let lists = 0;
    const listFn = async () => {
      const list = await core.listNamespacedConfigMap({ namespace: 'default' });
      lists++;
      // The first list claims an ancient revision, as a client restarting from an old checkpoint would.
      if (lists === 1) list.metadata = { ...list.metadata, resourceVersion: '1' };
      return list;
    };
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', listFn);
    informer.on('error', () => {});
    await informer.start();
    await until(() => lists >= 2, 'a relist after 410');
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('after-relist') });
    await until(() => informer.list().some((o) => o.metadata?.name === 'after-relist'), 'the watch to resume');
    await informer.stop();
  });
});
