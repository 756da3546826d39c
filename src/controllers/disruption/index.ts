// The disruption controller: PodDisruptionBudget status from the pods a budget selects.
export { COMPONENT, disruptionController } from './controller.js';
export { DELETION_TIMEOUT_MS } from './budget.js';
