// Pod (core/v1): the descriptor kube-apiserver's pod registry amounts to.
import type { ResourceDescriptor } from '../descriptor.js';
import { age, col, nameColumn } from '../printing.js';
import type { KubeObject } from '../types.js';
import { STANDARD_VERBS, STATUS_SUBRESOURCE } from './descriptor-parts.js';
import { addDefaultTolerations, applyPodAdmissionDefaults } from './pod-admission-defaults.js';
import { podQOSClass } from './pod-qos.js';
import { podStatusCells } from './pod-status-text.js';
import { validatePodCreate, validatePodUpdate } from './pod-validation.js';
import { defaultPodSpec } from './podspec.js';

export { podStatusCells, podStatusText } from './pod-status-text.js';
export { podQOSClass } from './pod-qos.js';

/** Pod-only defaults on top of the shared pod spec ones (SetDefaults_Pod). */
export function defaultPod(pod: KubeObject): void {
  if (!pod.spec || typeof pod.spec !== 'object') pod.spec = {};
  const spec: any = pod.spec;
  defaultPodSpec(spec);
  for (const list of [spec.containers, spec.initContainers]) {
    for (const c of Array.isArray(list) ? list : []) {
      const limits = c?.resources?.limits;
      if (!limits || typeof limits !== 'object') continue;
      // A limit without a request means "request exactly the limit".
      c.resources.requests ??= {};
      for (const [name, v] of Object.entries(limits)) if (!(name in c.resources.requests)) c.resources.requests[name] = v;
    }
  }
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork === true) {
    for (const list of [spec.containers, spec.initContainers]) {
      for (const c of Array.isArray(list) ? list : []) {
        for (const p of Array.isArray(c?.ports) ? c.ports : []) if (p && !p.hostPort) p.hostPort = p.containerPort;
      }
    }
  }
}

/** The pod strategy on create: server-owned status, admission-plugin defaults, the scheduling-gated condition. */
export function preparePodForCreate(pod: KubeObject): void {
  const spec: any = pod.spec ?? {};
  applyPodAdmissionDefaults(spec);
  pod.status = { phase: 'Pending', qosClass: podQOSClass(pod) };
  if (Array.isArray(spec.schedulingGates) && spec.schedulingGates.length > 0) {
    // The strategy has no clock of its own; the creation time is the moment this condition appears.
    (pod.status as any).conditions = [{
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime: pod.metadata.creationTimestamp ?? null,
      reason: 'SchedulingGated',
      message: 'Scheduling is blocked due to non-empty scheduling gates',
    }];
  }
}

/** The pod strategy on update plus the admission plugins that also run on update. */
export function preparePodForUpdate(pod: KubeObject, old: KubeObject): void {
  pod.status = old.status;
  const spec: any = pod.spec ?? {};
  const oldSpec: any = old.spec ?? {};
  // The Priority plugin keeps what it computed at creation.
  if (oldSpec.priority !== undefined && oldSpec.priority !== null) spec.priority = oldSpec.priority;
  if (oldSpec.preemptionPolicy !== undefined && oldSpec.preemptionPolicy !== null) spec.preemptionPolicy = oldSpec.preemptionPolicy;
  addDefaultTolerations(spec);
}

/**
 * Grace period a DELETE of this pod gets: the request's, else the pod's own; 0 for unscheduled or finished pods,
 * and never negative (negative means 1).
 */
export function podDeleteGracePeriod(pod: KubeObject, requested?: number | null): number {
  const spec: any = pod.spec ?? {};
  const status: any = pod.status ?? {};
  let period = typeof requested === 'number' ? requested : typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 0;
  if (!spec.nodeName) period = 0;
  if (status.phase === 'Failed' || status.phase === 'Succeeded') period = 0;
  if (period < 0) period = 1;
  return period;
}

function readinessGatesCell(pod: any): string {
  const gates: any[] = Array.isArray(pod.spec?.readinessGates) ? pod.spec.readinessGates : [];
  if (gates.length === 0) return '<none>';
  const conds: any[] = Array.isArray(pod.status?.conditions) ? pod.status.conditions : [];
  const trueCount = gates.filter((g) => conds.find((c) => c?.type === g?.conditionType)?.status === 'True').length;
  return `${trueCount}/${gates.length}`;
}

export const podDescriptor: ResourceDescriptor = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  listKind: 'PodList',
  plural: 'pods',
  singular: 'pod',
  shortNames: ['po'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  subresources: [
    STATUS_SUBRESOURCE,
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
    { name: 'log', verbs: ['get'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    { name: 'proxy', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  ],
  schemaType: 'io.k8s.api.core.v1.Pod',
  defaults: defaultPod,
  validate: validatePodCreate,
  validateUpdate: validatePodUpdate,
  prepareForCreate: preparePodForCreate,
  prepareForUpdate: preparePodForUpdate,
  hasStatus: true,
  prepareForStatusUpdate(obj, old) {
    // The QoS class is fixed at creation; old kubelets dropped it from their status writes.
    const status: any = obj.status;
    if (status && typeof status === 'object' && !status.qosClass && (old.status as any)?.qosClass) status.qosClass = (old.status as any).qosClass;
  },
  defaultPropagation: 'Background',
  fieldLabels: {
    'spec.nodeName': (o) => String((o.spec as any)?.nodeName ?? ''),
    'spec.restartPolicy': (o) => String((o.spec as any)?.restartPolicy ?? ''),
    'spec.schedulerName': (o) => String((o.spec as any)?.schedulerName ?? ''),
    'spec.serviceAccountName': (o) => String((o.spec as any)?.serviceAccountName ?? ''),
    'spec.hostNetwork': (o) => ((o.spec as any)?.hostNetwork === true ? 'true' : 'false'),
    'status.phase': (o) => String((o.status as any)?.phase ?? ''),
    'status.podIP': (o) => String((o.status as any)?.podIPs?.[0]?.ip ?? ''),
    'status.nominatedNodeName': (o) => String((o.status as any)?.nominatedNodeName ?? ''),
  },
  table: {
    columns: [
      nameColumn,
      col('Ready'),
      col('Status'),
      col('Restarts'),
      col('Age'),
      col('IP', 'string', 1),
      col('Node', 'string', 1),
      col('Nominated Node', 'string', 1),
      col('Readiness Gates', 'string', 1),
    ],
    cells(obj, now) {
      const pod: any = obj;
      const cells = podStatusCells(pod, now);
      return [
        pod.metadata?.name ?? '',
        cells.ready,
        cells.status,
        cells.restarts,
        age(pod.metadata?.creationTimestamp, now),
        pod.status?.podIPs?.[0]?.ip || '<none>',
        pod.spec?.nodeName || '<none>',
        pod.status?.nominatedNodeName || '<none>',
        readinessGatesCell(pod),
      ];
    },
  },
};
