// The two kinds one implementation serves. Kubernetes treats a ReplicationController as an older spelling
// of a ReplicaSet (a map selector instead of a LabelSelector, core/v1 instead of apps/v1); everything else
// (pods, expectations, status, events) is shared, so the differences live here.
import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import type { ResourceDescriptor } from '../../api/descriptor.js';
import { replicaSetDescriptor } from '../../api/kinds/replicaset.js';
import { replicationControllerDescriptor } from '../../api/kinds/replicationcontroller.js';
import { type LabelSelector, labelSelectorFromObject, nothing, selectorFromSet } from '../../api/selectors/labels.js';
import type { KubeObject } from '../../api/types.js';
import type { PodTemplate } from '../runtime/pod-control.js';

export interface ReplicaKind {
  /** Component name: event source, metrics, logs. */
  component: string;
  resource: ResourceDescriptor;
  /** The pod selector; throws when the stored selector cannot be compiled. */
  selector(obj: KubeObject): LabelSelector;
}

export interface ReplicaSpec {
  replicas?: number;
  minReadySeconds?: number;
  template?: PodTemplate;
}

export function specOf(obj: KubeObject): ReplicaSpec {
  return (obj.spec ?? {}) as ReplicaSpec;
}

/** Desired replicas: the API server defaults an absent count to 1. */
export function desiredReplicas(obj: KubeObject): number {
  return specOf(obj).replicas ?? 1;
}

// Informer objects are frozen and replaced on change, so a compiled selector can hang off the stored one.
const compiled = new WeakMap<object, LabelSelector>();

function cached(key: object | undefined, build: () => LabelSelector): LabelSelector {
  if (!key) return build();
  let s = compiled.get(key);
  if (!s) compiled.set(key, (s = build()));
  return s;
}

export const replicaSetKind: ReplicaKind = {
  component: 'replicaset-controller',
  resource: replicaSetDescriptor,
  selector(obj) {
    const sel = (obj.spec as { selector?: LabelSelectorObject | null } | undefined)?.selector;
    return cached(sel ?? undefined, () => labelSelectorFromObject(sel));
  },
};

export const replicationControllerKind: ReplicaKind = {
  component: 'replication-controller',
  resource: replicationControllerDescriptor,
  selector(obj) {
    const sel = (obj.spec as { selector?: Record<string, string> | null } | undefined)?.selector;
    // A missing map converts to a nil LabelSelector, which selects nothing; a present one selects by equality.
    if (!sel) return nothing;
    return cached(sel, () => selectorFromSet(sel));
  },
};
