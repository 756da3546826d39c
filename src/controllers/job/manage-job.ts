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
import { indexBackoff, replacementAnnotations } from './per-index.js';
import { conditionTrue, type JobSpec, type JobStatus } from './types.js';

export interface ManageInput {
  active: readonly KubeObject[];
  terminating: number;
  succeeded: number;
  record: BackoffRecord;
  now: number;
  /** Indexed jobs: the indexes that have succeeded. */
  done?: ReadonlySet<number>;
  /** Indexed jobs: indexes not to start now (failed ones; still-terminating ones when only failed pods are
   * replaced). */
  blocked?: ReadonlySet<number>;
  /** backoffLimitPerIndex: per index, the failed pod a replacement inherits its failure count from. */
  perIndex?: ReadonlyMap<number, KubeObject>;
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
  // With backoffLimitPerIndex each index waits on its own failures instead of the job's.
  const wait = input.perIndex ? 0 : remainingBackoff(input.record, now);
  if (wait > 0) {
    const f = input.record.failuresAfterLastSuccess;
    ctx.decisions?.record(job, `backoff ${Math.ceil(wait / 1000)} s before the next pod after ${f} failure${f === 1 ? '' : 's'} (backoffLimit ${spec.backoffLimit ?? 6})`);
    return { active, deleted: 0, requeueAfter: wait };
  }
  let indexes = input.done ? pendingIndexes(completions, input.done, input.active, missing, input.blocked ?? []) : undefined;
  let annotate: ((i: number) => Record<string, string>) | undefined;
  const perIndex = input.perIndex;
  if (perIndex && indexes) {
    const ready: number[] = [];
    let soonest: number | undefined;
    for (const i of indexes) {
      const w = indexBackoff(perIndex.get(i), now);
      if (w === 0) ready.push(i);
      else soonest = Math.min(soonest ?? w, w);
    }
    if (ready.length === 0 && soonest !== undefined) return { active, deleted: 0, requeueAfter: soonest };
    indexes = ready;
    annotate = (i) => replacementAnnotations(spec, perIndex.get(i));
  }
  if (indexes && indexes.length === 0) return { active, deleted: 0 };
  ctx.decisions?.record(job, `parallelism ${spec.parallelism ?? 1}, ${input.succeeded} succeeded of ${spec.completions ?? 'any 1'}, ${active} active: creating ${indexes ? `index${indexes.length === 1 ? '' : 'es'} ${indexes.join(', ')}` : missing} pod${missing === 1 ? '' : 's'}`);
  const r = await createPods(job, spec, missing, d, indexes, annotate);
  return withError({ active: active + r.created, deleted: 0 }, r.error);
}

function withError(r: ManageResult, error: unknown): ManageResult {
  return error === undefined ? r : { ...r, error };
}
