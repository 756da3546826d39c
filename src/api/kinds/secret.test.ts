import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { created, createErrors, row, updated, updateErrors } from './kind-test-util.js';
import { secretDescriptor as d } from './secret.js';

describe('Secret', () => {
  it('defaults the type to Opaque and folds stringData into data', () => {
    const s = created(d, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'hunter2' } });
    assert.equal((s as any).type, 'Opaque');
    assert.deepEqual(s.data, { password: Buffer.from('hunter2').toString('base64') });
    assert.equal((s as any).stringData, undefined);
    assert.deepEqual(createErrors(d, s), []);
  });

  it('requires the keys of typed secrets', () => {
    const tls = created(d, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 't' }, type: 'kubernetes.io/tls', data: {} });
    assert.deepEqual(createErrors(d, tls), ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
    const dcj = created(d, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'r' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from('nope').toString('base64') } });
    assert.equal(createErrors(d, dcj)[0]?.startsWith('data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": '), true);
  });

  it('keeps the type fixed', () => {
    const old = created(d, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } });
    const next = updated(d, old, (o) => {
      (o as any).type = 'kubernetes.io/tls';
      o.data = { 'tls.crt': 'AA==', 'tls.key': 'AA==' };
    });
    assert.deepEqual(updateErrors(d, next, old), ['type: Invalid value: "kubernetes.io/tls": field is immutable']);
  });

  it('prints TYPE and DATA and filters on type', () => {
    const s = created(d, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'AA==', b: 'AA==' } });
    assert.deepEqual(row(d, s), { Name: 's', Type: 'Opaque', Data: 2, Age: '0s' });
    assert.equal(d.fieldLabels?.type?.(s), 'Opaque');
    assert.deepEqual(d.shortNames, []);
  });
});
