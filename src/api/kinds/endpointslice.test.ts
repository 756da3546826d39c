import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { endpointSliceDescriptor as d } from './endpointslice.js';
import { created, createErrors, row, updated, updateErrors } from './kind-test-util.js';

function slice(extra: Record<string, unknown>): KubeObject {
  return created(d, { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kubernetes' }, addressType: 'IPv4', ...extra });
}

describe('EndpointSlice', () => {
  it('defaults port name and protocol', () => {
    const s = slice({ endpoints: [{ addresses: ['172.18.0.2'] }], ports: [{ port: 6443 }] });
    assert.deepEqual((s as any).ports, [{ port: 6443, name: '', protocol: 'TCP' }]);
    assert.deepEqual(createErrors(d, s), []);
  });

  it('validates addresses against the address type', () => {
    assert.deepEqual(createErrors(d, slice({ endpoints: [{ addresses: ['fd00::1'] }] })), ['endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address']);
    assert.deepEqual(createErrors(d, slice({ endpoints: [{ addresses: [] }] })), ['endpoints[0].addresses: Required value: must contain at least 1 address']);
    assert.deepEqual(createErrors(d, slice({ addressType: 'IPX' })), ['addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"']);
    const old = slice({});
    const next = updated(d, old, (o) => {
      (o as any).addressType = 'IPv6';
    });
    assert.deepEqual(updateErrors(d, next, old), ['addressType: Invalid value: "IPv6": field is immutable']);
  });

  it('prints ADDRESSTYPE, PORTS and ENDPOINTS', () => {
    const s = slice({ endpoints: [{ addresses: ['172.18.0.2'] }], ports: [{ port: 6443 }] });
    assert.deepEqual(row(d, s), { Name: 'kubernetes', AddressType: 'IPv4', Ports: '6443', Endpoints: '172.18.0.2', Age: '0s' });
    const many = slice({ endpoints: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((a) => ({ addresses: [a] })), ports: [] });
    assert.deepEqual([row(d, many).Ports, row(d, many).Endpoints], ['<unset>', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...']);
  });
});
