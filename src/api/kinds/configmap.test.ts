import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configMapDescriptor as d } from './configmap.js';
import { created, createErrors, row, updated, updateErrors } from './kind-test-util.js';

describe('ConfigMap', () => {
  it('checks keys with kube wording', () => {
    const cm = created(d, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' }, data: { 'a b': '1', '..x': '2' }, binaryData: { 'a b': 'AA==' } });
    assert.deepEqual(createErrors(d, cm), [
      `data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      'data[a b]: Invalid value: "a b": duplicate of key present in binaryData',
      `data[..x]: Invalid value: "..x": must not start with '..'`,
      `binaryData[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]);
  });

  it('limits the payload to 1 MiB', () => {
    const cm = created(d, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(1024 * 1024 + 1) } });
    assert.deepEqual(createErrors(d, cm), ['Too long: may not be more than 1048576 bytes']);
  });

  it('freezes data once immutable', () => {
    const old = created(d, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' }, immutable: true });
    const next = updated(d, old, (o) => {
      (o as any).data = { a: '2' };
    });
    assert.deepEqual(updateErrors(d, next, old), ['data: Forbidden: field is immutable when `immutable` is set']);
  });

  it('counts data and binaryData in the DATA column', () => {
    const cm = created(d, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } });
    assert.deepEqual(row(d, cm), { Name: 'app-config', Data: 3, Age: '0s' });
    assert.deepEqual(d.shortNames, ['cm']);
  });
});
