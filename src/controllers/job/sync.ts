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
import {
  finalTypeOf,
  MSG_BACKOFF_LIMIT,
  MSG_COMPLETIONS_REACHED,
  MSG_DEADLINE,
  MSG_FAILED_INDEXES,
  MSG_MAX_FAILED_INDEXES,
  type Outcome,
  REASON_BACKOFF_LIMIT,
  REASON_COMPLETIONS_REACHED,
  REASON_DEADLINE,
  REASON_FAILED_INDEXES,
  REASON_MAX_FAILED_INDEXES,
  recordedOutcome,
  setCondition,
} from './conditions.js';
import { countPods, isPodTerminating, onlyReplaceFailed, pastBackoffLimitOnFailure } from './counting.js';
import { matchFailurePolicy } from './failure-policy.js';
import { formatIntervals, isIndexed, parseIntervals, podIndex } from './indexed.js';
import { deletePods, type ManageDeps } from './manage.js';
import { type ManageInput, manageJob } from './manage-job.js';
import { computeFailedIndexes, hasBackoffLimitPerIndex, podsAwaitingReplacement } from './per-index.js';
import { matchSuccessPolicy, REASON_SUCCESS_POLICY } from './success-policy.js';
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

/** backoffLimitPerIndex: too many failed indexes, or every index settled with some failed. */
function failedIndexesOutcome(spec: JobSpec, failedIdx: ReadonlySet<number>, done: ReadonlySet<number>): Outcome | undefined {
  if (spec.maxFailedIndexes != null && failedIdx.size > spec.maxFailedIndexes) {
    return { type: 'FailureTarget', reason: REASON_MAX_FAILED_INDEXES, message: MSG_MAX_FAILED_INDEXES };
  }
  if (failedIdx.size > 0 && failedIdx.size + done.size >= (spec.completions ?? 0)) {
    return { type: 'FailureTarget', reason: REASON_FAILED_INDEXES, message: MSG_FAILED_INDEXES };
  }
  return undefined;
}

function successPolicyOutcome(spec: JobSpec, done: ReadonlySet<number>): Outcome | undefined {
  const message = matchSuccessPolicy(spec, done);
  return message === undefined ? undefined : { type: 'SuccessCriteriaMet', reason: REASON_SUCCESS_POLICY, message };
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
  let ignored: KubeObject[] = [];
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
  const byUid = new Map(pods.map((p) => [p.metadata.uid ?? '', p]));
  const uidOf = (p: KubeObject) => p.metadata.uid ?? '';
  // Indexed jobs count distinct succeeded indexes, not pods.
  const completions = spec.completions ?? 0;
  const done = isIndexed(spec) && spec.completions != null ? parseIntervals(status.completedIndexes, completions) : undefined;
  const indexOf = (uid: string) => {
    const pod = byUid.get(uid);
    return pod ? podIndex(pod) : undefined;
  };
  const succeededUids = [...(status.uncountedTerminatedPods?.succeeded ?? []), ...counts.newSucceeded.map(uidOf)];
  const doneSoon = done ? new Set([...done, ...succeededUids.map(indexOf).filter((i): i is number => i !== undefined && i < completions)]) : undefined;
  const succeeded = doneSoon ? doneSoon.size : (status.succeeded ?? 0) + succeededUids.length;
  // Failures held against backoffLimit include pods whose counting waits for a replacement (below).
  const failed = (status.failed ?? 0) + (status.uncountedTerminatedPods?.failed?.length ?? 0) + counts.newFailed.length;
  const perIndex = hasBackoffLimitPerIndex(spec);
  // Once an outcome is on record, pods dying because of it do not fail their indexes: kube releases
  // them in the sync that decided, and we only count them when their deletion shows.
  const recorded = recordedOutcome(status);
  const failedIdx = perIndex ? (recorded ? parseIntervals(status.failedIndexes, completions) : computeFailedIndexes(spec, status, pods)) : undefined;
  if (!status.startTime && !spec.suspend) status.startTime = rfc3339(now);

  const deps: ManageDeps = { key, client: ctx.client, podControl: new PodControl(ctx.client, ctx.recorder), expectations: mem.expectations };
  let outcome =
    recorded ??
    policyOutcome ??
    failureOutcome(spec, status, failed, pods, now) ??
    (failedIdx && doneSoon ? failedIndexesOutcome(spec, failedIdx, doneSoon) : undefined) ??
    (doneSoon ? successPolicyOutcome(spec, doneSoon) : undefined);

  // backoffLimitPerIndex: a failed pod whose index is retried stays uncounted, finalizer on, until its
  // replacement exists, since the replacement takes over its failure count. A decided job waits for nothing.
  const awaiting = perIndex && !outcome && doneSoon && failedIdx ? podsAwaitingReplacement(spec, pods, pending, doneSoon, failedIdx, counts.active, now) : new Map<number, KubeObject>();
  if (awaiting.size) {
    const held = new Set([...awaiting.values()].map(uidOf));
    counts.newFailed = counts.newFailed.filter((p) => !held.has(uidOf(p)));
    ignored = ignored.filter((p) => !held.has(uidOf(p)));
  }
  let uncSucceeded = succeededUids;
  let uncFailed = [...(status.uncountedTerminatedPods?.failed ?? []), ...counts.newFailed.map(uidOf)];
  const record = nextBackoffRecord(mem.backoff.get(key), counts.newSucceeded, counts.newFailed, now);
  let active = counts.active.length;
  let terminating = counts.terminating;
  let requeue: number | undefined;
  let writeError: unknown;
  if (outcome) {
    // Failure: the finalizers stay, so the killed pods are counted as failures once they are gone.
    // Success (a successPolicy met while pods still run): the finalizers come off first, so they are not.
    const r = await deletePods(job, counts.active, outcome.type === 'FailureTarget', deps);
    active -= r.deleted;
    terminating += r.deleted;
    writeError = r.error;
  } else if (!outcome && satisfied && !job.metadata.deletionTimestamp) {
    const input: ManageInput = { active: counts.active, terminating, succeeded, record, now };
    if (doneSoon) {
      input.done = doneSoon;
      const blocked = new Set<number>(failedIdx ?? []);
      if (onlyReplaceFailed(spec)) for (const p of pods) if (isPodTerminating(p) && podIndex(p) !== undefined) blocked.add(podIndex(p) as number);
      input.blocked = blocked;
    }
    if (perIndex) input.perIndex = awaiting;
    const r = await manageJob(job, spec, status, input, deps, ctx);
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
  // Always present with backoffLimitPerIndex, "" while no index failed.
  if (failedIdx) status.failedIndexes = formatIntervals(failedIdx);

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
  ctx.decisions?.record(job, `${type} (${outcome.reason}): ${outcome.message}; ${status.succeeded ?? 0} succeeded, ${status.failed ?? 0} failed`);
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

