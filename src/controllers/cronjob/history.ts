// History limits: finished jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit are deleted,
// oldest first, so a CronJob that runs every minute does not pile up jobs and pods forever.
import { jobDescriptor } from '../../api/kinds/job.js';
import type { KubeObject } from '../../api/types.js';
import type { ControllerContext } from '../runtime/controller.js';
import { errorMessage, isNotFound } from '../runtime/claim.js';
import { timeMs } from '../runtime/pods.js';
import { conditionTrue, jobStatus } from '../job/types.js';
import { type CronJobStatus, cronSpec } from './types.js';

/** Oldest first by startTime; jobs that never started count as newest; names break ties. */
function byStartTime(a: KubeObject, b: KubeObject): number {
  const sa = jobStatus(a).startTime;
  const sb = jobStatus(b).startTime;
  if (!sa || !sb) return sa ? -1 : sb ? 1 : (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  return timeMs(sa) - timeMs(sb) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** Deletes a job of the CronJob in the background, with the events kube writes; drops it from `active`. */
export async function deleteJob(cj: KubeObject, job: KubeObject, status: CronJobStatus, ctx: ControllerContext): Promise<boolean> {
  try {
    await ctx.client.delete(jobDescriptor, job.metadata.namespace, job.metadata.name ?? '', { propagationPolicy: 'Background' });
  } catch (err) {
    if (!isNotFound(err)) {
      ctx.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${errorMessage(err)}`);
      return false;
    }
  }
  if (status.active) status.active = status.active.filter((r) => r.uid !== job.metadata.uid);
  ctx.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
  return true;
}

export async function cleanupFinishedJobs(cj: KubeObject, jobs: readonly KubeObject[], status: CronJobStatus, ctx: ControllerContext): Promise<void> {
  const spec = cronSpec(cj);
  const prune = async (limit: number | null | undefined, type: string) => {
    if (limit == null) return;
    const finished = jobs.filter((j) => conditionTrue(j, type)).sort(byStartTime);
    for (const job of finished.slice(0, Math.max(0, finished.length - limit))) await deleteJob(cj, job, status, ctx);
  };
  await prune(spec.successfulJobsHistoryLimit, 'Complete');
  await prune(spec.failedJobsHistoryLimit, 'Failed');
}
