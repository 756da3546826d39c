// The parts of batch/v1 Job the controllers read and write, and small predicates over them. Informer
// objects are frozen snapshots, so everything here only reads.
import type { KubeObject } from '../../api/types.js';
import type { PodTemplate } from '../runtime/pod-control.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

export interface JobCondition {
  type: string;
  status: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  activeDeadlineSeconds?: number;
  backoffLimit?: number;
  suspend?: boolean;
  completionMode?: string;
  podReplacementPolicy?: string;
  podFailurePolicy?: unknown;
  ttlSecondsAfterFinished?: number;
  backoffLimitPerIndex?: number | null;
  maxFailedIndexes?: number | null;
  successPolicy?: { rules?: Array<{ succeededIndexes?: string; succeededCount?: number }> } | null;
  managedBy?: string;
  selector?: unknown;
  template?: PodTemplate & { spec?: { restartPolicy?: string } };
}

export interface UncountedPods {
  succeeded?: string[];
  failed?: string[];
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  ready?: number;
  uncountedTerminatedPods?: UncountedPods;
  completedIndexes?: string;
  failedIndexes?: string;
  [field: string]: unknown;
}

export function jobSpec(job: KubeObject): JobSpec {
  return (job.spec ?? {}) as JobSpec;
}

export function jobStatus(job: KubeObject): JobStatus {
  return (job.status ?? {}) as JobStatus;
}

export function findCondition(job: KubeObject, type: string): JobCondition | undefined {
  return jobStatus(job).conditions?.find((c) => c.type === type);
}

export function conditionTrue(job: KubeObject, type: string): boolean {
  return findCondition(job, type)?.status === 'True';
}

/** Complete or Failed: nothing more will happen to the job's pods. */
export function isJobFinished(job: KubeObject): boolean {
  return conditionTrue(job, 'Complete') || conditionTrue(job, 'Failed');
}

/** The condition (Complete or Failed) that finished the job, if it finished. */
export function finishedCondition(job: KubeObject): JobCondition | undefined {
  return jobStatus(job).conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** A label-less controller that is not the built-in one has taken this job over (spec.managedBy). */
export function managedElsewhere(job: KubeObject): boolean {
  const m = jobSpec(job).managedBy;
  return !!m && m !== 'kubernetes.io/job-controller';
}

export function hasTrackingFinalizer(pod: KubeObject): boolean {
  return pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}
