// How kube-apiserver's Go decoder names things in its type errors ("json: cannot unmarshal string into Go struct
// field DeploymentSpec.spec.replicas of type int32"): the Go struct holding the field, the field path with the
// names of inline-embedded structs, and the Go type of the field. The catalog only knows JSON types, so the
// Go-specific parts (named string types, embedded structs) are listed here for the kinds kubeloop serves.
import type { SchemaNode } from './types.js';

const CORE = 'io.k8s.api.core.v1';

/** Go's short type name: the last segment of the OpenAPI name. */
export function goStructName(typeName: string): string {
  return typeName.slice(typeName.lastIndexOf('.') + 1);
}

/** Go package name that prefixes a type from `typeName`'s package (every served group version is a `v1`). */
function goPackage(typeName: string): string {
  const pkg = typeName.slice(0, typeName.lastIndexOf('.'));
  return pkg.slice(pkg.lastIndexOf('.') + 1);
}

const EPHEMERAL_COMMON = [
  'name', 'image', 'command', 'args', 'workingDir', 'ports', 'envFrom', 'env', 'resources', 'resizePolicy', 'restartPolicy',
  'restartPolicyRules', 'volumeMounts', 'volumeDevices', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle',
  'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty',
];
const PERSISTENT_VOLUME_SOURCE = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc',
  'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume',
  'scaleIO', 'local', 'storageos', 'csi',
];

/** type → JSON field → Go name of the inline-embedded struct that declares the field. */
const EMBEDDED: Record<string, Record<string, string>> = {
  [`${CORE}.EphemeralContainer`]: Object.fromEntries(EPHEMERAL_COMMON.map((f) => [f, 'EphemeralContainerCommon'])),
  [`${CORE}.PersistentVolumeSpec`]: Object.fromEntries(PERSISTENT_VOLUME_SOURCE.map((f) => [f, 'PersistentVolumeSource'])),
  [`${CORE}.Probe`]: { exec: 'ProbeHandler', httpGet: 'ProbeHandler', tcpSocket: 'ProbeHandler', grpc: 'ProbeHandler' },
  ...Object.fromEntries(
    ['ConfigMapVolumeSource', 'ConfigMapProjection', 'SecretProjection', 'ConfigMapKeySelector', 'SecretKeySelector', 'ConfigMapEnvSource', 'SecretEnvSource']
      .map((t) => [`${CORE}.${t}`, { name: 'LocalObjectReference' }]),
  ),
};

/**
 * The Go name of the inline struct a field is promoted from, if any. Every field of Volume except `name` comes
 * from VolumeSource; apiVersion and kind of a served kind come from TypeMeta.
 */
export function embeddedStructOf(node: SchemaNode, field: string): string | undefined {
  const typeName = node.typeName;
  if (!typeName) return undefined;
  if (typeName === `${CORE}.Volume`) return field === 'name' ? undefined : 'VolumeSource';
  if ((field === 'apiVersion' || field === 'kind') && node.groupVersionKinds) return 'TypeMeta';
  return EMBEDDED[typeName]?.[field];
}

/** Go types of fields whose Go type is a named type rather than what their JSON type suggests. */
const NAMED: Record<string, string> = {
  'Container.imagePullPolicy': 'v1.PullPolicy',
  'Container.terminationMessagePolicy': 'v1.TerminationMessagePolicy',
  'Container.restartPolicy': 'v1.ContainerRestartPolicy',
  'EphemeralContainer.imagePullPolicy': 'v1.PullPolicy',
  'EphemeralContainer.terminationMessagePolicy': 'v1.TerminationMessagePolicy',
  'EphemeralContainer.restartPolicy': 'v1.ContainerRestartPolicy',
  'ContainerPort.protocol': 'v1.Protocol',
  'ServicePort.protocol': 'v1.Protocol',
  'EndpointPort.protocol': 'v1.Protocol',
  'PortStatus.protocol': 'v1.Protocol',
  'PodSpec.restartPolicy': 'v1.RestartPolicy',
  'PodSpec.dnsPolicy': 'v1.DNSPolicy',
  'PodSpec.preemptionPolicy': 'v1.PreemptionPolicy',
  'PodStatus.phase': 'v1.PodPhase',
  'PodStatus.qosClass': 'v1.PodQOSClass',
  'PodCondition.type': 'v1.PodConditionType',
  'HTTPGetAction.scheme': 'v1.URIScheme',
  'Capabilities.add': '[]v1.Capability',
  'Capabilities.drop': '[]v1.Capability',
  'Toleration.operator': 'v1.TolerationOperator',
  'Toleration.effect': 'v1.TaintEffect',
  'Taint.effect': 'v1.TaintEffect',
  'NodeSelectorRequirement.operator': 'v1.NodeSelectorOperator',
  'ServiceSpec.type': 'v1.ServiceType',
  'ServiceSpec.sessionAffinity': 'v1.ServiceAffinity',
  'ServiceSpec.externalTrafficPolicy': 'v1.ServiceExternalTrafficPolicy',
  'ServiceSpec.internalTrafficPolicy': 'v1.ServiceInternalTrafficPolicy',
  'ServiceSpec.ipFamilyPolicy': 'v1.IPFamilyPolicy',
  'ServiceSpec.ipFamilies': '[]v1.IPFamily',
  'Secret.type': 'v1.SecretType',
  'PersistentVolumeClaimSpec.accessModes': '[]v1.PersistentVolumeAccessMode',
  'PersistentVolumeClaimSpec.volumeMode': 'v1.PersistentVolumeMode',
  'PersistentVolumeSpec.accessModes': '[]v1.PersistentVolumeAccessMode',
  'PersistentVolumeSpec.volumeMode': 'v1.PersistentVolumeMode',
  'PersistentVolumeSpec.persistentVolumeReclaimPolicy': 'v1.PersistentVolumeReclaimPolicy',
  'NamespaceSpec.finalizers': '[]v1.FinalizerName',
  'NamespaceStatus.phase': 'v1.NamespacePhase',
  'NodeStatus.phase': 'v1.NodePhase',
  'ObjectMeta.uid': 'types.UID',
  'OwnerReference.uid': 'types.UID',
  'ObjectReference.uid': 'types.UID',
  'LabelSelectorRequirement.operator': 'v1.LabelSelectorOperator',
  'DeleteOptions.propagationPolicy': 'v1.DeletionPropagation',
  'Status.reason': 'v1.StatusReason',
  'StatusCause.reason': 'v1.CauseType',
  'ManagedFieldsEntry.operation': 'v1.ManagedFieldsOperationType',
  'DeploymentStrategy.type': 'v1.DeploymentStrategyType',
  'DeploymentCondition.type': 'v1.DeploymentConditionType',
  'ReplicaSetCondition.type': 'v1.ReplicaSetConditionType',
  'StatefulSetCondition.type': 'v1.StatefulSetConditionType',
  'DaemonSetCondition.type': 'v1.DaemonSetConditionType',
  'StatefulSetSpec.podManagementPolicy': 'v1.PodManagementPolicyType',
  'StatefulSetUpdateStrategy.type': 'v1.StatefulSetUpdateStrategyType',
  'DaemonSetUpdateStrategy.type': 'v1.DaemonSetUpdateStrategyType',
  'JobSpec.completionMode': 'v1.CompletionMode',
  'JobSpec.podReplacementPolicy': 'v1.PodReplacementPolicy',
  'JobCondition.type': 'v1.JobConditionType',
  'CronJobSpec.concurrencyPolicy': 'v1.ConcurrencyPolicy',
};
const CONDITION_STATUS_TYPES = new Set([
  'PodCondition', 'NodeCondition', 'NamespaceCondition', 'PersistentVolumeClaimCondition', 'ReplicationControllerCondition',
  'DeploymentCondition', 'ReplicaSetCondition', 'StatefulSetCondition', 'DaemonSetCondition', 'JobCondition',
]);

/** The Go type of a field, as Go's reflection prints it in type errors ("int32", "[]v1.Container", "v1.ResourceList"). */
export function goFieldType(parent: SchemaNode, field: string, node: SchemaNode): string {
  const parentShort = parent.typeName ? goStructName(parent.typeName) : '';
  const named = NAMED[`${parentShort}.${field}`];
  if (named) return named;
  if (field === 'status' && CONDITION_STATUS_TYPES.has(parentShort)) return 'v1.ConditionStatus';
  return goType(node);
}

/** The Go type of a list element or map value whose container's Go type is `containerType`. */
export function goElementType(containerType: string, element: SchemaNode): string {
  if (containerType.startsWith('[]')) return containerType.slice(2);
  const m = /^map\[[^\]]+\](.+)$/.exec(containerType);
  if (m) return m[1]!;
  return goType(element);
}

/** The Go type a schema node decodes into when nothing more specific is known. */
export function goType(node: SchemaNode): string {
  switch (node.type) {
    case 'string':
      return node.format === 'byte' ? '[]uint8' : 'string';
    case 'integer':
      return node.format === 'int64' ? 'int64' : 'int32';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'array':
      return `[]${goType(node.items()!)}`;
    case 'map': {
      const value = node.items()!;
      // Every quantity map in the served kinds is a core ResourceList.
      if (value.type === 'quantity') return 'v1.ResourceList';
      return `map[string]${goType(value)}`;
    }
    case 'quantity':
      return 'resource.Quantity';
    case 'int-or-string':
      return 'intstr.IntOrString';
    case 'time':
      return node.typeName?.endsWith('MicroTime') ? 'v1.MicroTime' : 'v1.Time';
    case 'any':
      return node.typeName?.endsWith('FieldsV1') ? 'v1.FieldsV1' : 'runtime.RawExtension';
    case 'object':
      return node.typeName ? `${goPackage(node.typeName)}.${goStructName(node.typeName)}` : 'struct';
  }
}
