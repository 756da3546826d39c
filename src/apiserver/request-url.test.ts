// The request target parsing of the front door (src/apiserver/handler.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../api/errors.js';
import { requestUrl } from './handler.js';

describe('requestUrl', () => {
  it('keeps a path that starts with // a path instead of a host', () => {
    const u = requestUrl('///%F0%B3%BF%A5?limit=1');
    assert.equal(u.host, 'kubeloop');
    assert.equal(u.pathname, '///%F0%B3%BF%A5');
    assert.equal(u.searchParams.get('limit'), '1');
  });

  it('takes an absolute-form target as it is', () => {
    assert.equal(requestUrl('http://example.com/api/v1/pods?watch=1').pathname, '/api/v1/pods');
  });

  it('answers 400 for a target that is no URL', () => {
    assert.throws(() => requestUrl('http://[bad'), (err: unknown) => err instanceof ApiError && err.code === 400);
  });
});
