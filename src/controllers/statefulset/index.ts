// The StatefulSet controller: stable pod names and claims, ordered or parallel pod management, rolling and
// OnDelete updates through ControllerRevisions, claim retention, and the status kubectl reads.
export { statefulSetController } from './controller.js';
export { revisionData } from './revisions.js';
