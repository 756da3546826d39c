// Indexed completion mode: each pod owns one index in [0, completions). The index travels in an annotation
// and a label, the JOB_COMPLETION_INDEX variable and a stable hostname `<job>-<index>`; the job is done
// when every index has a succeeded pod, recorded as an interval list in status.completedIndexes ("0-2,4").
import type { KubeObject } from '../../api/types.js';
import type { PodTemplate } from '../runtime/pod-control.js';
import type { JobSpec } from './types.js';

export const COMPLETION_INDEX_KEY = 'batch.kubernetes.io/job-completion-index';

export function isIndexed(spec: JobSpec): boolean {
  return spec.completionMode === 'Indexed';
}

/** The pod's index, or undefined when it has none (or a malformed one). */
export function podIndex(pod: KubeObject): number | undefined {
  const raw = pod.metadata.annotations?.[COMPLETION_INDEX_KEY] ?? pod.metadata.labels?.[COMPLETION_INDEX_KEY];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** "0-2,4" to {0,1,2,4}; anything unparsable or out of range is ignored. */
export function parseIntervals(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let i = lo; i <= Math.min(hi, completions - 1); i++) out.add(i);
  }
  return out;
}

export function formatIntervals(set: ReadonlySet<number>): string {
  const sorted = [...set].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    // kube writes a run of exactly two as "a,b" and only longer runs as "a-b".
    const sep = j === i + 1 ? ',' : '-';
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}${sep}${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The lowest `count` indexes that neither succeeded nor have a running pod, nor are in `alsoTaken`
 * (failed indexes, and indexes whose pod is still terminating when only failed pods are replaced). */
export function pendingIndexes(completions: number, done: ReadonlySet<number>, active: readonly KubeObject[], count: number, alsoTaken: Iterable<number> = []): number[] {
  const taken = new Set<number | undefined>([...active.map(podIndex), ...alsoTaken]);
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!done.has(i) && !taken.has(i)) out.push(i);
  return out;
}

/** Active pods that should go first: no valid index, an index out of range or already done, or a second pod
 * for an index. */
export function redundantPods(active: readonly KubeObject[], completions: number, done: ReadonlySet<number>): KubeObject[] {
  const seen = new Set<number>();
  const out: KubeObject[] = [];
  for (const pod of active) {
    const i = podIndex(pod);
    if (i === undefined || i >= completions || done.has(i) || seen.has(i)) out.push(pod);
    else seen.add(i);
  }
  return out;
}

/** The template for index `i`. */
export function indexedTemplate(base: PodTemplate, jobName: string, i: number): PodTemplate {
  const metadata = { ...(base.metadata ?? {}) };
  metadata.annotations = { ...(metadata.annotations ?? {}), [COMPLETION_INDEX_KEY]: String(i) };
  metadata.labels = { ...(metadata.labels ?? {}), [COMPLETION_INDEX_KEY]: String(i) };
  const spec = { ...((base.spec ?? {}) as Record<string, unknown>) };
  spec.hostname = `${jobName}-${i}`;
  // With PodIndexLabel on (the default) the variable reads the label; a container that already defines
  // JOB_COMPLETION_INDEX keeps its own definition.
  const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${COMPLETION_INDEX_KEY}']` } } };
  const withEnv = (cs: unknown) =>
    Array.isArray(cs)
      ? cs.map((c: { env?: unknown[] }) => ((c.env ?? []).some((e) => (e as { name?: string }).name === env.name) ? c : { ...c, env: [...(c.env ?? []), env] }))
      : cs;
  spec.containers = withEnv(spec.containers);
  if (spec.initContainers) spec.initContainers = withEnv(spec.initContainers);
  return { metadata, spec };
}

/** `<job>-<index>-`, with the job part cut so the suffix survives the 58-character prefix limit. */
export function indexedGenerateName(jobName: string, i: number): string {
  const suffix = `-${i}-`;
  return `${jobName.slice(0, Math.max(0, 58 - suffix.length))}${suffix}`;
}
