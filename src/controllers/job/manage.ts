// Bringing the number of running pods to what the job wants: create the missing ones (after the failure
// backoff, in slow-start batches, at most 500 a sync) or delete the surplus. Surplus and suspended pods lose
// their tracking finalizer before the delete, so they are not counted as failures.
import type { KubeObject } from '../../api/types.js';
import type { Client } from '../../client/client.js';
import { isNotFound, newControllerRef } from '../runtime/claim.js';
import type { UIDTrackingExpectations } from '../runtime/expectations.js';
import { isNamespaceTerminatingError, type PodControl, SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../runtime/pod-control.js';
import { compareActivePods } from '../runtime/pod-ranking.js';
import { podKey } from '../runtime/pods.js';
import { hasTrackingFinalizer, type JobSpec } from './types.js';
import { indexedGenerateName, indexedTemplate } from './indexed.js';
import { removeTrackingFinalizer, trackedTemplate } from './pods.js';

export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export const JOB_OWNER_KIND = { apiVersion: 'batch/v1', kind: 'Job' };

export interface ManageDeps {
  key: string;
  client: Client;
  podControl: PodControl;
  expectations: UIDTrackingExpectations;
}

/** Pods the job wants running now, given how many succeeded so far. */
export function wantActive(spec: JobSpec, succeeded: number, active: number): number {
  const parallelism = spec.parallelism ?? 1;
  if (spec.completions == null) return succeeded > 0 ? active : parallelism;
  return Math.max(0, Math.min(spec.completions - succeeded, parallelism));
}

/** Deletes `pods`; with `keepFinalizers` false each loses the tracking finalizer first. Returns how many
 * deletes went through, and the first error. */
export async function deletePods(job: KubeObject, pods: readonly KubeObject[], keepFinalizers: boolean, d: ManageDeps): Promise<{ deleted: number; error?: unknown }> {
  if (pods.length === 0) return { deleted: 0 };
  d.expectations.expectDeletions(d.key, pods.map(podKey));
  let deleted = 0;
  let error: unknown;
  await Promise.all(
    pods.map(async (pod) => {
      try {
        if (!keepFinalizers && hasTrackingFinalizer(pod)) await removeTrackingFinalizer(d.client, pod);
        await d.podControl.deletePod(job.metadata.namespace ?? '', pod.metadata.name ?? '', job);
        deleted++;
      } catch (err) {
        d.expectations.deletionObserved(d.key, podKey(pod));
        if (!isNotFound(err)) error ??= err;
      }
    }),
  );
  return error === undefined ? { deleted } : { deleted, error };
}

/** The `count` active pods to delete first: unscheduled, pending, not ready, then the youngest. */
export function surplus(active: readonly KubeObject[], count: number): KubeObject[] {
  if (count >= active.length) return [...active];
  return [...active].sort(compareActivePods).slice(0, count);
}

/** Creates `count` pods, or with `indexes` one pod per listed index, `annotate` adding annotations per index. */
export async function createPods(
  job: KubeObject,
  spec: JobSpec,
  count: number,
  d: ManageDeps,
  indexes?: readonly number[],
  annotate?: (index: number) => Record<string, string>,
): Promise<{ created: number; error?: unknown }> {
  const n = Math.min(indexes ? indexes.length : count, MAX_POD_CREATE_DELETE_PER_SYNC);
  if (n <= 0) return { created: 0 };
  const template = trackedTemplate(spec);
  const ref = newControllerRef(job, JOB_OWNER_KIND);
  const jobName = job.metadata.name ?? '';
  let next = 0;
  d.expectations.expectCreations(d.key, n);
  const { successes, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH_SIZE, async () => {
    const i = indexes?.[next++];
    try {
      if (i === undefined) await d.podControl.createPod(job.metadata.namespace ?? '', template, job, ref);
      else {
        const tpl = indexedTemplate(template, jobName, i);
        if (annotate) tpl.metadata = { ...tpl.metadata, annotations: { ...(tpl.metadata?.annotations ?? {}), ...annotate(i) } };
        await d.podControl.createPod(job.metadata.namespace ?? '', tpl, job, ref, { generateName: indexedGenerateName(jobName, i) });
      }
    } catch (err) {
      if (!isNamespaceTerminatingError(err)) throw err;
    }
  });
  for (let i = successes; i < n; i++) d.expectations.creationObserved(d.key);
  return error === undefined ? { created: successes } : { created: successes, error };
}

