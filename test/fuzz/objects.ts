// Valid objects of many kinds: the fuzzer's starting points before it mutates them. Each is what a user
// could apply, so a request carrying one unmutated is expected to succeed (or conflict with an earlier one).

export const FUZZ_GROUP = 'fuzz.kubeloop.dev';

/** A CRD the setup creates, so custom-resource paths reach a served resource. */
export const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${FUZZ_GROUP}` },
  spec: {
    group: FUZZ_GROUP,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wg'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  size: { type: 'integer', minimum: 0, maximum: 100 },
                  color: { type: 'string', enum: ['red', 'green', 'blue'] },
                  replicas: { type: 'integer' },
                  tags: { type: 'array', items: { type: 'string' } },
                  extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                },
                required: ['size'],
              },
              status: { type: 'object', properties: { replicas: { type: 'integer' } } },
            },
          },
        },
      },
    ],
  },
};

const labels = { app: 'web', tier: 'front' };
const podSpec = (restartPolicy = 'Always') => ({
  restartPolicy,
  containers: [
    {
      name: 'c',
      image: 'nginx:1.27',
      ports: [{ containerPort: 80, name: 'http' }],
      env: [{ name: 'MODE', value: 'fuzz' }],
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 5 },
      volumeMounts: [{ name: 'conf', mountPath: '/etc/conf' }],
    },
  ],
  volumes: [{ name: 'conf', configMap: { name: 'web-conf' } }],
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
});
const template = (restartPolicy?: string) => ({ metadata: { labels }, spec: podSpec(restartPolicy) });

/** One valid object per kind; `name` fills metadata.name. Keyed by `group/Kind` (core: `/Kind`). */
export function validObject(kindKey: string, name: string): Record<string, unknown> | undefined {
  const meta = { name, labels, annotations: { 'fuzz.kubeloop.dev/note': 'ok' } };
  switch (kindKey) {
    case '/Pod':
      return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: podSpec() };
    case '/ConfigMap':
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { 'app.conf': 'a=1\n', key: 'value' }, binaryData: { bin: 'AAEC' } };
    case '/Secret':
      return { apiVersion: 'v1', kind: 'Secret', metadata: meta, type: 'Opaque', data: { password: 'c2VjcmV0' }, stringData: { user: 'admin' } };
    case '/Service':
      return {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta,
        spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], type: 'ClusterIP' },
      };
    case '/Namespace':
      return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
    case '/Node':
      return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } };
    case '/PersistentVolumeClaim':
      return {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: meta,
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      };
    case '/PersistentVolume':
      return {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name },
        spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' }, persistentVolumeReclaimPolicy: 'Retain' },
      };
    case '/ServiceAccount':
      return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta };
    case '/ResourceQuota':
      return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta, spec: { hard: { pods: '1000', 'requests.cpu': '1000' } } };
    case '/LimitRange':
      return { apiVersion: 'v1', kind: 'LimitRange', metadata: meta, spec: { limits: [{ type: 'Container', max: { cpu: '64' } }] } };
    case '/ReplicationController':
      return { apiVersion: 'v1', kind: 'ReplicationController', metadata: meta, spec: { replicas: 1, selector: labels, template: template() } };
    case '/PodTemplate':
      return { apiVersion: 'v1', kind: 'PodTemplate', metadata: meta, template: template() };
    case '/Endpoints':
      return { apiVersion: 'v1', kind: 'Endpoints', metadata: meta, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80, protocol: 'TCP' }] }] };
    case '/Event':
      return {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: meta,
        involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
        reason: 'Fuzzed',
        message: 'hello',
        type: 'Normal',
        count: 1,
      };
    case 'apps/Deployment':
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta,
        spec: { replicas: 2, selector: { matchLabels: labels }, template: template(), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } } },
      };
    case 'apps/ReplicaSet':
      return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta, spec: { replicas: 1, selector: { matchLabels: labels }, template: template() } };
    case 'apps/StatefulSet':
      return {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: meta,
        spec: {
          replicas: 1,
          serviceName: 'web',
          selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
          template: template(),
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
        },
      };
    case 'apps/DaemonSet':
      return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta, spec: { selector: { matchLabels: labels }, template: template() } };
    case 'apps/ControllerRevision':
      return { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: meta, revision: 1, data: { spec: { template: template() } } };
    case 'batch/Job':
      return { apiVersion: 'batch/v1', kind: 'Job', metadata: meta, spec: { completions: 2, parallelism: 1, backoffLimit: 3, template: { spec: podSpec('Never') } } };
    case 'batch/CronJob':
      return {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: meta,
        spec: { schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { template: { spec: podSpec('OnFailure') } } } },
      };
    case 'policy/PodDisruptionBudget':
      return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta, spec: { minAvailable: 1, selector: { matchLabels: labels } } };
    case 'storage.k8s.io/StorageClass':
      return { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'kubeloop.dev/hostpath', reclaimPolicy: 'Delete' };
    case 'coordination.k8s.io/Lease':
      return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta, spec: { holderIdentity: 'me', leaseDurationSeconds: 15 } };
    case 'discovery.k8s.io/EndpointSlice':
      return {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: meta,
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.0.0.2'], conditions: { ready: true } }],
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      };
    case 'events.k8s.io/Event':
      return {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: meta,
        eventTime: '2026-01-01T00:00:00.000000Z',
        reportingController: 'fuzz',
        reportingInstance: 'fuzz-1',
        action: 'Fuzz',
        reason: 'Fuzzed',
        regarding: { kind: 'Pod', name: 'web', namespace: 'default' },
        type: 'Normal',
      };
    case 'apiextensions.k8s.io/CustomResourceDefinition': {
      const crd = structuredClone(widgetCrd) as Record<string, unknown> & { metadata: { name: string }; spec: { names: Record<string, unknown> } };
      // A second CRD may only be named plural.group; reuse the widget one so both valid and mutated forms appear.
      crd.metadata.name = name.includes('.') ? name : crd.metadata.name;
      return crd;
    }
    case `${FUZZ_GROUP}/Widget`:
      return { apiVersion: `${FUZZ_GROUP}/v1`, kind: 'Widget', metadata: meta, spec: { size: 3, color: 'red', replicas: 1, tags: ['a'], extra: { any: { thing: 1 } } } };
  }
  return undefined;
}
