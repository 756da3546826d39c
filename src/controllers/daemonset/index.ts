// The DaemonSet controller (`daemonset-controller`): one daemon pod per eligible node.
export { daemonSetController } from './controller.js';
export { daemonTolerations, placement, type Placement } from './eligibility.js';
