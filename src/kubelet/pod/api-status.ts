// Turns the simulated runtime's view of a pod into the PodStatus the kubelet writes: container statuses
// (main ones sorted by name, init ones in spec order), the phase, the kubelet's conditions, IPs and times.
import type { ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { podQOSClass } from '../../api/kinds/pod-qos.js';
import { metaTime as rfc3339 } from '../go-format.js';
import { KUBELET_CONDITIONS, podConditions } from './conditions.js';
import type { ContainerState, Instance } from './container-state.js';
import { isTerminalPhase, podPhase, type PodPhase } from './phase.js';

function terminated(inst: Instance): Record<string, unknown> {
  const t = inst.termination;
  const out: Record<string, unknown> = {
    exitCode: t?.exitCode ?? 0,
    reason: t?.reason ?? 'Completed',
  };
  if (t?.message) out.message = t.message;
  out.startedAt = rfc3339(inst.startedAt);
  out.finishedAt = rfc3339(inst.finishedAt ?? inst.startedAt);
  out.containerID = inst.id;
  return { terminated: out };
}

const UNKNOWN_AT_TERMINATION = {
  terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', startedAt: null, finishedAt: null },
};

export interface ContainerStatusOptions {
  /** The default waiting reason: PodInitializing when the pod has init containers. */
  defaultWaiting: 'ContainerCreating' | 'PodInitializing';
  /** The kubelet means to start this container again (so a recorded failure shows as waiting). */
  restartPending: boolean;
  /** The pod is terminated: a container that never ran is reported as lost. */
  reportUnknown: boolean;
}

export function containerStatus(c: ContainerState, opts: ContainerStatusOptions): ContainerStatus {
  const inst = c.current;
  const s: Record<string, unknown> = { name: c.name };
  let state: Record<string, unknown>;
  let lastState: Record<string, unknown> = c.previous?.finishedAt !== undefined ? terminated(c.previous) : {};
  let ready = false;
  let started = false;
  if (!inst) {
    state = opts.reportUnknown ? UNKNOWN_AT_TERMINATION : { waiting: waitingOf(c.waiting, opts.defaultWaiting) };
  } else if (inst.finishedAt === undefined) {
    state = { running: { startedAt: rfc3339(inst.startedAt) } };
    started = inst.started !== false;
    ready = c.role !== 'init' && started && inst.ready !== false;
  } else if (opts.restartPending && c.waiting) {
    state = { waiting: waitingOf(c.waiting, opts.defaultWaiting) };
    lastState = terminated(inst);
  } else {
    state = terminated(inst);
    ready = c.role === 'init' && inst.termination?.exitCode === 0;
  }
  s.state = state;
  s.lastState = lastState;
  s.ready = ready;
  s.restartCount = inst?.attempt ?? c.previous?.attempt ?? 0;
  s.image = inst ? inst.image.fullName : (c.spec.image ?? '');
  s.imageID = inst ? inst.image.imageID : '';
  if (inst) s.containerID = inst.id;
  s.started = started;
  const mounts = c.spec.volumeMounts ?? [];
  if (mounts.length > 0) {
    s.volumeMounts = mounts.map((m) => {
      const v: Record<string, unknown> = { name: m.name, mountPath: m.mountPath };
      if (m.readOnly) {
        v.readOnly = true;
        v.recursiveReadOnly = 'Disabled';
      }
      return v;
    });
  }
  return s as unknown as ContainerStatus;
}

function waitingOf(w: ContainerState['waiting'], fallback: string): Record<string, unknown> {
  const out: Record<string, unknown> = { reason: w?.reason ?? fallback };
  if (w?.message) out.message = w.message;
  return out;
}

export interface PodStatusInput {
  /** The pod as last seen from the API (spec, conditions owned by others, startTime, terminal phase). */
  pod: Pod;
  containers: readonly ContainerState[];
  sandboxReady: boolean;
  hostIP: string;
  podIP?: string;
  /** Termination in progress (deletion, or the pod is finishing): no more restarts, phase may go terminal. */
  terminating: boolean;
  /** Keep reporting the old non-terminal phase until the runtime has cleaned up (status manager rule). */
  holdTerminalPhase: boolean;
  /** Whether a container will be started (again) by the kubelet. */
  restartPending(c: ContainerState): boolean;
  /** Our previous status for this pod, if any (transition times, start time). */
  previous?: PodStatus;
  now: number;
}

export function generatePodStatus(input: PodStatusInput): PodStatus {
  const { pod } = input;
  const hasInit = (pod.spec?.initContainers?.length ?? 0) > 0;
  const defaultWaiting = hasInit ? 'PodInitializing' : 'ContainerCreating';
  const mainStarted = input.containers.some((c) => c.role === 'main' && c.current);
  const initialized = !hasInit || mainStarted;
  const init: ContainerStatus[] = [];
  const main: ContainerStatus[] = [];
  for (const c of input.containers) {
    const reportUnknown = input.terminating && !input.holdTerminalPhase && (c.role === 'main' ? initialized : false) && !c.current;
    const cs = containerStatus(c, { defaultWaiting, restartPending: !input.terminating && input.restartPending(c), reportUnknown });
    (c.role === 'main' ? main : init).push(cs);
  }
  main.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const apiStatus = pod.status ?? {};
  const previous = input.previous;
  let phase: PodPhase = podPhase(pod, [...main, ...init], input.terminating && !input.holdTerminalPhase);
  const apiPhase = apiStatus.phase as PodPhase | undefined;
  if (!isTerminalPhase(phase)) {
    if (isTerminalPhase(previous?.phase)) phase = previous?.phase as PodPhase;
    else if (isTerminalPhase(apiPhase)) phase = apiPhase as PodPhase;
  } else if (input.holdTerminalPhase && !isTerminalPhase(apiPhase)) {
    phase = (previous?.phase ?? apiPhase ?? 'Pending') as PodPhase;
  }
  // A pod the kubelet has finished with always ends in a terminal phase, even one that never got past its
  // init containers.
  if (input.terminating && !input.holdTerminalPhase && !isTerminalPhase(phase)) phase = 'Failed';

  const nowText = rfc3339(input.now);
  const conditions = podConditions({
    pod,
    statuses: [...init, ...main],
    phase,
    sandboxReady: input.sandboxReady,
    previous: (previous?.conditions ?? apiStatus.conditions) as PodCondition[] | undefined,
    nowText,
  });

  const status: Record<string, unknown> = { phase, conditions };
  const keep = previous?.phase === phase ? previous : apiPhase === phase ? apiStatus : undefined;
  if (keep?.reason) status.reason = keep.reason;
  if (keep?.message) status.message = keep.message;
  status.hostIP = input.hostIP;
  status.hostIPs = [{ ip: input.hostIP }];
  const podIP = input.podIP ?? previous?.podIP ?? apiStatus.podIP;
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  }
  status.startTime = previous?.startTime ?? apiStatus.startTime ?? nowText;
  if (init.length > 0) status.initContainerStatuses = init;
  status.containerStatuses = main;
  status.qosClass = apiStatus.qosClass ?? podQOSClass(pod);
  return status as PodStatus;
}

/** What the kubelet writes for a pod it refused to admit: Failed with the reason, nothing about containers. */
export function rejectedPodStatus(pod: Pod, rejection: { reason: string; message: string }, previous: PodStatus | undefined, now: number): PodStatus {
  const api = pod.status ?? {};
  const status: Record<string, unknown> = { phase: 'Failed' };
  const others = (api.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type));
  if (others.length) status.conditions = others;
  status.message = rejection.message;
  status.reason = rejection.reason;
  status.startTime = previous?.startTime ?? api.startTime ?? rfc3339(now);
  if (api.qosClass) status.qosClass = api.qosClass;
  return status as PodStatus;
}

/** The parts of a status the kubelet owns, for noticing that someone else changed them. */
export function kubeletOwnedView(s: PodStatus | undefined): string {
  return JSON.stringify([
    s?.phase,
    s?.podIP,
    s?.containerStatuses,
    s?.initContainerStatuses,
    (s?.conditions ?? []).filter((c) => KUBELET_CONDITIONS.has(c.type)).map((c) => [c.type, c.status, c.reason, c.message]),
  ]);
}
