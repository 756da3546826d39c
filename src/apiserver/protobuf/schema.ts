// Field numbers of the Kubernetes API messages kubeloop decodes and encodes, taken from the published
// k8s.io/api and k8s.io/apimachinery protobuf schemas (proto2), in a compact notation of our own:
//
//   jsonName=number[:type][?]
//
//   type      string (default) | bool | int32 | int64 | bytes | Quantity | Time | MicroTime |
//             IntOrString | FieldsV1 | RawExtension | <Message>; `[T]` is a repeated T (`[]` alone: repeated string);
//             `map` is map<string,string>, `map<T>` a map with T values (maps travel as repeated
//             {1 key, 2 value} entries).
//   ?         the Go field is a pointer, so a zero value on the wire was set on purpose and is
//             kept. Without it a zero value is what Go's encoder writes for every unset value
//             field, and is dropped the way `omitempty` drops it from JSON.
//   ...       as jsonName: an embedded Go struct whose fields JSON inlines into the parent.
//
// Every field of every served kind is listed (schema.test.ts checks the tables against the OpenAPI
// catalog), so the encoder can write responses and the decoder can read any body a client sends.

export interface FieldDef {
  json: string;
  type: string;
  repeated: boolean;
  map: boolean;
  pointer: boolean;
}

export type MessageDef = Map<number, FieldDef>;

const SOURCE: Record<string, string> = {
  // --- k8s.io/apimachinery meta/v1 (and runtime)
  ObjectMeta:
    'name=1 generateName=2 namespace=3 selfLink=4 uid=5 resourceVersion=6 generation=7:int64 ' +
    'creationTimestamp=8:Time deletionTimestamp=9:Time deletionGracePeriodSeconds=10:int64? ' +
    'labels=11:map annotations=12:map ownerReferences=13:[OwnerReference] finalizers=14:[] ' +
    'managedFields=17:[ManagedFieldsEntry]',
  ListMeta: 'selfLink=1 resourceVersion=2 continue=3 remainingItemCount=4:int64?',
  OwnerReference: 'kind=1 name=3 uid=4 apiVersion=5 controller=6:bool? blockOwnerDeletion=7:bool?',
  ManagedFieldsEntry: 'manager=1 operation=2 apiVersion=3 time=4:Time fieldsType=6 fieldsV1=7:FieldsV1 subresource=8',
  LabelSelector: 'matchLabels=1:map matchExpressions=2:[LabelSelectorRequirement]',
  LabelSelectorRequirement: 'key=1 operator=2 values=3:[]',
  Condition: 'type=1 status=2 observedGeneration=3:int64 lastTransitionTime=4:Time reason=5 message=6',
  DeleteOptions:
    'gracePeriodSeconds=1:int64? preconditions=2:Preconditions orphanDependents=3:bool? propagationPolicy=4? ' +
    'dryRun=5:[] ignoreStoreReadErrorWithClusterBreakingPotential=6:bool?',
  Preconditions: 'uid=1? resourceVersion=2?',
  Status: 'metadata=1:ListMeta status=2 message=3 reason=4 details=5:StatusDetails code=6:int32',
  StatusDetails: 'name=1 group=2 kind=3 causes=4:[StatusCause] retryAfterSeconds=5:int32 uid=6',
  StatusCause: 'reason=1 message=2 field=3',
  WatchEvent: 'type=1 object=2:RawExtension',

  // --- core/v1
  Namespace: 'metadata=1:ObjectMeta spec=2:NamespaceSpec status=3:NamespaceStatus',
  NamespaceSpec: 'finalizers=1:[]',
  NamespaceStatus: 'phase=1 conditions=2:[NamespaceCondition]',
  NamespaceCondition: 'type=1 status=2 lastTransitionTime=4:Time reason=5 message=6',
  ConfigMap: 'metadata=1:ObjectMeta data=2:map binaryData=3:map<bytes> immutable=4:bool?',
  Secret: 'metadata=1:ObjectMeta data=2:map<bytes> type=3 stringData=4:map immutable=5:bool?',
  ServiceAccount:
    'metadata=1:ObjectMeta secrets=2:[ObjectReference] imagePullSecrets=3:[LocalObjectReference] ' +
    'automountServiceAccountToken=4:bool?',
  ObjectReference: 'kind=1 namespace=2 name=3 uid=4 apiVersion=5 resourceVersion=6 fieldPath=7',
  LocalObjectReference: 'name=1',
  SecretReference: 'name=1 namespace=2',
  TypedLocalObjectReference: 'apiGroup=1? kind=2 name=3',
  TypedObjectReference: 'apiGroup=1? kind=2 name=3 namespace=4?',
  ResourceQuota: 'metadata=1:ObjectMeta spec=2:ResourceQuotaSpec status=3:ResourceQuotaStatus',
  ResourceQuotaSpec: 'hard=1:map<Quantity> scopes=2:[] scopeSelector=3:ScopeSelector',
  ScopeSelector: 'matchExpressions=1:[ScopedResourceSelectorRequirement]',
  ScopedResourceSelectorRequirement: 'scopeName=1 operator=2 values=3:[]',
  ResourceQuotaStatus: 'hard=1:map<Quantity> used=2:map<Quantity>',
  LimitRange: 'metadata=1:ObjectMeta spec=2:LimitRangeSpec',
  LimitRangeSpec: 'limits=1:[LimitRangeItem]',
  LimitRangeItem:
    'type=1 max=2:map<Quantity> min=3:map<Quantity> default=4:map<Quantity> defaultRequest=5:map<Quantity> ' +
    'maxLimitRequestRatio=6:map<Quantity>',
  Service: 'metadata=1:ObjectMeta spec=2:ServiceSpec status=3:ServiceStatus',
  ServiceSpec:
    'ports=1:[ServicePort] selector=2:map clusterIP=3 type=4 externalIPs=5:[] sessionAffinity=7 ' +
    'loadBalancerIP=8 loadBalancerSourceRanges=9:[] externalName=10 externalTrafficPolicy=11 ' +
    'healthCheckNodePort=12:int32 publishNotReadyAddresses=13:bool ' +
    'sessionAffinityConfig=14:SessionAffinityConfig ipFamilyPolicy=17? clusterIPs=18:[] ipFamilies=19:[] ' +
    'allocateLoadBalancerNodePorts=20:bool? loadBalancerClass=21? internalTrafficPolicy=22? ' +
    'trafficDistribution=23?',
  ServicePort: 'name=1 protocol=2 port=3:int32 targetPort=4:IntOrString nodePort=5:int32 appProtocol=6?',
  SessionAffinityConfig: 'clientIP=1:ClientIPConfig',
  ClientIPConfig: 'timeoutSeconds=1:int32?',
  ServiceStatus: 'loadBalancer=1:LoadBalancerStatus conditions=2:[Condition]',
  LoadBalancerStatus: 'ingress=1:[LoadBalancerIngress]',
  LoadBalancerIngress: 'ip=1 hostname=2 ipMode=3? ports=4:[PortStatus]',
  PortStatus: 'port=1:int32 protocol=2 error=3?',
  Endpoints: 'metadata=1:ObjectMeta subsets=2:[EndpointSubset]',
  EndpointSubset: 'addresses=1:[EndpointAddress] notReadyAddresses=2:[EndpointAddress] ports=3:[EndpointPort]',
  EndpointAddress: 'ip=1 targetRef=2:ObjectReference hostname=3 nodeName=4?',
  EndpointPort: 'name=1 port=2:int32 protocol=3 appProtocol=4?',
  Event:
    'metadata=1:ObjectMeta involvedObject=2:ObjectReference reason=3 message=4 source=5:EventSource ' +
    'firstTimestamp=6:Time lastTimestamp=7:Time count=8:int32 type=9 eventTime=10:MicroTime series=11:EventSeries ' +
    'action=12 related=13:ObjectReference reportingComponent=14 reportingInstance=15',
  EventSeries: 'count=1:int32 lastObservedTime=2:MicroTime',
  EventSource: 'component=1 host=2',
  Binding: 'metadata=1:ObjectMeta target=2:ObjectReference',
  Pod: 'metadata=1:ObjectMeta spec=2:PodSpec status=3:PodStatus',
  PodTemplate: 'metadata=1:ObjectMeta template=2:PodTemplateSpec',
  ReplicationController: 'metadata=1:ObjectMeta spec=2:ReplicationControllerSpec status=3:ReplicationControllerStatus',
  ReplicationControllerSpec: 'replicas=1:int32? selector=2:map template=3:PodTemplateSpec minReadySeconds=4:int32',
  ReplicationControllerStatus:
    'replicas=1:int32 fullyLabeledReplicas=2:int32 observedGeneration=3:int64 readyReplicas=4:int32 ' +
    'availableReplicas=5:int32 conditions=6:[ReplicationControllerCondition]',
  ReplicationControllerCondition: 'type=1 status=2 lastTransitionTime=3:Time reason=4 message=5',

  // --- core/v1: nodes and volumes
  Node: 'metadata=1:ObjectMeta spec=2:NodeSpec status=3:NodeStatus',
  NodeSpec:
    'podCIDR=1 externalID=2 providerID=3 unschedulable=4:bool taints=5:[Taint] configSource=6:NodeConfigSource podCIDRs=7:[]',
  Taint: 'key=1 value=2 effect=3 timeAdded=4:Time',
  NodeConfigSource: 'configMap=2:ConfigMapNodeConfigSource',
  ConfigMapNodeConfigSource: 'namespace=1 name=2 uid=3 resourceVersion=4 kubeletConfigKey=5',
  NodeStatus:
    'capacity=1:map<Quantity> allocatable=2:map<Quantity> phase=3 conditions=4:[NodeCondition] ' +
    'addresses=5:[NodeAddress] daemonEndpoints=6:NodeDaemonEndpoints nodeInfo=7:NodeSystemInfo ' +
    'images=8:[ContainerImage] volumesInUse=9:[] volumesAttached=10:[AttachedVolume] config=11:NodeConfigStatus ' +
    'runtimeHandlers=12:[NodeRuntimeHandler] features=13:NodeFeatures declaredFeatures=14:[]',
  NodeCondition: 'type=1 status=2 lastHeartbeatTime=3:Time lastTransitionTime=4:Time reason=5 message=6',
  NodeAddress: 'type=1 address=2',
  NodeDaemonEndpoints: 'kubeletEndpoint=1:DaemonEndpoint',
  DaemonEndpoint: 'Port=1:int32',
  NodeSystemInfo:
    'machineID=1 systemUUID=2 bootID=3 kernelVersion=4 osImage=5 containerRuntimeVersion=6 kubeletVersion=7 ' +
    'kubeProxyVersion=8 operatingSystem=9 architecture=10 swap=11:NodeSwapStatus',
  NodeSwapStatus: 'capacity=1:int64?',
  ContainerImage: 'names=1:[] sizeBytes=2:int64',
  AttachedVolume: 'name=1 devicePath=2',
  NodeConfigStatus: 'assigned=1:NodeConfigSource active=2:NodeConfigSource lastKnownGood=3:NodeConfigSource error=4',
  NodeRuntimeHandler: 'name=1 features=2:NodeRuntimeHandlerFeatures',
  NodeRuntimeHandlerFeatures: 'recursiveReadOnlyMounts=1:bool? userNamespaces=2:bool?',
  NodeFeatures: 'supplementalGroupsPolicy=1:bool? containerUlimits=2:bool?',
  PersistentVolume: 'metadata=1:ObjectMeta spec=2:PersistentVolumeSpec status=3:PersistentVolumeStatus',
  PersistentVolumeSpec:
    'capacity=1:map<Quantity> ...=2:PersistentVolumeSource accessModes=3:[] claimRef=4:ObjectReference ' +
    'persistentVolumeReclaimPolicy=5 storageClassName=6 mountOptions=7:[] volumeMode=8? ' +
    'nodeAffinity=9:VolumeNodeAffinity volumeAttributesClassName=10?',
  PersistentVolumeSource:
    'gcePersistentDisk=1:GCEPersistentDiskVolumeSource awsElasticBlockStore=2:AWSElasticBlockStoreVolumeSource ' +
    'hostPath=3:HostPathVolumeSource glusterfs=4:GlusterfsPersistentVolumeSource nfs=5:NFSVolumeSource ' +
    'rbd=6:RBDPersistentVolumeSource iscsi=7:ISCSIPersistentVolumeSource cinder=8:CinderPersistentVolumeSource ' +
    'cephfs=9:CephFSPersistentVolumeSource fc=10:FCVolumeSource flocker=11:FlockerVolumeSource ' +
    'flexVolume=12:FlexPersistentVolumeSource azureFile=13:AzureFilePersistentVolumeSource ' +
    'vsphereVolume=14:VsphereVirtualDiskVolumeSource quobyte=15:QuobyteVolumeSource azureDisk=16:AzureDiskVolumeSource ' +
    'photonPersistentDisk=17:PhotonPersistentDiskVolumeSource portworxVolume=18:PortworxVolumeSource ' +
    'scaleIO=19:ScaleIOPersistentVolumeSource local=20:LocalVolumeSource storageos=21:StorageOSPersistentVolumeSource ' +
    'csi=22:CSIPersistentVolumeSource',
  PersistentVolumeStatus: 'phase=1 message=2 reason=3 lastPhaseTransitionTime=4:Time',
  VolumeNodeAffinity: 'required=1:NodeSelector',
  PersistentVolumeClaim: 'metadata=1:ObjectMeta spec=2:PersistentVolumeClaimSpec status=3:PersistentVolumeClaimStatus',
  PersistentVolumeClaimSpec:
    'accessModes=1:[] resources=2:VolumeResourceRequirements volumeName=3 selector=4:LabelSelector ' +
    'storageClassName=5? volumeMode=6? dataSource=7:TypedLocalObjectReference dataSourceRef=8:TypedObjectReference ' +
    'volumeAttributesClassName=9?',
  VolumeResourceRequirements: 'limits=1:map<Quantity> requests=2:map<Quantity>',
  PersistentVolumeClaimStatus:
    'phase=1 accessModes=2:[] capacity=3:map<Quantity> conditions=4:[PersistentVolumeClaimCondition] ' +
    'allocatedResources=5:map<Quantity> allocatedResourceStatuses=7:map currentVolumeAttributesClassName=8? ' +
    'modifyVolumeStatus=9:ModifyVolumeStatus',
  PersistentVolumeClaimCondition: 'type=1 status=2 lastProbeTime=3:Time lastTransitionTime=4:Time reason=5 message=6',
  ModifyVolumeStatus: 'targetVolumeAttributesClassName=1 status=2',
  PersistentVolumeClaimTemplate: 'metadata=1:ObjectMeta spec=2:PersistentVolumeClaimSpec',

  // --- core/v1: pods
  PodTemplateSpec: 'metadata=1:ObjectMeta spec=2:PodSpec',
  PodSpec:
    'volumes=1:[Volume] containers=2:[Container] restartPolicy=3 terminationGracePeriodSeconds=4:int64? ' +
    'activeDeadlineSeconds=5:int64? dnsPolicy=6 nodeSelector=7:map serviceAccountName=8 ' +
    'serviceAccount=9 nodeName=10 hostNetwork=11:bool hostPID=12:bool hostIPC=13:bool ' +
    'securityContext=14:PodSecurityContext imagePullSecrets=15:[LocalObjectReference] hostname=16 ' +
    'subdomain=17 affinity=18:Affinity schedulerName=19 initContainers=20:[Container] automountServiceAccountToken=21:bool? ' +
    'tolerations=22:[Toleration] hostAliases=23:[HostAlias] priorityClassName=24 priority=25:int32? ' +
    'dnsConfig=26:PodDNSConfig shareProcessNamespace=27:bool? readinessGates=28:[PodReadinessGate] ' +
    'runtimeClassName=29? enableServiceLinks=30:bool? preemptionPolicy=31? overhead=32:map<Quantity> ' +
    'topologySpreadConstraints=33:[TopologySpreadConstraint] ephemeralContainers=34:[EphemeralContainer] ' +
    'setHostnameAsFQDN=35:bool? os=36:PodOS hostUsers=37:bool? schedulingGates=38:[PodSchedulingGate] ' +
    'resourceClaims=39:[PodResourceClaim] resources=40:ResourceRequirements hostnameOverride=41? ' +
    'workloadRef=42:WorkloadReference',
  WorkloadReference: 'name=1 podGroup=2 podGroupReplicaKey=3',
  PodSchedulingGate: 'name=1',
  PodResourceClaim: 'name=1 resourceClaimName=3? resourceClaimTemplateName=4?',
  Affinity: 'nodeAffinity=1:NodeAffinity podAffinity=2:PodAffinity podAntiAffinity=3:PodAntiAffinity',
  NodeAffinity:
    'requiredDuringSchedulingIgnoredDuringExecution=1:NodeSelector ' +
    'preferredDuringSchedulingIgnoredDuringExecution=2:[PreferredSchedulingTerm]',
  NodeSelector: 'nodeSelectorTerms=1:[NodeSelectorTerm]',
  NodeSelectorTerm: 'matchExpressions=1:[NodeSelectorRequirement] matchFields=2:[NodeSelectorRequirement]',
  NodeSelectorRequirement: 'key=1 operator=2 values=3:[]',
  PreferredSchedulingTerm: 'weight=1:int32 preference=2:NodeSelectorTerm',
  PodAffinity:
    'requiredDuringSchedulingIgnoredDuringExecution=1:[PodAffinityTerm] ' +
    'preferredDuringSchedulingIgnoredDuringExecution=2:[WeightedPodAffinityTerm]',
  PodAntiAffinity:
    'requiredDuringSchedulingIgnoredDuringExecution=1:[PodAffinityTerm] ' +
    'preferredDuringSchedulingIgnoredDuringExecution=2:[WeightedPodAffinityTerm]',
  PodAffinityTerm:
    'labelSelector=1:LabelSelector namespaces=2:[] topologyKey=3 namespaceSelector=4:LabelSelector ' +
    'matchLabelKeys=5:[] mismatchLabelKeys=6:[]',
  WeightedPodAffinityTerm: 'weight=1:int32 podAffinityTerm=2:PodAffinityTerm',
  Container:
    'name=1 image=2 command=3:[] args=4:[] workingDir=5 ports=6:[ContainerPort] env=7:[EnvVar] ' +
    'resources=8:ResourceRequirements volumeMounts=9:[VolumeMount] livenessProbe=10:Probe ' +
    'readinessProbe=11:Probe lifecycle=12:Lifecycle terminationMessagePath=13 imagePullPolicy=14 ' +
    'securityContext=15:SecurityContext stdin=16:bool stdinOnce=17:bool tty=18:bool ' +
    'envFrom=19:[EnvFromSource] terminationMessagePolicy=20 volumeDevices=21:[VolumeDevice] startupProbe=22:Probe ' +
    'resizePolicy=23:[ContainerResizePolicy] restartPolicy=24? restartPolicyRules=25:[ContainerRestartRule]',
  EphemeralContainer: '...=1:Container targetContainerName=2',
  ContainerResizePolicy: 'resourceName=1 restartPolicy=2',
  ContainerRestartRule: 'action=1 exitCodes=2:ContainerRestartRuleOnExitCodes',
  ContainerRestartRuleOnExitCodes: 'operator=1 values=2:[int32]',
  VolumeDevice: 'name=1 devicePath=2',
  ContainerPort: 'name=1 hostPort=2:int32 containerPort=3:int32 protocol=4 hostIP=5',
  EnvVar: 'name=1 value=2 valueFrom=3:EnvVarSource',
  EnvVarSource:
    'fieldRef=1:ObjectFieldSelector resourceFieldRef=2:ResourceFieldSelector ' +
    'configMapKeyRef=3:ConfigMapKeySelector secretKeyRef=4:SecretKeySelector fileKeyRef=5:FileKeySelector',
  FileKeySelector: 'volumeName=1 path=2 key=3 optional=4:bool?',
  ObjectFieldSelector: 'apiVersion=1 fieldPath=2',
  ResourceFieldSelector: 'containerName=1 resource=2 divisor=3:Quantity',
  ConfigMapKeySelector: '...=1:LocalObjectReference key=2 optional=3:bool?',
  SecretKeySelector: '...=1:LocalObjectReference key=2 optional=3:bool?',
  EnvFromSource: 'prefix=1 configMapRef=2:ConfigMapEnvSource secretRef=3:SecretEnvSource',
  ConfigMapEnvSource: '...=1:LocalObjectReference optional=2:bool?',
  SecretEnvSource: '...=1:LocalObjectReference optional=2:bool?',
  ResourceRequirements: 'limits=1:map<Quantity> requests=2:map<Quantity> claims=3:[ResourceClaim]',
  ResourceClaim: 'name=1 request=2',
  VolumeMount: 'name=1 readOnly=2:bool mountPath=3 subPath=4 mountPropagation=5? subPathExpr=6 recursiveReadOnly=7?',
  Probe:
    '...=1:ProbeHandler initialDelaySeconds=2:int32 timeoutSeconds=3:int32 periodSeconds=4:int32 ' +
    'successThreshold=5:int32 failureThreshold=6:int32 terminationGracePeriodSeconds=7:int64?',
  ProbeHandler: 'exec=1:ExecAction httpGet=2:HTTPGetAction tcpSocket=3:TCPSocketAction grpc=4:GRPCAction',
  ExecAction: 'command=1:[]',
  HTTPGetAction: 'path=1 port=2:IntOrString host=3 scheme=4 httpHeaders=5:[HTTPHeader]',
  HTTPHeader: 'name=1 value=2',
  TCPSocketAction: 'port=1:IntOrString host=2',
  GRPCAction: 'port=1:int32 service=2?',
  Lifecycle: 'postStart=1:LifecycleHandler preStop=2:LifecycleHandler stopSignal=3?',
  LifecycleHandler: 'exec=1:ExecAction httpGet=2:HTTPGetAction tcpSocket=3:TCPSocketAction sleep=4:SleepAction',
  SleepAction: 'seconds=1:int64',
  SecurityContext:
    'capabilities=1:Capabilities privileged=2:bool? seLinuxOptions=3:SELinuxOptions runAsUser=4:int64? runAsNonRoot=5:bool? ' +
    'readOnlyRootFilesystem=6:bool? allowPrivilegeEscalation=7:bool? runAsGroup=8:int64? procMount=9? ' +
    'windowsOptions=10:WindowsSecurityContextOptions seccompProfile=11:SeccompProfile appArmorProfile=12:AppArmorProfile ' +
    'ulimits=13:[Ulimit]',
  Ulimit: 'name=1 hard=2:int64 soft=3:int64',
  Capabilities: 'add=1:[] drop=2:[]',
  SELinuxOptions: 'user=1 role=2 type=3 level=4',
  WindowsSecurityContextOptions: 'gmsaCredentialSpecName=1? gmsaCredentialSpec=2? runAsUserName=3? hostProcess=4:bool?',
  SeccompProfile: 'type=1 localhostProfile=2?',
  AppArmorProfile: 'type=1 localhostProfile=2?',
  PodSecurityContext:
    'seLinuxOptions=1:SELinuxOptions runAsUser=2:int64? runAsNonRoot=3:bool? supplementalGroups=4:[int64] fsGroup=5:int64? ' +
    'runAsGroup=6:int64? sysctls=7:[Sysctl] windowsOptions=8:WindowsSecurityContextOptions fsGroupChangePolicy=9? ' +
    'seccompProfile=10:SeccompProfile appArmorProfile=11:AppArmorProfile supplementalGroupsPolicy=12? seLinuxChangePolicy=13?',
  Sysctl: 'name=1 value=2',
  Toleration: 'key=1 operator=2 value=3 effect=4 tolerationSeconds=5:int64?',
  HostAlias: 'ip=1 hostnames=2:[]',
  PodDNSConfig: 'nameservers=1:[] searches=2:[] options=3:[PodDNSConfigOption]',
  PodDNSConfigOption: 'name=1 value=2?',
  PodReadinessGate: 'conditionType=1',
  PodOS: 'name=1',
  TopologySpreadConstraint:
    'maxSkew=1:int32 topologyKey=2 whenUnsatisfiable=3 labelSelector=4:LabelSelector minDomains=5:int32? ' +
    'nodeAffinityPolicy=6? nodeTaintsPolicy=7? matchLabelKeys=8:[]',
  PodStatus:
    'phase=1 conditions=2:[PodCondition] message=3 reason=4 hostIP=5 podIP=6 startTime=7:Time ' +
    'containerStatuses=8:[ContainerStatus] qosClass=9 initContainerStatuses=10:[ContainerStatus] nominatedNodeName=11 ' +
    'podIPs=12:[PodIP] ephemeralContainerStatuses=13:[ContainerStatus] resize=14 ' +
    'resourceClaimStatuses=15:[PodResourceClaimStatus] hostIPs=16:[HostIP] observedGeneration=17:int64 ' +
    'extendedResourceClaimStatus=18:PodExtendedResourceClaimStatus allocatedResources=19:map<Quantity> ' +
    'resources=20:ResourceRequirements',
  PodCondition:
    'type=1 status=2 lastProbeTime=3:Time lastTransitionTime=4:Time reason=5 message=6 observedGeneration=7:int64',
  PodIP: 'ip=1',
  HostIP: 'ip=1',
  PodResourceClaimStatus: 'name=1 resourceClaimName=2?',
  PodExtendedResourceClaimStatus: 'requestMappings=1:[ContainerExtendedResourceRequest] resourceClaimName=2',
  ContainerExtendedResourceRequest: 'containerName=1 resourceName=2 requestName=3',
  ContainerStatus:
    'name=1 state=2:ContainerState lastState=3:ContainerState ready=4:bool restartCount=5:int32 image=6 imageID=7 ' +
    'containerID=8 started=9:bool? allocatedResources=10:map<Quantity> resources=11:ResourceRequirements ' +
    'volumeMounts=12:[VolumeMountStatus] user=13:ContainerUser allocatedResourcesStatus=14:[ResourceStatus] stopSignal=15?',
  ContainerState: 'waiting=1:ContainerStateWaiting running=2:ContainerStateRunning terminated=3:ContainerStateTerminated',
  ContainerStateWaiting: 'reason=1 message=2',
  ContainerStateRunning: 'startedAt=1:Time',
  ContainerStateTerminated: 'exitCode=1:int32 signal=2:int32 reason=3 message=4 startedAt=5:Time finishedAt=6:Time containerID=7',
  VolumeMountStatus: 'name=1 mountPath=2 readOnly=3:bool recursiveReadOnly=4? volumeStatus=5:VolumeStatus',
  VolumeStatus: 'image=1:ImageVolumeStatus',
  ImageVolumeStatus: 'imageRef=1',
  ContainerUser: 'linux=1:LinuxContainerUser',
  LinuxContainerUser: 'uid=1:int64 gid=2:int64 supplementalGroups=3:[int64]',
  ResourceStatus: 'name=1 resources=2:[ResourceHealth]',
  ResourceHealth: 'resourceID=1 health=2 message=6?',
  Volume: 'name=1 ...=2:VolumeSource',
  VolumeSource:
    'hostPath=1:HostPathVolumeSource emptyDir=2:EmptyDirVolumeSource gcePersistentDisk=3:GCEPersistentDiskVolumeSource ' +
    'awsElasticBlockStore=4:AWSElasticBlockStoreVolumeSource gitRepo=5:GitRepoVolumeSource secret=6:SecretVolumeSource ' +
    'nfs=7:NFSVolumeSource iscsi=8:ISCSIVolumeSource glusterfs=9:GlusterfsVolumeSource ' +
    'persistentVolumeClaim=10:PersistentVolumeClaimVolumeSource rbd=11:RBDVolumeSource flexVolume=12:FlexVolumeSource ' +
    'cinder=13:CinderVolumeSource cephfs=14:CephFSVolumeSource flocker=15:FlockerVolumeSource ' +
    'downwardAPI=16:DownwardAPIVolumeSource fc=17:FCVolumeSource azureFile=18:AzureFileVolumeSource ' +
    'configMap=19:ConfigMapVolumeSource vsphereVolume=20:VsphereVirtualDiskVolumeSource quobyte=21:QuobyteVolumeSource ' +
    'azureDisk=22:AzureDiskVolumeSource photonPersistentDisk=23:PhotonPersistentDiskVolumeSource ' +
    'portworxVolume=24:PortworxVolumeSource scaleIO=25:ScaleIOVolumeSource projected=26:ProjectedVolumeSource ' +
    'storageos=27:StorageOSVolumeSource csi=28:CSIVolumeSource ephemeral=29:EphemeralVolumeSource image=30:ImageVolumeSource',
  HostPathVolumeSource: 'path=1 type=2?',
  EmptyDirVolumeSource: 'medium=1 sizeLimit=2:Quantity',
  SecretVolumeSource: 'secretName=1 items=2:[KeyToPath] defaultMode=3:int32? optional=4:bool?',
  ConfigMapVolumeSource: '...=1:LocalObjectReference items=2:[KeyToPath] defaultMode=3:int32? optional=4:bool?',
  KeyToPath: 'key=1 path=2 mode=3:int32?',
  PersistentVolumeClaimVolumeSource: 'claimName=1 readOnly=2:bool',
  DownwardAPIVolumeSource: 'items=1:[DownwardAPIVolumeFile] defaultMode=2:int32?',
  DownwardAPIVolumeFile: 'path=1 fieldRef=2:ObjectFieldSelector resourceFieldRef=3:ResourceFieldSelector mode=4:int32?',
  ProjectedVolumeSource: 'sources=1:[VolumeProjection] defaultMode=2:int32?',
  VolumeProjection:
    'secret=1:SecretProjection downwardAPI=2:DownwardAPIProjection configMap=3:ConfigMapProjection ' +
    'serviceAccountToken=4:ServiceAccountTokenProjection clusterTrustBundle=5:ClusterTrustBundleProjection ' +
    'podCertificate=6:PodCertificateProjection',
  SecretProjection: '...=1:LocalObjectReference items=2:[KeyToPath] optional=4:bool?',
  ConfigMapProjection: '...=1:LocalObjectReference items=2:[KeyToPath] optional=4:bool?',
  DownwardAPIProjection: 'items=1:[DownwardAPIVolumeFile]',
  ServiceAccountTokenProjection: 'audience=1 expirationSeconds=2:int64? path=3',
  ClusterTrustBundleProjection: 'name=1? signerName=2? labelSelector=3:LabelSelector path=4 optional=5:bool?',
  PodCertificateProjection:
    'signerName=1 keyType=2 maxExpirationSeconds=3:int32? credentialBundlePath=4 keyPath=5 certificateChainPath=6 ' +
    'userAnnotations=7:map',
  EphemeralVolumeSource: 'volumeClaimTemplate=1:PersistentVolumeClaimTemplate',
  ImageVolumeSource: 'reference=1 pullPolicy=2',
  CSIVolumeSource: 'driver=1 readOnly=2:bool? fsType=3? volumeAttributes=4:map nodePublishSecretRef=5:LocalObjectReference',
  CSIPersistentVolumeSource:
    'driver=1 volumeHandle=2 readOnly=3:bool fsType=4 volumeAttributes=5:map controllerPublishSecretRef=6:SecretReference ' +
    'nodeStageSecretRef=7:SecretReference nodePublishSecretRef=8:SecretReference ' +
    'controllerExpandSecretRef=9:SecretReference nodeExpandSecretRef=10:SecretReference',
  LocalVolumeSource: 'path=1 fsType=2?',
  NFSVolumeSource: 'server=1 path=2 readOnly=3:bool',
  GCEPersistentDiskVolumeSource: 'pdName=1 fsType=2 partition=3:int32 readOnly=4:bool',
  AWSElasticBlockStoreVolumeSource: 'volumeID=1 fsType=2 partition=3:int32 readOnly=4:bool',
  GitRepoVolumeSource: 'repository=1 revision=2 directory=3',
  ISCSIVolumeSource:
    'targetPortal=1 iqn=2 lun=3:int32 iscsiInterface=4 fsType=5 readOnly=6:bool portals=7:[] chapAuthDiscovery=8:bool ' +
    'secretRef=10:LocalObjectReference chapAuthSession=11:bool initiatorName=12?',
  ISCSIPersistentVolumeSource:
    'targetPortal=1 iqn=2 lun=3:int32 iscsiInterface=4 fsType=5 readOnly=6:bool portals=7:[] chapAuthDiscovery=8:bool ' +
    'secretRef=10:SecretReference chapAuthSession=11:bool initiatorName=12?',
  GlusterfsVolumeSource: 'endpoints=1 path=2 readOnly=3:bool',
  GlusterfsPersistentVolumeSource: 'endpoints=1 path=2 readOnly=3:bool endpointsNamespace=4?',
  RBDVolumeSource:
    'monitors=1:[] image=2 fsType=3 pool=4 user=5 keyring=6 secretRef=7:LocalObjectReference readOnly=8:bool',
  RBDPersistentVolumeSource:
    'monitors=1:[] image=2 fsType=3 pool=4 user=5 keyring=6 secretRef=7:SecretReference readOnly=8:bool',
  FlexVolumeSource: 'driver=1 fsType=2 secretRef=3:LocalObjectReference readOnly=4:bool options=5:map',
  FlexPersistentVolumeSource: 'driver=1 fsType=2 secretRef=3:SecretReference readOnly=4:bool options=5:map',
  CinderVolumeSource: 'volumeID=1 fsType=2 readOnly=3:bool secretRef=4:LocalObjectReference',
  CinderPersistentVolumeSource: 'volumeID=1 fsType=2 readOnly=3:bool secretRef=4:SecretReference',
  CephFSVolumeSource: 'monitors=1:[] path=2 user=3 secretFile=4 secretRef=5:LocalObjectReference readOnly=6:bool',
  CephFSPersistentVolumeSource: 'monitors=1:[] path=2 user=3 secretFile=4 secretRef=5:SecretReference readOnly=6:bool',
  FlockerVolumeSource: 'datasetName=1 datasetUUID=2',
  FCVolumeSource: 'targetWWNs=1:[] lun=2:int32? fsType=3 readOnly=4:bool wwids=5:[]',
  AzureFileVolumeSource: 'secretName=1 shareName=2 readOnly=3:bool',
  AzureFilePersistentVolumeSource: 'secretName=1 shareName=2 readOnly=3:bool secretNamespace=4?',
  AzureDiskVolumeSource: 'diskName=1 diskURI=2 cachingMode=3? fsType=4? readOnly=5:bool? kind=6?',
  VsphereVirtualDiskVolumeSource: 'volumePath=1 fsType=2 storagePolicyName=3 storagePolicyID=4',
  QuobyteVolumeSource: 'registry=1 volume=2 readOnly=3:bool user=4 group=5 tenant=6',
  PhotonPersistentDiskVolumeSource: 'pdID=1 fsType=2',
  PortworxVolumeSource: 'volumeID=1 fsType=2 readOnly=3:bool',
  ScaleIOVolumeSource:
    'gateway=1 system=2 secretRef=3:LocalObjectReference sslEnabled=4:bool protectionDomain=5 storagePool=6 ' +
    'storageMode=7 volumeName=8 fsType=9 readOnly=10:bool',
  ScaleIOPersistentVolumeSource:
    'gateway=1 system=2 secretRef=3:SecretReference sslEnabled=4:bool protectionDomain=5 storagePool=6 ' +
    'storageMode=7 volumeName=8 fsType=9 readOnly=10:bool',
  StorageOSVolumeSource: 'volumeName=1 volumeNamespace=2 fsType=3 readOnly=4:bool secretRef=5:LocalObjectReference',
  StorageOSPersistentVolumeSource: 'volumeName=1 volumeNamespace=2 fsType=3 readOnly=4:bool secretRef=5:ObjectReference',
  TopologySelectorTerm: 'matchLabelExpressions=1:[TopologySelectorLabelRequirement]',
  TopologySelectorLabelRequirement: 'key=1 values=2:[]',

  // --- apps/v1
  Deployment: 'metadata=1:ObjectMeta spec=2:DeploymentSpec status=3:DeploymentStatus',
  DeploymentSpec:
    'replicas=1:int32? selector=2:LabelSelector template=3:PodTemplateSpec strategy=4:DeploymentStrategy ' +
    'minReadySeconds=5:int32 revisionHistoryLimit=6:int32? paused=7:bool progressDeadlineSeconds=9:int32?',
  DeploymentStrategy: 'type=1 rollingUpdate=2:RollingUpdateDeployment',
  RollingUpdateDeployment: 'maxUnavailable=1:IntOrString? maxSurge=2:IntOrString?',
  DeploymentStatus:
    'observedGeneration=1:int64 replicas=2:int32 updatedReplicas=3:int32 availableReplicas=4:int32 ' +
    'unavailableReplicas=5:int32 conditions=6:[DeploymentCondition] readyReplicas=7:int32 collisionCount=8:int32? ' +
    'terminatingReplicas=9:int32?',
  DeploymentCondition: 'type=1 status=2 reason=4 message=5 lastUpdateTime=6:Time lastTransitionTime=7:Time',
  ReplicaSet: 'metadata=1:ObjectMeta spec=2:ReplicaSetSpec status=3:ReplicaSetStatus',
  ReplicaSetSpec: 'replicas=1:int32? selector=2:LabelSelector template=3:PodTemplateSpec minReadySeconds=4:int32',
  ReplicaSetStatus:
    'replicas=1:int32 fullyLabeledReplicas=2:int32 observedGeneration=3:int64 readyReplicas=4:int32 ' +
    'availableReplicas=5:int32 conditions=6:[ReplicaSetCondition] terminatingReplicas=7:int32?',
  ReplicaSetCondition: 'type=1 status=2 lastTransitionTime=3:Time reason=4 message=5',
  StatefulSet: 'metadata=1:ObjectMeta spec=2:StatefulSetSpec status=3:StatefulSetStatus',
  StatefulSetSpec:
    'replicas=1:int32? selector=2:LabelSelector template=3:PodTemplateSpec volumeClaimTemplates=4:[PersistentVolumeClaim] ' +
    'serviceName=5 podManagementPolicy=6 updateStrategy=7:StatefulSetUpdateStrategy revisionHistoryLimit=8:int32? ' +
    'minReadySeconds=9:int32 persistentVolumeClaimRetentionPolicy=10:StatefulSetPersistentVolumeClaimRetentionPolicy ' +
    'ordinals=11:StatefulSetOrdinals',
  StatefulSetUpdateStrategy: 'type=1 rollingUpdate=2:RollingUpdateStatefulSetStrategy',
  RollingUpdateStatefulSetStrategy: 'partition=1:int32? maxUnavailable=2:IntOrString?',
  StatefulSetPersistentVolumeClaimRetentionPolicy: 'whenDeleted=1 whenScaled=2',
  StatefulSetOrdinals: 'start=1:int32',
  StatefulSetStatus:
    'observedGeneration=1:int64 replicas=2:int32 readyReplicas=3:int32 currentReplicas=4:int32 updatedReplicas=5:int32 ' +
    'currentRevision=6 updateRevision=7 collisionCount=9:int32? conditions=10:[StatefulSetCondition] availableReplicas=11:int32',
  StatefulSetCondition: 'type=1 status=2 lastTransitionTime=3:Time reason=4 message=5',
  DaemonSet: 'metadata=1:ObjectMeta spec=2:DaemonSetSpec status=3:DaemonSetStatus',
  DaemonSetSpec:
    'selector=1:LabelSelector template=2:PodTemplateSpec updateStrategy=3:DaemonSetUpdateStrategy minReadySeconds=4:int32 ' +
    'revisionHistoryLimit=6:int32?',
  DaemonSetUpdateStrategy: 'type=1 rollingUpdate=2:RollingUpdateDaemonSet',
  RollingUpdateDaemonSet: 'maxUnavailable=1:IntOrString? maxSurge=2:IntOrString?',
  DaemonSetStatus:
    'currentNumberScheduled=1:int32 numberMisscheduled=2:int32 desiredNumberScheduled=3:int32 numberReady=4:int32 ' +
    'observedGeneration=5:int64 updatedNumberScheduled=6:int32 numberAvailable=7:int32 numberUnavailable=8:int32 ' +
    'collisionCount=9:int32? conditions=10:[DaemonSetCondition]',
  DaemonSetCondition: 'type=1 status=2 lastTransitionTime=3:Time reason=4 message=5',
  ControllerRevision: 'metadata=1:ObjectMeta data=2:RawExtension revision=3:int64',

  // --- autoscaling/v1
  Scale: 'metadata=1:ObjectMeta spec=2:ScaleSpec status=3:ScaleStatus',
  ScaleSpec: 'replicas=1:int32',
  ScaleStatus: 'replicas=1:int32 selector=2',

  // --- batch/v1
  Job: 'metadata=1:ObjectMeta spec=2:JobSpec status=3:JobStatus',
  JobSpec:
    'parallelism=1:int32? completions=2:int32? activeDeadlineSeconds=3:int64? selector=4:LabelSelector ' +
    'manualSelector=5:bool? template=6:PodTemplateSpec backoffLimit=7:int32? ttlSecondsAfterFinished=8:int32? ' +
    'completionMode=9? suspend=10:bool? podFailurePolicy=11:PodFailurePolicy backoffLimitPerIndex=12:int32? ' +
    'maxFailedIndexes=13:int32? podReplacementPolicy=14? managedBy=15? successPolicy=16:SuccessPolicy',
  PodFailurePolicy: 'rules=1:[PodFailurePolicyRule]',
  PodFailurePolicyRule:
    'action=1 onExitCodes=2:PodFailurePolicyOnExitCodesRequirement onPodConditions=3:[PodFailurePolicyOnPodConditionsPattern]',
  PodFailurePolicyOnExitCodesRequirement: 'containerName=1? operator=2 values=3:[int32]',
  PodFailurePolicyOnPodConditionsPattern: 'type=1 status=2',
  SuccessPolicy: 'rules=1:[SuccessPolicyRule]',
  SuccessPolicyRule: 'succeededIndexes=1? succeededCount=2:int32?',
  JobStatus:
    'conditions=1:[JobCondition] startTime=2:Time completionTime=3:Time active=4:int32 succeeded=5:int32 failed=6:int32 ' +
    'completedIndexes=7 uncountedTerminatedPods=8:UncountedTerminatedPods ready=9:int32? failedIndexes=10? ' +
    'terminating=11:int32?',
  JobCondition: 'type=1 status=2 lastProbeTime=3:Time lastTransitionTime=4:Time reason=5 message=6',
  UncountedTerminatedPods: 'succeeded=1:[] failed=2:[]',
  CronJob: 'metadata=1:ObjectMeta spec=2:CronJobSpec status=3:CronJobStatus',
  CronJobSpec:
    'schedule=1 startingDeadlineSeconds=2:int64? concurrencyPolicy=3 suspend=4:bool? ' +
    'jobTemplate=5:JobTemplateSpec successfulJobsHistoryLimit=6:int32? failedJobsHistoryLimit=7:int32? timeZone=8?',
  JobTemplateSpec: 'metadata=1:ObjectMeta spec=2:JobSpec',
  CronJobStatus: 'active=1:[ObjectReference] lastScheduleTime=4:Time lastSuccessfulTime=5:Time',

  // --- policy/v1
  PodDisruptionBudget: 'metadata=1:ObjectMeta spec=2:PodDisruptionBudgetSpec status=3:PodDisruptionBudgetStatus',
  PodDisruptionBudgetSpec:
    'minAvailable=1:IntOrString? selector=2:LabelSelector maxUnavailable=3:IntOrString? unhealthyPodEvictionPolicy=4?',
  PodDisruptionBudgetStatus:
    'observedGeneration=1:int64 disruptedPods=2:map<Time> disruptionsAllowed=3:int32 currentHealthy=4:int32 ' +
    'desiredHealthy=5:int32 expectedPods=6:int32 conditions=7:[Condition]',
  Eviction: 'metadata=1:ObjectMeta deleteOptions=2:DeleteOptions',

  // --- coordination.k8s.io/v1
  Lease: 'metadata=1:ObjectMeta spec=2:LeaseSpec',
  LeaseSpec:
    'holderIdentity=1? leaseDurationSeconds=2:int32? acquireTime=3:MicroTime renewTime=4:MicroTime ' +
    'leaseTransitions=5:int32? strategy=6? preferredHolder=7?',

  // --- storage.k8s.io/v1
  StorageClass:
    'metadata=1:ObjectMeta provisioner=2 parameters=3:map reclaimPolicy=4? mountOptions=5:[] ' +
    'allowVolumeExpansion=6:bool? volumeBindingMode=7? allowedTopologies=8:[TopologySelectorTerm]',

  // --- events.k8s.io/v1 (EventSeries has the same fields and numbers as core's)
  EventsEvent:
    'metadata=1:ObjectMeta eventTime=2:MicroTime series=3:EventSeries reportingController=4 reportingInstance=5 ' +
    'action=6 reason=7 regarding=8:ObjectReference related=9:ObjectReference note=10 type=11 ' +
    'deprecatedSource=12:EventSource deprecatedFirstTimestamp=13:Time deprecatedLastTimestamp=14:Time ' +
    'deprecatedCount=15:int32',

  // --- discovery.k8s.io/v1
  EndpointSlice: 'metadata=1:ObjectMeta endpoints=2:[DiscoveryEndpoint] ports=3:[DiscoveryEndpointPort] addressType=4',
  DiscoveryEndpoint:
    'addresses=1:[] conditions=2:EndpointConditions hostname=3? targetRef=4:ObjectReference deprecatedTopology=5:map ' +
    'nodeName=6? zone=7? hints=8:EndpointHints',
  EndpointConditions: 'ready=1:bool? serving=2:bool? terminating=3:bool?',
  EndpointHints: 'forZones=1:[ForZone] forNodes=2:[ForNode]',
  ForZone: 'name=1',
  ForNode: 'name=1',
  DiscoveryEndpointPort: 'name=1? protocol=2? port=3:int32? appProtocol=4?',
};

/** The kinds a protobuf body may carry and a response may be encoded as, by `apiVersion/kind`. */
export const TOP_LEVEL: Record<string, string> = {
  'v1/Namespace': 'Namespace',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/ServiceAccount': 'ServiceAccount',
  'v1/Service': 'Service',
  'v1/ResourceQuota': 'ResourceQuota',
  'v1/LimitRange': 'LimitRange',
  'v1/Pod': 'Pod',
  'v1/PodTemplate': 'PodTemplate',
  'v1/ReplicationController': 'ReplicationController',
  'v1/Node': 'Node',
  'v1/PersistentVolume': 'PersistentVolume',
  'v1/PersistentVolumeClaim': 'PersistentVolumeClaim',
  'v1/Endpoints': 'Endpoints',
  'v1/Event': 'Event',
  'v1/Binding': 'Binding',
  'v1/Status': 'Status',
  'v1/DeleteOptions': 'DeleteOptions',
  'apps/v1/Deployment': 'Deployment',
  'apps/v1/ReplicaSet': 'ReplicaSet',
  'apps/v1/StatefulSet': 'StatefulSet',
  'apps/v1/DaemonSet': 'DaemonSet',
  'apps/v1/ControllerRevision': 'ControllerRevision',
  'autoscaling/v1/Scale': 'Scale',
  'batch/v1/Job': 'Job',
  'batch/v1/CronJob': 'CronJob',
  'policy/v1/PodDisruptionBudget': 'PodDisruptionBudget',
  'policy/v1/Eviction': 'Eviction',
  'coordination.k8s.io/v1/Lease': 'Lease',
  'storage.k8s.io/v1/StorageClass': 'StorageClass',
  'events.k8s.io/v1/Event': 'EventsEvent',
  'discovery.k8s.io/v1/EndpointSlice': 'EndpointSlice',
};

/** Kinds whose `<Kind>List` is served: every list is {1 metadata ListMeta, 2 items [Kind]}. */
const LISTED = [
  'v1/Namespace', 'v1/ConfigMap', 'v1/Secret', 'v1/ServiceAccount', 'v1/Service', 'v1/ResourceQuota', 'v1/LimitRange',
  'v1/Pod', 'v1/PodTemplate', 'v1/ReplicationController', 'v1/Node', 'v1/PersistentVolume', 'v1/PersistentVolumeClaim',
  'v1/Endpoints', 'v1/Event', 'apps/v1/Deployment', 'apps/v1/ReplicaSet', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet',
  'apps/v1/ControllerRevision', 'batch/v1/Job', 'batch/v1/CronJob', 'policy/v1/PodDisruptionBudget',
  'coordination.k8s.io/v1/Lease', 'storage.k8s.io/v1/StorageClass', 'events.k8s.io/v1/Event',
  'discovery.k8s.io/v1/EndpointSlice',
];
for (const key of LISTED) {
  const message = TOP_LEVEL[key] as string;
  SOURCE[`${message}List`] = `metadata=1:ListMeta items=2:[${message}]`;
  TOP_LEVEL[`${key}List`] = `${message}List`;
}
// Every served API group also carries meta/v1 Status and DeleteOptions.
for (const gv of ['meta.k8s.io/v1', 'apps/v1', 'batch/v1', 'autoscaling/v1', 'policy/v1', 'coordination.k8s.io/v1', 'storage.k8s.io/v1', 'events.k8s.io/v1', 'discovery.k8s.io/v1']) {
  TOP_LEVEL[`${gv}/DeleteOptions`] = 'DeleteOptions';
}

export const SCALARS = new Set(['string', 'bool', 'int32', 'int64', 'bytes', 'Quantity', 'Time', 'MicroTime', 'IntOrString', 'FieldsV1', 'RawExtension']);

function parse(name: string, src: string): MessageDef {
  const out: MessageDef = new Map();
  for (const tok of src.split(/\s+/).filter(Boolean)) {
    const m = /^([\w.]+)=(\d+)(?::([^?]+))?(\?)?$/.exec(tok);
    if (!m) throw new Error(`protobuf schema ${name}: cannot read ${tok}`);
    let type = m[3] ?? 'string';
    let repeated = false;
    let map = false;
    if (type === '[]') type = '[string]';
    if (type.startsWith('[')) {
      repeated = true;
      type = type.slice(1, -1);
    } else if (type === 'map') {
      map = true;
      type = 'string';
    } else if (type.startsWith('map<')) {
      map = true;
      type = type.slice(4, -1);
    }
    out.set(Number(m[2]), { json: m[1]!, type, repeated, map, pointer: m[4] === '?' });
  }
  return out;
}

export const MESSAGES: Map<string, MessageDef> = new Map(
  Object.entries(SOURCE).map(([name, src]) => [name, parse(name, src)]),
);

// Fail at load time rather than on the first request if a table names a message it lacks.
for (const [name, fieldsOf] of MESSAGES) {
  for (const f of fieldsOf.values()) {
    if (!SCALARS.has(f.type) && !MESSAGES.has(f.type)) throw new Error(`protobuf schema ${name}.${f.json}: unknown type ${f.type}`);
  }
}
