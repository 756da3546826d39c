import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { nodeDescriptor } from '../api/kinds/node.js';
import { persistentVolumeDescriptor } from '../api/kinds/persistentvolume.js';
import { persistentVolumeClaimDescriptor } from '../api/kinds/persistentvolumeclaim.js';
import { podDescriptor } from '../api/kinds/pod.js';
import { storageClassDescriptor } from '../api/kinds/storageclass.js';
import type { KubeObject } from '../api/types.js';
import { node, pod, stack } from './test-util.js';

type Stack = ReturnType<typeof stack>;
let current: Stack | undefined;

afterEach(async () => {
  await current?.scheduler.stop();
  current?.informers.stop();
  current = undefined;
});

const SELECTED = 'volume.kubernetes.io/selected-node';
const PREEMPTION_3 = 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';

async function cluster(): Promise<Stack> {
  const s = stack();
  current = s;
  for (const n of ['n1', 'n2', 'n3']) await s.client.create(nodeDescriptor, undefined, node(n));
  for (const [name, mode] of [['wait', 'WaitForFirstConsumer'], ['now', 'Immediate']]) {
    await s.client.create(storageClassDescriptor, undefined, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: mode,
    });
  }
  return s;
}

function claim(name: string, storageClassName = 'wait'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default' },
    spec: { storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  };
}

function volume(name: string, onNode: string | undefined, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'wait',
      hostPath: { path: `/mnt/${name}` },
      ...(onNode ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [onNode] }] }] } } } : {}),
      ...extra,
    },
  };
}

function podWith(name: string, ...claims: string[]): KubeObject {
  return pod(name, { spec: { volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })) } });
}

/** What the PV controller does once a claim has its volume: both halves of the binding. */
async function completeBinding(s: Stack, claimName: string, pvName: string): Promise<void> {
  const c = await s.client.get(persistentVolumeClaimDescriptor, 'default', claimName);
  const pv = await s.client.get(persistentVolumeDescriptor, undefined, pvName);
  await s.client.patch(persistentVolumeDescriptor, undefined, pvName, 'merge', {
    spec: { claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: claimName, uid: c.metadata.uid } },
  });
  await s.client.update(persistentVolumeDescriptor, undefined, { ...(await s.client.get(persistentVolumeDescriptor, undefined, pvName)), status: { phase: 'Bound' } }, { subresource: 'status' });
  const patched = await s.client.patch(persistentVolumeClaimDescriptor, 'default', claimName, 'merge', {
    metadata: { annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } },
    spec: { volumeName: pvName },
  });
  await s.client.update(persistentVolumeClaimDescriptor, 'default', { ...patched, status: { phase: 'Bound', capacity: (pv.spec as any).capacity, accessModes: ['ReadWriteOnce'] } }, { subresource: 'status' });
}

async function boundClaim(s: Stack, name: string, pvNode: string | undefined): Promise<void> {
  await s.client.create(persistentVolumeDescriptor, undefined, volume(`pv-${name}`, pvNode));
  await s.client.create(persistentVolumeClaimDescriptor, 'default', claim(name));
  await completeBinding(s, name, `pv-${name}`);
}

const get = (s: Stack, name: string): Promise<any> => s.client.get(podDescriptor, 'default', name);
const failures = (s: Stack, name: string) => s.recorder.about(name).filter((e) => e.reason === 'FailedScheduling').map((e) => e.message);

/** Lets the informers and the scheduler catch up after a write. */
async function settle(s: Stack): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    await s.scheduler.idle();
  }
}

describe('VolumeBinding', () => {
  it('keeps a pod whose claim does not exist Pending, and schedules it once the claim appears', async () => {
    const s = await cluster();
    await s.scheduler.start();
    await s.client.create(podDescriptor, 'default', podWith('web', 'data'));
    await settle(s);
    const msg = `0/3 nodes are available: persistentvolumeclaim "data" not found. no new claims to deallocate, ${PREEMPTION_3}`;
    assert.deepEqual(failures(s, 'web'), [msg]);
    const p = await get(s, 'web');
    assert.equal(p.spec.nodeName, undefined);
    assert.equal(p.status.conditions.find((c: any) => c.type === 'PodScheduled').message, msg);

    // The claim's arrival moves the pod out of the unschedulable pool; after its backoff it is tried again.
    await s.client.create(persistentVolumeClaimDescriptor, 'default', claim('data'));
    await settle(s);
    s.clock.advance(1000);
    await settle(s);
    const c = await s.client.get(persistentVolumeClaimDescriptor, 'default', 'data');
    const chosen = c.metadata.annotations?.[SELECTED];
    assert.ok(chosen, 'PreBind notes the chosen node on the claim');
    assert.equal((await get(s, 'web')).spec.nodeName, undefined, 'the pod waits for its claim to be bound');

    // The provisioner makes a volume on that node and the PV controller binds it: now the pod is bound.
    await s.client.create(persistentVolumeDescriptor, undefined, volume('pvc-data', chosen));
    await completeBinding(s, 'data', 'pvc-data');
    await settle(s);
    assert.equal((await get(s, 'web')).spec.nodeName, chosen);
    assert.deepEqual(
      s.recorder.about('web').map((e) => e.reason),
      ['FailedScheduling', 'Scheduled'],
    );
  });

  it('rejects unbound Immediate claims and claims being deleted', async () => {
    const s = await cluster();
    await s.client.create(persistentVolumeClaimDescriptor, 'default', claim('fast', 'now'));
    await s.client.create(persistentVolumeClaimDescriptor, 'default', { ...claim('old'), metadata: { name: 'old', namespace: 'default', finalizers: ['kubernetes.io/pvc-protection'] } });
    await s.client.delete(persistentVolumeClaimDescriptor, 'default', 'old');
    await s.client.create(podDescriptor, 'default', podWith('a', 'fast'));
    await s.client.create(podDescriptor, 'default', podWith('b', 'old'));
    await s.scheduler.start();
    await settle(s);
    assert.deepEqual(failures(s, 'a'), [`0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. no new claims to deallocate, ${PREEMPTION_3}`]);
    assert.deepEqual(failures(s, 'b'), [`0/3 nodes are available: persistentvolumeclaim "old" is being deleted. no new claims to deallocate, ${PREEMPTION_3}`]);
    assert.equal(s.scheduler.queue.stats().unschedulable, 2);
  });

  it('sends a pod back to the node of its bound local volume', async () => {
    const s = await cluster();
    await boundClaim(s, 'data-0', 'n2');
    await s.scheduler.start();
    for (let i = 0; i < 4; i++) {
      await s.client.create(podDescriptor, 'default', podWith(`sts-0-${i}`, 'data-0'));
      await settle(s);
      const p = await get(s, `sts-0-${i}`);
      assert.equal(p.spec.nodeName, 'n2', 'the volume pins the pod');
      await s.client.delete(podDescriptor, 'default', `sts-0-${i}`, { gracePeriodSeconds: 0 });
    }
    // Two claims whose volumes sit on different nodes leave no node at all.
    await boundClaim(s, 'data-1', 'n3');
    await s.client.create(podDescriptor, 'default', podWith('both', 'data-0', 'data-1'));
    await settle(s);
    assert.deepEqual(failures(s, 'both'), [`0/3 nodes are available: 3 node(s) had volume node affinity conflict. no new claims to deallocate, ${PREEMPTION_3}`]);
  });

  it('reports a bound claim whose volume is gone', async () => {
    const s = await cluster();
    await boundClaim(s, 'data', undefined);
    await s.client.delete(persistentVolumeDescriptor, undefined, 'pv-data');
    // Without the pv-protection finalizer (kept here by admission, removed by a controller not running here).
    await s.client.patch(persistentVolumeDescriptor, undefined, 'pv-data', 'merge', { metadata: { finalizers: null } }).catch(() => undefined);
    await s.client.create(podDescriptor, 'default', podWith('web', 'data'));
    await s.scheduler.start();
    await settle(s);
    assert.deepEqual(failures(s, 'web'), [`0/3 nodes are available: 3 node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s). no new claims to deallocate, ${PREEMPTION_3}`]);
  });

  it('pre-binds a free static volume usable from the node it picks', async () => {
    const s = await cluster();
    await s.client.create(persistentVolumeDescriptor, undefined, volume('local-n3', 'n3'));
    const c = await s.client.create(persistentVolumeClaimDescriptor, 'default', { ...claim('data'), spec: { ...(claim('data').spec as object), storageClassName: 'manual' } });
    await s.client.create(storageClassDescriptor, undefined, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'manual' },
      provisioner: 'kubernetes.io/no-provisioner',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    await s.client.patch(persistentVolumeDescriptor, undefined, 'local-n3', 'merge', { spec: { storageClassName: 'manual' } });
    await s.client.create(podDescriptor, 'default', podWith('web', 'data'));
    await s.scheduler.start();
    await settle(s);
    const pv = await s.client.get(persistentVolumeDescriptor, undefined, 'local-n3');
    assert.equal((pv.spec as any).claimRef?.uid, c.metadata.uid, 'PreBind writes the claimRef');
    assert.equal((await get(s, 'web')).spec.nodeName, undefined);
    await completeBinding(s, 'data', 'local-n3');
    await settle(s);
    assert.equal((await get(s, 'web')).spec.nodeName, 'n3');

    // No provisioner and no free volume: no node can bind the claim.
    await s.client.create(persistentVolumeClaimDescriptor, 'default', { ...claim('more'), spec: { ...(claim('more').spec as object), storageClassName: 'manual' } });
    await s.client.create(podDescriptor, 'default', podWith('other', 'more'));
    await settle(s);
    assert.deepEqual(failures(s, 'other'), [`0/3 nodes are available: 3 node(s) didn't find available persistent volumes to bind. no new claims to deallocate, ${PREEMPTION_3}`]);
  });

  it('honours a node already selected on the claim, and gives up binding after the timeout', async () => {
    const s = await cluster();
    await s.client.create(persistentVolumeClaimDescriptor, 'default', { ...claim('data'), metadata: { name: 'data', namespace: 'default', annotations: { [SELECTED]: 'n1' } } });
    await s.client.create(podDescriptor, 'default', podWith('web', 'data'));
    await s.scheduler.start();
    await settle(s);
    assert.equal(s.recorder.about('web').length, 0, 'waiting in PreBind');
    s.clock.advance(600_000);
    await settle(s);
    assert.deepEqual(failures(s, 'web'), ['running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded']);
    assert.equal((await get(s, 'web')).spec.nodeName, undefined);
    assert.equal(s.scheduler.queue.stats().backoff, 1);
  });
});
