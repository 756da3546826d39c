import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { created, createErrors, row, updated, updateErrors } from './kind-test-util.js';
import { nodeDescriptor as d } from './node.js';

function readyNode(name: string, ready: string, extra: Partial<KubeObject> = {}): KubeObject {
  return created(d, {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: { podCIDR: '10.244.1.0/24' },
    status: {
      capacity: { cpu: '4', memory: '16393916Ki', pods: '110' },
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: ready }],
      addresses: [{ type: 'InternalIP', address: '172.18.0.3' }, { type: 'Hostname', address: name }],
      nodeInfo: { kubeletVersion: 'v1.31.2', osImage: 'Ubuntu 22.04.4 LTS', kernelVersion: '6.8.0-45-generic', containerRuntimeVersion: 'containerd://1.7.22' },
    },
    ...extra,
  });
}

describe('Node', () => {
  it('keeps the status a kubelet registers with and fills defaults', () => {
    const n = readyNode('node-1', 'True');
    const status = n.status as any;
    assert.deepEqual(status.allocatable, status.capacity);
    assert.deepEqual((n.spec as any).podCIDRs, ['10.244.1.0/24']);
    assert.deepEqual(status.daemonEndpoints, { kubeletEndpoint: { Port: 0 } });
    assert.equal(status.nodeInfo.machineID, '');
    assert.deepEqual(createErrors(d, n), []);
  });

  it('prints STATUS, ROLES, VERSION and the wide columns', () => {
    const n = readyNode('cp-1', 'True');
    n.metadata.labels = { ...n.metadata.labels, 'node-role.kubernetes.io/control-plane': '' };
    assert.deepEqual(row(d, n), {
      Name: 'cp-1',
      Status: 'Ready',
      Roles: 'control-plane',
      Age: '0s',
      Version: 'v1.31.2',
      'Internal-IP': '172.18.0.3',
      'External-IP': '<none>',
      'OS-Image': 'Ubuntu 22.04.4 LTS',
      'Kernel-Version': '6.8.0-45-generic',
      'Container-Runtime': 'containerd://1.7.22',
    });
    const cordoned = readyNode('node-1', 'True');
    (cordoned.spec as any).unschedulable = true;
    assert.equal(row(d, cordoned).Status, 'Ready,SchedulingDisabled');
    assert.equal(row(d, cordoned).Roles, '<none>');
    assert.equal(d.fieldLabels?.['spec.unschedulable']?.(cordoned), 'true');
    assert.equal(row(d, readyNode('n', 'Unknown')).Status, 'NotReady');
    const bare = created(d, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'bare' } });
    assert.deepEqual([row(d, bare).Status, row(d, bare)['OS-Image']], ['Unknown', '<unknown>']);
  });

  it('validates taints and keeps podCIDRs', () => {
    const n = readyNode('node-1', 'True');
    (n.spec as any).taints = [{ key: 'a', effect: 'Sometimes' }, { key: 'b', effect: 'NoSchedule' }, { key: 'b', effect: 'NoSchedule' }];
    assert.deepEqual(createErrors(d, n), [
      'metadata.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      'metadata.taints[2]: Duplicate value: core.Taint{Key:"b", Value:"", Effect:"NoSchedule", TimeAdded:<nil>}: taints must be unique by key and effect pair',
    ]);
    const old = readyNode('node-1', 'True');
    const next = updated(d, old, (o) => {
      (o.spec as any).podCIDR = '10.244.2.0/24';
      (o.spec as any).podCIDRs = ['10.244.2.0/24'];
    });
    assert.deepEqual(updateErrors(d, next, old), ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
  });
});
