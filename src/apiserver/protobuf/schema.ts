// Field numbers of the Kubernetes API messages kubeloop decodes, taken from the published
// k8s.io/api and k8s.io/apimachinery protobuf schemas (proto2), in a compact notation of our own:
//
//   jsonName=number[:type][?]
//
//   type      string (default) | bool | int32 | int64 | bytes | Quantity | Time | IntOrString |
//             FieldsV1 | <Message>; `[T]` is a repeated T (`[]` alone: repeated string);
//             `map` is map<string,string>, `map<T>` a map with T values (maps travel as repeated
//             {1 key, 2 value} entries).
//   ?         the Go field is a pointer, so a zero value on the wire was set on purpose and is
//             kept. Without it a zero value is what Go's encoder writes for every unset value
//             field, and is dropped the way `omitempty` drops it from JSON.
//   ...       as jsonName: an embedded Go struct whose fields JSON inlines into the parent.
//
// Only what the API server can act on is listed; any other field number is skipped.

export interface FieldDef {
  json: string;
  type: string;
  repeated: boolean;
  map: boolean;
  pointer: boolean;
}

export type MessageDef = Map<number, FieldDef>;

const SOURCE: Record<string, string> = {
  // --- k8s.io/apimachinery meta/v1
  ObjectMeta:
    'name=1 generateName=2 namespace=3 selfLink=4 uid=5 resourceVersion=6 generation=7:int64 ' +
    'creationTimestamp=8:Time deletionTimestamp=9:Time deletionGracePeriodSeconds=10:int64? ' +
    'labels=11:map annotations=12:map ownerReferences=13:[OwnerReference] finalizers=14:[] ' +
    'managedFields=17:[ManagedFieldsEntry]',
  OwnerReference: 'kind=1 name=3 uid=4 apiVersion=5 controller=6:bool? blockOwnerDeletion=7:bool?',
  ManagedFieldsEntry: 'manager=1 operation=2 apiVersion=3 time=4:Time fieldsType=6 fieldsV1=7:FieldsV1 subresource=8',
  LabelSelector: 'matchLabels=1:map matchExpressions=2:[LabelSelectorRequirement]',
  LabelSelectorRequirement: 'key=1 operator=2 values=3:[]',
  Condition: 'type=1 status=2 observedGeneration=3:int64 lastTransitionTime=4:Time reason=5 message=6',

  // --- core/v1: the objects `kubectl create` makes
  Namespace: 'metadata=1:ObjectMeta spec=2:NamespaceSpec status=3:NamespaceStatus',
  NamespaceSpec: 'finalizers=1:[]',
  NamespaceStatus: 'phase=1',
  ConfigMap: 'metadata=1:ObjectMeta data=2:map binaryData=3:map<bytes> immutable=4:bool?',
  Secret: 'metadata=1:ObjectMeta data=2:map<bytes> type=3 stringData=4:map immutable=5:bool?',
  ServiceAccount:
    'metadata=1:ObjectMeta secrets=2:[ObjectReference] imagePullSecrets=3:[LocalObjectReference] ' +
    'automountServiceAccountToken=4:bool?',
  ObjectReference: 'kind=1 namespace=2 name=3 uid=4 apiVersion=5 resourceVersion=6 fieldPath=7',
  LocalObjectReference: 'name=1',
  ResourceQuota: 'metadata=1:ObjectMeta spec=2:ResourceQuotaSpec status=3:ResourceQuotaStatus',
  ResourceQuotaSpec: 'hard=1:map<Quantity> scopes=2:[] scopeSelector=3:ScopeSelector',
  ScopeSelector: 'matchExpressions=1:[ScopedResourceSelectorRequirement]',
  ScopedResourceSelectorRequirement: 'scopeName=1 operator=2 values=3:[]',
  ResourceQuotaStatus: 'hard=1:map<Quantity> used=2:map<Quantity>',
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
  ServiceStatus: 'conditions=2:[Condition]',
  Pod: 'metadata=1:ObjectMeta spec=2:PodSpec',

  // --- core/v1: pod templates
  PodTemplateSpec: 'metadata=1:ObjectMeta spec=2:PodSpec',
  PodSpec:
    'volumes=1:[Volume] containers=2:[Container] restartPolicy=3 terminationGracePeriodSeconds=4:int64? ' +
    'activeDeadlineSeconds=5:int64? dnsPolicy=6 nodeSelector=7:map serviceAccountName=8 ' +
    'serviceAccount=9 nodeName=10 hostNetwork=11:bool hostPID=12:bool hostIPC=13:bool ' +
    'securityContext=14:PodSecurityContext imagePullSecrets=15:[LocalObjectReference] hostname=16 ' +
    'subdomain=17 schedulerName=19 initContainers=20:[Container] automountServiceAccountToken=21:bool? ' +
    'tolerations=22:[Toleration] hostAliases=23:[HostAlias] priorityClassName=24 priority=25:int32? ' +
    'dnsConfig=26:PodDNSConfig shareProcessNamespace=27:bool? readinessGates=28:[PodReadinessGate] ' +
    'runtimeClassName=29? enableServiceLinks=30:bool? preemptionPolicy=31? overhead=32:map<Quantity> ' +
    'topologySpreadConstraints=33:[TopologySpreadConstraint] setHostnameAsFQDN=35:bool? os=36:PodOS ' +
    'hostUsers=37:bool? resources=40:ResourceRequirements',
  Container:
    'name=1 image=2 command=3:[] args=4:[] workingDir=5 ports=6:[ContainerPort] env=7:[EnvVar] ' +
    'resources=8:ResourceRequirements volumeMounts=9:[VolumeMount] livenessProbe=10:Probe ' +
    'readinessProbe=11:Probe lifecycle=12:Lifecycle terminationMessagePath=13 imagePullPolicy=14 ' +
    'securityContext=15:SecurityContext stdin=16:bool stdinOnce=17:bool tty=18:bool ' +
    'envFrom=19:[EnvFromSource] terminationMessagePolicy=20 startupProbe=22:Probe restartPolicy=24?',
  ContainerPort: 'name=1 hostPort=2:int32 containerPort=3:int32 protocol=4 hostIP=5',
  EnvVar: 'name=1 value=2 valueFrom=3:EnvVarSource',
  EnvVarSource:
    'fieldRef=1:ObjectFieldSelector resourceFieldRef=2:ResourceFieldSelector ' +
    'configMapKeyRef=3:ConfigMapKeySelector secretKeyRef=4:SecretKeySelector',
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
  Lifecycle: 'postStart=1:LifecycleHandler preStop=2:LifecycleHandler',
  LifecycleHandler: 'exec=1:ExecAction httpGet=2:HTTPGetAction tcpSocket=3:TCPSocketAction sleep=4:SleepAction',
  SleepAction: 'seconds=1:int64',
  SecurityContext:
    'capabilities=1:Capabilities privileged=2:bool? runAsUser=4:int64? runAsNonRoot=5:bool? ' +
    'readOnlyRootFilesystem=6:bool? allowPrivilegeEscalation=7:bool? runAsGroup=8:int64? procMount=9? ' +
    'seccompProfile=11:SeccompProfile',
  Capabilities: 'add=1:[] drop=2:[]',
  SeccompProfile: 'type=1 localhostProfile=2?',
  PodSecurityContext:
    'runAsUser=2:int64? runAsNonRoot=3:bool? supplementalGroups=4:[int64] fsGroup=5:int64? ' +
    'runAsGroup=6:int64? sysctls=7:[Sysctl] fsGroupChangePolicy=9? seccompProfile=10:SeccompProfile',
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
  Volume: 'name=1 ...=2:VolumeSource',
  VolumeSource:
    'hostPath=1:HostPathVolumeSource emptyDir=2:EmptyDirVolumeSource secret=6:SecretVolumeSource ' +
    'persistentVolumeClaim=10:PersistentVolumeClaimVolumeSource downwardAPI=16:DownwardAPIVolumeSource ' +
    'configMap=19:ConfigMapVolumeSource projected=26:ProjectedVolumeSource',
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
    'serviceAccountToken=4:ServiceAccountTokenProjection',
  SecretProjection: '...=1:LocalObjectReference items=2:[KeyToPath] optional=4:bool?',
  ConfigMapProjection: '...=1:LocalObjectReference items=2:[KeyToPath] optional=4:bool?',
  DownwardAPIProjection: 'items=1:[DownwardAPIVolumeFile]',
  ServiceAccountTokenProjection: 'audience=1 expirationSeconds=2:int64? path=3',

  // --- apps/v1
  Deployment: 'metadata=1:ObjectMeta spec=2:DeploymentSpec status=3:DeploymentStatus',
  DeploymentSpec:
    'replicas=1:int32? selector=2:LabelSelector template=3:PodTemplateSpec strategy=4:DeploymentStrategy ' +
    'minReadySeconds=5:int32 revisionHistoryLimit=6:int32? paused=7:bool progressDeadlineSeconds=9:int32?',
  DeploymentStrategy: 'type=1 rollingUpdate=2:RollingUpdateDeployment',
  RollingUpdateDeployment: 'maxUnavailable=1:IntOrString? maxSurge=2:IntOrString?',
  DeploymentStatus: '',

  // --- batch/v1
  Job: 'metadata=1:ObjectMeta spec=2:JobSpec status=3:JobStatus',
  JobSpec:
    'parallelism=1:int32? completions=2:int32? activeDeadlineSeconds=3:int64? selector=4:LabelSelector ' +
    'manualSelector=5:bool? template=6:PodTemplateSpec backoffLimit=7:int32? ttlSecondsAfterFinished=8:int32? ' +
    'completionMode=9? suspend=10:bool? backoffLimitPerIndex=12:int32? maxFailedIndexes=13:int32? ' +
    'podReplacementPolicy=14? managedBy=15?',
  JobStatus: '',
  CronJob: 'metadata=1:ObjectMeta spec=2:CronJobSpec status=3:CronJobStatus',
  CronJobSpec:
    'schedule=1 startingDeadlineSeconds=2:int64? concurrencyPolicy=3 suspend=4:bool? ' +
    'jobTemplate=5:JobTemplateSpec successfulJobsHistoryLimit=6:int32? failedJobsHistoryLimit=7:int32? timeZone=8?',
  JobTemplateSpec: 'metadata=1:ObjectMeta spec=2:JobSpec',
  CronJobStatus: '',
};

/** The kinds a protobuf body may carry, by `apiVersion/kind` from the envelope. */
export const TOP_LEVEL: Record<string, string> = {
  'v1/Namespace': 'Namespace',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/ServiceAccount': 'ServiceAccount',
  'v1/Service': 'Service',
  'v1/ResourceQuota': 'ResourceQuota',
  'v1/Pod': 'Pod',
  'apps/v1/Deployment': 'Deployment',
  'batch/v1/Job': 'Job',
  'batch/v1/CronJob': 'CronJob',
};

export const SCALARS = new Set(['string', 'bool', 'int32', 'int64', 'bytes', 'Quantity', 'Time', 'IntOrString', 'FieldsV1']);

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
