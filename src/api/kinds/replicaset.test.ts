import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { created as createdAs, manifestWithSpec, validationTexts } from './kind-test-util.js';
import { replicaSetDescriptor as d } from './replicaset.js';

// The tutorial's myreplicaset.yaml.
const MYREPLICASET = `
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: myreplicaset
spec:
  replicas: 2
  selector:
    matchLabels:
      run: nginx-rs
  template:
    metadata:
      labels:
        run: nginx-rs
    spec:
      containers:
      - name: nginx
        image: nginx
`;

const created = (src: string | KubeObject): KubeObject => createdAs(d, src);

const messages = (obj: KubeObject, old?: KubeObject): string[] => validationTexts(d, obj, old);

const withSpec = (spec: Record<string, unknown>): KubeObject => manifestWithSpec(MYREPLICASET, spec);

describe('ReplicaSet defaults', () => {
  it('stores myreplicaset.yaml the way kube-apiserver does', () => {
    const obj = created(MYREPLICASET);
    const { template, ...rest } = obj.spec as Record<string, any>;
    assert.deepEqual(rest, { replicas: 2, selector: { matchLabels: { run: 'nginx-rs' } } });
    assert.equal(template.spec.restartPolicy, 'Always');
    assert.equal(template.spec.dnsPolicy, 'ClusterFirst');
    // ReplicaSetStatus.replicas has no omitempty, so even a fresh status carries it.
    assert.deepEqual(obj.status, { replicas: 0 });
    assert.deepEqual(messages(obj), []);
  });

  it('defaults replicas to 1', () => {
    assert.equal((created(withSpec({ replicas: undefined })).spec as any).replicas, 1);
  });
});

describe('ReplicaSet validation', () => {
  it('refuses a template the selector does not match, in kube words', () => {
    const obj = created(withSpec({ selector: { matchLabels: { run: 'x' } } }));
    assert.deepEqual(messages(obj), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"run":"nginx-rs"}: `selector` does not match template `labels`',
    ]);
  });

  it('matches expressions against template labels, and prints missing labels as a nil map', () => {
    const ok = created(withSpec({ selector: { matchExpressions: [{ key: 'run', operator: 'In', values: ['a', 'nginx-rs'] }] } }));
    assert.deepEqual(messages(ok), []);
    const bare = created(withSpec({}));
    delete (bare.spec as any).template.metadata.labels;
    assert.deepEqual(messages(bare), [
      'spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`',
    ]);
  });

  it('reuses the deployment wording for an empty selector', () => {
    const obj = created(withSpec({ selector: { matchLabels: {} } }));
    assert.deepEqual(messages(obj), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
  });

  it('reports a malformed selector and skips the template', () => {
    const obj = created(withSpec({ selector: { matchExpressions: [{ key: 'run', operator: 'Near', values: ['x'] }] } }));
    assert.deepEqual(messages(obj), [
      'spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator',
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"run", Operator:"Near", Values:[]string{"x"}}}}: invalid label selector',
    ]);
  });

  it('checks counts and the controller-pod rules', () => {
    const obj = created(withSpec({ replicas: -1, minReadySeconds: -5 }));
    (obj.spec as any).template.spec.restartPolicy = 'OnFailure';
    assert.deepEqual(messages(obj), [
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0',
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ]);
  });

  it('keeps the selector immutable but lets replicas change', () => {
    const old = created(MYREPLICASET);
    assert.deepEqual(messages(created(withSpec({ replicas: 5 })), old), []);
    const moved = created(withSpec({ selector: { matchLabels: { run: 'nginx-rs', x: 'y' } } }));
    (moved.spec as any).template.metadata.labels.x = 'y';
    assert.deepEqual(messages(moved, old), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"run":"nginx-rs", "x":"y"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });
});

describe('ReplicaSet status writes', () => {
  it('store the status as Go serializes it and take metadata maps from the request', () => {
    const stored = created(MYREPLICASET);
    const request = structuredClone(stored);
    request.metadata.labels = { extra: 'yes' };
    request.status = { readyReplicas: 0, availableReplicas: 2, conditions: [] };
    const obj = structuredClone(stored);
    obj.status = request.status;
    d.prepareForStatusUpdate?.(obj, request);
    assert.deepEqual(obj.status, { availableReplicas: 2, replicas: 0 });
    assert.deepEqual(obj.metadata.labels, { extra: 'yes' });
  });
});

describe('ReplicaSet table and field labels', () => {
  it('prints DESIRED, CURRENT, READY and the wide columns', () => {
    const obj = created(MYREPLICASET);
    obj.metadata.creationTimestamp = '2024-01-01T00:00:00Z';
    obj.status = { replicas: 2, readyReplicas: 1 };
    assert.deepEqual(
      d.table.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Desired', 'integer', 0],
        ['Current', 'integer', 0],
        ['Ready', 'integer', 0],
        ['Age', 'string', 0],
        ['Containers', 'string', 1],
        ['Images', 'string', 1],
        ['Selector', 'string', 1],
      ],
    );
    const now = Date.parse('2024-01-01T03:05:00Z');
    assert.deepEqual(d.table.cells(obj, now), ['myreplicaset', 2, 2, 1, '3h5m', 'nginx', 'nginx', 'run=nginx-rs']);
  });

  it('selects on status.replicas', () => {
    const obj = created(MYREPLICASET);
    assert.equal(d.fieldLabels?.['status.replicas']?.(obj), '0');
  });
});
