// The `cronjob-controller` definition: CronJobs are its keys, the Jobs they control wake them.
import { cronJobDescriptor } from '../../api/kinds/cronjob.js';
import { jobDescriptor } from '../../api/kinds/job.js';
import type { ControllerDefinition } from '../runtime/controller.js';
import { syncCronJob } from './sync.js';

export function cronJobController(): ControllerDefinition {
  return {
    name: 'cronjob-controller',
    for: cronJobDescriptor,
    owns: [jobDescriptor],
    workers: 5,
    setup(ctx) {
      ctx.informers.informer(cronJobDescriptor);
      ctx.informers.informer(jobDescriptor);
    },
    async reconcile(key, ctx) {
      const cj = ctx.informers.informer(cronJobDescriptor).getByKey(key);
      if (!cj) return undefined;
      return syncCronJob(cj, ctx);
    },
  };
}
