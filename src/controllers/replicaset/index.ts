// The ReplicaSet and ReplicationController controllers: one implementation, two kinds.
import type { ControllerDefinition } from '../runtime/controller.js';
import { replicaController } from './controller.js';
import { replicaSetKind, replicationControllerKind } from './kind.js';

/** `replicaset-controller`: reconciles apps/v1 ReplicaSets. Each call returns a fresh controller (own expectations). */
export function replicaSetController(): ControllerDefinition {
  return replicaController(replicaSetKind);
}

/** `replication-controller`: reconciles core/v1 ReplicationControllers. */
export function replicationControllerController(): ControllerDefinition {
  return replicaController(replicationControllerKind);
}
