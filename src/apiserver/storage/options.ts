// Options that ride along with every write, as kube-apiserver's query parameters carry them.
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** Unknown/duplicate field handling of the decoded body (kubectl sends Strict). Absent: Warn for HTTP. */
  fieldValidation?: FieldValidation;
  /** Decode the body against the schema (prune unknown fields, reject wrong types). False for in-process callers. */
  decode?: boolean;
  /** The client's User-Agent: the default field manager is its part before the first `/`. */
  userAgent?: string;
  /** Server-side apply: take conflicting fields from their other managers (`?force=true`). */
  force?: boolean;
  /** The subresource a managedFields entry is recorded under when it is not the request's own (e.g. 'scale'). */
  managerSubresource?: string;
  /** Internal: managedFields already computed by server-side apply, stored as they are. */
  managedFields?: unknown[];
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** With resourceVersionMatch=Exact, the revision whose snapshot is listed (else the latest state is). */
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this revision; absent or "0": send the current state as ADDED events first. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** sendInitialEvents=true (with resourceVersionMatch=NotOlderThan): initial state, then a bookmark. */
  sendInitialEvents?: boolean;
}

/** Result of a write: the stored (or would-be-stored, for dry runs) object and any warnings for the client. */
export interface WriteResult<T> {
  object: T;
  warnings: string[];
  created?: boolean;
}
