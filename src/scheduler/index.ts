// The scheduler's public face. Wire it next to the controller manager:
//   const scheduler = new Scheduler({ client, informers, clock, recorder });  // recorder for `default-scheduler`
//   await scheduler.start();   // registers informer handlers, starts and syncs the pod/node informers
//   ...
//   await scheduler.stop();
import { Scheduler, type SchedulerOptions } from './scheduler.js';

export { DEFAULT_SCHEDULER_NAME, Scheduler, type SchedulerOptions } from './scheduler.js';
export type { QueueOptions } from './queue.js';

/** Creates a scheduler and starts it; resolves once its informers have synced and the loop is running. */
export async function startScheduler(opts: SchedulerOptions): Promise<Scheduler> {
  const s = new Scheduler(opts);
  await s.start();
  return s;
}
