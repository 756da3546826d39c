// Which containers the kubelet starts next, given what runs and what exited (its computePodActions, without the
// kills): regular init containers one at a time and in order, each sidecar started before the next init step,
// then every main container; exited containers again when the restart policy and the crash backoff allow.
import type { ContainerState } from './container-state.js';
import { hasExited, isRunning } from './container-state.js';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export function shouldRestart(c: ContainerState, policy: RestartPolicy): boolean {
  if (!hasExited(c)) return false;
  if (c.role === 'sidecar') return true;
  // The kubelet starts a container it killed for a failed probe again in the same sync, whatever it exited with.
  if (c.current?.probeKilled) return policy !== 'Never';
  const code = c.current?.termination?.exitCode ?? 0;
  if (c.role === 'init') return code !== 0 && policy !== 'Never';
  return policy === 'Always' || (policy === 'OnFailure' && code !== 0);
}

/** Every regular container finished for good: the pod winds down (sidecars included). */
export function mainContainersDone(containers: readonly ContainerState[], policy: RestartPolicy): boolean {
  const mains = containers.filter((c) => c.role === 'main');
  return mains.length > 0 && mains.every((c) => hasExited(c) && !shouldRestart(c, policy));
}

/** `mayRestart` is the crash-loop gate; it is consulted only for containers the policy would restart. */
export function containersToStart(containers: readonly ContainerState[], policy: RestartPolicy, mayRestart: (c: ContainerState) => boolean): ContainerState[] {
  const starts: ContainerState[] = [];
  const mainStarted = containers.some((c) => c.role === 'main' && c.current);
  if (!mainStarted) {
    for (const c of containers) {
      if (c.role === 'main') break;
      if (c.role === 'sidecar') {
        if (isRunning(c)) continue;
        if (!c.current || mayRestart(c)) starts.push(c);
        return starts;
      }
      if (isRunning(c)) return starts;
      if (hasExited(c)) {
        if (c.current?.termination?.exitCode === 0) continue;
        if (shouldRestart(c, policy) && mayRestart(c)) starts.push(c);
        return starts;
      }
      starts.push(c);
      return starts;
    }
  }
  for (const c of containers) {
    if (c.role === 'init') continue;
    if (!c.current) starts.push(c);
    else if (hasExited(c) && shouldRestart(c, policy) && mayRestart(c)) starts.push(c);
  }
  return starts;
}
