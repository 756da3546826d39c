// The slices of a StatefulSet the controller reads, typed once so the other files stay short.
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/types.js';
import type { PodTemplate } from '../runtime/pod-control.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';
export const COMPONENT = 'statefulset-controller';

export interface SetSpec {
  replicas?: number;
  serviceName?: string;
  selector?: LabelSelectorObject | null;
  template?: PodTemplate;
  volumeClaimTemplates?: PersistentVolumeClaim[];
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number } | null };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  ordinals?: { start?: number };
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: 'Retain' | 'Delete'; whenScaled?: 'Retain' | 'Delete' };
}

export interface SetStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
}

export function setSpec(set: KubeObject): SetSpec {
  return (set.spec ?? {}) as SetSpec;
}

export function setStatus(set: KubeObject): SetStatus {
  return (set.status ?? {}) as SetStatus;
}

export function replicasOf(set: KubeObject): number {
  return setSpec(set).replicas ?? 1;
}

export function startOrdinal(set: KubeObject): number {
  return setSpec(set).ordinals?.start ?? 0;
}

export function isParallel(set: KubeObject): boolean {
  return setSpec(set).podManagementPolicy === 'Parallel';
}
