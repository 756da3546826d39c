// What the pod stream handlers need: the pod as the API stores it, the node simulation's container directory
// and the clock (for --since).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../clock/clock.js';
import type { ContainerDirectory } from '../../kubelet/runtime/directory.js';
import type { ClusterLookup } from '../../kubelet/runtime/network.js';

export interface PodStreamDeps {
  /** The pod, or throws the API's NotFound error (an ApiError with code 404). */
  getPod(namespace: string, name: string): Pod;
  containers: ContainerDirectory;
  clock: Clock;
  /** Services and pods for services/NAME/proxy (clientLookup(client) will do). */
  cluster?: ClusterLookup;
}

/** The container a request names, or the default one: the annotation kubectl honours, else the first. */
export function pickContainer(pod: Pod, requested: string | null): string {
  if (requested) return requested;
  return pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'] ?? pod.spec?.containers?.[0]?.name ?? '';
}

export function allContainerNames(pod: Pod): string[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c) => c.name);
}
