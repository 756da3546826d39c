// The TTL-after-finished controller: finished Jobs with spec.ttlSecondsAfterFinished are deleted on time.
export { expiresAt, ttlAfterFinishedController } from './ttl.js';
