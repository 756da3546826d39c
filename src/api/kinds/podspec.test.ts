import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imagePullPolicyFor } from './image-reference.js';
import { errorTexts as texts } from './kind-test-util.js';
import { defaultPodSpec, defaultPodTemplateSpec, validatePodSpec, validatePodTemplateSpec } from './podspec.js';

function spec(extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}): any {
  const s: any = { containers: [{ name: 'web', image: 'nginx:1.27', ...container }], ...extra };
  defaultPodSpec(s);
  return s;
}

describe('image pull policy default', () => {
  it('is Always for untagged and :latest images, IfNotPresent otherwise', () => {
    assert.equal(imagePullPolicyFor('nginx'), 'Always');
    assert.equal(imagePullPolicyFor('nginx:latest'), 'Always');
    assert.equal(imagePullPolicyFor('registry.local:5000/team/app'), 'Always');
    assert.equal(imagePullPolicyFor('nginx:1.27'), 'IfNotPresent');
    assert.equal(imagePullPolicyFor('localhost:5000/app:v2'), 'IfNotPresent');
    assert.equal(imagePullPolicyFor(`busybox@sha256:${'a'.repeat(64)}`), 'IfNotPresent');
    assert.equal(imagePullPolicyFor('Nginx'), 'IfNotPresent');
  });
});

describe('defaultPodSpec', () => {
  it('fills what `kubectl run nginx --image=nginx` gets back', () => {
    const s: any = { containers: [{ name: 'nginx', image: 'nginx', resources: {} }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' };
    defaultPodSpec(s);
    assert.deepEqual(s, {
      containers: [{
        name: 'nginx',
        image: 'nginx',
        imagePullPolicy: 'Always',
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      }],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
    });
  });

  it('defaults ports, probes, env field refs, volumes and quantities', () => {
    const s: any = {
      containers: [{
        name: 'app',
        image: 'app:v1',
        ports: [{ containerPort: 80 }],
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
        livenessProbe: { httpGet: { port: 80 } },
        readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
        resources: { limits: { cpu: '0.5', memory: '128Mi' }, requests: { cpu: '1000m' } },
      }],
      volumes: [
        { name: 'scratch' },
        { name: 'cfg', configMap: { name: 'app' } },
        { name: 'sec', secret: { secretName: 'app', defaultMode: 256 } },
        { name: 'host', hostPath: { path: '/var/log' } },
      ],
      serviceAccount: 'builder',
    };
    defaultPodSpec(s);
    const c = s.containers[0];
    assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
    assert.deepEqual(c.env[0].valueFrom.fieldRef, { fieldPath: 'spec.nodeName', apiVersion: 'v1' });
    assert.deepEqual(c.livenessProbe, {
      httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3,
    });
    assert.equal(c.readinessProbe.periodSeconds, 5);
    assert.deepEqual(c.resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '1' } });
    assert.deepEqual(s.volumes, [
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'app', defaultMode: 420 } },
      { name: 'sec', secret: { secretName: 'app', defaultMode: 256 } },
      { name: 'host', hostPath: { path: '/var/log', type: '' } },
    ]);
    assert.equal(s.serviceAccountName, 'builder');
    assert.equal(s.serviceAccount, 'builder');
    assert.equal(s.enableServiceLinks, undefined, 'enableServiceLinks is a Pod-only default');
  });

  it('defaults a template spec, creating it when missing', () => {
    const tpl: any = { metadata: { labels: { app: 'x' } } };
    defaultPodTemplateSpec(tpl);
    assert.equal(tpl.spec.restartPolicy, 'Always');
  });
});

describe('validatePodSpec', () => {
  it('accepts a defaulted spec', () => {
    assert.deepEqual(validatePodSpec(spec(), 'spec'), []);
  });

  it('requires containers and images', () => {
    const s: any = { containers: [] };
    defaultPodSpec(s);
    assert.deepEqual(texts(validatePodSpec(s, 'spec')), ['spec.containers: Required value']);
    assert.deepEqual(texts(validatePodSpec(spec({}, { image: '' }), 'spec')), ['spec.containers[0].image: Required value']);
  });

  it('checks container names and duplicates', () => {
    const s = spec({ containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }, { name: 'Bad_Name', image: 'z' }] });
    const got = texts(validatePodSpec(s, 'spec'));
    assert.deepEqual(got, [
      'spec.containers[1].name: Duplicate value: "a"',
      "spec.containers[2].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });

  it('checks ports', () => {
    const s = spec({}, { ports: [{ containerPort: 70000 }, { containerPort: 80, protocol: 'HTTP', name: 'web' }, { name: 'web', containerPort: 81 }, {}] });
    assert.deepEqual(texts(validatePodSpec(s, 'spec')), [
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[0].ports[2].name: Duplicate value: "web"',
      'spec.containers[0].ports[3].containerPort: Required value',
    ]);
  });

  it('checks env names and sources', () => {
    const s = spec({}, { env: [{ name: 'A=B' }, { name: '' }, { name: 'X', valueFrom: {} }, { name: 'Y', value: 'v', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] });
    assert.deepEqual(texts(validatePodSpec(s, 'spec')), [
      "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
      'spec.containers[0].env[1].name: Required value',
      'spec.containers[0].env[2].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      'spec.containers[0].env[3].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
    ]);
  });

  it('reports a mount of a missing volume as NotFound', () => {
    const errs = validatePodSpec(spec({}, { volumeMounts: [{ name: 'x', mountPath: '/x' }] }), 'spec');
    assert.deepEqual(errs, [{ reason: 'FieldValueNotFound', field: 'spec.containers[0].volumeMounts[0].name', message: 'Not found: "x"' }]);
  });

  it('checks volumes: names, duplicates, one source', () => {
    const s = spec({ volumes: [{ name: 'a', emptyDir: {} }, { name: 'a', emptyDir: {} }, { name: 'b', emptyDir: {}, hostPath: { path: '/x' } }, { name: 'c', configMap: {} }] });
    assert.deepEqual(texts(validatePodSpec(s, 'spec')), [
      'spec.volumes[1].name: Duplicate value: "a"',
      'spec.volumes[2].hostPath: Forbidden: may not specify more than 1 volume type',
      'spec.volumes[3].configMap.name: Required value',
    ]);
  });

  it('checks resource quantities and requests against limits', () => {
    const s = spec({}, { resources: { limits: { cpu: '1' }, requests: { cpu: '2', memory: 'lots' } } });
    assert.deepEqual(texts(validatePodSpec(s, 'spec')), [
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
      "spec.containers[0].resources.requests[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ]);
    const neg = spec({}, { resources: { requests: { memory: '-1Mi' } } });
    assert.deepEqual(texts(validatePodSpec(neg, 'spec')), ['spec.containers[0].resources.requests[memory]: Invalid value: "-1Mi": must be greater than or equal to 0']);
    const odd = spec({}, { resources: { limits: { gpu: '1' } } });
    assert.deepEqual(texts(validatePodSpec(odd, 'spec')), [
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
    ]);
  });

  it('checks restartPolicy and dnsPolicy values', () => {
    const s = spec({ restartPolicy: 'Sometimes', dnsPolicy: 'Google' });
    assert.deepEqual(texts(validatePodSpec(s, 'spec')), [
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ]);
  });

  it('checks probes and lifecycle handlers', () => {
    const s = spec({}, { livenessProbe: { successThreshold: 2, httpGet: { port: 'HTTP' } }, readinessProbe: {} });
    assert.deepEqual(texts(validatePodSpec(s, 'spec')), [
      'spec.containers[0].livenessProbe.httpGet.port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.containers[0].livenessProbe.httpGet.port: Invalid value: "HTTP": must contain at least one letter (a-z)',
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      'spec.containers[0].readinessProbe: Required value: must specify a handler type',
    ]);
  });

  it('checks node selector, tolerations and pod-level numbers', () => {
    const s = spec({
      nodeSelector: { 'bad key!': 'x' },
      tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }, { operator: 'Equal', value: 'x' }, { key: 'k', effect: 'NoSchedule', tolerationSeconds: 5 }],
      activeDeadlineSeconds: 0,
      hostname: 'Host',
    });
    const got = texts(validatePodSpec(s, 'spec'));
    assert.equal(got[0]?.startsWith('spec.nodeSelector: Invalid value: "bad key!": name part must consist of alphanumeric characters'), true, got[0]);
    assert.deepEqual(got.slice(1), [
      'spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive',
      "spec.hostname: Invalid value: \"Host\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      "spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
      'spec.tolerations[1].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      "spec.tolerations[2].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
    ]);
  });

  it('accepts sidecars and rejects probes on plain init containers', () => {
    const s = spec({
      initContainers: [
        { name: 'proxy', image: 'envoy', restartPolicy: 'Always', readinessProbe: { tcpSocket: { port: 15000 } } },
        { name: 'migrate', image: 'tool', livenessProbe: { exec: { command: ['true'] } } },
        { name: 'web', image: 'x', restartPolicy: 'OnFailure' },
      ],
    });
    assert.deepEqual(texts(validatePodSpec(s, 'spec')), [
      'spec.initContainers[1].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      'spec.initContainers[2].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
      'spec.initContainers[2].name: Duplicate value: "web"',
    ]);
  });
});

describe('validatePodTemplateSpec', () => {
  it('reports template label problems at <fld>.labels as kube does', () => {
    const tpl: any = { metadata: { labels: { app: 'bad value!' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    defaultPodTemplateSpec(tpl);
    const got = texts(validatePodTemplateSpec(tpl, 'spec.template'));
    assert.equal(got.length, 1);
    assert.match(got[0] ?? '', /^spec\.template\.labels: Invalid value: "bad value!": a valid label must be/);
  });

  it('forbids ephemeral containers in templates', () => {
    const tpl: any = { spec: { containers: [{ name: 'c', image: 'i' }], ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] } };
    defaultPodTemplateSpec(tpl);
    assert.deepEqual(texts(validatePodTemplateSpec(tpl, 'template')), ['template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template']);
  });
});
