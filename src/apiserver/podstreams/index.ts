// The pod stream subresources the node simulation serves: log (plain HTTP), exec (WebSocket upgrade) and the
// pod and service proxies.
export { handlePodLog } from './logs.js';
export { execWithoutUpgrade, handleExecUpgrade } from './exec.js';
export { handlePortForwardUpgrade } from './portforward.js';
export type { PodStreamDeps } from './deps.js';
export { handlePodProxy, handleServiceProxy } from './proxy.js';
