// Rolling updates and Recreate, stepped through with a stand-in ReplicaSet controller on a FakeClock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deploymentDescriptor } from '../../api/kinds/deployment.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { availableSum, specSum } from './replicasets.js';
import { deployment, deploymentManifest, drain, imageOf, replicaSetRound, replicaSets, startHarness } from './testing.js';
import { dStatus, rsReplicas } from './types.js';

const HASH_NAME = /^web-[456789bcdf]{1,10}$/;

describe('RollingUpdate, 10 replicas at 25%/25%', () => {
  it('creates the first ReplicaSet at full size with a hashed name and revision 1', async () => {
    const h = await startHarness(deploymentManifest('web'));
    await drain(h);
    const [rs] = await replicaSets(h);
    assert.ok(rs);
    assert.match(rs.metadata.name ?? '', HASH_NAME);
    const hash = rs.metadata.labels?.['pod-template-hash'];
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.deepEqual((rs.spec as { selector: unknown }).selector, { matchLabels: { run: 'web', 'pod-template-hash': hash } });
    assert.equal(rsReplicas(rs), 10);
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '10');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '13');
    assert.equal(rs.metadata.ownerReferences?.[0]?.kind, 'Deployment');
    const d = await deployment(h);
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(d.metadata.generation, 1, 'the revision annotation is written without moving generation');
    assert.deepEqual(h.stack.recorder.events.map((e) => e.message), [`Scaled up replica set ${rs.metadata.name} from 0 to 10`]);
    h.driver.stop();
  });

  it('never runs more than 13 or fewer than 8 available, and never scales up and down in one sync', async () => {
    const h = await startHarness(deploymentManifest('web'));
    await drain(h);
    await replicaSetRound(h);
    await drain(h);
    const d = await deployment(h);
    assert.equal(dStatus(d).availableReplicas, 10);
    const conds = (dStatus(d).conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`);
    assert.deepEqual(conds, ['Available=True/MinimumReplicasAvailable', 'Progressing=True/NewReplicaSetAvailable']);

    await h.stack.client.patch(deploymentDescriptor, 'default', 'web', 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.9.1' }] } } },
    });
    h.syncs.length = 0;
    for (let round = 0; round < 40; round++) {
      await drain(h);
      const rss = await replicaSets(h);
      assert.ok(specSum(rss) <= 13, `round ${round}: ${specSum(rss)} replicas asked for`);
      await replicaSetRound(h, { newReadyPerRound: 1 });
      assert.ok(availableSum(await replicaSets(h)) >= 8, `round ${round}: fewer than 8 available`);
      const st = dStatus(await deployment(h));
      if (st.updatedReplicas === 10 && st.replicas === 10 && st.availableReplicas === 10) break;
    }
    await drain(h);
    const rss = await replicaSets(h);
    const byImage = Object.fromEntries(rss.map((rs) => [imageOf(rs), rsReplicas(rs)]));
    assert.deepEqual(byImage, { 'nginx:1.7.9': 0, 'nginx:1.9.1': 10 });
    for (const events of h.syncs) {
      const up = events.some((m) => /^Scaled up .* from [1-9]\d* to/.test(m));
      const down = events.some((m) => m.startsWith('Scaled down'));
      assert.ok(!(up && down), `one sync scaled both ways: ${events.join('; ')}`);
    }
    const messages = h.syncs.flat();
    const [oldName, newName] = [rss.find((r) => imageOf(r) === 'nginx:1.7.9'), rss.find((r) => imageOf(r) === 'nginx:1.9.1')].map((r) => r?.metadata.name);
    assert.equal(messages[0], `Scaled up replica set ${newName} from 0 to 3`);
    assert.equal(messages[1], `Scaled down replica set ${oldName} from 10 to 8`);
    assert.equal(messages[2], `Scaled up replica set ${newName} from 3 to 5`);
    const d2 = await deployment(h);
    assert.equal(d2.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    const st = dStatus(d2);
    assert.deepEqual([st.replicas, st.updatedReplicas, st.readyReplicas, st.availableReplicas, st.unavailableReplicas ?? 0], [10, 10, 10, 10, 0]);
    assert.equal(st.observedGeneration, d2.metadata.generation);
    h.driver.stop();
  });

  // With maxSurge 3 and maxUnavailable 2 as numbers the ceiling goes 13 -> 18 and the split is 11/7; with the
  // tutorial's 25% the surge itself grows to ceil(3.75) = 4, the ceiling to 19 and the split to 12/7.
  for (const [surge, unavailable, max, want] of [
    [3, 2, '18', { 'nginx:1.7.9': 11, 'nginx:1.9.21': 7 }],
    ['25%', '25%', '19', { 'nginx:1.7.9': 12, 'nginx:1.9.21': 7 }],
  ] as const) {
  it(`a broken image stalls at 8 old and 5 new; scaling to 15 gives ${Object.values(want).join('/')} (maxSurge ${surge})`, async () => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } };
    const h = await startHarness(deploymentManifest('web', { strategy }));
    await drain(h);
    await replicaSetRound(h);
    await drain(h);
    await h.stack.client.patch(deploymentDescriptor, 'default', 'web', 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.9.21' }] } } },
    });
    for (let round = 0; round < 6; round++) {
      await drain(h);
      await replicaSetRound(h, { broken: ['nginx:1.9.21'] });
    }
    await drain(h);
    const sizes = async () => Object.fromEntries((await replicaSets(h)).map((rs) => [imageOf(rs), rsReplicas(rs)]));
    assert.deepEqual(await sizes(), { 'nginx:1.7.9': 8, 'nginx:1.9.21': 5 });
    const st = dStatus(await deployment(h));
    assert.deepEqual([st.replicas, st.updatedReplicas, st.availableReplicas, st.unavailableReplicas], [13, 5, 8, 5]);

    await h.stack.client.patch(deploymentDescriptor, 'default', 'web', 'merge', { spec: { replicas: 15 } });
    await drain(h);
    assert.deepEqual(await sizes(), want);
    for (const rs of await replicaSets(h)) {
      assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '15');
      assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], max);
    }
    h.driver.stop();
  });
  }
});

describe('Recreate', () => {
  it('starts new pods only after every old pod is gone', async () => {
    const h = await startHarness(deploymentManifest('web', { strategy: { type: 'Recreate' } }));
    await drain(h);
    await replicaSetRound(h);
    await drain(h);
    const [old] = await replicaSets(h);
    assert.ok(old);
    // One old pod that is still terminating.
    const pod = await h.stack.client.create(podDescriptor, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-old-pod',
        labels: { ...old.metadata.labels },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: old.metadata.name ?? '', uid: old.metadata.uid ?? '', controller: true }],
      },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.7.9' }] },
    });
    await h.stack.client.patch(deploymentDescriptor, 'default', 'web', 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.9.1' }] } } },
    });
    await drain(h);
    assert.deepEqual((await replicaSets(h)).map((rs) => rsReplicas(rs)), [0], 'old scaled to zero, no new ReplicaSet yet');
    await replicaSetRound(h);
    await drain(h);
    assert.equal((await replicaSets(h)).length, 1, 'an old pod still exists');
    await h.stack.client.delete(podDescriptor, 'default', pod.metadata.name ?? '', { gracePeriodSeconds: 0 });
    await drain(h);
    const rss = await replicaSets(h);
    assert.deepEqual(Object.fromEntries(rss.map((rs) => [imageOf(rs), rsReplicas(rs)])), { 'nginx:1.7.9': 0, 'nginx:1.9.1': 10 });
    const messages = h.stack.recorder.events.map((e) => e.message);
    assert.match(messages.at(-2) ?? '', /^Scaled down replica set web-\w+ from 10 to 0$/);
    assert.match(messages.at(-1) ?? '', /^Scaled up replica set web-\w+ from 0 to 10$/);
    h.driver.stop();
  });
});
