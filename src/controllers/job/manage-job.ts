// The part of a sync that acts while the job is still undecided: suspend (delete everything, uncounted),
// resume, and otherwise move the number of running pods toward what the job wants.
import type { KubeObject } from '../../api/types.js';
import { rfc3339 } from '../../clock/clock.js';
import type { ControllerContext } from '../runtime/controller.js';
import { type BackoffRecord, remainingBackoff } from './backoff.js';
import { setCondition } from './conditions.js';
import { onlyReplaceFailed } from './counting.js';
import { pendingIndexes, redundantPods } from './indexed.js';
import { createPods, deletePods, type ManageDeps, surplus, wantActive } from './manage.js';
import { conditionTrue, type JobSpec, type JobStatus } from './types.js';

export interface ManageInput {
  active: readonly KubeObject[];
  terminating: number;
  succeeded: number;
  record: BackoffRecord;
  now: number;
  /** Indexed jobs: the indexes that have succeeded. */
  done?: ReadonlySet<number>;
}

export interface ManageResult {
  /** Active pods after this sync's deletions (creations count only once observed). */
  active: number;
  deleted: number;
  requeueAfter?: number;
  error?: unknown;
}

export async function manageJob(job: KubeObject, spec: JobSpec, status: JobStatus, input: ManageInput, d: ManageDeps, ctx: ControllerContext): Promise<ManageResult> {
  const { now } = input;
  let active = input.active.length;
  if (spec.suspend) {
    const r = await deletePods(job, input.active, false, d);
    if (setCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) {
      ctx.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
    }
    return withError({ active: active - r.deleted, deleted: r.deleted }, r.error);
  }
  if (conditionTrue(job, 'Suspended')) {
    setCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
    ctx.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
    // The deadline counts time spent running, so it starts over.
    status.startTime = rfc3339(now);
  }
  const want = wantActive(spec, input.succeeded, active);
  const completions = spec.completions ?? 0;
  if (input.done) {
    const extra = redundantPods(input.active, completions, input.done);
    if (extra.length) {
      const r = await deletePods(job, extra, false, d);
      return withError({ active: active - r.deleted, deleted: r.deleted }, r.error);
    }
  }
  if (active > want) {
    const r = await deletePods(job, surplus(input.active, active - want), false, d);
    return withError({ active: active - r.deleted, deleted: r.deleted }, r.error);
  }
  let missing = want - active;
  if (onlyReplaceFailed(spec)) missing -= input.terminating;
  if (missing <= 0) return { active, deleted: 0 };
  const wait = remainingBackoff(input.record, now);
  if (wait > 0) return { active, deleted: 0, requeueAfter: wait };
  const indexes = input.done ? pendingIndexes(completions, input.done, input.active, missing) : undefined;
  const r = await createPods(job, spec, missing, d, indexes);
  return withError({ active: active + r.created, deleted: 0 }, r.error);
}

function withError(r: ManageResult, error: unknown): ManageResult {
  return error === undefined ? r : { ...r, error };
}
