// Taking over a pod that an earlier run of the simulation (or a restarted process) already started: its
// containers are rebuilt from the status that run wrote, so a running pod keeps running with the same container
// IDs, start times and restart counts instead of starting over.
import type { ContainerStateTerminated, ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import type { ImageInfo } from '../images/catalog.js';
import type { ContainerState, Instance } from './container-state.js';
import { isTerminalPhase } from './phase.js';

function timeMs(t: string | undefined | null): number | undefined {
  if (!t) return undefined;
  const v = Date.parse(t);
  return Number.isNaN(v) ? undefined : v;
}

function exited(t: ContainerStateTerminated, attempt: number, image: ImageInfo, fallbackEnd: number): Instance {
  return {
    id: t.containerID ?? '',
    attempt,
    image,
    startedAt: timeMs(t.startedAt) ?? 0,
    finishedAt: timeMs(t.finishedAt) ?? fallbackEnd,
    termination: { exitCode: t.exitCode, reason: t.reason ?? (t.exitCode === 0 ? 'Completed' : 'Error') },
    timers: new Set(),
  };
}

export interface Recovered {
  /** Containers whose process must be started again to keep running. */
  running: ContainerState[];
  /** The sandbox's address, when the pod had one. */
  podIP?: string;
}

/** Fills `containers` from the pod's status; nothing happens for pods no kubelet started or that are finished. */
export function recoverContainers(pod: Pod, containers: readonly ContainerState[], describeImage: (spec: string) => ImageInfo | undefined, now: number): Recovered {
  const status = pod.status;
  const out: Recovered = { running: [] };
  if (!status?.startTime || isTerminalPhase(status.phase)) return out;
  const all: ContainerStatus[] = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  let any = false;
  for (const c of containers) {
    const s = all.find((x) => x.name === c.name);
    if (!s) continue;
    const image = describeImage(c.spec.image ?? '') ?? { fullName: s.image, repository: s.image, tag: '', digest: '', imageID: s.imageID, sizeBytes: 0 };
    const restarts = s.restartCount ?? 0;
    if (s.lastState?.terminated) c.previous = exited(s.lastState.terminated, Math.max(0, restarts - 1), image, 0);
    const running = s.state?.running;
    if (running && s.containerID) {
      c.current = { id: s.containerID, attempt: restarts, image, startedAt: timeMs(running.startedAt) ?? now, timers: new Set() };
      out.running.push(c);
      any = true;
    } else if (s.state?.terminated?.containerID) {
      c.current = exited(s.state.terminated, restarts, image, now);
      any = true;
    }
  }
  const sandboxReady = status.conditions?.some((x) => x.type === 'PodReadyToStartContainers' && x.status === 'True');
  if (status.podIP && (any || sandboxReady)) out.podIP = status.podIP;
  return out;
}
