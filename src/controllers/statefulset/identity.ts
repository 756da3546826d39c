// What makes a StatefulSet pod itself: its name `<set>-<ordinal>`, the labels naming it, a hostname and
// subdomain for DNS, and one claim per volumeClaimTemplate called `<template>-<set>-<ordinal>`. These never
// depend on the revision, so a pod recreated from any revision keeps the same network identity and data.
import type { PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { clone } from '../../api/meta.js';
import type { KubeObject } from '../../api/types.js';
import { podFromTemplate, type PodTemplate } from '../runtime/pod-control.js';
import { POD_INDEX_LABEL, POD_NAME_LABEL, REVISION_LABEL, setSpec } from './types.js';

export function podName(set: KubeObject, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** The ordinal in a pod name `<set>-<n>`, or -1 when the name is not of that form. */
export function ordinalOf(pod: KubeObject, setName?: string): number {
  const name = pod.metadata.name ?? '';
  const m = /^(.*)-(\d+)$/.exec(name);
  if (!m || (setName !== undefined && m[1] !== setName)) return -1;
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? n : -1;
}

/** Only pods named after the set are its members; a matching label alone is not enough. */
export function isMemberOf(set: KubeObject, pod: KubeObject): boolean {
  return ordinalOf(pod, set.metadata.name) >= 0;
}

export function claimName(set: KubeObject, template: PersistentVolumeClaim, ordinal: number): string {
  return `${template.metadata?.name ?? ''}-${set.metadata.name}-${ordinal}`;
}

/** The claims the pod at `ordinal` mounts, keyed by the volume name they fill, in template order. */
export function claimsFor(set: KubeObject, ordinal: number): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  const matchLabels = setSpec(set).selector?.matchLabels ?? {};
  for (const t of setSpec(set).volumeClaimTemplates ?? []) {
    const meta = clone(t.metadata ?? {});
    const claim: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { ...meta, name: claimName(set, t, ordinal), namespace: set.metadata.namespace ?? '', labels: { ...(meta.labels ?? {}), ...matchLabels } },
      spec: clone(t.spec ?? {}),
    };
    delete claim.metadata.resourceVersion;
    delete claim.metadata.uid;
    delete claim.metadata.creationTimestamp;
    out.set(t.metadata?.name ?? '', claim);
  }
  return out;
}

/** Claim volumes first (replacing same-named template volumes), then the template's other volumes. */
function withStorage(set: KubeObject, ordinal: number, volumes: Volume[] | undefined): Volume[] {
  const claims = claimsFor(set, ordinal);
  const out: Volume[] = [];
  for (const [name, claim] of claims) out.push({ name, persistentVolumeClaim: { claimName: claim.metadata.name ?? '' } });
  for (const v of volumes ?? []) if (!claims.has(v.name)) out.push(v);
  return out;
}

export function newPod(set: KubeObject, ordinal: number, template: PodTemplate | undefined, revisionName: string, ref: OwnerReference): KubeObject {
  const pod = podFromTemplate(template, set, ref);
  const name = podName(set, ordinal);
  delete pod.metadata.generateName;
  pod.metadata.name = name;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_LABEL]: revisionName };
  const spec = pod.spec as NonNullable<Pod['spec']>;
  spec.hostname = name;
  const svc = setSpec(set).serviceName;
  if (svc) spec.subdomain = svc;
  if ((setSpec(set).volumeClaimTemplates ?? []).length) spec.volumes = withStorage(set, ordinal, spec.volumes);
  return pod;
}

/** The pod still carries its name label (a user may have edited labels away). */
export function identityMatches(set: KubeObject, pod: KubeObject, ordinal: number): boolean {
  const labels = pod.metadata.labels ?? {};
  return pod.metadata.name === podName(set, ordinal) && labels[POD_NAME_LABEL] === pod.metadata.name && labels[POD_INDEX_LABEL] === String(ordinal);
}

/** Every claim volume is present and points at the claim for this ordinal. */
export function storageMatches(set: KubeObject, pod: KubeObject, ordinal: number): boolean {
  const volumes = (pod.spec as Pod['spec'])?.volumes ?? [];
  for (const [name, claim] of claimsFor(set, ordinal)) {
    const v = volumes.find((x) => x.name === name);
    if (v?.persistentVolumeClaim?.claimName !== claim.metadata.name) return false;
  }
  return true;
}

/** A copy of the pod with its identity labels restored; only metadata may change on a running pod. */
export function withIdentity(pod: KubeObject, ordinal: number): KubeObject {
  const out = clone(pod);
  out.metadata.labels = { ...(out.metadata.labels ?? {}), [POD_NAME_LABEL]: out.metadata.name ?? '', [POD_INDEX_LABEL]: String(ordinal) };
  return out;
}

export function revisionLabel(pod: KubeObject): string {
  return pod.metadata.labels?.[REVISION_LABEL] ?? '';
}
