// The `job-controller` definition. Job keys reconcile jobs; keys starting with `orphan-pod:` name pods that
// still carry the tracking finalizer although no unfinished job controls them any more (the job was deleted,
// finished, or let them go): the finalizer comes off so they can be deleted.
import { jobDescriptor } from '../../api/kinds/job.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import type { KubeObject } from '../../api/types.js';
import { objectKey } from '../../client/informer.js';
import type { ControllerContext, ControllerDefinition, ObservedEvent } from '../runtime/controller.js';
import { controllerRefOf } from '../runtime/claim.js';
import { UIDTrackingExpectations } from '../runtime/expectations.js';
import { podKey } from '../runtime/pods.js';
import { removeTrackingFinalizer } from './pods.js';
import { type JobMemory, syncJob } from './sync.js';
import { hasTrackingFinalizer, isJobFinished } from './types.js';

const ORPHAN_PREFIX = 'orphan-pod:';

/** The job controlling `pod`, when it is in the cache and is the very object the reference names. */
function ownerJob(pod: KubeObject, ctx: ControllerContext): KubeObject | undefined {
  const ref = controllerRefOf(pod);
  if (!ref || ref.kind !== 'Job' || ref.apiVersion?.split('/')[0] !== 'batch') return undefined;
  const job = ctx.informers.informer(jobDescriptor).get(pod.metadata.namespace, ref.name);
  return job?.metadata.uid === ref.uid ? job : undefined;
}

function isOrphanedTracked(pod: KubeObject, ctx: ControllerContext): boolean {
  if (!hasTrackingFinalizer(pod)) return false;
  const job = ownerJob(pod, ctx);
  return !job || isJobFinished(job);
}

export function jobController(): ControllerDefinition {
  let mem: JobMemory | undefined;
  const memory = (ctx: ControllerContext): JobMemory =>
    (mem ??= { expectations: new UIDTrackingExpectations(ctx.clock), pendingRemovals: new Map(), backoff: new Map() });

  const forget = (key: string, ctx: ControllerContext) => {
    const m = memory(ctx);
    m.expectations.delete(key);
    m.pendingRemovals.delete(key);
    m.backoff.delete(key);
  };

  const observePod = (e: ObservedEvent, ctx: ControllerContext) => {
    const pod = e.object;
    const job = ownerJob(pod, ctx);
    if (!job) return;
    const key = objectKey(job);
    const m = memory(ctx);
    const gone = e.type === 'DELETED' || (!!pod.metadata.deletionTimestamp && !e.old?.metadata.deletionTimestamp);
    if (e.type === 'ADDED' && !pod.metadata.deletionTimestamp) m.expectations.creationObserved(key);
    if (gone || (e.type === 'ADDED' && pod.metadata.deletionTimestamp)) m.expectations.deletionObserved(key, podKey(pod));
    if (e.type === 'DELETED' || !hasTrackingFinalizer(pod)) m.pendingRemovals.get(key)?.delete(pod.metadata.uid ?? '');
  };

  return {
    name: 'job-controller',
    for: jobDescriptor,
    owns: [podDescriptor],
    watches: [
      {
        resource: podDescriptor,
        map: (pod, ctx) => (isOrphanedTracked(pod, ctx) ? [`${ORPHAN_PREFIX}${objectKey(pod)}`] : []),
      },
    ],
    workers: 5,
    setup(ctx) {
      memory(ctx);
      ctx.informers.informer(podDescriptor);
      ctx.informers.informer(jobDescriptor);
    },
    observe(e, ctx) {
      if (e.resource.kind === 'Job') {
        if (e.type === 'DELETED') forget(objectKey(e.object), ctx);
        else if (e.old && e.old.metadata.uid !== e.object.metadata.uid) forget(objectKey(e.old), ctx);
        // A finished or deleted job leaves its pods to the orphan sweep.
        if (e.type === 'DELETED' || isJobFinished(e.object)) {
          for (const pod of ctx.informers.informer(podDescriptor).byIndex('owner', e.object.metadata.uid ?? '')) {
            if (hasTrackingFinalizer(pod)) ctx.enqueue(`${ORPHAN_PREFIX}${objectKey(pod)}`, 'job gone or finished');
          }
        }
        return;
      }
      if (e.resource.kind === 'Pod') observePod(e, ctx);
    },
    async reconcile(key, ctx) {
      if (key.startsWith(ORPHAN_PREFIX)) {
        const pod = ctx.informers.informer(podDescriptor).getByKey(key.slice(ORPHAN_PREFIX.length));
        if (pod && isOrphanedTracked(pod, ctx)) await removeTrackingFinalizer(ctx.client, pod);
        return undefined;
      }
      const job = ctx.informers.informer(jobDescriptor).getByKey(key);
      if (!job) {
        forget(key, ctx);
        return undefined;
      }
      return syncJob(key, job, ctx, memory(ctx));
    },
  };
}
