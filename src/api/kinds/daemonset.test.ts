import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { KubeObject } from '../types.js';
import { daemonSetDescriptor as d, TEMPLATE_GENERATION_ANNOTATION as GEN } from './daemonset.js';
import { created as createdAs, manifestWithSpec, validationTexts } from './kind-test-util.js';

// The tutorial's fluentd.yaml and node-logger.yaml.
const FLUENTD = `
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd
spec:
  selector:
    matchLabels:
      name: fluentd
  template:
    metadata:
      labels:
        name: fluentd
    spec:
      containers:
      - name: fluentd
        image: quay.io/fluentd_elasticsearch/fluentd:v3.0.0
        volumeMounts:
        - name: varlibdockercontainers
          mountPath: /var/lib/docker/containers
          readOnly: true
      volumes:
      - name: varlibdockercontainers
        hostPath:
          path: /var/lib/docker/containers
`;

const NODE_LOGGER = `
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-logger
spec:
  selector:
    matchLabels:
      name: node-logger
  template:
    metadata:
      labels:
        name: node-logger
    spec:
      containers:
      - name: logger
        image: busybox
        command: ["sh", "-c", "while true; do echo Logging from $(hostname); sleep 10; done"]
`;

const created = (src: string | KubeObject): KubeObject => createdAs(d, src);

/** What the API server does on a main-resource update. */
function updated(next: KubeObject, old: KubeObject): KubeObject {
  const obj = structuredClone(next);
  d.defaults?.(obj);
  obj.status = old.status;
  d.prepareForUpdate?.(obj, old);
  return obj;
}

const messages = (obj: KubeObject, old?: KubeObject): string[] => validationTexts(d, obj, old);

const withSpec = (spec: Record<string, unknown>): KubeObject => manifestWithSpec(NODE_LOGGER, spec);

describe('DaemonSet defaults', () => {
  for (const [name, src] of [
    ['fluentd', FLUENTD],
    ['node-logger', NODE_LOGGER],
  ] as const) {
    it(`stores ${name}.yaml the way kube-apiserver does`, () => {
      const obj = created(src);
      const { template, ...rest } = obj.spec as Record<string, any>;
      assert.deepEqual(rest, {
        revisionHistoryLimit: 10,
        selector: { matchLabels: { name } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      });
      assert.equal(template.spec.restartPolicy, 'Always');
      assert.deepEqual(obj.metadata.annotations, { [GEN]: '1' });
      assert.deepEqual(obj.status, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
      assert.deepEqual(messages(obj), []);
    });
  }

  it('gives OnDelete no rollingUpdate block', () => {
    const spec = created(withSpec({ updateStrategy: { type: 'OnDelete' } })).spec as any;
    assert.deepEqual(spec.updateStrategy, { type: 'OnDelete' });
  });
});

describe('DaemonSet template generation', () => {
  it('starts at 1 unless the client brings a positive one', () => {
    const carried = parse(NODE_LOGGER) as KubeObject;
    carried.metadata.annotations = { [GEN]: '4' };
    assert.equal(created(carried).metadata.annotations?.[GEN], '4');
    carried.metadata.annotations = { [GEN]: '-2' };
    assert.equal(created(carried).metadata.annotations?.[GEN], '1');
  });

  it('moves exactly when the pod template changes, whatever the client sends', () => {
    const v1 = created(NODE_LOGGER);
    const relabelled = structuredClone(v1);
    relabelled.metadata.labels = { team: 'ops' };
    (relabelled.spec as any).minReadySeconds = 5;
    relabelled.metadata.annotations = { [GEN]: '9' };
    const same = updated(relabelled, v1);
    assert.equal(same.metadata.annotations?.[GEN], '1');

    const newImage = structuredClone(same);
    (newImage.spec as any).template.spec.containers[0].image = 'busybox:1.36';
    delete newImage.metadata.annotations;
    const v2 = updated(newImage, same);
    assert.equal(v2.metadata.annotations?.[GEN], '2');
  });

  it('answers 400 to a malformed annotation', () => {
    const bad = parse(NODE_LOGGER) as KubeObject;
    bad.metadata.annotations = { [GEN]: 'one' };
    assert.throws(() => created(bad), (err: any) => err.code === 400);
  });

  it('keeps the stored generation on status writes', () => {
    const stored = created(NODE_LOGGER);
    const request = structuredClone(stored);
    request.metadata.annotations = { [GEN]: '7', note: 'x' };
    request.status = { desiredNumberScheduled: 3, numberUnavailable: 0 };
    const obj = structuredClone(stored);
    obj.status = request.status;
    d.prepareForStatusUpdate?.(obj, request);
    assert.deepEqual(obj.metadata.annotations, { [GEN]: '1', note: 'x' });
    assert.deepEqual(obj.status, { desiredNumberScheduled: 3, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 });
  });
});

describe('DaemonSet validation', () => {
  it('wants exactly one of maxUnavailable and maxSurge non-zero', () => {
    const both = created(withSpec({ updateStrategy: { rollingUpdate: { maxUnavailable: 1, maxSurge: '10%' } } }));
    assert.deepEqual(messages(both), [
      'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"10%"}: may not be set when maxUnavailable is non-zero',
    ]);
    const neither = created(withSpec({ updateStrategy: { rollingUpdate: { maxUnavailable: '0%' } } }));
    assert.deepEqual(messages(neither), ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']);
    const surge = created(withSpec({ updateStrategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }));
    assert.deepEqual(messages(surge), []);
  });

  it('caps both rolling parameters at 100%', () => {
    const obj = created(withSpec({ updateStrategy: { rollingUpdate: { maxUnavailable: '150%', maxSurge: '0' } } }));
    assert.deepEqual(messages(obj), [
      `spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
    ]);
  });

  it('refuses unknown strategy types', () => {
    const obj = created(withSpec({ updateStrategy: { type: 'Canary' } }));
    assert.deepEqual(messages(obj), [
      'spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:"Canary", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "RollingUpdate", "OnDelete"',
    ]);
  });

  it('reports a missing selector only as a template mismatch, and an empty one by name', () => {
    const missing = created(withSpec({ selector: undefined }));
    assert.deepEqual(messages(missing), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"name":"node-logger"}: `selector` does not match template `labels`',
    ]);
    const empty = created(withSpec({ selector: { matchExpressions: [] } }));
    assert.deepEqual(messages(empty), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{}}: empty selector is invalid for daemonset',
    ]);
  });

  it('uses the DaemonSet wording and keeps the selector immutable', () => {
    const old = created(NODE_LOGGER);
    const obj = created(withSpec({ selector: { matchLabels: { name: 'node-logger', v: '2' } } }));
    (obj.spec as any).template.metadata.labels.v = '2';
    (obj.spec as any).template.spec.activeDeadlineSeconds = 10;
    assert.deepEqual(messages(obj, old), [
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported',
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"name":"node-logger", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });
});

describe('DaemonSet table', () => {
  it('prints the five counters, NODE SELECTOR and the wide columns', () => {
    const obj = created(FLUENTD);
    obj.metadata.creationTimestamp = '2024-01-01T00:00:00Z';
    (obj.spec as any).template.spec.nodeSelector = { 'kubernetes.io/os': 'linux' };
    obj.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2, numberMisscheduled: 0 };
    assert.deepEqual(
      d.table.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Desired', 'integer', 0],
        ['Current', 'integer', 0],
        ['Ready', 'integer', 0],
        ['Up-to-date', 'integer', 0],
        ['Available', 'integer', 0],
        ['Node Selector', 'string', 0],
        ['Age', 'string', 0],
        ['Containers', 'string', 1],
        ['Images', 'string', 1],
        ['Selector', 'string', 1],
      ],
    );
    assert.deepEqual(d.table.cells(obj, Date.parse('2024-01-31T00:00:00Z')), [
      'fluentd', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '30d', 'fluentd', 'quay.io/fluentd_elasticsearch/fluentd:v3.0.0', 'name=fluentd',
    ]);
    delete (obj.spec as any).template.spec.nodeSelector;
    assert.equal(d.table.cells(obj, 0)[6], '<none>');
  });
});
