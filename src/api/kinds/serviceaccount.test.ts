import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { created, row } from './kind-test-util.js';
import { serviceAccountDescriptor as d } from './serviceaccount.js';

describe('ServiceAccount', () => {
  it('prints SECRETS as a count', () => {
    assert.deepEqual(row(d, created(d, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } })), { Name: 'default', Secrets: 0, Age: '0s' });
    const sa = created(d, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot' }, secrets: [{ name: 'bot-token' }] });
    assert.equal(row(d, sa).Secrets, 1);
    assert.deepEqual(d.shortNames, ['sa']);
  });
});
