import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { controllerRevisionDescriptor } from '../../api/kinds/controllerrevision.js';
import { persistentVolumeClaimDescriptor } from '../../api/kinds/persistentvolumeclaim.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { statefulSetDescriptor } from '../../api/kinds/statefulset.js';
import type { KubeObject } from '../../api/types.js';
import { DecisionLog, decisionRecorder } from '../runtime/decisions.js';
import { createStack, Driver, makeReady, podTemplate } from '../runtime/testkit.js';
import { statefulSetController } from './index.js';

const NS = 'default';
let log = new DecisionLog();
const why = async (stack: { client: { get(...a: any[]): Promise<KubeObject> } }) => log.get((await stack.client.get(statefulSetDescriptor, NS, 'web')).metadata.uid ?? '').map((d) => d.message);
let drivers: Driver[] = [];
afterEach(() => {
  log = new DecisionLog();
  for (const d of drivers) d.stop();
  drivers = [];
});

async function start(spec: Record<string, unknown> = {}) {
  const stack = createStack();
  const driver = new Driver(stack, statefulSetController());
  driver.ctx.decisions = decisionRecorder(log, 'statefulset-controller', () => stack.clock.now());
  drivers.push(driver);
  await driver.start();
  await stack.client.create(statefulSetDescriptor, NS, {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web' },
    spec: {
      replicas: 3,
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      template: podTemplate({ app: 'web' }),
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    },
  });
  await driver.drain();
  return { stack, driver };
}

type Stack = Awaited<ReturnType<typeof start>>['stack'];

async function livePods(stack: Stack): Promise<KubeObject[]> {
  return (await stack.client.list(podDescriptor, NS)).items;
}

async function names(stack: Stack): Promise<string[]> {
  return (await livePods(stack)).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name ?? '').sort();
}

/** Marks every pod Running and Ready, then lets the controller react, `rounds` times. */
async function readyAll(stack: Stack, driver: Driver, rounds = 1): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    for (const p of await livePods(stack)) if ((p.status as { phase?: string } | undefined)?.phase !== 'Running' && !p.metadata.deletionTimestamp) await makeReady(stack.client, p, { node: 'n1' });
    await driver.drain();
  }
}

/** Finishes terminating pods, as a kubelet would. */
async function reap(stack: Stack, driver: Driver): Promise<void> {
  for (const p of await livePods(stack)) if (p.metadata.deletionTimestamp) await stack.client.delete(podDescriptor, NS, p.metadata.name ?? '', { gracePeriodSeconds: 0 });
  await driver.drain();
}

const status = async (stack: Stack) => (await stack.client.get(statefulSetDescriptor, NS, 'web')).status as Record<string, unknown>;

describe('StatefulSet controller', () => {
  it('creates one pod at a time with identity and a claim, and waits for Ready', async () => {
    const { stack, driver } = await start();
    assert.deepEqual(await names(stack), ['web-0']);
    await driver.drain();
    assert.deepEqual(await names(stack), ['web-0'], 'a pod that is not Ready blocks its successors');
    const pod = (await livePods(stack))[0]!;
    assert.equal((pod.spec as any).hostname, 'web-0');
    assert.equal((pod.spec as any).subdomain, 'web');
    assert.deepEqual((pod.spec as any).volumes[0], { name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } });
    assert.equal(pod.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'web-0');
    assert.equal(pod.metadata.labels?.['apps.kubernetes.io/pod-index'], '0');
    assert.match(pod.metadata.labels?.['controller-revision-hash'] ?? '', /^web-[456789bcdf]+$/);
    const claim = await stack.client.get(persistentVolumeClaimDescriptor, NS, 'www-web-0');
    assert.deepEqual(claim.metadata.labels, { app: 'web' });
    await readyAll(stack, driver, 3);
    assert.deepEqual(await names(stack), ['web-0', 'web-1', 'web-2']);
    const s = await status(stack);
    assert.equal(s.readyReplicas, 3);
    assert.equal(s.currentRevision, s.updateRevision);
    const msgs = stack.recorder.reasons('SuccessfulCreate').map((e) => e.message);
    assert.ok(msgs.includes('create Pod web-0 in StatefulSet web successful'));
    assert.ok(msgs.includes('create Claim www-web-0 Pod web-0 in StatefulSet web success'));
  });

  it('Parallel creates every pod at once', async () => {
    const { stack } = await start({ podManagementPolicy: 'Parallel' });
    assert.deepEqual(await names(stack), ['web-0', 'web-1', 'web-2']);
  });

  it('scales down from the highest ordinal, one pod gone before the next, keeping claims', async () => {
    const { stack, driver } = await start();
    await readyAll(stack, driver, 3);
    await stack.client.patch(statefulSetDescriptor, NS, 'web', 'merge', { spec: { replicas: 1 } });
    await driver.drain();
    assert.deepEqual(await names(stack), ['web-0', 'web-1']);
    await driver.drain();
    assert.deepEqual(await names(stack), ['web-0', 'web-1'], 'web-1 waits until web-2 is fully gone');
    assert.equal((await status(stack)).replicas, 3, 'a terminating pod still counts');
    await reap(stack, driver);
    assert.deepEqual(await names(stack), ['web-0']);
    const claims = (await stack.client.list(persistentVolumeClaimDescriptor, NS)).items.map((c) => c.metadata.name).sort();
    assert.deepEqual(claims, ['www-web-0', 'www-web-1', 'www-web-2']);
  });

  it('rolls out highest first down to the partition, and reuses a revision on rollback', async () => {
    const { stack, driver } = await start({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    await readyAll(stack, driver, 3);
    const first = (await status(stack)).updateRevision;
    await stack.client.patch(statefulSetDescriptor, NS, 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } } });
    await driver.drain();
    await reap(stack, driver);
    await readyAll(stack, driver, 2);
    const s = await status(stack);
    assert.notEqual(s.updateRevision, first);
    assert.equal(s.currentRevision, first);
    assert.equal(s.updatedReplicas, 1);
    assert.equal(s.currentReplicas, 2);
    const revOf = async (n: string) => (await stack.client.get(podDescriptor, NS, n)).metadata.labels?.['controller-revision-hash'];
    assert.equal(await revOf('web-2'), s.updateRevision);
    assert.equal(await revOf('web-1'), first);

    // Back to the first template (what kubectl rollout undo patches): the old revision is renumbered.
    const old = await stack.client.get(controllerRevisionDescriptor, NS, first as string);
    await stack.client.patch(statefulSetDescriptor, NS, 'web', 'strategic', old.data);
    await driver.drain();
    const revs = (await stack.client.list(controllerRevisionDescriptor, NS)).items;
    assert.equal(revs.length, 2);
    assert.equal(revs.find((r) => r.metadata.name === first)?.revision, 3);
    assert.equal((await status(stack)).updateRevision, first);
  });

  it('OnDelete replaces a pod only when it is deleted, at the new revision', async () => {
    const { stack, driver } = await start({ updateStrategy: { type: 'OnDelete' } });
    await readyAll(stack, driver, 3);
    await stack.client.patch(statefulSetDescriptor, NS, 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } } });
    await driver.drain();
    assert.equal((await livePods(stack)).filter((p) => p.metadata.deletionTimestamp).length, 0);
    await stack.client.delete(podDescriptor, NS, 'web-0', { gracePeriodSeconds: 0 });
    await driver.drain();
    const s = await status(stack);
    assert.equal((await stack.client.get(podDescriptor, NS, 'web-0')).metadata.labels?.['controller-revision-hash'], s.updateRevision);
  });

  it('records its reasoning: one at a time, halted scale down, updates by revision', async () => {
    const { stack, driver } = await start();
    await driver.drain();
    let w = await why(stack);
    assert.match(w[0] ?? '', /^web-0 missing: creating it at revision web-\w+$/);
    assert.ok(w.includes('web-1 waits: web-0 not Ready'), w.join('\n'));
    await readyAll(stack, driver, 3);
    w = await why(stack);
    assert.ok(w.some((m) => /^web-2 missing: creating it at revision web-\w+ \(web-1 is Ready\)$/.test(m)), w.join('\n'));
    // web-1 and web-2 turn unhealthy: scaling down to 1 waits for web-1 before removing web-2.
    for (const n of ['web-1', 'web-2']) await stack.client.patch(podDescriptor, NS, n, 'merge', { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, { subresource: 'status' });
    await stack.client.patch(statefulSetDescriptor, NS, 'web', 'merge', { spec: { replicas: 1 } });
    await driver.drain();
    w = await why(stack);
    assert.ok(w.includes('scale down halted: web-1 unhealthy'), w.join('\n'));
  });

  it('records which pod a rolling update replaces, by revision', async () => {
    const { stack, driver } = await start();
    await readyAll(stack, driver, 3);
    await stack.client.patch(statefulSetDescriptor, NS, 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } } });
    await driver.drain();
    const rev = (await status(stack)).updateRevision as string;
    const w = await why(stack);
    assert.ok(w.some((m) => m.startsWith(`updating web-2 to revision ${rev}: deleting it`)), w.join('\n'));
  });
});
