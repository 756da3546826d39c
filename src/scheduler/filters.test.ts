import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeAffinity, nodePorts, nodeResourcesFit, nodeUnschedulable, runFilters, taintToleration } from './filters.js';
import { compilePod } from './podinfo.js';
import { podRequests } from './resources.js';
import { node, nodeWith, pod } from './test-util.js';

const info = (p = pod('p')) => compilePod(p);

describe('NodeUnschedulable', () => {
  it('rejects a cordoned node unless the pod tolerates the unschedulable taint', () => {
    const cordoned = nodeWith(node('n', { unschedulable: true }));
    assert.deepEqual(nodeUnschedulable(info(), cordoned)?.reasons, ['node(s) were unschedulable']);
    assert.equal(nodeUnschedulable(info(), cordoned)?.code, 'UnschedulableAndUnresolvable');
    const tolerant = pod('ds', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
    assert.equal(nodeUnschedulable(info(tolerant), cordoned), undefined);
    assert.equal(nodeUnschedulable(info(), nodeWith(node('m'))), undefined);
  });
});

describe('TaintToleration', () => {
  const tainted = (effect: string) => nodeWith(node('n', { taints: [{ key: 'dedicated', value: 'gpu', effect }] }));

  it('rejects NoSchedule and NoExecute taints the pod does not tolerate, ignores PreferNoSchedule', () => {
    assert.deepEqual(taintToleration(info(), tainted('NoSchedule'))?.reasons, ['node(s) had untolerated taint(s)']);
    assert.ok(taintToleration(info(), tainted('NoExecute')));
    assert.equal(taintToleration(info(), tainted('PreferNoSchedule')), undefined);
  });

  it('honours Equal, Exists, empty-key and effect-less tolerations', () => {
    const tol = (t: object) => info(pod('p', { spec: { tolerations: [t] } }));
    assert.equal(taintToleration(tol({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }), tainted('NoSchedule')), undefined);
    assert.ok(taintToleration(tol({ key: 'dedicated', operator: 'Equal', value: 'cpu', effect: 'NoSchedule' }), tainted('NoSchedule')));
    assert.equal(taintToleration(tol({ key: 'dedicated', operator: 'Exists' }), tainted('NoExecute')), undefined);
    assert.equal(taintToleration(tol({ operator: 'Exists' }), tainted('NoSchedule')), undefined);
    assert.ok(taintToleration(tol({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }), tainted('NoSchedule')));
  });

  it('keeps pods off not-ready nodes through the lifecycle taints', () => {
    const notReady = nodeWith(node('n', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }));
    const defaulted = pod('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] } });
    assert.ok(taintToleration(info(defaulted), notReady));
  });
});

describe('NodeAffinity', () => {
  const n = nodeWith(node('node-a', { labels: { disk: 'ssd', zone: 'z1', cores: '8' } }));
  const aff = (terms: object[]) => info(pod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } }));

  it('matches nodeSelector labels', () => {
    assert.equal(nodeAffinity(info(pod('p', { spec: { nodeSelector: { disk: 'ssd' } } })), n), undefined);
    assert.deepEqual(nodeAffinity(info(pod('p', { spec: { nodeSelector: { disk: 'hdd' } } })), n)?.reasons, ["node(s) didn't match Pod's node affinity/selector"]);
  });

  it('evaluates matchExpressions operators and ORs the terms', () => {
    const ok = (expr: object) => nodeAffinity(aff([{ matchExpressions: [expr] }]), n) === undefined;
    assert.ok(ok({ key: 'zone', operator: 'In', values: ['z1', 'z2'] }));
    assert.ok(!ok({ key: 'zone', operator: 'NotIn', values: ['z1'] }));
    assert.ok(ok({ key: 'gpu', operator: 'NotIn', values: ['yes'] }));
    assert.ok(ok({ key: 'disk', operator: 'Exists' }));
    assert.ok(ok({ key: 'gpu', operator: 'DoesNotExist' }));
    assert.ok(ok({ key: 'cores', operator: 'Gt', values: ['4'] }));
    assert.ok(!ok({ key: 'cores', operator: 'Lt', values: ['4'] }));
    assert.ok(!ok({ key: 'cores', operator: 'Gt', values: ['four'] }));
    assert.equal(nodeAffinity(aff([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z9'] }] }, { matchExpressions: [{ key: 'disk', operator: 'Exists' }] }]), n), undefined);
    assert.ok(nodeAffinity(aff([{}]), n), 'an empty term matches nothing');
  });

  it('matches metadata.name through matchFields, as DaemonSet pods ask', () => {
    const pinned = (name: string) => aff([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [name] }] }]);
    assert.equal(nodeAffinity(pinned('node-a'), n), undefined);
    assert.ok(nodeAffinity(pinned('node-b'), n));
    assert.deepEqual([...(pinned('node-b').pinned ?? [])], ['node-b']);
  });
});

describe('NodePorts', () => {
  const holder = pod('holder', { ports: [{ hostPort: 8080 }, { hostPort: 53, protocol: 'UDP', hostIP: '10.0.0.1' }] });
  const n = nodeWith(node('n'), holder);
  const wants = (ports: object[]) => nodePorts(info(pod('p', { ports: ports as any })), n);

  it('rejects a host port already taken on the node', () => {
    assert.deepEqual(wants([{ hostPort: 8080 }])?.reasons, ["node(s) didn't have free ports for the requested pod ports"]);
    assert.equal(wants([{ hostPort: 8080 }])?.code, 'Unschedulable');
  });

  it('tells protocols and addresses apart, with 0.0.0.0 clashing with every address', () => {
    assert.equal(wants([{ hostPort: 8080, protocol: 'UDP' }]), undefined);
    assert.equal(wants([{ hostPort: 53, protocol: 'UDP', hostIP: '10.0.0.2' }]), undefined);
    assert.ok(wants([{ hostPort: 53, protocol: 'UDP' }]));
    assert.ok(wants([{ hostPort: 8080, hostIP: '10.0.0.3' }]));
    assert.equal(wants([{ hostPort: 9090 }]), undefined);
  });
});

describe('NodeResourcesFit', () => {
  it('counts requests already on the node against allocatable', () => {
    const n = nodeWith(node('n', { cpu: '2', memory: '1Gi' }), pod('a', { cpu: '1500m', memory: '512Mi' }));
    assert.equal(nodeResourcesFit(info(pod('p', { cpu: '500m', memory: '512Mi' })), n), undefined);
    const s = nodeResourcesFit(info(pod('p', { cpu: '600m', memory: '600Mi' })), n);
    assert.deepEqual(s?.reasons, ['Insufficient cpu', 'Insufficient memory']);
    assert.equal(s?.code, 'Unschedulable');
  });

  it('calls a request larger than the whole node unresolvable', () => {
    const s = nodeResourcesFit(info(pod('p', { cpu: '3' })), nodeWith(node('n', { cpu: '2' })));
    assert.deepEqual(s?.reasons, ['Insufficient cpu']);
    assert.equal(s?.code, 'UnschedulableAndUnresolvable');
  });

  it('limits the number of pods even for pods that request nothing', () => {
    const n = nodeWith(node('n', { pods: '2' }), pod('a'), pod('b'));
    assert.deepEqual(nodeResourcesFit(info(), n)?.reasons, ['Too many pods']);
  });

  it('checks extended resources', () => {
    const gpu = pod('p', { spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { 'nvidia.com/gpu': '1' } } }] } });
    assert.deepEqual(nodeResourcesFit(info(gpu), nodeWith(node('n')))?.reasons, ['Insufficient nvidia.com/gpu']);
    assert.equal(nodeResourcesFit(info(gpu), nodeWith(node('n', { extra: { 'nvidia.com/gpu': '2' } }))), undefined);
  });

  it('runs the filters in profile order and reports only the first failure', () => {
    const n = nodeWith(node('n', { cpu: '1', unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] }));
    assert.equal(runFilters(info(pod('p', { cpu: '2' })), n)?.plugin, 'NodeUnschedulable');
  });
});

describe('effective requests', () => {
  it('takes the largest init container, adds sidecars and overhead, and prefers pod-level requests', () => {
    const spec = {
      initContainers: [
        { name: 'i1', resources: { requests: { cpu: '2', memory: '1Gi' } } },
        { name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
        { name: 'i2', resources: { requests: { cpu: '1', memory: '3Gi' } } },
      ],
      containers: [
        { name: 'c1', resources: { requests: { cpu: '500m', memory: '1Gi' } } },
        { name: 'c2', resources: { requests: { cpu: '250m' } } },
      ],
      overhead: { cpu: '10m', memory: '1Mi' },
    };
    const r = podRequests(spec);
    // cpu: max(init 2, sidecar+init2 1.1, sidecar+containers 0.85) + overhead; memory: max(1Gi, 64Mi+3Gi, 64Mi+1Gi) + overhead.
    assert.equal(r.milliCPU, 2010);
    assert.equal(r.memory, 3 * 1024 ** 3 + 64 * 1024 ** 2 + 1024 ** 2);
    assert.equal(podRequests({ ...spec, resources: { requests: { cpu: '4' } } }).milliCPU, 4010);
  });

  it('counts unset cpu and memory at 100m and 200Mi when spreading', () => {
    const r = podRequests({ containers: [{ name: 'a' }, { name: 'b', resources: { requests: { cpu: '1' } } }] }, true);
    assert.equal(r.milliCPU, 1100);
    assert.equal(r.memory, 400 * 1024 ** 2);
  });
});
