import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { admitPod, allocatableOfNode } from './admission.js';
import { ALLOCATABLE, ALLOCATABLE_AMOUNTS, buildNodeStatus, CAPACITY, machineResources } from './node-status.js';

const identity = { machineID: 'm', systemUUID: 's', bootID: 'b' };

describe('machines of other sizes', () => {
  it('machineResources sets cpu, pods and memory (allocatable less 100Mi)', () => {
    const { capacity, allocatable } = machineResources({ cpu: '2', memory: '4Gi', pods: '50' });
    assert.deepEqual([capacity.cpu, capacity.memory, capacity.pods], ['2', '4Gi', '50']);
    assert.deepEqual([allocatable.cpu, allocatable.memory, allocatable.pods], ['2', `${4 * 1024 * 1024 - 100 * 1024}Ki`, '50']);
    assert.equal(capacity['ephemeral-storage'], CAPACITY['ephemeral-storage']);
    assert.throws(() => machineResources({ memory: 'lots' }), /invalid memory quantity/);
  });

  it('the kubelet keeps reporting a size set on the Node, and the default machine otherwise', () => {
    const sized = machineResources({ cpu: '8', memory: '32Gi' });
    const kept = buildNodeStatus({ name: 'n', internalIP: '1.2.3.4', identity, images: [], current: sized, now: 0 }).status;
    assert.deepEqual(kept.capacity, sized.capacity);
    assert.deepEqual(kept.allocatable, sized.allocatable);
    const fresh = buildNodeStatus({ name: 'n', internalIP: '1.2.3.4', identity, images: [], current: undefined, now: 0 }).status;
    assert.deepEqual(fresh.allocatable, ALLOCATABLE);
    const capacityOnly = buildNodeStatus({ name: 'n', internalIP: '1.2.3.4', identity, images: [], current: { capacity: { cpu: '1', memory: '1Gi', pods: '10' } }, now: 0 }).status;
    assert.deepEqual(capacityOnly.allocatable, { cpu: '1', memory: '1Gi', pods: '10' });
  });

  it('admission counts against the node’s own allocatable', () => {
    const node = { metadata: { name: 'n' }, status: { allocatable: machineResources({ cpu: '8' }).allocatable } } as Node;
    assert.equal(allocatableOfNode(node, ALLOCATABLE_AMOUNTS).cpuMilli, 8000);
    assert.equal(allocatableOfNode({ metadata: { name: 'x' } } as Node, ALLOCATABLE_AMOUNTS), ALLOCATABLE_AMOUNTS);
    const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '6' } } }] } } as Pod;
    const used = { cpuMilli: 0, memoryBytes: 0, ephemeralBytes: 0, pods: 0 };
    assert.deepEqual(admitPod(pod, node, ALLOCATABLE_AMOUNTS, used, []), { ok: true });
    assert.equal(admitPod(pod, { metadata: { name: 'd' } } as Node, ALLOCATABLE_AMOUNTS, used, []).ok, false, 'a default 4-CPU machine cannot take it');
  });
});
