// Which nodes a DaemonSet belongs on. The decision simulates the pod the controller would create there (its
// template plus the tolerations every daemon pod gets) and checks only what pins a pod to a node: nodeName,
// nodeSelector and required node affinity, and taints. Resources and ports are the scheduler's business, so
// a full node still counts as one that should run the daemon.
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/types.js';
import { nodeMatchesPod } from '../../kubelet/node/admission.js';
import { tolerates } from '../../scheduler/affinity.js';
import { dsSpec } from './types.js';

export interface Placement {
  /** A new daemon pod should be created here. */
  shouldRun: boolean;
  /** A daemon pod already here may stay (false evicts it). */
  shouldContinueRunning: boolean;
}

// Daemons are infrastructure: they must survive node trouble that would push ordinary pods away, so they
// tolerate the condition taints forever (no tolerationSeconds) and ignore cordoning.
const ALWAYS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];
// Only host-network pods can run before the node's pod network is up.
const HOST_NETWORK: Toleration = { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' };

function sameToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');
}

/** The template's tolerations with the daemon ones added; a user toleration identical but for its seconds is
 * replaced, so a daemon is never evicted for a condition taint. */
export function daemonTolerations(existing: readonly Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(existing ?? [])];
  for (const t of hostNetwork ? [...ALWAYS, HOST_NETWORK] : ALWAYS) {
    const i = out.findIndex((x) => sameToleration(x, t));
    if (i < 0) out.push({ ...t });
    else if (out[i]!.tolerationSeconds !== undefined) out[i] = { ...t };
  }
  return out;
}

// The simulated pod depends only on the template, so it is cached per (frozen) DaemonSet object.
const simulated = new WeakMap<object, Pod>();

function simulatedPod(ds: KubeObject): Pod {
  let pod = simulated.get(ds);
  if (!pod) {
    const spec = dsSpec(ds).template?.spec;
    pod = { spec: { ...(spec ?? { containers: [] }), tolerations: daemonTolerations(spec?.tolerations, !!spec?.hostNetwork) } };
    simulated.set(ds, pod);
  }
  return pod;
}

function untolerated(taints: readonly Taint[], tolerations: readonly Toleration[], effects: readonly string[]): boolean {
  return taints.some((taint) => effects.includes(taint.effect) && !tolerations.some((t) => tolerates(t as never, taint as never)));
}

export function placement(node: KubeObject, ds: KubeObject): Placement {
  const n = node as unknown as Node;
  const name = n.metadata?.name ?? '';
  const pod = simulatedPod(ds);
  const pinned = pod.spec?.nodeName;
  if (pinned && pinned !== name) return { shouldRun: false, shouldContinueRunning: false };
  if (!nodeMatchesPod(pod, n)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = n.spec?.taints ?? [];
  const tolerations = pod.spec?.tolerations ?? [];
  if (!untolerated(taints, tolerations, ['NoSchedule', 'NoExecute'])) return { shouldRun: true, shouldContinueRunning: true };
  return { shouldRun: false, shouldContinueRunning: !untolerated(taints, tolerations, ['NoExecute']) };
}

/** Why a node does not take the daemon, in a learner's words (undefined when it does). */
export function placementReason(node: KubeObject, ds: KubeObject): string | undefined {
  const n = node as unknown as Node;
  const name = n.metadata?.name ?? '';
  const pod = simulatedPod(ds);
  const pinned = pod.spec?.nodeName;
  if (pinned && pinned !== name) return `${name}: the template pins nodeName ${pinned}: not eligible`;
  if (!nodeMatchesPod(pod, n)) return `${name}: nodeSelector or node affinity does not match: not eligible`;
  const tolerations = pod.spec?.tolerations ?? [];
  const taint = (n.spec?.taints ?? []).find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerations.some((x) => tolerates(x as never, t as never)));
  if (!taint) return undefined;
  return `${name} untolerated taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}: not eligible`;
}
