// One pass over one Job (kube's syncJob): claim pods, count what finished, decide whether the job has
// succeeded or failed, create or delete pods otherwise, then record the finished pods in two steps (uid into
// uncountedTerminatedPods, finalizer off, uid into the counts) and finally the Complete/Failed condition.
import { jobDescriptor } from '../../api/kinds/job.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { clone } from '../../api/meta.js';
import { labelSelectorFromObject } from '../../api/selectors/labels.js';
import type { KubeObject } from '../../api/types.js';
import { deepEqualJson } from '../../api/validation/meta.js';
import { rfc3339 } from '../../clock/clock.js';
import type { ControllerContext, ReconcileResult } from '../runtime/controller.js';
import { ControllerRefManager } from '../runtime/claim.js';
import type { UIDTrackingExpectations } from '../runtime/expectations.js';
import { PodControl } from '../runtime/pod-control.js';
import { timeMs } from '../runtime/pods.js';
import { type BackoffRecord, nextBackoffRecord } from './backoff.js';
import { finalTypeOf, MSG_BACKOFF_LIMIT, MSG_COMPLETIONS_REACHED, MSG_DEADLINE, type Outcome, REASON_BACKOFF_LIMIT, REASON_COMPLETIONS_REACHED, REASON_DEADLINE, recordedOutcome, setCondition } from './conditions.js';
import { countPods, pastBackoffLimitOnFailure } from './counting.js';
import { matchFailurePolicy } from './failure-policy.js';
import { formatIntervals, isIndexed, parseIntervals, podIndex } from './indexed.js';
import { deletePods, type ManageDeps } from './manage.js';
import { manageJob } from './manage-job.js';
import { removeTrackingFinalizer } from './pods.js';
import { hasTrackingFinalizer, isJobFinished, JOB_TRACKING_FINALIZER, type JobSpec, type JobStatus, jobSpec, jobStatus, managedElsewhere } from './types.js';

/** What the controller remembers between syncs (all rebuilt harmlessly after a restart). */
export interface JobMemory {
  expectations: UIDTrackingExpectations;
  /** Per job key: pods whose finalizer we removed but whose update the informer has not shown yet. */
  pendingRemovals: Map<string, Set<string>>;
  backoff: Map<string, BackoffRecord>;
}

function deadlineLeft(spec: JobSpec, status: JobStatus, now: number): number | undefined {
  if (spec.activeDeadlineSeconds == null || spec.suspend || !status.startTime) return undefined;
  return timeMs(status.startTime) + spec.activeDeadlineSeconds * 1000 - now;
}

function failureOutcome(spec: JobSpec, status: JobStatus, failed: number, pods: readonly KubeObject[], now: number): Outcome | undefined {
  if (failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(spec, pods)) {
    return { type: 'FailureTarget', reason: REASON_BACKOFF_LIMIT, message: MSG_BACKOFF_LIMIT };
  }
  const left = deadlineLeft(spec, status, now);
  if (left !== undefined && left <= 0) return { type: 'FailureTarget', reason: REASON_DEADLINE, message: MSG_DEADLINE };
  return undefined;
}

function setCounts(status: JobStatus, counts: { active: number; ready: number; terminating: number }): void {
  for (const [k, v] of [['active', counts.active]] as const) {
    if (v) status[k] = v;
    else delete status[k];
  }
  status.ready = counts.ready;
  status.terminating = counts.terminating;
}

function setUncounted(status: JobStatus, succeeded: string[], failed: string[]): void {
  const u: { succeeded?: string[]; failed?: string[] } = {};
  if (succeeded.length) u.succeeded = succeeded;
  if (failed.length) u.failed = failed;
  status.uncountedTerminatedPods = u;
}

function addCount(status: JobStatus, field: 'succeeded' | 'failed', n: number): void {
  const v = (status[field] ?? 0) + n;
  if (v) status[field] = v;
  else delete status[field];
}

export async function syncJob(key: string, job: KubeObject, ctx: ControllerContext, mem: JobMemory): Promise<ReconcileResult> {
  if (isJobFinished(job) || managedElsewhere(job)) return undefined;
  const spec = jobSpec(job);
  const now = ctx.clock.now();
  const namespace = job.metadata.namespace ?? '';
  const satisfied = mem.expectations.satisfied(key);
  let selector;
  try {
    selector = labelSelectorFromObject(spec.selector as never);
  } catch (err) {
    ctx.log(`${key}: cannot use selector: ${(err as Error).message}`);
    return undefined;
  }
  const refs = new ControllerRefManager({ client: ctx.client, owner: job, ownerResource: jobDescriptor, selector, finalizers: [JOB_TRACKING_FINALIZER] });
  const pods = await refs.claim(ctx.informers.informer(podDescriptor).byIndex('namespace', namespace), podDescriptor);
  const pending = mem.pendingRemovals.get(key) ?? new Set<string>();
  mem.pendingRemovals.set(key, pending);

  const status = clone(jobStatus(job));
  const counts = countPods(pods, spec, status, pending);
  // podFailurePolicy: Ignore takes a failure off the books, FailJob ends the job at once.
  let policyOutcome: Outcome | undefined;
  const ignored: KubeObject[] = [];
  if (spec.podFailurePolicy) {
    const countedFailures: KubeObject[] = [];
    for (const pod of counts.newFailed) {
      const m = matchFailurePolicy(spec.podFailurePolicy, pod);
      if (m?.action === 'Ignore') ignored.push(pod);
      else countedFailures.push(pod);
      if (m?.action === 'FailJob' && !policyOutcome) policyOutcome = { type: 'FailureTarget', reason: 'PodFailurePolicy', message: m.message };
    }
    counts.newFailed = countedFailures;
  }
  let uncSucceeded = [...(status.uncountedTerminatedPods?.succeeded ?? []), ...counts.newSucceeded.map((p) => p.metadata.uid ?? '')];
  let uncFailed = [...(status.uncountedTerminatedPods?.failed ?? []), ...counts.newFailed.map((p) => p.metadata.uid ?? '')];
  const byUid = new Map(pods.map((p) => [p.metadata.uid ?? '', p]));
  // Indexed jobs count distinct succeeded indexes, not pods.
  const done = isIndexed(spec) && spec.completions != null ? parseIntervals(status.completedIndexes as string | undefined, spec.completions) : undefined;
  const indexOf = (uid: string) => {
    const pod = byUid.get(uid);
    return pod ? podIndex(pod) : undefined;
  };
  const doneSoon = done ? new Set([...done, ...uncSucceeded.map(indexOf).filter((i): i is number => i !== undefined && i < (spec.completions ?? 0))]) : undefined;
  const succeeded = doneSoon ? doneSoon.size : (status.succeeded ?? 0) + uncSucceeded.length;
  const failed = (status.failed ?? 0) + uncFailed.length;
  const record = nextBackoffRecord(mem.backoff.get(key), counts.newSucceeded, counts.newFailed, now);
  if (!status.startTime && !spec.suspend) status.startTime = rfc3339(now);

  const deps: ManageDeps = { key, client: ctx.client, podControl: new PodControl(ctx.client, ctx.recorder), expectations: mem.expectations };
  let outcome = recordedOutcome(status) ?? policyOutcome ?? failureOutcome(spec, status, failed, pods, now);
  let active = counts.active.length;
  let terminating = counts.terminating;
  let requeue: number | undefined;
  let writeError: unknown;
  if (outcome?.type === 'FailureTarget') {
    // The finalizers stay, so the killed pods are counted as failures once they are gone.
    const r = await deletePods(job, counts.active, true, deps);
    active -= r.deleted;
    terminating += r.deleted;
    writeError = r.error;
  } else if (!outcome && satisfied && !job.metadata.deletionTimestamp) {
    const r = await manageJob(job, spec, status, { active: counts.active, terminating, succeeded, record, now, ...(doneSoon ? { done: doneSoon } : {}) }, deps, ctx);
    active = r.active;
    terminating += r.deleted;
    requeue = r.requeueAfter;
    writeError = r.error;
  }
  if (!outcome) {
    const complete = spec.completions == null ? succeeded > 0 && active === 0 : succeeded >= spec.completions && active === 0;
    if (complete) outcome = { type: 'SuccessCriteriaMet', reason: REASON_COMPLETIONS_REACHED, message: MSG_COMPLETIONS_REACHED };
  }
  if (outcome) setCondition(status, outcome.type, 'True', outcome.reason, outcome.message, now);
  setCounts(status, { active, ready: counts.ready, terminating });

  // Step one: the finished pods' uids are on record before any finalizer comes off.
  let current = job;
  setUncounted(status, uncSucceeded, uncFailed);
  if (counts.newSucceeded.length || counts.newFailed.length) {
    current = await ctx.client.update(jobDescriptor, namespace, { ...current, status }, { subresource: 'status' });
  }
  mem.backoff.set(key, record);

  for (const pod of ignored) {
    try {
      await removeTrackingFinalizer(ctx.client, pod);
      pending.add(pod.metadata.uid ?? '');
    } catch (err) {
      writeError ??= err;
    }
  }

  // Step two: finalizers off; a uid whose pod no longer holds the finalizer moves into the counts.
  const counted = new Set<string>();
  for (const uid of [...uncSucceeded, ...uncFailed]) {
    const pod = byUid.get(uid);
    if (!pod || !hasTrackingFinalizer(pod) || pending.has(uid)) {
      counted.add(uid);
      continue;
    }
    try {
      await removeTrackingFinalizer(ctx.client, pod);
      pending.add(uid);
      counted.add(uid);
    } catch (err) {
      writeError ??= err;
    }
  }
  if (done) {
    for (const uid of uncSucceeded.filter((u) => counted.has(u))) {
      const i = indexOf(uid);
      if (i !== undefined && i < (spec.completions ?? 0)) done.add(i);
    }
    if (done.size) status.completedIndexes = formatIntervals(done);
    else delete status.completedIndexes;
    if (done.size) status.succeeded = done.size;
    else delete status.succeeded;
  } else {
    addCount(status, 'succeeded', uncSucceeded.filter((u) => counted.has(u)).length);
  }
  addCount(status, 'failed', uncFailed.filter((u) => counted.has(u)).length);
  uncSucceeded = uncSucceeded.filter((u) => !counted.has(u));
  uncFailed = uncFailed.filter((u) => !counted.has(u));
  setUncounted(status, uncSucceeded, uncFailed);

  if (outcome && uncSucceeded.length === 0 && uncFailed.length === 0 && active === 0 && terminating === 0) finish(job, spec, status, outcome, now, ctx);
  if (!deepEqualJson(jobStatus(current), status)) {
    await ctx.client.update(jobDescriptor, namespace, { ...current, status }, { subresource: 'status' });
  }
  if (writeError !== undefined) throw writeError;
  if (!outcome) {
    const left = deadlineLeft(spec, status, now);
    if (left !== undefined) requeue = Math.min(requeue ?? left, left);
  }
  return requeue === undefined ? undefined : { requeueAfter: Math.max(0, requeue) };
}

/** Appends the final condition (every pod is accounted for) and says so in an event. */
function finish(job: KubeObject, spec: JobSpec, status: JobStatus, outcome: Outcome, now: number, ctx: ControllerContext): void {
  const type = finalTypeOf(outcome);
  if (!setCondition(status, type, 'True', outcome.reason, outcome.message, now)) return;
  if (type === 'Complete') {
    status.completionTime = rfc3339(now);
    ctx.recorder.event(job, 'Normal', 'Completed', 'Job completed');
    if (spec.completions != null && (status.succeeded ?? 0) > spec.completions) {
      ctx.recorder.event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
    }
  } else {
    ctx.recorder.event(job, 'Warning', outcome.reason, outcome.message);
  }
}

