// Job conditions as Kubernetes writes them: an interim one (SuccessCriteriaMet or FailureTarget) as soon as
// the outcome is decided, and the final one (Complete or Failed) only once every pod is accounted for, so
// a reader that sees Complete or Failed can trust the counts.
import { rfc3339 } from '../../clock/clock.js';
import type { JobCondition, JobStatus } from './types.js';

export const REASON_COMPLETIONS_REACHED = 'CompletionsReached';
export const MSG_COMPLETIONS_REACHED = 'Reached expected number of succeeded pods';
export const REASON_BACKOFF_LIMIT = 'BackoffLimitExceeded';
export const MSG_BACKOFF_LIMIT = 'Job has reached the specified backoff limit';
export const REASON_DEADLINE = 'DeadlineExceeded';
export const MSG_DEADLINE = 'Job was active longer than specified deadline';
export const REASON_MAX_FAILED_INDEXES = 'MaxFailedIndexesExceeded';
export const MSG_MAX_FAILED_INDEXES = 'Job has exceeded the specified maximal number of failed indexes';
export const REASON_FAILED_INDEXES = 'FailedIndexes';
export const MSG_FAILED_INDEXES = 'Job has failed indexes';

export interface Outcome {
  /** Interim type; the final type follows from it. */
  type: 'SuccessCriteriaMet' | 'FailureTarget';
  reason: string;
  message: string;
}

export function finalTypeOf(o: Outcome): 'Complete' | 'Failed' {
  return o.type === 'SuccessCriteriaMet' ? 'Complete' : 'Failed';
}

/** Sets a condition in `status`, keeping lastTransitionTime when the status value does not change.
 * Returns whether anything changed. */
export function setCondition(status: JobStatus, type: string, value: 'True' | 'False', reason: string, message: string, now: number): boolean {
  const conditions = (status.conditions ??= []);
  const i = conditions.findIndex((c) => c.type === type);
  const existing = conditions[i];
  if (existing && existing.status === value && existing.reason === reason && existing.message === message) return false;
  const ts = rfc3339(now);
  const next: JobCondition = {
    type,
    status: value,
    lastProbeTime: ts,
    lastTransitionTime: existing && existing.status === value ? (existing.lastTransitionTime ?? ts) : ts,
    reason,
    message,
  };
  if (existing) conditions[i] = next;
  else conditions.push(next);
  return true;
}

/** The interim outcome already recorded on the job, if any. */
export function recordedOutcome(status: JobStatus): Outcome | undefined {
  for (const c of status.conditions ?? []) {
    if (c.status !== 'True') continue;
    if (c.type === 'FailureTarget' || c.type === 'SuccessCriteriaMet') return { type: c.type, reason: c.reason ?? '', message: c.message ?? '' };
  }
  return undefined;
}
