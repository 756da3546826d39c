import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeProtobufBody } from './index.js';

// Protobuf bytes built by hand, the way kubectl create quota encodes its ResourceQuota.
const varint = (n: number): number[] => {
  const out: number[] = [];
  let v = n;
  do {
    const b = v & 0x7f;
    v >>>= 7;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return out;
};
const len = (num: number, bytes: number[] | string): number[] => {
  const b = typeof bytes === 'string' ? [...Buffer.from(bytes)] : bytes;
  return [...varint((num << 3) | 2), ...varint(b.length), ...b];
};
const quantity = (s: string) => len(1, s);
const entry = (num: number, k: string, v: string) => len(num, [...len(1, k), ...len(2, quantity(v))]);
const envelope = (apiVersion: string, kind: string, obj: number[]) =>
  Buffer.from([0x6b, 0x38, 0x73, 0x00, ...len(1, [...len(1, apiVersion), ...len(2, kind)]), ...len(2, obj), ...len(3, ''), ...len(4, '')]);

describe('protobuf ResourceQuota bodies', () => {
  it('decodes kubectl create quota --hard=pods=3,requests.cpu=1 --scopes=NotTerminating', () => {
    const spec = [...entry(1, 'pods', '3'), ...entry(1, 'requests.cpu', '1'), ...len(2, 'NotTerminating')];
    const body = envelope('v1', 'ResourceQuota', [...len(1, len(1, 'q')), ...len(2, spec), ...len(3, [])]);
    assert.deepEqual(decodeProtobufBody(body), {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q' },
      spec: { hard: { pods: '3', 'requests.cpu': '1' }, scopes: ['NotTerminating'] },
      status: {},
    });
  });
});
