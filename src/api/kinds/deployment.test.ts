import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { deploymentDescriptor as d } from './deployment.js';
import { created as createdAs, validationTexts } from './kind-test-util.js';

// The tutorial's mydeploy.yaml.
const MYDEPLOY = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: mydeploy
spec:
  replicas: 10
  selector:
    matchLabels:
      run: nginx
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 25%
      maxSurge: 25%
  template:
    metadata:
      labels:
        run: nginx
    spec:
      containers:
      - name: nginx
        image: nginx
`;

const created = (src: string | KubeObject): KubeObject => createdAs(d, src);

const messages = (obj: KubeObject, old?: KubeObject): string[] => validationTexts(d, obj, old);

function minimal(spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x' },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      ...spec,
    },
  };
}

describe('Deployment defaults', () => {
  it('stores mydeploy.yaml the way kube-apiserver does', () => {
    const obj = created(MYDEPLOY);
    const spec = obj.spec as Record<string, any>;
    const { template, ...rest } = spec;
    assert.deepEqual(rest, {
      progressDeadlineSeconds: 600,
      replicas: 10,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { run: 'nginx' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    });
    assert.deepEqual(template.metadata.labels, { run: 'nginx' });
    assert.equal(template.spec.restartPolicy, 'Always');
    assert.equal(template.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(template.spec.schedulerName, 'default-scheduler');
    assert.equal(template.spec.terminationGracePeriodSeconds, 30);
    assert.deepEqual(template.spec.securityContext, {});
    assert.deepEqual(obj.status, {});
    assert.deepEqual(messages(obj), []);
  });

  it('fills replicas and the rolling parameters independently', () => {
    const obj = created(minimal({ strategy: { rollingUpdate: { maxSurge: 2 } } }));
    const spec = obj.spec as Record<string, any>;
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: '25%' } });
  });

  it('gives Recreate no rollingUpdate block', () => {
    const spec = created(minimal({ strategy: { type: 'Recreate' } })).spec as Record<string, any>;
    assert.deepEqual(spec.strategy, { type: 'Recreate' });
  });

  it('leaves out zero-valued omitempty fields as Go does', () => {
    const spec = created(minimal({ paused: false, minReadySeconds: 0 })).spec as Record<string, any>;
    assert.equal('paused' in spec, false);
    assert.equal('minReadySeconds' in spec, false);
  });

  it('resets a client-supplied status on create', () => {
    const obj = minimal();
    obj.status = { replicas: 4 };
    assert.deepEqual(created(obj).status, {});
  });
});

describe('Deployment validation', () => {
  it('refuses a template whose labels the selector does not match', () => {
    const obj = created(minimal({ selector: { matchLabels: { app: 'y' } } }));
    assert.deepEqual(messages(obj), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`',
    ]);
  });

  it('requires a selector, and then no template matches', () => {
    const obj = created(minimal({ selector: undefined }));
    assert.deepEqual(messages(obj), [
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`',
    ]);
  });

  it('refuses an empty selector with the deployment wording', () => {
    const obj = created(minimal({ selector: {} }));
    assert.deepEqual(messages(obj), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
  });

  it('refuses maxUnavailable and maxSurge both zero', () => {
    const obj = created(minimal({ strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } }));
    assert.deepEqual(messages(obj), [
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
    ]);
  });

  it('checks percent syntax and the 100% ceiling of maxUnavailable only', () => {
    const obj = created(minimal({ strategy: { rollingUpdate: { maxUnavailable: '110%', maxSurge: '1' } } }));
    assert.deepEqual(messages(obj), [
      `spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"1"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"110%"}: must not be greater than 100%',
    ]);
    assert.deepEqual(messages(created(minimal({ strategy: { rollingUpdate: { maxSurge: '300%' } } }))), []);
  });

  it('refuses negative ints in the rolling parameters', () => {
    const obj = created(minimal({ strategy: { rollingUpdate: { maxUnavailable: -1 } } }));
    assert.deepEqual(messages(obj), ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to 0']);
  });

  it('forbids rollingUpdate with Recreate and unknown strategy types', () => {
    const recreate = created(minimal({ strategy: { type: 'Recreate', rollingUpdate: {} } }));
    assert.deepEqual(messages(recreate), ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
    const odd = created(minimal({ strategy: { type: 'BlueGreen' } }));
    assert.deepEqual(messages(odd), [
      'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
    ]);
  });

  it('wants the progress deadline above minReadySeconds and counts non-negative', () => {
    const obj = created(minimal({ replicas: -1, minReadySeconds: 600, revisionHistoryLimit: -2 }));
    assert.deepEqual(messages(obj), [
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0',
      'spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds',
    ]);
  });

  it('allows only restartPolicy Always and no activeDeadlineSeconds in the template', () => {
    const obj = created(minimal());
    const podSpec = (obj.spec as any).template.spec;
    podSpec.restartPolicy = 'Never';
    podSpec.activeDeadlineSeconds = 5;
    assert.deepEqual(messages(obj), [
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
    ]);
  });

  it('keeps the selector immutable', () => {
    const old = created(minimal());
    const next = created(minimal({ selector: { matchLabels: { app: 'x', tier: 'web' } } }));
    (next.spec as any).template.metadata.labels.tier = 'web';
    assert.deepEqual(messages(next, old), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x", "tier":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
    const same = created(minimal({ selector: { matchLabels: { app: 'x' }, matchExpressions: [] } }));
    assert.deepEqual(messages(same, old), []);
  });

  it('answers 400 to a malformed rollback annotation', () => {
    const obj = minimal();
    obj.metadata.annotations = { 'deprecated.deployment.rollback.to': 'two' };
    assert.throws(() => created(obj), (err: any) => err.code === 400);
  });
});

describe('Deployment status writes', () => {
  it('take annotations from the request but keep stored labels', () => {
    const stored = created(minimal());
    stored.metadata.labels = { team: 'a' };
    const request = structuredClone(stored);
    request.metadata.labels = { team: 'b' };
    request.metadata.annotations = { 'deployment.kubernetes.io/revision': '1' };
    request.status = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 0 };
    const obj = structuredClone(stored);
    obj.status = request.status;
    d.prepareForStatusUpdate?.(obj, request);
    assert.deepEqual(obj.metadata.labels, { team: 'a' });
    assert.deepEqual(obj.metadata.annotations, { 'deployment.kubernetes.io/revision': '1' });
    assert.deepEqual(obj.status, { observedGeneration: 1, replicas: 1, updatedReplicas: 1 });
  });
});

describe('Deployment table', () => {
  it('prints READY, UP-TO-DATE, AVAILABLE and the wide columns', () => {
    const obj = created(MYDEPLOY);
    obj.metadata.creationTimestamp = '2024-01-01T00:00:00Z';
    obj.status = { replicas: 10, readyReplicas: 7, updatedReplicas: 10, availableReplicas: 7 };
    const now = Date.parse('2024-01-01T00:03:05Z');
    assert.deepEqual(
      d.table.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Ready', 'string', 0],
        ['Up-to-date', 'string', 0],
        ['Available', 'string', 0],
        ['Age', 'string', 0],
        ['Containers', 'string', 1],
        ['Images', 'string', 1],
        ['Selector', 'string', 1],
      ],
    );
    assert.deepEqual(d.table.cells(obj, now), ['mydeploy', '7/10', 10, 7, '3m5s', 'nginx', 'nginx', 'run=nginx']);
    obj.status = {};
    assert.deepEqual(d.table.cells(obj, now).slice(1, 4), ['0/10', 0, 0]);
  });

  it('gives scale the selector string', () => {
    assert.equal(d.scale?.selector(created(MYDEPLOY)), 'run=nginx');
  });
});
