// INTERFACE ONLY — the implementation (core/v1 Events with Kubernetes' aggregation) is being written.
import type { KubeObject } from '../api/types.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  /** Records an event about `obj` (its kind/name/namespace/uid become the involvedObject). Never throws:
   * failures to write events are logged and dropped, as client-go's recorder does. `fieldPath` names a
   * part of the object, e.g. `spec.containers{nginx}`. */
  event(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void;
}
