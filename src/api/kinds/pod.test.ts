import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FieldError, KubeObject } from '../types.js';
import { errorTexts as texts } from './kind-test-util.js';
import { podDeleteGracePeriod, podDescriptor, podQOSClass } from './pod.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

/** What kube-apiserver does with a create body: default, strategy, admission, then validation. */
function create(body: any): { pod: KubeObject; errs: FieldError[] } {
  const pod = structuredClone(body) as KubeObject;
  podDescriptor.defaults?.(pod);
  podDescriptor.prepareForCreate?.(pod);
  return { pod, errs: podDescriptor.validate?.(pod) ?? [] };
}

const kubectlRun = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: { name: 'nginx', namespace: 'default', labels: { run: 'nginx' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' },
  status: {},
};

describe('Pod create', () => {
  it('turns `kubectl run nginx --image=nginx` into what a real cluster stores', () => {
    const { pod, errs } = create(kubectlRun);
    assert.deepEqual(errs, []);
    assert.deepEqual(pod.spec, {
      containers: [{
        name: 'nginx',
        image: 'nginx',
        imagePullPolicy: 'Always',
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      }],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      serviceAccountName: 'default',
      serviceAccount: 'default',
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    });
    assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('copies limits into missing requests and picks the QoS class', () => {
    const { pod } = create({
      metadata: { name: 'g', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '500m', memory: '64Mi' } } }] },
    });
    assert.deepEqual((pod.spec as any).containers[0].resources, { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '500m', memory: '64Mi' } });
    assert.equal((pod.status as any).qosClass, 'Guaranteed');
    const burst: any = { spec: { containers: [{ resources: { requests: { cpu: '100m' } } }] } };
    assert.equal(podQOSClass(burst), 'Burstable');
  });

  it('keeps tolerations that already cover node failures', () => {
    const { pod } = create({
      metadata: { name: 'ds', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'i' }], tolerations: [{ operator: 'Exists' }] },
    });
    assert.deepEqual((pod.spec as any).tolerations, [{ operator: 'Exists' }]);
  });

  it('marks gated pods SchedulingGated', () => {
    const { pod } = create({
      metadata: { name: 'gated', namespace: 'default', creationTimestamp: '2024-05-01T12:00:00Z' },
      spec: { containers: [{ name: 'c', image: 'i' }], schedulingGates: [{ name: 'example.com/wait' }] },
    });
    const cond = (pod.status as any).conditions[0];
    assert.equal(cond.reason, 'SchedulingGated');
    assert.equal(cond.message, 'Scheduling is blocked due to non-empty scheduling gates');
    assert.equal(podDescriptor.table.cells(pod, NOW)[2], 'SchedulingGated');
  });

  it('rejects what kubectl users typically get wrong, with kube wording', () => {
    const { errs } = create({ metadata: { name: 'x', namespace: 'default' }, spec: { containers: [{ name: 'x' }] } });
    assert.deepEqual(texts(errs), ['spec.containers[0].image: Required value']);
    const eph = create({
      metadata: { name: 'x', namespace: 'default' },
      spec: { containers: [{ name: 'x', image: ' nginx' }], ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] },
    });
    assert.deepEqual(texts(eph.errs), [
      'spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace',
      'spec.ephemeralContainers: Forbidden: cannot be set on create',
    ]);
  });
});

describe('Pod update', () => {
  const { pod: base } = create(kubectlRun);
  const stored = { ...structuredClone(base), metadata: { ...base.metadata, uid: 'u1', creationTimestamp: '2024-05-01T11:00:00Z', resourceVersion: '5' } } as KubeObject;

  function update(mutate: (p: any) => void): FieldError[] {
    const next = structuredClone(stored) as any;
    mutate(next);
    podDescriptor.defaults?.(next);
    podDescriptor.prepareForUpdate?.(next, stored);
    return podDescriptor.validateUpdate?.(next, stored) ?? [];
  }

  it('allows image changes, new tolerations and a shorter deadline', () => {
    assert.deepEqual(update((p) => {
      p.spec.containers[0].image = 'nginx:1.27';
    }), []);
    assert.deepEqual(update((p) => {
      p.spec.tolerations.push({ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' });
    }), []);
    assert.deepEqual(update((p) => {
      p.spec.activeDeadlineSeconds = 60;
    }), []);
  });

  it('forbids other spec changes with the kube message and a diff', () => {
    const errs = update((p) => {
      p.spec.restartPolicy = 'Never';
    });
    assert.equal(errs.length, 1);
    assert.equal(errs[0]?.field, 'spec');
    assert.equal(errs[0]?.reason, 'FieldValueForbidden');
    const [first, ...diff] = (errs[0]?.message ?? '').split('\n');
    assert.equal(first,
      'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)');
    assert.ok(diff.includes('- \tRestartPolicy: "Always",'), diff.join('\n'));
    assert.ok(diff.includes('+ \tRestartPolicy: "Never",'), diff.join('\n'));
  });

  it('forbids adding containers, changing tolerations and raising the deadline', () => {
    assert.deepEqual(texts(update((p) => {
      p.spec.containers.push({ name: 'side', image: 'busybox' });
    })), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
    const tolerant = structuredClone(stored) as any;
    tolerant.spec.tolerations.unshift({ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' });
    const changed = structuredClone(tolerant);
    changed.spec.tolerations[0].effect = 'PreferNoSchedule';
    podDescriptor.prepareForUpdate?.(changed, tolerant);
    assert.deepEqual(texts(podDescriptor.validateUpdate?.(changed, tolerant) ?? []), [
      'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
    ]);
    assert.deepEqual(update((p) => {
      p.spec.tolerations[1].tolerationSeconds = 30;
    }), [], 'tolerationSeconds may change');
    const withDeadline = structuredClone(stored) as any;
    withDeadline.spec.activeDeadlineSeconds = 30;
    const raised = structuredClone(withDeadline);
    raised.spec.activeDeadlineSeconds = 60;
    assert.deepEqual(texts(podDescriptor.validateUpdate?.(raised, withDeadline) ?? []), [
      'spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value',
    ]);
  });

  it('keeps the stored status on spec writes and the QoS class on status writes', () => {
    const next = structuredClone(stored) as any;
    next.status = { phase: 'Running' };
    podDescriptor.prepareForUpdate?.(next, stored);
    assert.deepEqual(next.status, stored.status);
    const statusWrite = structuredClone(stored) as any;
    statusWrite.status = { phase: 'Running' };
    podDescriptor.prepareForStatusUpdate?.(statusWrite, stored);
    assert.equal(statusWrite.status.qosClass, 'BestEffort');
  });
});

describe('Pod descriptor', () => {
  it('serves pods like kube-apiserver', () => {
    assert.equal(podDescriptor.plural, 'pods');
    assert.deepEqual(podDescriptor.shortNames, ['po']);
    assert.deepEqual(podDescriptor.categories, ['all']);
    assert.deepEqual(podDescriptor.subresources.map((s) => s.name), ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy']);
    assert.equal(podDescriptor.generation, undefined);
  });

  it('exposes the selectable fields', () => {
    const { pod } = create(kubectlRun);
    (pod.status as any).podIPs = [{ ip: '10.244.1.7' }];
    const f = podDescriptor.fieldLabels ?? {};
    assert.equal(f['spec.nodeName']?.(pod), '');
    assert.equal(f['spec.hostNetwork']?.(pod), 'false');
    assert.equal(f['status.phase']?.(pod), 'Pending');
    assert.equal(f['status.podIP']?.(pod), '10.244.1.7');
    assert.equal(f['spec.serviceAccountName']?.(pod), 'default');
  });

  it('prints the wide row', () => {
    const { pod } = create({ ...kubectlRun, metadata: { ...kubectlRun.metadata, creationTimestamp: '2024-05-01T08:55:00Z' } });
    assert.deepEqual(podDescriptor.table.cells(pod, NOW), ['nginx', '0/1', 'Pending', '0', '3h5m', '<none>', '<none>', '<none>', '<none>']);
    assert.equal(podDescriptor.table.columns.length, 9);
    assert.deepEqual(podDescriptor.table.columns.filter((c) => c.priority === 0).map((c) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
  });

  it('computes the delete grace period as the pod strategy does', () => {
    const { pod } = create(kubectlRun);
    assert.equal(podDeleteGracePeriod(pod), 0, 'unscheduled pods go at once');
    (pod.spec as any).nodeName = 'node-1';
    assert.equal(podDeleteGracePeriod(pod), 30);
    assert.equal(podDeleteGracePeriod(pod, 5), 5);
    assert.equal(podDeleteGracePeriod(pod, -3), 1);
    (pod.status as any).phase = 'Succeeded';
    assert.equal(podDeleteGracePeriod(pod), 0);
  });
});
