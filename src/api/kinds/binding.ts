// The body of POST pods/<name>/binding (kind Binding): its validation, and what the binding does to the pod.
// Not a served kind of its own; the pods/binding handler calls these.
import { clone } from '../meta.js';
import { fieldErr } from '../fielderrors.js';
import type { FieldError, KubeObject } from '../types.js';

export function validateBinding(binding: any): FieldError[] {
  const errs: FieldError[] = [];
  const target = binding?.target ?? {};
  if (target.kind && target.kind !== 'Node') errs.push(fieldErr.notSupported('target.kind', target.kind, ['Node', '<empty>']));
  if (!target.name) errs.push(fieldErr.required('target.name'));
  return errs;
}

export type BindingResult =
  | { ok: true; pod: KubeObject }
  /** The apiserver answers 409 Conflict on `pods/binding` with this text as the cause. */
  | { ok: false; message: string };

/**
 * Assigns a copy of the pod to the binding's node: sets spec.nodeName, merges the binding's annotations into the
 * pod and marks PodScheduled True. `now` is an RFC 3339 timestamp from the server clock.
 */
export function applyBinding(pod: KubeObject, binding: any, now: string): BindingResult {
  const name = pod.metadata.name ?? '';
  if (pod.metadata.deletionTimestamp) return { ok: false, message: `pod ${name} is being deleted, cannot be assigned to a host` };
  const spec: any = pod.spec ?? {};
  if (spec.nodeName) return { ok: false, message: `pod ${name} is already assigned to node ${JSON.stringify(spec.nodeName)}` };
  const out = clone(pod) as KubeObject & { spec: any; status?: any };
  out.spec.nodeName = binding?.target?.name;
  const annotations = binding?.metadata?.annotations;
  if (annotations && typeof annotations === 'object' && Object.keys(annotations).length > 0) {
    out.metadata.annotations = { ...(out.metadata.annotations ?? {}), ...annotations };
  }
  out.status ??= {};
  const conditions: any[] = Array.isArray(out.status.conditions) ? out.status.conditions : [];
  const existing = conditions.find((c) => c?.type === 'PodScheduled');
  if (existing) {
    // The transition time moves only when the status flips, as kube's UpdatePodCondition does.
    if (existing.status !== 'True') existing.lastTransitionTime = now;
    existing.status = 'True';
    delete existing.reason;
    delete existing.message;
    existing.lastProbeTime = null;
  } else {
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
  }
  out.status.conditions = conditions;
  return { ok: true, pod: out };
}
