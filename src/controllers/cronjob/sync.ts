// One pass over one CronJob (kube's cronjob_controllerv2 sync): reconcile status.active with the jobs that
// exist, then decide whether a slot is due and start at most one job for the most recent unmet slot,
// honouring suspend, startingDeadlineSeconds and the concurrency policy; finally trim the history.
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.js';
import { cronJobDescriptor } from '../../api/kinds/cronjob.js';
import { jobDescriptor } from '../../api/kinds/job.js';
import { clone } from '../../api/meta.js';
import type { KubeObject } from '../../api/types.js';
import { deepEqualJson } from '../../api/validation/meta.js';
import { rfc3339 } from '../../clock/clock.js';
import type { ControllerContext, ReconcileResult } from '../runtime/controller.js';
import { controllerRefOf, errorMessage, isNotFound, newControllerRef } from '../runtime/claim.js';
import { timeMs } from '../runtime/pods.js';
import { conditionTrue, isJobFinished, jobStatus } from '../job/types.js';
import { cleanupFinishedJobs, deleteJob } from './history.js';
import { mostRecentScheduleTime, parseSchedule, rfc1123z, rfc3339InZone, type Schedule } from './schedule.js';
import { type CronJobStatus, cronSpec, cronStatus, SCHEDULED_TIMESTAMP_ANNOTATION } from './types.js';

const CRONJOB_KIND = { apiVersion: 'batch/v1', kind: 'CronJob' };
/** Wake a little after the slot, so the slot is surely due when we look. */
const NEXT_SLOT_SLACK_MS = 100;

/** Jobs whose controller reference names this CronJob. */
export function jobsOf(cj: KubeObject, ctx: ControllerContext): KubeObject[] {
  return ctx.informers
    .informer(jobDescriptor)
    .byIndex('namespace', cj.metadata.namespace ?? '')
    .filter((j) => {
      const ref = controllerRefOf(j);
      return ref?.kind === 'CronJob' && ref.name === cj.metadata.name;
    });
}

/** `<cronjob>-<minutes since the epoch of the slot>`. */
export function jobNameFor(cj: KubeObject, scheduled: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
}

export function jobFromTemplate(cj: KubeObject, scheduled: number, zone: string): KubeObject {
  const tpl = cronSpec(cj).jobTemplate ?? {};
  const annotations = { ...(tpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339InZone(scheduled, zone) };
  const metadata: KubeObject['metadata'] = { name: jobNameFor(cj, scheduled), annotations, ownerReferences: [newControllerRef(cj, CRONJOB_KIND)] };
  if (tpl.metadata?.labels && Object.keys(tpl.metadata.labels).length) metadata.labels = { ...tpl.metadata.labels };
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: clone(tpl.spec ?? {}) };
}

function refTo(job: KubeObject): ObjectReference {
  return { kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid, apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion };
}

/** Step a of kube's syncCronJob: the active list against the jobs that exist. */
async function reconcileActive(cj: KubeObject, jobs: readonly KubeObject[], status: CronJobStatus, ctx: ControllerContext): Promise<void> {
  let fresh: KubeObject | undefined;
  for (const job of jobs) {
    const inActive = status.active?.some((r) => r.uid === job.metadata.uid) ?? false;
    if (!inActive && !isJobFinished(job)) {
      // Our cache may predate the status write that listed this job: ask the server before complaining.
      fresh ??= await ctx.client.get(cronJobDescriptor, cj.metadata.namespace, cj.metadata.name ?? '').catch(() => cj);
      if (!cronStatus(fresh).active?.some((r) => r.uid === job.metadata.uid)) {
        ctx.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${job.metadata.name}`);
      }
    } else if (inActive && isJobFinished(job)) {
      const outcome = conditionTrue(job, 'Complete') ? 'Complete' : 'Failed';
      status.active = status.active?.filter((r) => r.uid !== job.metadata.uid);
      ctx.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, status: ${outcome}`);
    } else if (conditionTrue(job, 'Complete')) {
      const done = jobStatus(job).completionTime;
      if (done && (!status.lastSuccessfulTime || timeMs(done) > timeMs(status.lastSuccessfulTime))) status.lastSuccessfulTime = done;
    }
  }
  const uids = new Set(jobs.map((j) => j.metadata.uid));
  for (const ref of [...(status.active ?? [])]) {
    if (uids.has(ref.uid)) continue;
    try {
      await ctx.client.get(jobDescriptor, ref.namespace, ref.name ?? '');
    } catch (err) {
      if (!isNotFound(err)) throw err;
      status.active = status.active?.filter((r) => r.uid !== ref.uid);
      ctx.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
    }
  }
}

function untilNext(sched: Schedule, now: number): number | undefined {
  const next = sched.next(now);
  return next === undefined ? undefined : next - now + NEXT_SLOT_SLACK_MS;
}

/** Steps c to j: decides on the slot and starts its job. Returns when to look again. */
async function startDueJob(cj: KubeObject, status: CronJobStatus, ctx: ControllerContext): Promise<number | undefined> {
  const spec = cronSpec(cj);
  if (cj.metadata.deletionTimestamp || spec.suspend) return undefined;
  let sched: Schedule;
  try {
    sched = parseSchedule(spec.schedule ?? '', spec.timeZone);
  } catch (err) {
    if (spec.timeZone) ctx.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(spec.timeZone)}: ${errorMessage(err)}`);
    else ctx.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${errorMessage(err)}`);
    return undefined;
  }
  if (/^(CRON_TZ|TZ)=/.test(spec.schedule ?? '')) {
    ctx.recorder.event(cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule ${JSON.stringify(spec.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
  }
  const now = ctx.clock.now();
  // As in kube (nextScheduleTime), nothing older than startingDeadlineSeconds is even looked at: a slot
  // that is too late is silently dropped, which makes the MissSchedule branch below all but unreachable.
  let earliest = timeMs(status.lastScheduleTime ?? cj.metadata.creationTimestamp);
  if (spec.startingDeadlineSeconds != null) earliest = Math.max(earliest, now - spec.startingDeadlineSeconds * 1000);
  // A schedule that never fires (the 31st of February) is what kube calls less than a second between runs.
  if (sched.next(earliest) === undefined) {
    ctx.recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${spec.schedule} : time difference between two schedules is less than 1 second`);
    return undefined;
  }
  const due = mostRecentScheduleTime(sched, earliest, now);
  if (due.tooMany) {
    ctx.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
  }
  const scheduled = due.scheduled;
  const nextSlot = () => {
    const n = sched.next(now);
    return n === undefined ? 'no next schedule' : `next schedule ${rfc3339(n)}`;
  };
  const decide = (m: string) => ctx.decisions?.record(cj, m);
  if (scheduled === undefined) {
    decide(`nothing due; ${nextSlot()}`);
    return untilNext(sched, now);
  }
  if (spec.startingDeadlineSeconds != null && scheduled + spec.startingDeadlineSeconds * 1000 < now) {
    ctx.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
    decide(`slot ${rfc3339(scheduled)} missed: past startingDeadlineSeconds ${spec.startingDeadlineSeconds}; ${nextSlot()}`);
    return untilNext(sched, now);
  }
  const name = jobNameFor(cj, scheduled);
  if (status.active?.some((r) => r.name === name) || (status.lastScheduleTime && timeMs(status.lastScheduleTime) === scheduled)) return untilNext(sched, now);
  // Forbid leaves the slot unmet: lastScheduleTime stays, every sync until the next slot says
  // JobAlreadyActive again, and once the running job ends the slot is started late (unless
  // startingDeadlineSeconds has dropped it by then).
  if (spec.concurrencyPolicy === 'Forbid' && (status.active?.length ?? 0) > 0) {
    ctx.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    decide(`slot ${rfc3339(scheduled)} skipped: concurrencyPolicy Forbid and ${status.active?.map((r) => r.name).join(', ')} still running; ${nextSlot()}`);
    return untilNext(sched, now);
  }
  if (spec.concurrencyPolicy === 'Replace') {
    // Each active job is read from the server (not the cache); a job that cannot be read or deleted stops
    // the sync, so no new job runs beside one that should have been replaced.
    for (const ref of [...(status.active ?? [])]) {
      let job: KubeObject;
      try {
        job = await ctx.client.get(jobDescriptor, ref.namespace, ref.name ?? '');
      } catch (err) {
        ctx.recorder.event(cj, 'Warning', 'FailedGet', `Get job: ${errorMessage(err)}`);
        throw err;
      }
      if (!(await deleteJob(cj, job, status, ctx))) throw new Error(`could not replace job ${job.metadata.namespace}/${job.metadata.name}`);
    }
  }
  let created: KubeObject;
  try {
    created = await ctx.client.create(jobDescriptor, cj.metadata.namespace, jobFromTemplate(cj, scheduled, sched.zone));
    ctx.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 409)) {
      ctx.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${errorMessage(err)}`);
      throw err;
    }
    // Created by an earlier pass whose status write was lost: take it back if it is ours. Someone
    // else's job of that name, or one already listed, is left alone (kube does not requeue then).
    created = await ctx.client.get(jobDescriptor, cj.metadata.namespace, name);
    if (controllerRefOf(created)?.uid !== cj.metadata.uid) return undefined;
    if (status.active?.some((r) => r.uid === created.metadata.uid)) return undefined;
  }
  (status.active ??= []).push(refTo(created));
  status.lastScheduleTime = rfc3339(scheduled);
  decide(`slot ${rfc3339(scheduled)} due: created Job ${created.metadata.name}${spec.concurrencyPolicy === 'Replace' ? ' (concurrencyPolicy Replace)' : ''}; ${nextSlot()}`);
  return untilNext(sched, now);
}

export async function syncCronJob(cj: KubeObject, ctx: ControllerContext): Promise<ReconcileResult> {
  const jobs = jobsOf(cj, ctx);
  const status = clone(cronStatus(cj));
  await reconcileActive(cj, jobs, status, ctx);
  let requeue: number | undefined;
  let error: unknown;
  try {
    requeue = await startDueJob(cj, status, ctx);
  } catch (err) {
    error = err;
  }
  if (!cj.metadata.deletionTimestamp) await cleanupFinishedJobs(cj, jobs, status, ctx);
  if (status.active?.length === 0) delete status.active;
  if (!deepEqualJson(cronStatus(cj), status)) {
    await ctx.client.update(cronJobDescriptor, cj.metadata.namespace, { ...cj, status }, { subresource: 'status' });
  }
  if (error !== undefined) throw error;
  return requeue === undefined ? undefined : { requeueAfter: requeue };
}
