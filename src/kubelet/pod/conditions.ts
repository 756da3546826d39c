// The pod conditions the kubelet owns, regenerated on every status write, in the order it appends them:
// PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled. Conditions written by others
// (readiness gates, DisruptionTarget) are carried over and placed first.
import type { ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { goStringSlice } from '../go-format.js';
import { anyRegularContainerStarted, type PodPhase } from './phase.js';

export const KUBELET_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers']);

type Draft = { type: string; status: 'True' | 'False'; reason?: string; message?: string };

function statusOf(statuses: readonly ContainerStatus[], name: string): ContainerStatus | undefined {
  return statuses.find((s) => s.name === name);
}

function unreadyMessage(unknown: string[], other: string[], otherWord: string): string {
  const parts: string[] = [];
  if (unknown.length) parts.push(`containers with unknown status: ${goStringSlice(unknown)}`);
  if (other.length) parts.push(`containers with ${otherWord} status: ${goStringSlice(other)}`);
  return parts.join(', ');
}

function terminalReason(phase: PodPhase): string {
  return phase === 'Failed' ? 'PodFailed' : 'PodCompleted';
}

export function containersReadyCondition(pod: Pod, statuses: readonly ContainerStatus[], phase: PodPhase): Draft {
  const unknown: string[] = [];
  const unready: string[] = [];
  const check = (name: string) => {
    const s = statusOf(statuses, name);
    if (!s) unknown.push(name);
    else if (!s.ready) unready.push(name);
  };
  for (const c of pod.spec?.initContainers ?? []) if (c.restartPolicy === 'Always') check(c.name);
  for (const c of pod.spec?.containers ?? []) check(c.name);
  if ((phase === 'Succeeded' && unknown.length === 0) || phase === 'Failed') {
    return { type: 'ContainersReady', status: 'False', reason: terminalReason(phase) };
  }
  const message = unreadyMessage(unknown, unready, 'unready');
  if (message) return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message };
  return { type: 'ContainersReady', status: 'True' };
}

export function readyCondition(pod: Pod, conditions: readonly PodCondition[], statuses: readonly ContainerStatus[], phase: PodPhase): Draft {
  const containersReady = containersReadyCondition(pod, statuses, phase);
  if (containersReady.status !== 'True') {
    const d: Draft = { type: 'Ready', status: containersReady.status };
    if (containersReady.reason) d.reason = containersReady.reason;
    if (containersReady.message) d.message = containersReady.message;
    return d;
  }
  const gates: string[] = [];
  for (const g of pod.spec?.readinessGates ?? []) {
    const c = conditions.find((x) => x.type === g.conditionType);
    if (!c) gates.push(`corresponding condition of pod readiness gate ${JSON.stringify(g.conditionType)} does not exist.`);
    else if (c.status !== 'True') gates.push(`the status of pod readiness gate ${JSON.stringify(g.conditionType)} is not "True", but ${c.status}`);
  }
  if (gates.length) return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: gates.join(', ') };
  return { type: 'Ready', status: 'True' };
}

export function initializedCondition(pod: Pod, statuses: readonly ContainerStatus[], phase: PodPhase): Draft {
  const inits = pod.spec?.initContainers ?? [];
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of inits) {
    const s = statusOf(statuses, c.name);
    if (!s) {
      unknown.push(c.name);
      continue;
    }
    const done = c.restartPolicy === 'Always' ? s.started === true : s.ready === true;
    if (!done) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  if (anyRegularContainerStarted(pod, statuses)) return { type: 'Initialized', status: 'True' };
  const message = unreadyMessage(unknown, incomplete, 'incomplete');
  if (message) return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message };
  return { type: 'Initialized', status: 'True' };
}

/** Stamps a drafted condition: lastTransitionTime carries over while the status stays the same. */
export function stampCondition(d: Draft, previous: readonly PodCondition[] | undefined, nowText: string): PodCondition {
  const old = previous?.find((c) => c.type === d.type);
  const c: PodCondition = {
    type: d.type,
    status: d.status,
    lastProbeTime: null as unknown as string,
    lastTransitionTime: old && old.status === d.status && old.lastTransitionTime ? old.lastTransitionTime : nowText,
  };
  if (d.reason) c.reason = d.reason;
  if (d.message) c.message = d.message;
  return c;
}

export interface ConditionInput {
  pod: Pod;
  statuses: readonly ContainerStatus[];
  phase: PodPhase;
  sandboxReady: boolean;
  /** Conditions of the last status (ours, or the API's) for transition times. */
  previous: readonly PodCondition[] | undefined;
  nowText: string;
}

export function podConditions(input: ConditionInput): PodCondition[] {
  const { pod, statuses, phase, previous, nowText } = input;
  const out: PodCondition[] = [];
  for (const c of pod.status?.conditions ?? []) if (!KUBELET_CONDITIONS.has(c.type)) out.push(c);
  const drafts: Draft[] = [
    { type: 'PodReadyToStartContainers', status: input.sandboxReady ? 'True' : 'False' },
    initializedCondition(pod, statuses, phase),
  ];
  drafts.push(readyCondition(pod, out, statuses, phase));
  drafts.push(containersReadyCondition(pod, statuses, phase));
  drafts.push({ type: 'PodScheduled', status: 'True' });
  for (const d of drafts) out.push(stampCondition(d, previous, nowText));
  return out;
}
