import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { created, TEST_NOW } from './kind-test-util.js';
import { limitRangeDescriptor } from './limitrange.js';
import { resourceQuotaDescriptor } from './resourcequota.js';
import { podAggregate, prettyPrint, toResourceList } from './resourcequota-usage.js';
import type { KubeObject } from '../types.js';

const messages = (errs: Array<{ field: string; message: string }>) => errs.map((e) => `${e.field}: ${e.message}`);

describe('ResourceQuota kind', () => {
  it('canonicalizes quantities and starts with an empty status', () => {
    const rq = created(resourceQuotaDescriptor, { metadata: { name: 'q' }, spec: { hard: { 'requests.memory': '1.5Gi', pods: '3' } }, status: { used: { pods: '9' } } } as KubeObject);
    assert.deepEqual(rq.spec, { hard: { 'requests.memory': '1536Mi', pods: '3' } });
    assert.deepEqual(rq.status, {});
  });

  it('validates resource names, values and scopes as kube-apiserver does', () => {
    const rq = created(resourceQuotaDescriptor, {
      metadata: { name: 'q' },
      spec: { hard: { foo: '1', pods: '1.5', 'requests.cpu': '-1', 'count/deployments.apps': '2' }, scopes: ['BestEffort', 'NotBestEffort', 'Bogus'] },
    } as KubeObject);
    assert.deepEqual(messages(resourceQuotaDescriptor.validate!(rq)), [
      'spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
      'spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota',
      'spec.hard[pods]: Invalid value: "1500m": must be an integer',
      'spec.hard[requests.cpu]: Invalid value: "-1": must be greater than or equal to 0',
      'spec.scopes: Invalid value: []string{"BestEffort", "NotBestEffort", "Bogus"}: unsupported scope applied to resource',
      'spec.scopes: Invalid value: []string{"BestEffort", "NotBestEffort", "Bogus"}: unsupported scope',
      'spec.scopes: Invalid value: []string{"BestEffort", "NotBestEffort", "Bogus"}: conflicting scopes',
    ]);
  });

  it('prints REQUEST and LIMIT as kubectl get quota shows them', () => {
    const rq = created(resourceQuotaDescriptor, { metadata: { name: 'q' }, spec: { hard: { pods: '3', 'requests.cpu': '1', 'limits.memory': '2Gi' } } } as KubeObject);
    rq.status = { hard: { pods: '3', 'requests.cpu': '1', 'limits.memory': '2Gi' }, used: { pods: '2', 'requests.cpu': '200m', 'limits.memory': '512Mi' } };
    const cells = resourceQuotaDescriptor.table.cells(rq, TEST_NOW + 65_000);
    assert.deepEqual(cells, ['q', '65s', 'pods: 2/3, requests.cpu: 200m/1', 'limits.memory: 512Mi/2Gi']);
    assert.deepEqual(resourceQuotaDescriptor.table.columns.map((c) => c.name), ['Name', 'Age', 'Request', 'Limit']);
    const fresh = created(resourceQuotaDescriptor, { metadata: { name: 'q' }, spec: { hard: { pods: '3' } } } as KubeObject);
    assert.deepEqual(resourceQuotaDescriptor.table.cells(fresh, TEST_NOW).slice(2), ['pods: 0/0', '']);
  });
});

describe('LimitRange kind', () => {
  it('defaults container items: default ← max, defaultRequest ← default, then ← min', () => {
    const lr = created(limitRangeDescriptor, {
      metadata: { name: 'l' },
      spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '32Mi' }, default: { memory: '256Mi' } }, { type: 'Pod', max: { cpu: '4' } }] },
    } as KubeObject);
    assert.deepEqual(lr.spec, {
      limits: [
        { type: 'Container', max: { cpu: '2' }, min: { memory: '32Mi' }, default: { memory: '256Mi', cpu: '2' }, defaultRequest: { memory: '256Mi', cpu: '2' } },
        { type: 'Pod', max: { cpu: '4' } },
      ],
    });
  });

  it('validates bounds with kube-apiserver\'s messages', () => {
    const lr = created(limitRangeDescriptor, {
      metadata: { name: 'l' },
      spec: {
        limits: [
          { type: 'Container', min: { cpu: '2' }, max: { cpu: '1' }, maxLimitRequestRatio: { memory: '500m' } },
          { type: 'Pod', default: { cpu: '1' } },
          { type: 'PersistentVolumeClaim' },
          { type: 'Pod' },
        ],
      },
    } as KubeObject);
    assert.deepEqual(messages(limitRangeDescriptor.validate!(lr)), [
      'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
      'spec.limits[0].defaultRequest[cpu]: Invalid value: "1": min value 2 is greater than default request value 1',
      'spec.limits[0].default[cpu]: Invalid value: "1": min value 2 is greater than default value 1',
      'spec.limits[0].maxLimitRequestRatio[memory]: Invalid value: "500m": ratio 500m is less than 1',
      'spec.limits[1].default: Forbidden: may not be specified when `type` is \'Pod\'',
      'spec.limits[2].limits: Required value: either minimum or maximum storage value is required, but neither was provided',
      'spec.limits[3].type: Duplicate value: "Pod"',
    ]);
    assert.deepEqual(limitRangeDescriptor.table.columns.map((c) => c.name), ['Name', 'Created At']);
  });
});

describe('quota arithmetic', () => {
  it('aggregates pod requests with init containers and sidecars', () => {
    const pod = {
      metadata: {},
      spec: {
        initContainers: [
          { name: 'init', resources: { requests: { cpu: '2' } } },
          { name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } },
        ],
        containers: [{ name: 'a', resources: { requests: { cpu: '300m', memory: '1Gi' } } }, { name: 'b', resources: { requests: { cpu: '200m' } } }],
        overhead: { cpu: '10m' },
      },
    } as unknown as KubeObject;
    assert.equal(prettyPrint(podAggregate(pod, 'requests')), 'cpu=2010m,memory=1Gi');
    assert.equal(prettyPrint(podAggregate(pod, 'requests', false)), 'cpu=2,memory=1Gi');
    assert.equal(prettyPrint(toResourceList({ b: '1', a: '500m', bad: 'x' })), 'a=500m,b=1');
  });
});
