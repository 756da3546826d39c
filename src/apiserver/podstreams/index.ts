// The pod stream subresources the node simulation serves: log (plain HTTP), exec (WebSocket upgrade) and the
// pod and service proxies; and the relay to a kubelet in another process.
export { handlePodLog } from './logs.js';
export { execWithoutUpgrade, handleExecUpgrade } from './exec.js';
export { handlePortForwardUpgrade } from './portforward.js';
export type { PodStreamDeps } from './deps.js';
export { handlePodProxy, handleServiceProxy } from './proxy.js';
export { KubeletProxy, type KubeletProxyDeps } from './kubelet-proxy.js';
