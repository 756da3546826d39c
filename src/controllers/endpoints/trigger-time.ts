// The last-change-trigger-time annotation tells a watcher (kube-proxy's latency metric in Kubernetes) when the
// change that led to this write happened. It is the earliest change time among the pods whose state moved
// since the previous sync of the service, or the service's creation on its first sync; with nothing new it
// is absent, so a write caused only by a deletion carries none.
import type { KubeObject } from '../../api/types.js';
import { rfc3339 } from '../../clock/clock.js';
import { objectKey } from '../../client/informer.js';
import { podReadyCondition, timeMs } from '../runtime/pods.js';

export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

interface ServiceState {
  serviceTime: number;
  podTimes: Map<string, number>;
}

function podChangeTime(pod: KubeObject): number {
  const ready = podReadyCondition(pod);
  return timeMs(ready?.lastTransitionTime ?? pod.metadata.creationTimestamp);
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /** The trigger time for a sync of `svc` over `pods`, as RFC 3339 text, or undefined; remembers what it saw. */
  compute(svc: KubeObject, pods: readonly KubeObject[]): string | undefined {
    const key = objectKey(svc);
    const prev = this.states.get(key);
    const serviceTime = timeMs(svc.metadata.creationTimestamp);
    const podTimes = new Map<string, number>();
    let min = Number.POSITIVE_INFINITY;
    if (!prev || prev.serviceTime !== serviceTime) min = serviceTime;
    for (const pod of pods) {
      const t = podChangeTime(pod);
      const name = pod.metadata.name ?? '';
      podTimes.set(name, t);
      if (prev?.podTimes.get(name) !== t) min = Math.min(min, t);
    }
    this.states.set(key, { serviceTime, podTimes });
    return Number.isFinite(min) && min > 0 ? rfc3339(min) : undefined;
  }

  forget(serviceKey: string): void {
    this.states.delete(serviceKey);
  }
}
