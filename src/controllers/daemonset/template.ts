// The pod a DaemonSet creates for one node. The controller never sets nodeName: it pins the pod with a
// `metadata.name` matchFields node affinity and leaves binding to the scheduler, so preemption, resources and
// ports are judged in one place.
import type { Affinity, PodSpec } from 'kubernetes-types/core/v1.js';
import { clone } from '../../api/meta.js';
import type { KubeObject } from '../../api/types.js';
import type { PodTemplate } from '../runtime/pod-control.js';
import { daemonTolerations } from './eligibility.js';
import { dsSpec, GENERATION_LABEL, HASH_LABEL } from './types.js';

/** The template with the daemon tolerations and the revision labels, not yet tied to a node. */
export function daemonPodTemplate(ds: KubeObject, generation: number | undefined, hash: string): PodTemplate {
  const tpl = clone(dsSpec(ds).template ?? {});
  const spec = (tpl.spec ?? { containers: [] }) as PodSpec;
  spec.tolerations = daemonTolerations(spec.tolerations, !!spec.hostNetwork);
  const labels = { ...(tpl.metadata?.labels ?? {}) };
  if (generation !== undefined) labels[GENERATION_LABEL] = String(generation);
  if (hash) labels[HASH_LABEL] = hash;
  return { metadata: { ...(tpl.metadata ?? {}), labels } as PodTemplate['metadata'], spec };
}

/** Replaces the required node affinity with a single term naming the node; preferred terms stay. The user's
 * own required terms were already checked when the node was found eligible. */
export function pinToNode(affinity: Affinity | undefined, node: string): Affinity {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] };
  const a: Affinity = clone(affinity ?? {});
  a.nodeAffinity = { ...(a.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } };
  return a;
}

export function templateForNode(base: PodTemplate, node: string): PodTemplate {
  const spec = { ...(base.spec as PodSpec) };
  spec.affinity = pinToNode(spec.affinity, node);
  return { ...base, spec };
}

/** The node a daemon pod is on or meant for: its nodeName, else the node its pinning affinity names. */
export function targetNode(pod: KubeObject): string | undefined {
  const spec = pod.spec as PodSpec | undefined;
  if (spec?.nodeName) return spec.nodeName;
  for (const t of spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of t.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}
