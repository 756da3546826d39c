// The shapes the deployment controller reads and writes, and small accessors over frozen informer objects.
// The API server has already defaulted what it stores, so the fallbacks here only guard hand-made objects.
import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/types.js';
import type { PodTemplate } from '../runtime/pod-control.js';

export type IntOrPercent = number | string;

export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelectorObject | null;
  template?: PodTemplate;
  strategy?: { type?: string; rollingUpdate?: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent } | null };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  paused?: boolean;
}

export interface DeploymentCondition {
  type: string;
  status: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export interface ReplicaSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelectorObject | null;
  template?: PodTemplate;
}

export interface ReplicaSetStatus {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export const HASH_LABEL = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const ROLLBACK_TO = 'deprecated.deployment.rollback.to';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export const RECREATE = 'Recreate';
export const ROLLING_UPDATE = 'RollingUpdate';

/** Go's math.MaxInt32: the progress deadline value that means "no deadline". */
export const NO_DEADLINE = 2147483647;

export function dSpec(d: KubeObject): DeploymentSpec {
  return (d.spec ?? {}) as DeploymentSpec;
}

export function dStatus(d: KubeObject): DeploymentStatus {
  return (d.status ?? {}) as DeploymentStatus;
}

export function desired(d: KubeObject): number {
  return dSpec(d).replicas ?? 1;
}

export function rsSpec(rs: KubeObject): ReplicaSetSpec {
  return (rs.spec ?? {}) as ReplicaSetSpec;
}

export function rsStatus(rs: KubeObject): ReplicaSetStatus {
  return (rs.status ?? {}) as ReplicaSetStatus;
}

/** spec.replicas of a ReplicaSet (the API server defaults a missing count to 1). */
export function rsReplicas(rs: KubeObject): number {
  return rsSpec(rs).replicas ?? 1;
}

export function isRollingUpdate(d: KubeObject): boolean {
  return (dSpec(d).strategy?.type ?? ROLLING_UPDATE) === ROLLING_UPDATE;
}

export function hasProgressDeadline(d: KubeObject): boolean {
  const pds = dSpec(d).progressDeadlineSeconds;
  return pds !== undefined && pds !== null && pds !== NO_DEADLINE;
}
