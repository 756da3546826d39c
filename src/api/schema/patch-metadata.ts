// Strategic-merge and server-side-apply metadata of the catalog's fields, as the Kubernetes Go types declare it
// in struct tags (patchStrategy, patchMergeKey) and markers (+listType, +listMapKey, +mapType, +structType).
// The generated client models drop these, so they live here by hand; checked against the v1 types.go files.
//
// A list field without an entry has no strategy: strategic merge patch replaces it whole, and server-side apply
// treats it as atomic.

export interface FieldPatchMeta {
  /** 'merge', 'retainKeys' or 'merge,retainKeys' (Go's patchStrategy tag). */
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  /** x-kubernetes-map-type of a map (or struct) field that overrides the type's own. */
  mapType?: 'atomic' | 'granular';
}

const CORE = 'io.k8s.api.core.v1';
const APPS = 'io.k8s.api.apps.v1';
const BATCH = 'io.k8s.api.batch.v1';
const POLICY = 'io.k8s.api.policy.v1';
const DISCOVERY = 'io.k8s.api.discovery.v1';
const STORAGE = 'io.k8s.api.storage.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

const atomic: FieldPatchMeta = { listType: 'atomic' };
const set: FieldPatchMeta = { listType: 'set' };
/** A primitive list merged as a set by strategic merge patch. */
const mergeSet: FieldPatchMeta = { patchStrategy: 'merge', listType: 'set' };
/** A list of objects merged on `key`; server-side apply keys it on `mapKeys` (default: the merge key). */
function mergeOn(key: string, ...mapKeys: string[]): FieldPatchMeta {
  return { patchStrategy: 'merge', patchMergeKey: key, listType: 'map', listMapKeys: mapKeys.length ? mapKeys : [key] };
}
function mergeRetainOn(key: string): FieldPatchMeta {
  return { patchStrategy: 'merge,retainKeys', patchMergeKey: key, listType: 'map', listMapKeys: [key] };
}
function mapOn(...keys: string[]): FieldPatchMeta {
  return { listType: 'map', listMapKeys: keys };
}
const conditions = mergeOn('type');
const atomicMap: FieldPatchMeta = { mapType: 'atomic' };

/** The fields that Container and EphemeralContainer share (EphemeralContainerCommon repeats Container's tags). */
const containerFields: Record<string, FieldPatchMeta> = {
  command: atomic,
  args: atomic,
  ports: mergeOn('containerPort', 'containerPort', 'protocol'),
  envFrom: atomic,
  env: mergeOn('name'),
  resizePolicy: atomic,
  restartPolicyRules: atomic,
  volumeMounts: mergeOn('mountPath'),
  volumeDevices: mergeOn('devicePath'),
};

/** type name → field name → metadata. */
export const FIELD_PATCH_META: Record<string, Record<string, FieldPatchMeta>> = {
  // meta/v1
  [`${META}.ObjectMeta`]: { finalizers: mergeSet, ownerReferences: mergeOn('uid'), managedFields: atomic },
  [`${META}.LabelSelector`]: { matchExpressions: atomic },
  [`${META}.LabelSelectorRequirement`]: { values: atomic },
  [`${META}.DeleteOptions`]: { dryRun: atomic },
  [`${META}.StatusDetails`]: { causes: atomic },
  [`${META}.APIResource`]: { shortNames: atomic, categories: atomic },

  // core/v1: pods and their templates
  [`${CORE}.PodSpec`]: {
    volumes: mergeRetainOn('name'),
    initContainers: mergeOn('name'),
    containers: mergeOn('name'),
    ephemeralContainers: mergeOn('name'),
    nodeSelector: atomicMap,
    imagePullSecrets: mergeOn('name'),
    tolerations: atomic,
    hostAliases: mergeOn('ip'),
    readinessGates: atomic,
    topologySpreadConstraints: mergeOn('topologyKey', 'topologyKey', 'whenUnsatisfiable'),
    schedulingGates: mergeOn('name'),
    resourceClaims: mergeRetainOn('name'),
  },
  [`${CORE}.Container`]: containerFields,
  [`${CORE}.EphemeralContainer`]: containerFields,
  [`${CORE}.PodStatus`]: {
    conditions,
    hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
    podIPs: mergeOn('ip'),
    initContainerStatuses: atomic,
    containerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
    resourceClaimStatuses: mergeRetainOn('name'),
  },
  [`${CORE}.ContainerStatus`]: { volumeMounts: mergeOn('mountPath'), allocatedResourcesStatus: mergeOn('name') },
  [`${CORE}.ResourceStatus`]: { resources: mapOn('resourceID') },
  [`${CORE}.PodExtendedResourceClaimStatus`]: { requestMappings: atomic },
  [`${CORE}.ResourceRequirements`]: { claims: mapOn('name') },
  [`${CORE}.ContainerRestartRuleOnExitCodes`]: { values: set },
  [`${CORE}.LinuxContainerUser`]: { supplementalGroups: atomic },
  [`${CORE}.PodSecurityContext`]: { supplementalGroups: atomic, sysctls: atomic },
  [`${CORE}.Capabilities`]: { add: atomic, drop: atomic },
  [`${CORE}.PodDNSConfig`]: { nameservers: atomic, searches: atomic, options: atomic },
  [`${CORE}.HostAlias`]: { hostnames: atomic },
  [`${CORE}.ExecAction`]: { command: atomic },
  [`${CORE}.HTTPGetAction`]: { httpHeaders: atomic },
  [`${CORE}.TopologySpreadConstraint`]: { matchLabelKeys: atomic },
  [`${CORE}.NodeAffinity`]: { preferredDuringSchedulingIgnoredDuringExecution: atomic },
  [`${CORE}.PodAffinity`]: { requiredDuringSchedulingIgnoredDuringExecution: atomic, preferredDuringSchedulingIgnoredDuringExecution: atomic },
  [`${CORE}.PodAntiAffinity`]: { requiredDuringSchedulingIgnoredDuringExecution: atomic, preferredDuringSchedulingIgnoredDuringExecution: atomic },
  [`${CORE}.PodAffinityTerm`]: { namespaces: atomic, matchLabelKeys: atomic, mismatchLabelKeys: atomic },
  [`${CORE}.NodeSelector`]: { nodeSelectorTerms: atomic },
  [`${CORE}.NodeSelectorTerm`]: { matchExpressions: atomic, matchFields: atomic },
  [`${CORE}.NodeSelectorRequirement`]: { values: atomic },
  [`${CORE}.TopologySelectorTerm`]: { matchLabelExpressions: atomic },
  [`${CORE}.TopologySelectorLabelRequirement`]: { values: atomic },

  // core/v1: volume sources
  [`${CORE}.ConfigMapVolumeSource`]: { items: atomic },
  [`${CORE}.ConfigMapProjection`]: { items: atomic },
  [`${CORE}.SecretVolumeSource`]: { items: atomic },
  [`${CORE}.SecretProjection`]: { items: atomic },
  [`${CORE}.DownwardAPIVolumeSource`]: { items: atomic },
  [`${CORE}.DownwardAPIProjection`]: { items: atomic },
  [`${CORE}.ProjectedVolumeSource`]: { sources: atomic },
  [`${CORE}.CephFSVolumeSource`]: { monitors: atomic },
  [`${CORE}.CephFSPersistentVolumeSource`]: { monitors: atomic },
  [`${CORE}.RBDVolumeSource`]: { monitors: atomic },
  [`${CORE}.RBDPersistentVolumeSource`]: { monitors: atomic },
  [`${CORE}.ISCSIVolumeSource`]: { portals: atomic },
  [`${CORE}.ISCSIPersistentVolumeSource`]: { portals: atomic },
  [`${CORE}.FCVolumeSource`]: { targetWWNs: atomic, wwids: atomic },
  [`${CORE}.PersistentVolumeSpec`]: { accessModes: atomic, mountOptions: atomic, claimRef: { mapType: 'granular' } },
  [`${CORE}.PersistentVolumeClaimSpec`]: { accessModes: atomic },
  [`${CORE}.PersistentVolumeClaimStatus`]: { accessModes: atomic, conditions, allocatedResourceStatuses: { mapType: 'granular' } },

  // core/v1: the other kinds
  [`${CORE}.NodeSpec`]: { podCIDRs: mergeSet, taints: atomic },
  [`${CORE}.NodeStatus`]: {
    conditions,
    addresses: mergeOn('type'),
    images: atomic,
    volumesInUse: atomic,
    volumesAttached: atomic,
    runtimeHandlers: atomic,
  },
  [`${CORE}.ContainerImage`]: { names: atomic },
  [`${CORE}.NamespaceSpec`]: { finalizers: atomic },
  [`${CORE}.NamespaceStatus`]: { conditions },
  [`${CORE}.ServiceSpec`]: {
    ports: mergeOn('port', 'port', 'protocol'),
    selector: atomicMap,
    clusterIPs: atomic,
    externalIPs: atomic,
    loadBalancerSourceRanges: atomic,
    ipFamilies: atomic,
  },
  [`${CORE}.ServiceStatus`]: { conditions },
  [`${CORE}.LoadBalancerStatus`]: { ingress: atomic },
  [`${CORE}.LoadBalancerIngress`]: { ports: atomic },
  [`${CORE}.ServiceAccount`]: { secrets: mergeOn('name'), imagePullSecrets: atomic },
  [`${CORE}.Endpoints`]: { subsets: atomic },
  [`${CORE}.EndpointSubset`]: { addresses: atomic, notReadyAddresses: atomic, ports: atomic },
  [`${CORE}.ReplicationControllerSpec`]: { selector: atomicMap },
  [`${CORE}.ReplicationControllerStatus`]: { conditions },

  // apps/v1
  [`${APPS}.DeploymentSpec`]: { strategy: { patchStrategy: 'retainKeys' } },
  [`${APPS}.DeploymentStatus`]: { conditions },
  [`${APPS}.ReplicaSetStatus`]: { conditions },
  [`${APPS}.StatefulSetSpec`]: { volumeClaimTemplates: atomic },
  [`${APPS}.StatefulSetStatus`]: { conditions },
  [`${APPS}.DaemonSetStatus`]: { conditions },

  // batch/v1
  [`${BATCH}.JobStatus`]: { conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'atomic' } },
  [`${BATCH}.CronJobStatus`]: { active: atomic },
  [`${BATCH}.PodFailurePolicy`]: { rules: atomic },
  [`${BATCH}.PodFailurePolicyRule`]: { onPodConditions: atomic },
  [`${BATCH}.PodFailurePolicyOnExitCodesRequirement`]: { values: set },
  [`${BATCH}.SuccessPolicy`]: { rules: atomic },
  [`${BATCH}.UncountedTerminatedPods`]: { succeeded: set, failed: set },

  // policy/v1, discovery.k8s.io/v1, storage.k8s.io/v1
  [`${POLICY}.PodDisruptionBudgetStatus`]: { conditions },
  [`${DISCOVERY}.EndpointSlice`]: { endpoints: atomic, ports: atomic },
  [`${DISCOVERY}.Endpoint`]: { addresses: set },
  [`${DISCOVERY}.EndpointHints`]: { forZones: atomic, forNodes: atomic },
  [`${STORAGE}.StorageClass`]: { mountOptions: atomic, allowedTopologies: atomic },
};

/**
 * Structs marked +structType=atomic (published as x-kubernetes-map-type: atomic): server-side apply replaces them
 * whole instead of merging their fields.
 */
export const ATOMIC_STRUCTS: ReadonlySet<string> = new Set([
  `${META}.LabelSelector`,
  `${META}.OwnerReference`,
  `${CORE}.NodeSelector`,
  `${CORE}.NodeSelectorTerm`,
  `${CORE}.TopologySelectorTerm`,
  `${CORE}.ObjectFieldSelector`,
  `${CORE}.ResourceFieldSelector`,
  `${CORE}.ConfigMapKeySelector`,
  `${CORE}.SecretKeySelector`,
  `${CORE}.SecretReference`,
  `${CORE}.ObjectReference`,
  `${CORE}.LocalObjectReference`,
  `${CORE}.TypedLocalObjectReference`,
  `${CORE}.EndpointAddress`,
  `${CORE}.EndpointPort`,
]);

export function fieldPatchMeta(typeName: string, field: string): FieldPatchMeta | undefined {
  return FIELD_PATCH_META[typeName]?.[field];
}
