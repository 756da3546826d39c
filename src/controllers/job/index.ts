// The Job controller (kube-controller-manager's `job-controller`).
export { jobController } from './controller.js';
export { JOB_TRACKING_FINALIZER } from './types.js';
