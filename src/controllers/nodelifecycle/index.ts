// Node lifecycle (`node-controller` with taint-based eviction): heartbeats, Unknown conditions, condition
// taints, NotReady pods, and evictions after the pods' NoExecute tolerations run out.
import { NodeLifecycleController, type NodeLifecycleHandle, type NodeLifecycleOptions } from './controller.js';

export type { NodeLifecycleHandle, NodeLifecycleOptions } from './controller.js';
export { evictionDelay } from './eviction.js';

/** Starts the periodic passes once the node, pod and lease caches are synced. */
export function startNodeLifecycle(opts: NodeLifecycleOptions): NodeLifecycleHandle {
  const c = new NodeLifecycleController(opts);
  void c.start().catch((err) => opts.log?.(`node lifecycle controller failed to start: ${err instanceof Error ? err.message : String(err)}`));
  return c;
}
