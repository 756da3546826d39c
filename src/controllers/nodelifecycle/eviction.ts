// Taint-based eviction: pods on a node with NoExecute taints leave at once if some taint is not tolerated,
// after the shortest tolerationSeconds among the tolerations in use otherwise, and never if every such
// toleration is unbounded (what DaemonSet pods carry). The clock starts when the controller first sees the
// pod under the taint.
import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { tolerates } from '../../scheduler/affinity.js';

/** Milliseconds the pod may stay after it came under the taints; 0 = now, undefined = forever. */
export function evictionDelay(taints: readonly Taint[], tolerations: readonly Toleration[]): number | undefined {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (!noExecute.length) return undefined;
  const used: Toleration[] = [];
  for (const taint of noExecute) {
    const matching = tolerations.filter((t) => tolerates(t as never, taint as never));
    if (!matching.length) return 0;
    used.push(...matching);
  }
  let min: number | undefined;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min ?? Infinity, t.tolerationSeconds * 1000);
  }
  return min;
}

export function podTolerations(pod: Pod): Toleration[] {
  return pod.spec?.tolerations ?? [];
}
