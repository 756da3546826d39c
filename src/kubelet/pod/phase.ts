// A pod's phase from its container statuses, as the kubelet decides it (see B2 of the lifecycle reference):
// waiting containers keep it Pending, one running container makes it Running, and once everything stopped the
// restart policy (or a termination in progress) decides between Running, Succeeded and Failed.
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export function isTerminalPhase(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

function statusOf(statuses: readonly ContainerStatus[], name: string): ContainerStatus | undefined {
  return statuses.find((s) => s.name === name);
}

export function anyRegularContainerStarted(pod: Pod, statuses: readonly ContainerStatus[]): boolean {
  return (pod.spec?.containers ?? []).some((c) => {
    const s = statusOf(statuses, c.name);
    return !!s && (!!s.state?.running || !!s.state?.terminated || !!s.lastState?.terminated);
  });
}

export function podPhase(pod: Pod, statuses: readonly ContainerStatus[], podIsTerminal: boolean): PodPhase {
  const spec = pod.spec;
  const restartPolicy = spec?.restartPolicy ?? 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;

  for (const c of spec?.initContainers ?? []) {
    const s = statusOf(statuses, c.name);
    const sidecar = c.restartPolicy === 'Always';
    if (!s) {
      if (sidecar) unknown++;
      else pendingInit++;
      continue;
    }
    if (sidecar) {
      // Sidecars hold the pod in initialization until started; their exits never decide the phase.
      if (s.state?.running) {
        if (!s.started) pendingInit++;
        running++;
      } else if (s.state?.waiting && !s.lastState?.terminated) {
        pendingInit++;
        waiting++;
      } else if (!s.state?.terminated && !s.state?.waiting) {
        pendingInit++;
        unknown++;
      }
      continue;
    }
    if (s.state?.running) pendingInit++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++;
      } else pendingInit++;
    } else pendingInit++;
  }

  for (const c of spec?.containers ?? []) {
    const s = statusOf(statuses, c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }

  if (failedInit > 0 && restartPolicy === 'Never') return 'Failed';
  if ((pendingInit > 0 && !anyRegularContainerStarted(pod, statuses)) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}
