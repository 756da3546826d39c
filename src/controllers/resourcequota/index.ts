// The resource quota controller: keeps ResourceQuota status.hard and status.used current.
export { calculateUsage, resourceQuotaController } from './controller.js';
