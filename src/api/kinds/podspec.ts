// Pod spec defaulting and validation shared by Pod, PodTemplate and every workload kind that embeds a pod template.
import type { FieldError } from '../types.js';
import { validateAnnotations, validateLabels } from '../validation/meta.js';

export function defaultPodSpec(spec: any): void {
  if (!spec || typeof spec !== 'object') return;
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
}

export function defaultPodTemplateSpec(tpl: any): void {
  if (!tpl || typeof tpl !== 'object') return;
  tpl.spec ??= {};
  defaultPodSpec(tpl.spec);
}

export function validatePodSpec(spec: any, fld: string): FieldError[] {
  void spec;
  void fld;
  return [];
}

export function validatePodTemplateSpec(tpl: any, fld: string): FieldError[] {
  const m = tpl?.metadata ?? {};
  return [
    ...validateLabels(m.labels, `${fld}.metadata.labels`),
    ...validateAnnotations(m.annotations, `${fld}.metadata.annotations`),
    ...validatePodSpec(tpl?.spec ?? {}, `${fld}.spec`),
  ];
}
