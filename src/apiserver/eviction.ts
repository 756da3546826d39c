// pods/eviction: a delete that asks the pod's PodDisruptionBudget first, as kube-apiserver's eviction REST
// does. Pods that are already finished, not yet running or already terminating are deleted without asking.
// Otherwise the one budget selecting the pod must allow a disruption: the eviction spends it (decrements
// status.disruptionsAllowed and notes the pod in status.disruptedPods, so the disruption controller does not
// count it while it terminates) and then deletes the pod. An unready pod may go without spending anything when
// the application is healthy anyway, or always under unhealthyPodEvictionPolicy AlwaysAllow.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errors } from '../api/errors.js';
import { podDescriptor } from '../api/kinds/pod.js';
import { podDisruptionBudgetDescriptor } from '../api/kinds/poddisruptionbudget.js';
import {
  pdbSelector,
  pdbSpec,
  pdbStatus,
  serializeStatus,
  updateDisruptionAllowedCondition,
} from '../api/kinds/poddisruptionbudget-status.js';
import type { KubeObject, Status } from '../api/types.js';
import { type Clock, rfc3339 } from '../clock/clock.js';
import { type HandlerDeps, parseDeleteOptions, writesDurable } from './handler.js';
import { parseBody, readBody, sendJson } from './http-util.js';
import type { ResourceStorage } from './storage/generic.js';
import type { DeleteOptions } from './storage/options.js';

/** Above this many approved-but-unconfirmed evictions a budget refuses more until its controller catches up. */
export const MAX_DISRUPTED_POD_SIZE = 2000;

/** Conflicts are retried this many times (kube retries 20 times, half a second apart). */
const CONFLICT_RETRIES = 20;

export const VIOLATES_BUDGET = "Cannot evict pod as it would violate the pod's disruption budget.";
export const MULTIPLE_BUDGETS = 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';

/** The parts of a policy/v1 (or v1beta1) Eviction this handler reads. */
export interface EvictionBody {
  metadata?: { name?: string; namespace?: string };
  deleteOptions?: Record<string, unknown> | null;
}

function tooManyRequests(cause: string, retryAfterSeconds: number): ApiError {
  const err = new ApiError(429, 'TooManyRequests', VIOLATES_BUDGET, { causes: [{ reason: 'DisruptionBudget', message: cause }] });
  if (retryAfterSeconds > 0 && err.status.details) err.status.details.retryAfterSeconds = retryAfterSeconds;
  return err;
}

/** The budget's status is older than its spec: the controller has not looked at it yet. */
function stillProcessing(pdbName: string): ApiError {
  return tooManyRequests(`The disruption budget ${pdbName} is still being processed by the server.`, 10);
}

function pdbForbidden(pdbName: string, why: string): ApiError {
  return new ApiError(403, 'Forbidden', `poddisruptionbudget.policy "${pdbName}" is forbidden: ${why}`, {
    name: pdbName,
    group: 'policy',
    kind: 'poddisruptionbudget',
  });
}

function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.code === 409;
}

async function retryOnConflict<T>(shouldRetry: (err: unknown) => boolean, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= CONFLICT_RETRIES || !shouldRetry(err)) throw err;
    }
  }
}

function phaseOf(pod: KubeObject): string {
  return (pod.status as { phase?: string } | undefined)?.phase ?? '';
}

function isReady(pod: KubeObject): boolean {
  const conds = (pod.status as { conditions?: Array<{ type?: string; status?: string }> } | undefined)?.conditions ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Finished, not yet running, or already terminating: evicting it disrupts nothing more. */
function canIgnoreBudget(pod: KubeObject): boolean {
  const phase = phaseOf(pod);
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
}

/** Pods that could still become ready are deleted only at the version that was checked. */
function shouldEnforceResourceVersion(pod: KubeObject): boolean {
  const phase = phaseOf(pod);
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

function resourceVersionUnset(o: DeleteOptions): boolean {
  return !o.preconditions?.resourceVersion;
}

function withResourceVersion(o: DeleteOptions, rv: string | undefined): DeleteOptions {
  const pre: NonNullable<DeleteOptions['preconditions']> = { ...o.preconditions };
  if (rv) pre.resourceVersion = rv;
  return { ...o, preconditions: pre };
}

/** Budgets of the pod's namespace whose selector matches it. A null or empty selector matches nothing here. */
function budgetsFor(storage: ResourceStorage, pod: KubeObject): KubeObject[] {
  const out: KubeObject[] = [];
  for (const e of storage.list(podDisruptionBudgetDescriptor, pod.metadata.namespace).entries) {
    let selector;
    try {
      selector = pdbSelector(e.object);
    } catch {
      continue;
    }
    if (selector.isEmpty() || !selector.matches(pod.metadata.labels)) continue;
    out.push(e.object);
  }
  return out;
}

/**
 * Spends one disruption of the budget for `podName`, or says why not. Writes the budget's status at the
 * version it was read (a conflict means another eviction got there first).
 */
async function checkAndDecrement(storage: ResourceStorage, clock: Clock, pdb: KubeObject, podName: string, dryRun: boolean): Promise<void> {
  const name = pdb.metadata.name ?? '';
  const status = pdbStatus(pdb);
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw stillProcessing(name);
  if (status.disruptionsAllowed < 0) throw pdbForbidden(name, 'pdb disruptions allowed is negative');
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
    throw pdbForbidden(name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (status.disruptionsAllowed === 0) {
    throw tooManyRequests(`The disruption budget ${name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`, 0);
  }
  const now = rfc3339(clock.now());
  status.disruptionsAllowed--;
  if (status.disruptionsAllowed === 0) updateDisruptionAllowedCondition(status, now);
  if (dryRun) return;
  status.disruptedPods = { ...status.disruptedPods, [podName]: now };
  // The budget's resourceVersion rides along, so a concurrent change makes this a conflict.
  await storage.update(podDisruptionBudgetDescriptor, pdb.metadata.namespace, name, { ...pdb, status: serializeStatus(status) }, { decode: false }, 'status');
}

function podConflict(name: string, why: string): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on Pod "${name}": ${why}`, { name, kind: 'Pod' });
}

/**
 * Marks the pod with a DisruptionTarget condition (so its controller and users can tell why it went), then
 * deletes it. The preconditions are checked against the pod before it is marked; marking changes its
 * resourceVersion, so a resourceVersion precondition moves along with it.
 */
async function addConditionAndDelete(storage: ResourceStorage, clock: Clock, ns: string, name: string, options: DeleteOptions): Promise<void> {
  if (!options.dryRun) {
    const marked = await storage.mutate(podDescriptor, ns, name, (pod) => {
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== pod.metadata.uid) {
        throw podConflict(
          name,
          `the UID in the precondition (${pre.uid}) does not match the UID in record (${pod.metadata.uid ?? ''}). The object might have been deleted and then recreated`,
        );
      }
      if (pre?.resourceVersion && pre.resourceVersion !== pod.metadata.resourceVersion) {
        throw podConflict(
          name,
          `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${pod.metadata.resourceVersion ?? ''}). The object might have been modified`,
        );
      }
      const status = ((pod.status as Record<string, unknown> | undefined) ?? (pod.status = {})) as { conditions?: Array<Record<string, unknown>> };
      const conditions = (status.conditions ??= []);
      const next = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
      const i = conditions.findIndex((c) => c.type === 'DisruptionTarget');
      const old = i >= 0 ? conditions[i] : undefined;
      const lastTransitionTime = old && old.status === next.status ? old.lastTransitionTime : rfc3339(clock.now());
      const cond = { ...next, lastProbeTime: null, lastTransitionTime };
      if (i >= 0) conditions[i] = cond;
      else conditions.push(cond);
    });
    if (!resourceVersionUnset(options)) options = withResourceVersion(options, marked.metadata.resourceVersion);
  }
  await storage.delete(podDescriptor, ns, name, options);
}

function success(): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}

/**
 * The dry-run of an eviction: the request's (`?dryRun=All`) or the body's deleteOptions.dryRun; both may be
 * given only if they agree.
 */
function propagateDryRun(body: Record<string, unknown> | null | undefined, requestDryRun: string[]): boolean {
  const bodyDryRun = Array.isArray(body?.dryRun) ? (body.dryRun as unknown[]).map(String) : [];
  if (bodyDryRun.length && requestDryRun.length && JSON.stringify(bodyDryRun) !== JSON.stringify(requestDryRun)) {
    throw errors.internal(`Non-matching dry-run options in request and content: [${requestDryRun.join(' ')}] and [${bodyDryRun.join(' ')}]`);
  }
  return (bodyDryRun.length ? bodyDryRun : requestDryRun).includes('All');
}

/**
 * Evicts pod `ns/name`. Returns the Status to answer with (201 Success, or the 500 of a pod under several
 * budgets, which kube also answers as a result rather than an error); throws ApiError otherwise.
 */
export async function evictPod(storage: ResourceStorage, clock: Clock, ns: string, name: string, eviction: EvictionBody, requestDryRun: string[] = []): Promise<Status> {
  if ((eviction.metadata?.name ?? '') !== name) throw errors.badRequest('name in URL does not match name in Eviction object');
  const dryRun = propagateDryRun(eviction.deleteOptions, requestDryRun);
  // Only the body's deleteOptions count: the request's query string carries create options.
  const original: DeleteOptions = parseDeleteOptions(eviction.deleteOptions ?? undefined, new URL('http://localhost/'));
  if (dryRun) original.dryRun = true;
  else delete original.dryRun;

  // Pods whose disruption already happened (or cannot happen) are deleted without asking any budget.
  const userPinnedVersion = !resourceVersionUnset(original);
  let pod: KubeObject | undefined;
  const deleted = await retryOnConflict(
    (err) => !userPinnedVersion && isConflict(err),
    async () => {
      pod = storage.get(podDescriptor, ns, name);
      if (!canIgnoreBudget(pod)) return false;
      const options = shouldEnforceResourceVersion(pod) && !userPinnedVersion ? withResourceVersion(original, pod.metadata.resourceVersion) : original;
      await addConditionAndDelete(storage, clock, ns, name, options);
      return true;
    },
  );
  if (deleted) return success();
  const current = pod as KubeObject;

  const budgets = budgetsFor(storage, current);
  if (budgets.length > 1) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: MULTIPLE_BUDGETS, code: 500 };
  let pdbName = '';
  let deleteAtCheckedVersion = false;
  const budget = budgets[0];
  if (budget) {
    pdbName = budget.metadata.name ?? '';
    const spec = pdbSpec(budget);
    const st = pdbStatus(budget);
    // An unready pod does not count as healthy, so removing it costs the budget nothing when the application
    // is not disrupted at the moment (or whatever its state, under AlwaysAllow).
    const free =
      !isReady(current) && (spec.unhealthyPodEvictionPolicy === 'AlwaysAllow' || (st.currentHealthy >= st.desiredHealthy && st.desiredHealthy > 0));
    if (free) {
      deleteAtCheckedVersion = true;
    } else {
      let pdb = budget;
      let refresh = false;
      await retryOnConflict(isConflict, async () => {
        if (refresh) pdb = storage.get(podDisruptionBudgetDescriptor, ns, pdbName);
        refresh = true;
        await checkAndDecrement(storage, clock, pdb, name, dryRun);
      });
    }
  }

  // The pod is deleted at the version whose readiness was judged, so it cannot have become ready meanwhile.
  const options = deleteAtCheckedVersion ? withResourceVersion(original, current.metadata.resourceVersion) : original;
  try {
    await addConditionAndDelete(storage, clock, ns, name, options);
  } catch (err) {
    if (isConflict(err) && deleteAtCheckedVersion && !userPinnedVersion) throw stillProcessing(pdbName);
    throw err;
  }
  return success();
}

/** POST pods/NAME/eviction. */
export async function handleEviction(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, url: URL, ns: string, name: string): Promise<void> {
  const buf = await readBody(req);
  const body = (buf.length ? parseBody(buf, req.headers['content-type']) : {}) as EvictionBody;
  try {
    const status = await evictPod(deps.storage, deps.clock, ns, name, body ?? {}, url.searchParams.getAll('dryRun'));
    await writesDurable(deps);
    return sendJson(res, status.code, status);
  } catch (err) {
    // As kube-apiserver does, a suggested wait travels in a Retry-After header too (client-go honours it).
    const wait = err instanceof ApiError ? err.status.details?.retryAfterSeconds : undefined;
    if (wait) res.setHeader('Retry-After', String(wait));
    throw err;
  }
}
