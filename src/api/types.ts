// Wire-level shapes shared by every part of kubeloop. Objects are plain JSON values; once stored they are
// deep-frozen and shared, so code that wants to change one works on a copy (see api/meta.ts `clone`).
import type { ObjectMeta as WireObjectMeta } from 'kubernetes-types/meta/v1.js';

/** kubernetes-types marks server-owned fields readonly; the server itself writes them. */
export type ObjectMeta = { -readonly [K in keyof WireObjectMeta]: WireObjectMeta[K] };

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** One cause of an Invalid (422) answer, as metav1.StatusCause carries it. */
export interface FieldError {
  /** metav1.CauseType: FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, FieldValueForbidden,
   * FieldValueDuplicate, FieldValueTooLong, FieldValueTooMany, FieldValueTypeInvalid, InternalError */
  reason: string;
  /** Dotted path with [i] / [key] subscripts, e.g. `spec.template.spec.containers[0].image`. */
  field: string;
  /** The text after the path, e.g. `Invalid value: -1: must be greater than or equal to 0`. */
  message: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: Array<{ reason?: string; message?: string; field?: string }>;
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}
