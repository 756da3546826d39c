// Which snapshot a list reads, as kube-apiserver decides it from resourceVersion, resourceVersionMatch and a
// continue token: the latest state; one not older than a revision (waiting briefly for a store that is behind,
// which happens when several API servers share etcd); exactly a revision; or the snapshot a paged list began on.
import { ApiError, errors } from '../../api/errors.js';
import type { FieldError } from '../../api/types.js';
import type { Store } from '../../store/store.js';

/** How long a list waits for the store to reach a resourceVersion it has not seen (kube's cacher waits 3 s). */
export const TOO_LARGE_WAIT_MS = 3000;

export interface ListConsistencyParams {
  resourceVersion?: string | undefined;
  resourceVersionMatch?: string | undefined;
  continue?: string | undefined;
  sendInitialEvents?: string | undefined;
}

/** kube's ValidateListOptions for a list (not a watch): 422 on ListOptions.meta.k8s.io. */
export function validateListOptions(p: ListConsistencyParams): void {
  const causes: FieldError[] = [];
  const forbid = (field: string, why: string) => causes.push({ reason: 'FieldValueForbidden', field, message: `Forbidden: ${why}` });
  const match = p.resourceVersionMatch ?? '';
  if (match) {
    if (!p.resourceVersion) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (p.continue) forbid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      causes.push({ reason: 'FieldValueNotSupported', field: 'resourceVersionMatch', message: `Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan", ""` });
    }
    if (match === 'Exact' && p.resourceVersion === '0') forbid('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  }
  if (p.sendInitialEvents !== undefined) forbid('sendInitialEvents', 'sendInitialEvents is forbidden for list');
  if (causes.length) throw errors.invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', causes);
}

/** A resourceVersion as a revision, or kube's 400 for one that is not a number. */
export function parseResourceVersion(rv: string): number {
  const n = /^\d+$/.test(rv) ? Number(rv) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw errors.badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  return n;
}

/** The revision a list must reach before it is served: the resourceVersion of a NotOlderThan or Exact list. */
export function minimumRevision(p: ListConsistencyParams): number | undefined {
  if (p.continue || !p.resourceVersion || p.resourceVersion === '0') return undefined;
  return parseResourceVersion(p.resourceVersion);
}

export function tooLargeResourceVersion(wanted: number, current: number): ApiError {
  return new ApiError(504, 'Timeout', `Timeout: Too large resource version: ${wanted}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

/** Waits (briefly) until the store has reached `revision`; 504 Too large resource version if it does not. */
export async function waitForRevision(store: Store, revision: number, timeoutMs = TOO_LARGE_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (store.revision() < revision) {
    if (Date.now() >= deadline) throw tooLargeResourceVersion(revision, store.revision());
    await new Promise((r) => setTimeout(r, 10));
  }
}
