import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdmissionRequest } from '../../apiserver/storage/admission.js';
import type { KubeObject } from '../types.js';
import { created, createErrors, row, updated, updateErrors } from './kind-test-util.js';
import { persistentVolumeClaimDescriptor as d } from './persistentvolumeclaim.js';
import { defaultStorageClassAdmission } from './pvc-default-class.js';

// The claim mysts.yaml's volumeClaimTemplates produce for pod mysts-0.
const WWW = `
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: vol-mysts-0
spec:
  accessModes: [ "ReadWriteOnce" ]
  resources:
    requests:
      storage: 1Gi
`;

function claim(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec };
}

describe('PersistentVolumeClaim defaults', () => {
  it('stores the claim like kube-apiserver', () => {
    const c = created(d, WWW);
    assert.deepEqual(c.spec, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' });
    assert.deepEqual(c.status, { phase: 'Pending' });
    assert.deepEqual(createErrors(d, c), []);
  });

  it('writes sizes in canonical form', () => {
    const c = created(d, claim({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1.5Gi' } } }));
    assert.equal((c.spec as any).resources.requests.storage, '1536Mi');
  });
});

describe('PersistentVolumeClaim validation', () => {
  it('requires an access mode and a size', () => {
    assert.deepEqual(createErrors(d, created(d, claim({ resources: { requests: {} } }))), [
      'spec.accessModes: Required value: at least 1 access mode is required',
      'spec.resources[storage]: Required value',
    ]);
  });

  it('checks modes, sizes and classes', () => {
    const c = created(d, claim({ accessModes: ['ReadWriteOncePod', 'ReadWriteOnce', 'Sometimes'], resources: { requests: { storage: '0' } }, storageClassName: 'Fast' }));
    assert.deepEqual(createErrors(d, c), [
      'spec.accessModes: Unsupported value: "Sometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
      'spec.resources[storage]: Invalid value: "0": must be greater than zero',
      `spec.storageClassName: Invalid value: "Fast": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ]);
  });

  it('is immutable after creation except binding and growth of a bound claim', () => {
    const old = created(d, WWW);
    const bind = updated(d, old, (o) => {
      (o.spec as any).volumeName = 'pvc-123';
      (o.spec as any).storageClassName = 'standard';
    });
    assert.deepEqual(updateErrors(d, bind, old), []);
    const changed = updated(d, old, (o) => {
      (o.spec as any).accessModes = ['ReadWriteMany'];
    });
    const errs = updateErrors(d, changed, old);
    assert.equal(errs.length, 1);
    assert.ok(errs[0]?.startsWith('spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n'));
    const bound = structuredClone(old);
    bound.status = { phase: 'Bound' };
    const grow = updated(d, bound, (o) => {
      (o.spec as any).resources.requests.storage = '2Gi';
    });
    assert.deepEqual(updateErrors(d, grow, bound), []);
    const shrink = updated(d, bound, (o) => {
      (o.spec as any).resources.requests.storage = '512Mi';
    });
    assert.deepEqual(updateErrors(d, shrink, bound), ['spec.resources.requests.storage: Forbidden: field can not be less than previous value']);
  });
});

describe('PersistentVolumeClaim table', () => {
  it('shows capacity and access modes only once bound', () => {
    const c = created(d, { ...claim({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'fast' }) });
    assert.deepEqual(row(d, c), {
      Name: 'c',
      Status: 'Pending',
      Volume: '',
      Capacity: '',
      'Access Modes': '',
      StorageClass: 'fast',
      VolumeAttributesClass: '<unset>',
      Age: '0s',
      VolumeMode: 'Filesystem',
    });
    (c.spec as any).volumeName = 'pvc-3f1c';
    c.status = { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'] };
    const r = row(d, c);
    assert.deepEqual([r.Status, r.Volume, r.Capacity, r['Access Modes']], ['Bound', 'pvc-3f1c', '10Gi', 'RWO,RWX']);
    c.metadata.deletionTimestamp = '2024-05-01T10:00:00Z';
    assert.equal(row(d, c).Status, 'Terminating');
  });
});

describe('DefaultStorageClass admission', () => {
  const classes: KubeObject[] = [
    { metadata: { name: 'slow', creationTimestamp: '2024-01-01T00:00:00Z' } },
    { metadata: { name: 'standard', creationTimestamp: '2024-01-02T00:00:00Z', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } },
  ];
  const plugin = defaultStorageClassAdmission(() => classes);
  const run = (obj: KubeObject) => plugin.admit({ operation: 'CREATE', descriptor: d, object: obj, dryRun: false } as AdmissionRequest);

  it('fills in the default class only when the claim names none', () => {
    const c = created(d, WWW);
    run(c);
    assert.equal((c.spec as any).storageClassName, 'standard');
    const explicitNone = created(d, claim({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' }));
    run(explicitNone);
    assert.equal((explicitNone.spec as any).storageClassName, '');
  });
});
