// Which Accept headers get protobuf answers (src/apiserver/negotiate.ts), as kube-apiserver decides:
// the first listed media type it can produce wins.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { negotiate } from '../negotiate.js';

describe('negotiate: protobuf', () => {
  it('protobuf first: client-go protobuf clients and kubectl typed clients', () => {
    assert.deepEqual(pick('application/vnd.kubernetes.protobuf, */*'), { protobuf: true, jsonOk: true });
    assert.deepEqual(pick('application/vnd.kubernetes.protobuf,application/json'), { protobuf: true, jsonOk: true });
  });

  it('protobuf only: still served, with no JSON fallback', () => {
    const a = negotiate('application/vnd.kubernetes.protobuf');
    assert.deepEqual([a.protobuf, a.jsonOk, a.onlyUnsupported], [true, false, false]);
  });

  it('JSON first, Tables, discovery and no header stay JSON', () => {
    for (const h of [
      'application/json',
      'application/json, */*',
      'application/json,application/vnd.kubernetes.protobuf',
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
      undefined,
      '',
    ]) {
      assert.equal(negotiate(h).protobuf, false, String(h));
    }
  });

  it('protobuf Tables are not produced: that client is refused unless it lists something else', () => {
    assert.equal(negotiate('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io').onlyUnsupported, true);
  });
});

function pick(h: string): { protobuf: boolean; jsonOk: boolean } {
  const a = negotiate(h);
  return { protobuf: a.protobuf, jsonOk: a.jsonOk };
}
