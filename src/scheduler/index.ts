// The scheduler's public face. Either let the controller manager host it (it then schedules only while the
// manager leads):
//   await manager.add(schedulerController());
// or run it on its own next to the informers:
//   const scheduler = await startScheduler({ client, informers, clock, recorder });  // recorder for `default-scheduler`
//   ...
//   await scheduler.stop();
import { Scheduler, type SchedulerOptions } from './scheduler.js';

export { schedulerController, SCHEDULING_QUEUE_KEY, type SchedulerControllerOptions } from './controller.js';
export { DEFAULT_SCHEDULER_NAME, Scheduler, type SchedulerOptions } from './scheduler.js';
export type { QueueOptions } from './queue.js';

/** Creates a scheduler and starts it; resolves once its informers have synced and the loop is running. */
export async function startScheduler(opts: SchedulerOptions): Promise<Scheduler> {
  const s = new Scheduler(opts);
  await s.start();
  return s;
}
