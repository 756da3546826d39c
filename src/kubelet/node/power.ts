// The switch a user flips to simulate a dead machine: an annotation on the Node, so kubectl alone can drive it
// and it survives a restart of the simulation along with the Node itself.
import type { Node } from 'kubernetes-types/core/v1.js';

export const KUBELET_STATE_ANNOTATION = 'kubeloop.dev/kubelet';
export const KUBELET_STOPPED = 'stopped';

export function kubeletStopped(node: Node | undefined): boolean {
  return node?.metadata?.annotations?.[KUBELET_STATE_ANNOTATION] === KUBELET_STOPPED;
}
