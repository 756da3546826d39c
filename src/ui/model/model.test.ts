import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEvent, claimViews, classify, nodeColumns, type Obj, ordinalOf, podView, serviceViews, workloadTrees } from './model.js';

const NOW = Date.parse('2026-11-28T10:00:00Z');

function pod(name: string, extra: Partial<Obj> = {}, owner?: { kind: string; name: string; uid: string }): Obj {
  return {
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ...(owner ? { ownerReferences: [{ ...owner, controller: true }] } : {}) },
    spec: { containers: [{ name: 'c' }], ...(extra.spec ?? {}) },
    status: extra.status ?? { phase: 'Pending' },
    ...(extra.metadata ? { metadata: { name, namespace: 'default', uid: `uid-${name}`, ...extra.metadata } } : {}),
  };
}

const running = (ready: boolean) => ({
  phase: 'Running',
  conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  containerStatuses: [{ name: 'c', ready, restartCount: 0, state: { running: { startedAt: '2026-11-28T09:59:00Z' } } }],
});
const waiting = (reason: string) => ({ phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason } } }] });

test('tiles take kubectl STATUS text and a colour class for every status the legend names', () => {
  const cases: Array<[Obj, string, string]> = [
    [pod('a'), 'Pending', 'pending'],
    [pod('b', { status: waiting('ContainerCreating') }), 'ContainerCreating', 'creating'],
    [pod('c', { status: running(true) }), 'Running', 'running'],
    [pod('d', { status: running(false) }), 'Running', 'notready'],
    [pod('e', { status: running(true), metadata: { deletionTimestamp: '2026-11-28T09:59:59Z' } }), 'Terminating', 'terminating'],
    [pod('f', { status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } }), 'Completed', 'completed'],
    [pod('g', { status: { phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 1, reason: 'Error' } } }] } }), 'Error', 'error'],
    [pod('h', { status: waiting('CrashLoopBackOff') }), 'CrashLoopBackOff', 'crash'],
    [pod('i', { status: waiting('ImagePullBackOff') }), 'ImagePullBackOff', 'pull'],
    [pod('j', { status: waiting('ErrImagePull') }), 'ErrImagePull', 'pull'],
  ];
  for (const [p, text, cls] of cases) {
    const v = podView(p, NOW);
    assert.deepEqual([p.metadata.name, v.text, v.cls], [p.metadata.name, text, cls]);
  }
  assert.equal(classify('Init:0/2', 0, 1), 'creating');
  assert.equal(classify('Init:CrashLoopBackOff', 0, 1), 'crash');
  assert.equal(classify('ExitCode:137', 0, 1), 'error');
  assert.equal(classify('OOMKilled', 0, 1), 'error');
});

test('nodes become columns with their pods; unscheduled pods get a column of their own, first', () => {
  const nodes: Obj[] = [
    { metadata: { name: 'node-2', uid: 'n2' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } },
    { metadata: { name: 'node-1', uid: 'n1' }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
  ];
  const pods = [pod('z', { spec: { nodeName: 'node-1' } }), pod('a', { spec: { nodeName: 'node-1' } }), pod('p'), pod('q', { spec: { nodeName: 'node-9' } })];
  const cols = nodeColumns(nodes, pods);
  assert.deepEqual(
    cols.map((c) => [c.name, c.ready, c.unschedulable, c.pods.map((p) => p.metadata.name)]),
    [
      ['', 'Unknown', false, ['p']],
      ['node-1', 'True', true, ['a', 'z']],
      ['node-2', 'False', false, []],
      ['node-9', 'Unknown', false, ['q']],
    ],
  );
});

test('workloads as trees: Deployment → ReplicaSets newest revision first → pods, StatefulSet by ordinal, CronJob → Jobs', () => {
  const d: Obj = { kind: 'Deployment', metadata: { name: 'web', namespace: 'default', uid: 'd1' }, spec: { replicas: 3 }, status: { readyReplicas: 2, updatedReplicas: 1 } };
  const rs = (name: string, rev: number): Obj => ({
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: name, annotations: { 'deployment.kubernetes.io/revision': String(rev) }, ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'd1', controller: true }] },
    spec: { replicas: rev === 2 ? 1 : 2 },
    status: { readyReplicas: 1 },
  });
  const lone: Obj = { kind: 'ReplicaSet', metadata: { name: 'alone', namespace: 'default', uid: 'alone' }, spec: { replicas: 1 } };
  const sts: Obj = { kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default', uid: 's1' }, spec: { replicas: 3 } };
  const cj: Obj = { kind: 'CronJob', metadata: { name: 'tick', namespace: 'default', uid: 'c1' }, spec: { schedule: '*/1 * * * *' } };
  const job = (name: string, ts: string, done: boolean): Obj => ({
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: name, creationTimestamp: ts, ownerReferences: [{ kind: 'CronJob', name: 'tick', uid: 'c1', controller: true }] },
    spec: { completions: 1 },
    status: done ? { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } : {},
  });
  const pods = [
    pod('web-old-1', {}, { kind: 'ReplicaSet', name: 'web-old', uid: 'web-old' }),
    pod('web-new-1', {}, { kind: 'ReplicaSet', name: 'web-new', uid: 'web-new' }),
    pod('db-10', {}, { kind: 'StatefulSet', name: 'db', uid: 's1' }),
    pod('db-2', {}, { kind: 'StatefulSet', name: 'db', uid: 's1' }),
    pod('db-0', {}, { kind: 'StatefulSet', name: 'db', uid: 's1' }),
    pod('tick-2-x', {}, { kind: 'Job', name: 'tick-2', uid: 'tick-2' }),
  ];
  const trees = workloadTrees({
    deployments: [d],
    replicasets: [rs('web-old', 1), rs('web-new', 2), lone],
    statefulsets: [sts],
    cronjobs: [cj],
    jobs: [job('tick-1', '2026-11-28T09:00:00Z', true), job('tick-2', '2026-11-28T09:01:00Z', false)],
    pods,
  });
  const shape = (n: { label: string; children: any[] }): unknown => (n.children.length ? [n.label, n.children.map(shape)] : n.label);
  assert.deepEqual(trees.map(shape), [
    ['web', [['web-new', ['web-new-1']], ['web-old', ['web-old-1']]]],
    ['db', ['#0 db-0', '#2 db-2', '#10 db-10']],
    ['tick', [['tick-2', ['tick-2-x']], 'tick-1']],
    'alone',
  ]);
  assert.equal(trees[0]?.children[0]?.detail, 'revision 2, 1/1 ready');
  assert.equal(trees[2]?.children[1]?.detail, 'Complete');
  assert.equal(ordinalOf(pod('db-x'), 'db'), Number.MAX_SAFE_INTEGER);
});

test('services list ready and not-ready endpoints; claims find their volumes', () => {
  const svc: Obj = { metadata: { name: 's', namespace: 'default', uid: 's' }, spec: { ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } };
  const ep: Obj = { metadata: { name: 's', namespace: 'default', uid: 'e' }, subsets: [{ addresses: [{ ip: '10.0.0.1', targetRef: { name: 'p1' } }], notReadyAddresses: [{ ip: '10.0.0.2' }] }] };
  const [v] = serviceViews([svc], [ep]);
  assert.deepEqual([v?.ports, v?.ready, v?.notReady], ['80→8080/TCP', [{ ip: '10.0.0.1', pod: 'p1' }], [{ ip: '10.0.0.2' }]]);
  const pvc: Obj = { metadata: { name: 'data', namespace: 'default', uid: 'c' }, spec: { volumeName: 'pv-1', resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound' } };
  const [c] = claimViews([pvc], [{ metadata: { name: 'pv-1', uid: 'v' } }]);
  assert.deepEqual([c?.phase, c?.volume?.metadata.name, c?.capacity], ['Bound', 'pv-1', '1Gi']);
});

test('watch events update the cache by uid', () => {
  const m = new Map<string, Obj>();
  assert.equal(applyEvent(m, { type: 'ADDED', object: pod('a') }), true);
  assert.equal(applyEvent(m, { type: 'BOOKMARK', object: { metadata: { resourceVersion: '5' } } }), false);
  assert.equal(applyEvent(m, { type: 'DELETED', object: pod('a') }), true);
  assert.equal(m.size, 0);
});
