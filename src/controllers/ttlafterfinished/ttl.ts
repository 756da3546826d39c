// The `ttl-after-finished-controller`: deletes a Job `ttlSecondsAfterFinished` after it finished (the
// lastTransitionTime of its Complete or Failed condition). It waits on the cluster clock, re-reads the job
// before acting (the cache may be behind an edit of the TTL) and deletes in the foreground with a uid
// precondition, so the pods go first and a re-created job of the same name is never hit.
import { jobDescriptor } from '../../api/kinds/job.js';
import type { KubeObject } from '../../api/types.js';
import { splitKey } from '../../client/informer.js';
import type { ControllerDefinition } from '../runtime/controller.js';
import { isNotFound } from '../runtime/claim.js';
import { timeMs } from '../runtime/pods.js';
import { finishedCondition, jobSpec } from '../job/types.js';

/** When the job may be deleted, or undefined when it has no TTL or has not finished. */
export function expiresAt(job: KubeObject): number | undefined {
  const ttl = jobSpec(job).ttlSecondsAfterFinished;
  if (ttl == null || job.metadata.deletionTimestamp) return undefined;
  const done = finishedCondition(job);
  if (!done?.lastTransitionTime) return undefined;
  return timeMs(done.lastTransitionTime) + ttl * 1000;
}

export function ttlAfterFinishedController(): ControllerDefinition {
  return {
    name: 'ttl-after-finished-controller',
    for: jobDescriptor,
    setup(ctx) {
      ctx.informers.informer(jobDescriptor);
    },
    async reconcile(key, ctx) {
      const cached = ctx.informers.informer(jobDescriptor).getByKey(key);
      if (!cached) return undefined;
      const at = expiresAt(cached);
      if (at === undefined) return undefined;
      if (at > ctx.clock.now()) return { requeueAfter: at - ctx.clock.now() };
      const { namespace, name } = splitKey(key);
      let fresh: KubeObject;
      try {
        fresh = await ctx.client.get(jobDescriptor, namespace, name);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
      const freshAt = expiresAt(fresh);
      if (freshAt === undefined) return undefined;
      if (freshAt > ctx.clock.now()) return { requeueAfter: freshAt - ctx.clock.now() };
      try {
        await ctx.client.delete(jobDescriptor, namespace, name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid ?? '' } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return undefined;
    },
  };
}
