import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { podDescriptor, podStatusText } from '../api/kinds/pod.js';
import { admitPod, podDemand } from './node/admission.js';
import { ALLOCATABLE_AMOUNTS } from './node/node-status.js';
import { startTestCluster } from './test-harness.js';

const idle = { cpuMilli: 0, memoryBytes: 0, ephemeralBytes: 0, pods: 0 };

test('a pod pinned to a node whose host port is taken is rejected with NodePorts', async () => {
  const c = await startTestCluster();
  try {
    const web = { containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80, hostPort: 8080 }] }] };
    await c.createPod(web, 'first');
    await c.settle();
    await c.createPod(web, 'second');
    await c.settle();
    assert.equal(podStatusText(await c.pod('first'), c.clock.now()), 'Running');
    const second = await c.pod('second');
    assert.equal(second?.status?.phase, 'Failed');
    assert.equal(second?.status?.reason, 'NodePorts');
    assert.equal(second?.status?.message, "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
    assert.equal(podStatusText(second, c.clock.now()), 'NodePorts');
    assert.equal(second?.status?.qosClass, 'BestEffort');
    assert.ok(second?.status?.startTime);
    assert.equal(second?.status?.containerStatuses, undefined);
    const [event] = c.eventsFor('second');
    assert.deepEqual([event?.type, event?.reason, event?.message], ['Warning', 'NodePorts', "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports"]);

    // Once the first pod is gone the port is free again; another protocol or host IP never conflicted.
    await c.client.delete(podDescriptor, 'default', 'first');
    await c.settle();
    await c.createPod(web, 'third');
    await c.createPod({ containers: [{ name: 'dns', image: 'nginx:1.25', ports: [{ containerPort: 53, hostPort: 8080, protocol: 'UDP' }] }] }, 'udp');
    await c.settle();
    assert.equal(podStatusText(await c.pod('third'), c.clock.now()), 'Running');
    assert.equal(podStatusText(await c.pod('udp'), c.clock.now()), 'Running');
  } finally {
    await c.stop();
  }
});

test('requests beyond what is left on the node are rejected with OutOfcpu / OutOfmemory', async () => {
  const c = await startTestCluster();
  try {
    await c.createPod({ containers: [{ name: 'a', image: 'nginx:1.25', resources: { requests: { cpu: '3', memory: '1Gi' } } }] }, 'big');
    await c.settle();
    await c.createPod({ containers: [{ name: 'a', image: 'nginx:1.25', resources: { requests: { cpu: '1500m' } } }] }, 'too-much-cpu');
    await c.createPod({ containers: [{ name: 'a', image: 'nginx:1.25', resources: { requests: { memory: '20Gi' } } }] }, 'too-much-memory');
    await c.settle();
    const cpu = await c.pod('too-much-cpu');
    assert.equal(cpu?.status?.reason, 'OutOfcpu');
    assert.equal(cpu?.status?.message, "Pod was rejected: Node didn't have enough resource: cpu, requested: 1500, used: 3000, capacity: 4000");
    const mem = await c.pod('too-much-memory');
    assert.equal(mem?.status?.reason, 'OutOfmemory');
    assert.equal(mem?.status?.message, `Pod was rejected: Node didn't have enough resource: memory, requested: ${20 * 1024 ** 3}, used: ${1024 ** 3}, capacity: ${16291516 * 1024}`);
    assert.equal(podStatusText(mem, c.clock.now()), 'OutOfmemory');
  } finally {
    await c.stop();
  }
});

test('admission checks in the kubelet order: pods, cpu, memory, affinity, ports, NoExecute taints', () => {
  const node: Node = { metadata: { name: 'node-1', labels: { zone: 'a' } }, spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] } };
  const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }], tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoExecute' }], ...spec } as Pod['spec'] });

  const full = admitPod(pod(), node, ALLOCATABLE_AMOUNTS, { ...idle, pods: 110 }, []);
  assert.deepEqual(full, { ok: false, reason: 'OutOfpods', message: "Node didn't have enough resource: pods, requested: 1, used: 110, capacity: 110" });
  const affinity = admitPod(pod({ nodeSelector: { zone: 'b' } }), node, ALLOCATABLE_AMOUNTS, idle, []);
  assert.equal(affinity.ok ? '' : affinity.reason, 'NodeAffinity');
  const required = pod({
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'c'] }] }] } } },
  });
  assert.deepEqual(admitPod(required, node, ALLOCATABLE_AMOUNTS, idle, []), { ok: true });
  const untolerated = admitPod(pod({ tolerations: [] }), node, ALLOCATABLE_AMOUNTS, idle, []);
  assert.deepEqual(untolerated, { ok: false, reason: 'TaintToleration', message: "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate" });
});

test('a pod demands the larger of its running containers and its biggest init step, plus host ports', () => {
  const demand = podDemand({
    metadata: { name: 'p' },
    spec: {
      initContainers: [
        { name: 'migrate', image: 'x', resources: { requests: { cpu: '2', memory: '512Mi' } } },
        { name: 'proxy', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } },
      ],
      containers: [
        { name: 'a', image: 'x', resources: { requests: { cpu: '250m', memory: '1Gi' } }, ports: [{ containerPort: 80, hostPort: 80 }] },
        { name: 'b', image: 'x', resources: { requests: { cpu: '250m' } } },
      ],
    },
  });
  assert.equal(demand.cpuMilli, 2000);
  assert.equal(demand.memoryBytes, 1024 ** 3);
  assert.deepEqual(demand.ports, [{ ip: '0.0.0.0', protocol: 'TCP', port: 80 }]);
});
