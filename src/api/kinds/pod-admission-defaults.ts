// What kube-apiserver's default admission plugins add to every new pod, so `kubectl get pod -o yaml` shows the
// same spec as on a real cluster: the service account (ServiceAccount), priority and preemption policy
// (Priority), and five-minute tolerations for unreachable / not-ready nodes (DefaultTolerationSeconds).
// The projected service-account token volume is not added: nothing here issues tokens.

const SYSTEM_PRIORITIES: Record<string, number> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

const NODE_NOT_READY = 'node.kubernetes.io/not-ready';
const NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';

export function applyPodAdmissionDefaults(spec: any): void {
  if (!spec || typeof spec !== 'object') return;
  if (!spec.serviceAccountName) spec.serviceAccountName = 'default';
  spec.serviceAccount = spec.serviceAccountName;

  if (spec.priority === undefined || spec.priority === null) {
    spec.priority = SYSTEM_PRIORITIES[spec.priorityClassName ?? ''] ?? 0;
  }
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  addDefaultTolerations(spec);
}

/** DefaultTolerationSeconds, which runs on create and on update. */
export function addDefaultTolerations(spec: any): void {
  const tolerations: any[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  // An empty key or effect in an existing toleration already covers the taint.
  const covers = (taintKey: string) =>
    tolerations.some((t) => (t?.key === taintKey || !t?.key) && (t?.effect === 'NoExecute' || !t?.effect));
  const added: any[] = [];
  for (const taintKey of [NODE_NOT_READY, NODE_UNREACHABLE]) {
    if (!covers(taintKey)) added.push({ key: taintKey, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  if (added.length > 0) spec.tolerations = [...tolerations, ...added];
}
