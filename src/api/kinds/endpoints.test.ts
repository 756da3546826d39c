import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { endpointsDescriptor as d } from './endpoints.js';
import { created, createErrors, row } from './kind-test-util.js';

function eps(subsets: unknown[]): KubeObject {
  return created(d, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web' }, subsets });
}

describe('Endpoints', () => {
  it('defaults port protocols and validates addresses', () => {
    const e = eps([{ addresses: [{ ip: '10.244.1.7' }], ports: [{ port: 80 }] }]);
    assert.equal((e.subsets as any)[0].ports[0].protocol, 'TCP');
    assert.deepEqual(createErrors(d, e), []);
    assert.deepEqual(createErrors(d, eps([{ ports: [{ port: 80 }] }])), ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`']);
    assert.deepEqual(createErrors(d, eps([{ addresses: [{ ip: '127.0.0.1' }] }])), [
      'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    ]);
  });

  it('prints the first three ready ip:port pairs', () => {
    const many = eps([
      {
        addresses: ['10.244.1.7', '10.244.1.8', '10.244.2.4', '10.244.2.5', '10.244.2.6'].map((ip) => ({ ip })),
        ports: [{ port: 80 }],
      },
    ]);
    assert.equal(row(d, many).Endpoints, '10.244.1.7:80,10.244.1.8:80,10.244.2.4:80 + 2 more...');
    assert.equal(row(d, eps([])).Endpoints, '<none>');
    assert.equal(row(d, eps([{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }])).Endpoints, '');
    assert.equal(row(d, eps([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }])).Endpoints, '[fd00::1]:80');
    assert.equal(row(d, eps([{ addresses: [{ ip: '10.0.0.1' }] }])).Endpoints, '10.0.0.1');
    assert.deepEqual(d.shortNames, ['ep']);
  });
});
