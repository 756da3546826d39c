import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../api/errors.js';
import { configMapDescriptor } from '../../api/kinds/configmap.js';
import { decodeBody, RawJson } from './decode.js';

describe('decodeBody', () => {
  it('answers 400, not a server error, when a kind that decodes itself gets truncated JSON', () => {
    const custom = { ...configMapDescriptor, decodeBody: (body: unknown) => body as never };
    assert.throws(
      () => decodeBody(custom, new RawJson('{"apiVersion":"fuzz'), 'Strict', []),
      (err: unknown) => err instanceof ApiError && err.code === 400 && /json parse error/.test(err.message),
    );
  });

  it('answers 400 for a kind without a schema too', () => {
    const schemaless = { ...configMapDescriptor, schemaType: 'io.kubeloop.NoSuchType' };
    assert.throws(() => decodeBody(schemaless, new RawJson('{"kind":'), 'Warn', []), (err: unknown) => err instanceof ApiError && err.code === 400);
  });
});
