import { it } from 'node:test';
import { settle } from '../runtime/testkit.js';
import { find, pod, POD, refTo, RS, startStack, stopStack, until, idle } from './testutil.js';
it('scale', async () => {
  const s = await startStack();
  const N = 10000;
  await s.client.create({ group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false }, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  const rs = await s.client.create(RS, 'default', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'big' }, spec: { replicas: 0, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
  for (let i = 0; i < N; i++) {
    await s.client.create(POD, 'default', pod(`p-${i}`, [refTo(rs, { controller: true, blockOwnerDeletion: true })]));
    await s.client.createSubresource(POD, 'default', `p-${i}`, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: `p-${i}` }, target: { apiVersion: 'v1', kind: 'Node', name: 'n1' } } as any);
  }
  await idle(s, 200);
  await s.client.delete(RS, 'default', 'big', { propagationPolicy: 'Foreground' });
  await until(s, 'all terminating', async () => (await s.client.list(POD, 'default')).items.every((p) => p.metadata.deletionTimestamp), 600_000);
  const t = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    await s.client.delete(POD, 'default', `p-${i}`, { gracePeriodSeconds: 0 });
    if (i % 10 === 0) await settle(3);
  }
  await until(s, 'gone', async () => !(await find(s.client, RS, 'default', 'big')), 600_000);
  const c = process.cpuUsage(cpu);
  console.log('kubelet-paced removal of 10k', (performance.now() - t).toFixed(0), 'ms wall', ((c.user + c.system) / 1000).toFixed(0), 'ms cpu');
  await stopStack(s);
});
