// The pod stream subresources the node simulation serves: log (plain HTTP) and exec (WebSocket upgrade).
export { handlePodLog } from './logs.js';
export { execWithoutUpgrade, handleExecUpgrade } from './exec.js';
export type { PodStreamDeps } from './deps.js';
