// The Deployment controller: rolling updates, Recreate, proportional scaling, pause/resume, rollbacks found
// by template equality, revision history and the status `kubectl rollout status` reads.
export { deploymentController } from './controller.js';
export { equalIgnoreHash } from './template.js';
