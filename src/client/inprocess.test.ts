import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configMapDescriptor as configMaps } from '../api/kinds/configmap.js';
import { allKinds } from '../api/kinds/index.js';
import { Registry } from '../api/registry.js';
import { ApiServer } from '../apiserver/server.js';
import { FakeClock } from '../clock/clock.js';
import { MemoryStore } from '../store/memory.js';
import { InProcessClient } from './inprocess.js';


test('writes name their component as field manager, unless the write names one', async () => {
  const server = new ApiServer({ store: new MemoryStore(), registry: new Registry([...allKinds]), clock: new FakeClock() });
  await server.namespaces.start();
  const anonymous = new InProcessClient(server.storage);
  const kcm = anonymous.as('kube-controller-manager/v1.32.0-kubeloop (linux/amd64) kubernetes/kubeloop');
  const managers = (o: { metadata: { managedFields?: Array<{ manager?: string }> } }) => (o.metadata.managedFields ?? []).map((f) => f.manager);

  const a = await kcm.create(configMaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { x: '1' } });
  assert.deepEqual(managers(a), ['kube-controller-manager']);
  const b = await kcm.create(configMaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' }, data: { x: '1' } }, { fieldManager: 'mine' });
  assert.deepEqual(managers(b), ['mine']);
  const c = await anonymous.create(configMaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { x: '1' } });
  assert.deepEqual(managers(c), ['kubeloop']);
});
