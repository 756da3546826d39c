// Fenceposts of maxSurge/maxUnavailable, the template hash, and template equality.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { maxSurge, maxUnavailable, resolveFenceposts, scaledValue } from './rollout-math.js';
import { computeHash } from '../runtime/hash.js';
import { equalIgnoreHash } from './template.js';

function d(replicas: number, surge: number | string, unavailable: number | string): KubeObject {
  return { metadata: {}, spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } } };
}

describe('fenceposts', () => {
  it('rounds surge up and unavailability down', () => {
    assert.equal(scaledValue('25%', 10, true), 3);
    assert.equal(scaledValue('25%', 10, false), 2);
    assert.equal(scaledValue(4, 10, false), 4);
  });
  for (const [replicas, surge, unavailable] of [
    [1, 1, 0],
    [3, 1, 0],
    [4, 1, 1],
    [10, 3, 2],
  ] as const) {
    it(`${replicas} replicas at 25%/25% -> surge ${surge}, unavailable ${unavailable}`, () => {
      assert.equal(maxSurge(d(replicas, '25%', '25%')), surge);
      assert.equal(maxUnavailable(d(replicas, '25%', '25%')), unavailable);
    });
  }
  it('both resolving to zero makes unavailability one', () => {
    assert.deepEqual(resolveFenceposts(0, '1%', 2), { surge: 0, unavailable: 1 });
  });
  it('caps unavailability at replicas, and zero replicas have none', () => {
    assert.equal(maxUnavailable(d(2, 0, 5)), 2);
    assert.equal(maxUnavailable(d(0, '25%', '25%')), 0);
  });
  it('Recreate has neither', () => {
    const r: KubeObject = { metadata: {}, spec: { replicas: 10, strategy: { type: 'Recreate' } } };
    assert.equal(maxSurge(r), 0);
    assert.equal(maxUnavailable(r), 0);
  });
});

const template = { metadata: { labels: { run: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', imagePullPolicy: 'Always' }], restartPolicy: 'Always' } };

describe('computeHash', () => {
  it('spells a decimal uint32 in the digit alphabet and is stable', () => {
    const h = computeHash(template);
    assert.match(h, /^[456789bcdf]{1,10}$/);
    assert.equal(computeHash(structuredClone(template)), h);
  });
  it('ignores key order and null/empty fields, but not content', () => {
    const reordered = { spec: { restartPolicy: 'Always', containers: [{ imagePullPolicy: 'Always', image: 'nginx', name: 'nginx', resources: {} }] }, metadata: { creationTimestamp: null, labels: { run: 'nginx' } } };
    assert.equal(computeHash(reordered), computeHash(template));
    const other = structuredClone(template);
    other.spec.containers[0]!.image = 'nginx:1.9.1';
    assert.notEqual(computeHash(other), computeHash(template));
  });
  it('mixes in the collision count', () => {
    assert.notEqual(computeHash(template, 1), computeHash(template));
    assert.notEqual(computeHash(template, 1), computeHash(template, 2));
    assert.notEqual(computeHash(template, 0), computeHash(template));
  });
});

describe('equalIgnoreHash', () => {
  it('ignores the hash label, key order, creationTimestamp: null and empty maps', () => {
    const rsTemplate = { metadata: { labels: { run: 'nginx', 'pod-template-hash': '5c4b9f8d7' } }, spec: template.spec };
    const patched = { metadata: { creationTimestamp: null, labels: { run: 'nginx' } }, spec: { securityContext: {}, restartPolicy: 'Always', containers: [{ image: 'nginx', name: 'nginx', imagePullPolicy: 'Always' }] } };
    assert.ok(equalIgnoreHash(rsTemplate, patched));
    assert.ok(!equalIgnoreHash(rsTemplate, { ...patched, metadata: { labels: { run: 'other' } } }));
  });
});
