import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeProtobufBody, encodeObject, encodeWatchFrame } from './index.js';
import { KUBECTL_132_BODIES } from './kubectl-fixtures.js';
import { fields } from './wire.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Go drops zero scalars and empty structs a JSON body may spell out; compare modulo those. */
function normalize(v: Json): Json | undefined {
  if (Array.isArray(v)) return v.length ? v.map((x) => normalize(x) ?? null) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalize(x);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (v === '' || v === 0 || v === false || v === null) return undefined;
  return v;
}

/** Embedded objects' apiVersion/kind (StatefulSet volumeClaimTemplates) have no protobuf field, in Go either. */
function withoutEmbeddedTypeMeta(obj: Record<string, Json>): Record<string, Json> {
  const copy = structuredClone(obj) as any;
  for (const t of copy.spec?.volumeClaimTemplates ?? []) {
    delete t.apiVersion;
    delete t.kind;
  }
  return copy;
}

function roundTrip(obj: Record<string, Json>): Record<string, Json> {
  const enc = encodeObject(obj);
  assert.ok(enc, `${String(obj.kind)} has a message`);
  assert.deepEqual(enc.lost, [], `${String(obj.kind)}: nothing left out`);
  const back = decodeProtobufBody(enc.bytes) as Record<string, Json>;
  assert.deepEqual(normalize(back), normalize(withoutEmbeddedTypeMeta(obj)));
  // What a client decodes survives another trip unchanged.
  assert.deepEqual(decodeProtobufBody(encodeObject(back)!.bytes), back);
  return back;
}

const meta = (name: string, extra: Record<string, Json> = {}): Record<string, Json> => ({
  name,
  namespace: 'default',
  uid: '3f1c1c9e-5d1b-4a44-9d57-6b8a8f0e0a01',
  resourceVersion: '42',
  generation: 3,
  creationTimestamp: '2026-01-02T03:04:05Z',
  labels: { app: 'web' },
  annotations: { 'deployment.kubernetes.io/revision': '1' },
  ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'u1', controller: true, blockOwnerDeletion: true }],
  finalizers: ['x.io/f'],
  managedFields: [{ manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: '2026-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } } }],
  ...extra,
});

const podSpec: Record<string, Json> = {
  containers: [
    {
      name: 'nginx',
      image: 'nginx:1.27',
      command: ['sh', '-c'],
      args: ['echo hi'],
      ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
      env: [{ name: 'A', value: 'b' }, { name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
      resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
      volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
      livenessProbe: { httpGet: { path: '/', port: 'http', scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
      readinessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 2 },
      securityContext: { runAsNonRoot: true, runAsUser: 1000, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
    },
  ],
  volumes: [
    { name: 'data', persistentVolumeClaim: { claimName: 'data-0' } },
    { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420, items: [{ key: 'a', path: 'a.txt' }] } },
    { name: 'tok', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { downwardAPI: { items: [{ path: 'ns', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } }] } },
  ],
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 30,
  dnsPolicy: 'ClusterFirst',
  serviceAccountName: 'default',
  serviceAccount: 'default',
  nodeName: 'node-1',
  securityContext: { fsGroup: 2000, supplementalGroups: [1, 2] },
  schedulerName: 'default-scheduler',
  tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
  priority: 0,
  enableServiceLinks: true,
  preemptionPolicy: 'PreemptLowerPriority',
};

const samples: Record<string, Json>[] = [
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta('web-abc-x'),
    spec: podSpec,
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-02T03:04:07Z' }],
      hostIP: '10.0.0.1',
      hostIPs: [{ ip: '10.0.0.1' }],
      podIP: '10.244.1.5',
      podIPs: [{ ip: '10.244.1.5' }],
      startTime: '2026-01-02T03:04:05Z',
      containerStatuses: [
        {
          name: 'nginx',
          state: { running: { startedAt: '2026-01-02T03:04:06Z' } },
          lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2026-01-02T03:00:00Z', finishedAt: '2026-01-02T03:04:00Z', containerID: 'kubeloop://1' } },
          ready: true,
          restartCount: 1,
          image: 'nginx:1.27',
          imageID: 'docker.io/library/nginx@sha256:00',
          containerID: 'kubeloop://2',
          started: true,
        },
      ],
      qosClass: 'Burstable',
    },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('web'),
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] },
      template: { metadata: { labels: { app: 'web' }, creationTimestamp: null }, spec: podSpec },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: 3,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2026-01-02T03:04:05Z', lastTransitionTime: '2026-01-02T03:04:05Z', reason: 'MinimumReplicasAvailable', message: 'ok' }],
    },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta('db'),
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'db' } },
      serviceName: 'db',
      template: { metadata: { labels: { app: 'db' } }, spec: podSpec },
      volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }],
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    },
    status: { observedGeneration: 1, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: 'db-1', updateRevision: 'db-1', collisionCount: 0, availableReplicas: 3 },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta('agent'),
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: podSpec }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 },
    status: { currentNumberScheduled: 3, numberMisscheduled: 0, desiredNumberScheduled: 3, numberReady: 3, observedGeneration: 1, updatedNumberScheduled: 3, numberAvailable: 3 },
  },
  { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: meta('agent-1'), data: { spec: { template: { $patch: 'replace', spec: { containers: [{ name: 'a' }] } } } }, revision: 1 },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: meta('tick'),
    spec: { schedule: '*/1 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, jobTemplate: { metadata: { name: 'tick' }, spec: { backoffLimit: 6, template: { spec: podSpec } } } },
    status: { active: [{ kind: 'Job', namespace: 'default', name: 'tick-1', uid: 'u', apiVersion: 'batch/v1', resourceVersion: '9' }], lastScheduleTime: '2026-01-02T03:04:00Z' },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta('pi'),
    spec: { parallelism: 1, completions: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed', selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, template: { metadata: { labels: { 'job-name': 'pi' } }, spec: { ...podSpec, restartPolicy: 'Never' } } },
    status: { conditions: [{ type: 'Complete', status: 'True', lastProbeTime: '2026-01-02T03:04:09Z', lastTransitionTime: '2026-01-02T03:04:09Z' }], startTime: '2026-01-02T03:04:05Z', completionTime: '2026-01-02T03:04:09Z', succeeded: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} },
  },
  {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta('node-1', { namespace: '' }),
    spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }], unschedulable: true },
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-02T03:04:05Z', lastTransitionTime: '2026-01-02T03:04:05Z', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'node-1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: { machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: '6.1', osImage: 'kubeloop', containerRuntimeVersion: 'kubeloop://1', kubeletVersion: 'v1.32.0', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
      images: [{ names: ['nginx:1.27'], sizeBytes: 70000000 }],
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('svc'),
    spec: { ports: [{ name: '80-80', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }], selector: { app: 'web' }, clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], type: 'LoadBalancer', sessionAffinity: 'None', externalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', allocateLoadBalancerNodePorts: true, internalTrafficPolicy: 'Cluster' },
    status: { loadBalancer: { ingress: [{ ip: '172.18.0.10', ipMode: 'VIP' }] } },
  },
  { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('svc'), subsets: [{ addresses: [{ ip: '10.244.1.5', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-abc-x', uid: 'u' } }], ports: [{ name: '80-80', port: 8080, protocol: 'TCP' }] }] },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta('svc-abc'),
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1', zone: 'a', targetRef: { kind: 'Pod', name: 'web-abc-x', namespace: 'default', uid: 'u' } }],
    ports: [{ name: '80-80', port: 8080, protocol: 'TCP' }],
  },
  {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: meta('web.1'),
    involvedObject: { kind: 'Deployment', namespace: 'default', name: 'web', uid: 'u', apiVersion: 'apps/v1', resourceVersion: '1' },
    reason: 'ScalingReplicaSet',
    message: 'Scaled up replica set web-abc to 2',
    source: { component: 'deployment-controller' },
    firstTimestamp: '2026-01-02T03:04:05Z',
    lastTimestamp: '2026-01-02T03:04:05Z',
    count: 1,
    type: 'Normal',
    eventTime: null,
    reportingComponent: 'deployment-controller',
    reportingInstance: '',
  },
  {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: meta('web.2'),
    eventTime: '2026-01-02T03:04:05.123456Z',
    series: { count: 2, lastObservedTime: '2026-01-02T03:04:06.000001Z' },
    reportingController: 'kubelet',
    reportingInstance: 'node-1',
    action: 'Pulling',
    reason: 'Pulling',
    regarding: { kind: 'Pod', name: 'p' },
    note: 'Pulling image',
    type: 'Normal',
  },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta('kube-controller-manager'), spec: { holderIdentity: 'kubeloop_1', leaseDurationSeconds: 15, acquireTime: '2026-01-02T03:04:05.000000Z', renewTime: '2026-01-02T03:04:07.250000Z', leaseTransitions: 0 } },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta('pdb'),
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } }, unhealthyPodEvictionPolicy: 'IfHealthyBudget' },
    status: { observedGeneration: 1, disruptedPods: { 'web-abc-x': '2026-01-02T03:04:05Z' }, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, conditions: [{ type: 'DisruptionAllowed', status: 'True', observedGeneration: 1, lastTransitionTime: '2026-01-02T03:04:05Z', reason: 'SufficientPods', message: '' }] },
  },
  { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-abc-x', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 0, propagationPolicy: 'Background', dryRun: ['All'], preconditions: { uid: 'u' } } },
  { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: meta('standard', { namespace: '' }), provisioner: 'kubeloop.io/hostpath', parameters: { type: 'ssd' }, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: false, mountOptions: ['ro'], allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: ['a'] }] }] },
  {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: meta('pv-1', { namespace: '' }),
    spec: { capacity: { storage: '1Gi' }, hostPath: { path: '/tmp/pv', type: '' }, accessModes: ['ReadWriteOnce'], claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data-0', uid: 'u' }, persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'standard', volumeMode: 'Filesystem', nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }] } } },
    status: { phase: 'Bound', lastPhaseTransitionTime: '2026-01-02T03:04:05Z' },
  },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('data-0'), spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: 'pv-1', storageClassName: 'standard', volumeMode: 'Filesystem' }, status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } },
  { apiVersion: 'v1', kind: 'ReplicationController', metadata: meta('rc'), spec: { replicas: 1, selector: { app: 'rc' }, template: { metadata: { labels: { app: 'rc' } }, spec: podSpec } }, status: { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 } },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('web-abc'), spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec } }, status: { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1, conditions: [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: '2026-01-02T03:04:05Z', reason: 'FailedCreate', message: 'exceeded quota' }] } },
  { apiVersion: 'v1', kind: 'PodTemplate', metadata: meta('tpl'), template: { metadata: { labels: { a: 'b' } }, spec: podSpec } },
  { apiVersion: 'v1', kind: 'LimitRange', metadata: meta('limits'), spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' }, max: { cpu: '2' }, min: { cpu: '10m' }, maxLimitRequestRatio: { cpu: '10' } }] } },
  { apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta('q'), spec: { hard: { pods: '10', 'requests.cpu': '2' }, scopes: ['NotTerminating'] }, status: { hard: { pods: '10' }, used: { pods: '2' } } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('robot'), secrets: [{ name: 'robot-token' }], imagePullSecrets: [{ name: 'reg' }], automountServiceAccountToken: false },
  { apiVersion: 'v1', kind: 'Secret', metadata: meta('s'), type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from('crt').toString('base64'), 'tls.key': Buffer.from([0, 255, 1]).toString('base64') }, immutable: true },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('c'), data: { a: 'b', 'file.txt': 'line\nline' }, binaryData: { bin: Buffer.from([1, 2, 3]).toString('base64') } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: meta('ns', { namespace: '' }), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating', conditions: [{ type: 'NamespaceDeletionContentFailure', status: 'False', lastTransitionTime: '2026-01-02T03:04:05Z', reason: 'ContentDeleted', message: 'ok' }] } },
  { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p', namespace: 'default' }, target: { kind: 'Node', name: 'node-1', apiVersion: 'v1' } },
  { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: meta('web'), spec: { replicas: 3 }, status: { replicas: 2, selector: 'app=web' } },
  { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: 'pods "x" not found', reason: 'NotFound', details: { name: 'x', kind: 'pods', causes: [{ reason: 'FieldValueInvalid', message: 'bad', field: 'spec.x' }], retryAfterSeconds: 1 }, code: 404 },
  { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, orphanDependents: false, propagationPolicy: 'Foreground' },
];

describe('protobuf encoder', () => {
  for (const s of samples) {
    it(`round-trips ${String(s.apiVersion)} ${String(s.kind)}`, () => {
      roundTrip(s);
    });
  }

  it('keeps explicit zeros of pointer fields and sub-second MicroTime', () => {
    const d = roundTrip(samples[1]!) as any;
    assert.equal(d.spec.replicas, 0);
    const e = roundTrip(samples.find((x) => x.apiVersion === 'events.k8s.io/v1')!) as any;
    assert.equal(e.eventTime, '2026-01-02T03:04:05.123456Z');
    const l = roundTrip(samples.find((x) => x.kind === 'Lease')!) as any;
    assert.equal(l.spec.leaseTransitions, 0);
    assert.equal(l.spec.renewTime, '2026-01-02T03:04:07.250000Z');
  });

  it('encodes lists as <Kind>List with ListMeta', () => {
    const list = { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '77', continue: 'abc', remainingItemCount: 3 }, items: [{ metadata: { name: 'a' }, spec: podSpec }, { metadata: { name: 'b' }, spec: podSpec }] };
    const back = roundTrip(list as Record<string, Json>) as any;
    assert.deepEqual(back.items.map((p: any) => p.metadata.name), ['a', 'b']);
    assert.equal(back.metadata.remainingItemCount, 3);
  });

  it('reports what it cannot carry instead of dropping it', () => {
    const enc = encodeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', bogus: 1 }, data: { a: 1 }, extra: {} });
    assert.deepEqual(enc?.lost.sort(), ['data[a]', 'extra', 'metadata.bogus']);
  });

  it('has no message for custom resources and Tables', () => {
    assert.equal(encodeObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }), undefined);
    assert.equal(encodeObject({ apiVersion: 'meta.k8s.io/v1', kind: 'Table', rows: [] }), undefined);
  });

  it('frames watch events as client-go reads them: length, raw WatchEvent, enveloped object', () => {
    const obj = encodeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } })!;
    const frame = encodeWatchFrame('ADDED', obj);
    assert.equal(frame.readUInt32BE(0), frame.length - 4);
    const ev = [...fields(frame.subarray(4))];
    assert.equal(ev[0]!.num, 1);
    assert.equal(ev[0]!.bytes!.toString(), 'ADDED');
    const raw = [...fields(ev[1]!.bytes!)];
    assert.deepEqual(decodeProtobufBody(raw[0]!.bytes!), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } });
  });

  it('re-encodes what kubectl 1.32 sent into something that decodes the same', () => {
    for (const [name, f] of Object.entries(KUBECTL_132_BODIES)) {
      const decoded = decodeProtobufBody(Buffer.from(f.hex, 'hex')) as Record<string, Json>;
      const enc = encodeObject(decoded)!;
      assert.deepEqual(enc.lost, [], name);
      assert.deepEqual(decodeProtobufBody(enc.bytes), decoded, name);
    }
  });
});

describe('protobuf responses', () => {
  const fakeRes = () => {
    const headers = new Map<string, unknown>();
    return { setHeader: (k: string, v: unknown) => headers.set(k, v), getHeader: (k: string) => headers.get(k), headers } as any;
  };
  const lossy = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, surprise: 1 });
  const fine = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });

  it('only for marked responses and kinds with a message', async () => {
    const { preferProtobuf, protobufBody } = await import('./response.js');
    const res = fakeRes();
    assert.equal(protobufBody(res, fine), undefined);
    preferProtobuf(res, true);
    assert.ok(protobufBody(res, fine));
    assert.equal(protobufBody(res, JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget' })), undefined);
  });

  it('falls back to JSON rather than drop a field, or warns when JSON is not accepted', async () => {
    const { preferProtobuf, protobufBody } = await import('./response.js');
    const withJson = fakeRes();
    preferProtobuf(withJson, true);
    assert.equal(protobufBody(withJson, lossy), undefined);
    const only = fakeRes();
    preferProtobuf(only, false);
    assert.ok(protobufBody(only, lossy));
    assert.match(String(only.headers.get('Warning')), /could not encode these fields in protobuf: surprise/);
  });
});
