import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../types.js';
import { validateObjectMeta } from '../validation/meta.js';
import { created as createdAs, manifestWithSpec, validationTexts } from './kind-test-util.js';
import { statefulSetDescriptor as d } from './statefulset.js';

// The tutorial's mysts.yaml (its Service document is not ours).
const MYSTS = `
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: mysts
spec:
  serviceName: mysts
  replicas: 3
  selector:
    matchLabels:
      run: nginx
  template:
    metadata:
      labels:
        run: nginx
    spec:
      containers:
      - name: nginx
        image: nginx
        volumeMounts:
        - name: vol
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: vol
    spec:
      accessModes: [ "ReadWriteOnce" ]
      resources:
        requests:
          storage: 1Gi
---
apiVersion: v1
kind: Service
metadata:
  name: mysts
spec:
  clusterIP: None
  selector:
    run: nginx
`;

function manifest(): KubeObject {
  return parseAllDocuments(MYSTS)[0]!.toJS() as KubeObject;
}

const created = (obj: KubeObject = manifest()): KubeObject => createdAs(d, obj);

const messages = (obj: KubeObject, old?: KubeObject): string[] => validationTexts(d, obj, old);

const withSpec = (spec: Record<string, unknown>): KubeObject => manifestWithSpec(manifest(), spec);

describe('StatefulSet defaults', () => {
  it('stores mysts.yaml the way kube-apiserver does', () => {
    const obj = created();
    const { template, ...rest } = obj.spec as Record<string, any>;
    assert.deepEqual(rest, {
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      podManagementPolicy: 'OrderedReady',
      replicas: 3,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { run: 'nginx' } },
      serviceName: 'mysts',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'vol' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
          status: { phase: 'Pending' },
        },
      ],
    });
    assert.equal(template.spec.restartPolicy, 'Always');
    assert.deepEqual(obj.status, { replicas: 0, availableReplicas: 0 });
    // The claim-template volume is not declared in the pod spec, and kube does not complain about it.
    assert.deepEqual(messages(obj), []);
  });

  it('leaves an explicit RollingUpdate without a rollingUpdate block alone', () => {
    const spec = created(withSpec({ updateStrategy: { type: 'RollingUpdate' } })).spec as any;
    assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate' });
    const partitioned = created(withSpec({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: {} } })).spec as any;
    assert.deepEqual(partitioned.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  });

  it('drops the gated rollingUpdate.maxUnavailable', () => {
    const spec = created(withSpec({ updateStrategy: { rollingUpdate: { maxUnavailable: 2 } } })).spec as any;
    assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  });
});

describe('StatefulSet validation', () => {
  it('wants a DNS label as name', () => {
    const obj = created();
    obj.metadata.name = 'my.sts';
    const errs = validateObjectMeta(obj, true, d.nameValidator).map((e) => `${e.field}: ${e.message}`);
    assert.deepEqual(errs, [
      `metadata.name: Invalid value: "my.sts": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ]);
  });

  it('checks policies and strategies with kube wording', () => {
    const obj = created(
      withSpec({
        podManagementPolicy: 'Random',
        updateStrategy: { type: 'Blue' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep', whenScaled: 'Delete' },
        ordinals: { start: -1 },
        serviceName: 'My_Service',
      }),
    );
    assert.deepEqual(messages(obj), [
      `spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'`,
      `spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:"Blue", RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be 'RollingUpdate' or 'OnDelete'`,
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
      'spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0',
      `spec.serviceName: Invalid value: "My_Service": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ]);
  });

  it('allows rollingUpdate only with RollingUpdate and wants a non-negative partition', () => {
    const onDelete = created(withSpec({ updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } }));
    assert.deepEqual(messages(onDelete), [
      `spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:1, MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy 'RollingUpdate'`,
    ]);
    const negative = created(withSpec({ updateStrategy: { rollingUpdate: { partition: -1 } } }));
    assert.deepEqual(messages(negative), ['spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0']);
  });

  it('checks selector and template labels, the latter under spec.template.labels', () => {
    const obj = created(withSpec({ selector: {} }));
    (obj.spec as any).template.metadata.labels = { run: 'nginx', 'bad key!': 'x' };
    assert.deepEqual(messages(obj), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset',
      `spec.template.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ]);
    const missing = created(withSpec({ selector: undefined }));
    assert.deepEqual(messages(missing), [
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"run":"nginx"}: `selector` does not match template `labels`',
    ]);
  });

  it('uses the StatefulSet wording for the deadline', () => {
    const obj = created();
    (obj.spec as any).template.spec.activeDeadlineSeconds = 1;
    assert.deepEqual(messages(obj), ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported']);
  });

  it('forbids updates outside the mutable fields', () => {
    const old = created();
    const ok = created(withSpec({ replicas: 5, minReadySeconds: 3, updateStrategy: { type: 'OnDelete' }, ordinals: { start: 2 } }));
    (ok.spec as any).template.spec.containers[0].image = 'nginx:1.27';
    assert.deepEqual(messages(ok, old), []);
    const renamed = created(withSpec({ serviceName: 'other' }));
    assert.deepEqual(messages(renamed, old), [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
    const claims = created();
    (claims.spec as any).volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi';
    assert.equal(messages(claims, old).length, 1);
  });
});

describe('StatefulSet table', () => {
  it('prints READY as ready/desired', () => {
    const obj = created();
    obj.metadata.creationTimestamp = '2024-01-01T00:00:00Z';
    obj.status = { replicas: 3, readyReplicas: 2, availableReplicas: 2 };
    assert.deepEqual(
      d.table.columns.map((c) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Ready', 0],
        ['Age', 0],
        ['Containers', 1],
        ['Images', 1],
      ],
    );
    assert.deepEqual(d.table.cells(obj, Date.parse('2024-01-01T00:04:09Z')), ['mysts', '2/3', '4m9s', 'nginx', 'nginx']);
  });
});
