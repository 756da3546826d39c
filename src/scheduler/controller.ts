// The scheduler hosted by the controller manager. The scheduling queue is not a FIFO of keys, so the
// definition does not schedule pod by pod: one reserved key stands for "the queue has ready pods", and each
// reconcile of it runs a batch of scheduling cycles, re-queueing the key while pods remain. Since the manager
// only runs workers while it leads, scheduling stops with leadership, like a kube-scheduler that lost its lease.
// Pod keys (the definition is `for` pods) re-check that one pod against the queue, level-triggered.
import { podDescriptor } from '../api/kinds/pod.js';
import type { ControllerDefinition } from '../controllers/runtime/controller.js';
import { DEFAULT_SCHEDULER_NAME, Scheduler, type SchedulerOptions } from './scheduler.js';

/** Cannot clash with a pod key, which always has a namespace and a slash. */
export const SCHEDULING_QUEUE_KEY = '(scheduling-queue)';

export type SchedulerControllerOptions = Omit<SchedulerOptions, 'client' | 'informers' | 'clock' | 'recorder' | 'log'> & {
  /** Hands out the scheduler once created (tests, metrics). */
  created?(s: Scheduler): void;
};

export function schedulerController(opts: SchedulerControllerOptions = {}): ControllerDefinition {
  let scheduler: Scheduler | undefined;
  return {
    name: opts.schedulerName ?? DEFAULT_SCHEDULER_NAME,
    for: podDescriptor,
    setup(ctx) {
      const s = new Scheduler({ ...opts, client: ctx.client, informers: ctx.informers, clock: ctx.clock, recorder: ctx.recorder, log: ctx.log });
      s.attach(() => ctx.enqueue(SCHEDULING_QUEUE_KEY, 'pods ready to schedule'));
      scheduler = s;
      opts.created?.(s);
    },
    async reconcile(key, ctx) {
      if (!scheduler) return;
      if (key !== SCHEDULING_QUEUE_KEY) {
        scheduler.syncPod(key);
        return;
      }
      if (await scheduler.runBatch()) ctx.enqueue(SCHEDULING_QUEUE_KEY, 'more pods ready to schedule');
    },
  };
}
