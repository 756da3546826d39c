// The CronJob controller (kube-controller-manager's `cronjob-controller`).
export { cronJobController } from './controller.js';
export { mostRecentScheduleTime, parseSchedule, rfc3339InZone } from './schedule.js';
