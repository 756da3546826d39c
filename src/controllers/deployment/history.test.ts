// Rollback by template equality (kubectl's JSON patch), revision history cleanup, pause, and the progress
// deadline, on a FakeClock with a stand-in ReplicaSet controller.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deploymentDescriptor } from '../../api/kinds/deployment.js';
import { clone } from '../../api/meta.js';
import type { KubeObject } from '../../api/types.js';
import { deployment, deploymentManifest, drain, type Harness, imageOf, replicaSetRound, replicaSets, startHarness } from './testing.js';
import { dStatus, rsReplicas } from './types.js';

async function rollTo(h: Harness, image: string, changeCause?: string): Promise<void> {
  await h.stack.client.patch(deploymentDescriptor, 'default', 'web', 'strategic', {
    ...(changeCause ? { metadata: { annotations: { 'kubernetes.io/change-cause': changeCause } } } : {}),
    spec: { template: { spec: { containers: [{ name: 'nginx', image }] } } },
  });
  for (let i = 0; i < 10; i++) {
    await drain(h);
    await replicaSetRound(h);
  }
  await drain(h);
}

/** Keys in reverse order at every level, as a different serializer would write them. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]));
  return v;
}

/** What `kubectl rollout undo` sends: the target ReplicaSet's template without the hash label (with
 * `creationTimestamp: null` and explicit empties), and the annotations the deployment should end up with. */
function undoPatch(d: KubeObject, target: KubeObject): unknown[] {
  const tpl = clone((target.spec as { template: { metadata: Record<string, unknown> & { labels: Record<string, string> }; spec: Record<string, unknown> } }).template);
  delete tpl.metadata.labels['pod-template-hash'];
  tpl.metadata = { creationTimestamp: null, ...tpl.metadata };
  tpl.spec.securityContext ??= {};
  const keep = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision', 'deployment.kubernetes.io/revision-history', 'deployment.kubernetes.io/desired-replicas', 'deployment.kubernetes.io/max-replicas', 'deprecated.deployment.rollback.to'];
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (keep.includes(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(target.metadata.annotations ?? {})) if (!keep.includes(k)) annotations[k] = v;
  return [
    { op: 'replace', path: '/spec/template', value: reversed(tpl) },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
}

function history(rss: KubeObject[]): string[] {
  return rss
    .map((rs) => [Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision']), rs.metadata.annotations?.['kubernetes.io/change-cause'] ?? '<none>'] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([r, c]) => `${r} ${c}`);
}

describe('rollback', () => {
  it('finds the old ReplicaSet by template equality and gives it the next revision', async () => {
    const h = await startHarness(deploymentManifest('web', { annotations: { 'kubernetes.io/change-cause': 'apply' } }));
    await drain(h);
    await replicaSetRound(h);
    await drain(h);
    await rollTo(h, 'nginx:1.21-alpine');
    await rollTo(h, 'nginx:1.9.21', 'set image 1.9.21');
    assert.deepEqual(history(await replicaSets(h)), ['1 apply', '2 apply', '3 set image 1.9.21']);

    const d = await deployment(h);
    const target = (await replicaSets(h)).find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2');
    assert.ok(target);
    await h.stack.client.patch(deploymentDescriptor, 'default', 'web', 'json', undoPatch(d, target));
    await rollTo(h, 'nginx:1.21-alpine');
    const rss = await replicaSets(h);
    assert.equal(rss.length, 3, 'the old ReplicaSet is reused, not re-created');
    assert.deepEqual(history(rss), ['1 apply', '3 set image 1.9.21', '4 apply']);
    const reused = rss.find((rs) => rs.metadata.uid === target.metadata.uid);
    assert.equal(reused?.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '2');
    assert.equal(rsReplicas(reused as KubeObject), 10);
    const after = await deployment(h);
    assert.equal(after.metadata.annotations?.['deployment.kubernetes.io/revision'], '4');
    assert.equal(dStatus(after).updatedReplicas, 10);

    // --to-revision=1 next: revision 1 becomes 5, and its history remembers 1.
    const first = rss.find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '1') as KubeObject;
    await h.stack.client.patch(deploymentDescriptor, 'default', 'web', 'json', undoPatch(after, first));
    await rollTo(h, 'nginx:1.7.9');
    assert.deepEqual(history(await replicaSets(h)), ['3 set image 1.9.21', '4 apply', '5 apply']);
    h.driver.stop();
  });
});

describe('revision history', () => {
  it('keeps revisionHistoryLimit scaled-down ReplicaSets, dropping the lowest revisions', async () => {
    const h = await startHarness(deploymentManifest('web', { extra: { revisionHistoryLimit: 2 } }));
    await drain(h);
    await replicaSetRound(h);
    await drain(h);
    for (const tag of ['1.9.1', '1.21-alpine', '1.25', 'latest']) await rollTo(h, `nginx:${tag}`);
    // One more sync once the last rollout is complete is what cleans up.
    await rollTo(h, 'nginx:latest');
    const rss = await replicaSets(h);
    const revisions = rss.map((rs) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'])).sort();
    assert.deepEqual(revisions, [3, 4, 5]);
    assert.deepEqual(rss.filter((rs) => rsReplicas(rs) === 0).length, 2);
    assert.equal(imageOf(rss.find((rs) => rsReplicas(rs) === 10) as KubeObject), 'nginx:latest');
    h.driver.stop();
  });
});

describe('pause', () => {
  it('rolls nothing out while paused, then exactly one new ReplicaSet after resume', async () => {
    const h = await startHarness(deploymentManifest('web'));
    await drain(h);
    await replicaSetRound(h);
    await drain(h);
    await h.stack.client.patch(deploymentDescriptor, 'default', 'web', 'merge', { spec: { paused: true } });
    await drain(h);
    const paused = dStatus(await deployment(h)).conditions?.find((c) => c.type === 'Progressing');
    assert.deepEqual([paused?.status, paused?.reason, paused?.message], ['Unknown', 'DeploymentPaused', 'Deployment is paused']);
    await rollTo(h, 'nginx:1.9.1');
    await rollTo(h, 'nginx:1.21-alpine');
    assert.equal((await replicaSets(h)).length, 1);
    await h.stack.client.patch(deploymentDescriptor, 'default', 'web', 'merge', { spec: { paused: null } });
    await rollTo(h, 'nginx:1.21-alpine');
    const rss = await replicaSets(h);
    assert.deepEqual(rss.map((rs) => `${imageOf(rs)}=${rsReplicas(rs)}`).sort(), ['nginx:1.21-alpine=10', 'nginx:1.7.9=0']);
    h.driver.stop();
  });
});

describe('progress deadline', () => {
  it('turns Progressing False with ProgressDeadlineExceeded once no progress was made for the deadline', async () => {
    const h = await startHarness(deploymentManifest('web', { extra: { progressDeadlineSeconds: 30 } }));
    await drain(h);
    await replicaSetRound(h);
    await drain(h);
    await h.stack.client.patch(deploymentDescriptor, 'default', 'web', 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.9.21' }] } } },
    });
    for (let i = 0; i < 5; i++) {
      await drain(h);
      await replicaSetRound(h, { broken: ['nginx:1.9.21'] });
    }
    await drain(h);
    const progressing = async () => dStatus(await deployment(h)).conditions?.find((c) => c.type === 'Progressing');
    assert.equal((await progressing())?.reason, 'ReplicaSetUpdated');
    assert.ok(h.stack.clock.timers() > 0, 'a requeue for the deadline is armed');
    h.stack.clock.advance(20_000);
    await drain(h);
    assert.equal((await progressing())?.status, 'True');
    h.stack.clock.advance(12_000);
    await drain(h);
    const c = await progressing();
    assert.deepEqual([c?.status, c?.reason], ['False', 'ProgressDeadlineExceeded']);
    assert.match(c?.message ?? '', /^ReplicaSet "web-\w+" has timed out progressing\.$/);
    const available = dStatus(await deployment(h)).conditions?.find((x) => x.type === 'Available');
    assert.equal(available?.status, 'True', 'old pods still keep minimum availability');
    h.driver.stop();
  });
});
