import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FieldError } from '../types.js';
import { evaluateJsonPath, parseJsonPath } from './jsonpath.js';
import { applyDefaults, type JsonSchema, prune, structuralErrors, validateValue } from './schema.js';

const schema: JsonSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['message'],
      properties: {
        replicas: { type: 'integer', minimum: 0, maximum: 10, default: 1 },
        message: { type: 'string', minLength: 1, maxLength: 20, pattern: '^[A-Za-z ]+$' },
        mode: { type: 'string', enum: ['Fast', 'Slow'] },
        port: { 'x-kubernetes-int-or-string': true },
        ratio: { type: 'number', nullable: true },
        when: { type: 'string', format: 'date-time' },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', maxItems: 3 },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer', default: 80 } } },
        },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'integer' } } },
  },
};

const texts = (errs: FieldError[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

describe('custom resource schemas', () => {
  it('validates types with kube-apiserver field paths and wording', () => {
    const obj = { apiVersion: 'x.io/v1', kind: 'W', metadata: { name: 'a' }, spec: { message: 'Hi', replicas: 'three' } };
    assert.deepEqual(texts(validateValue(obj, schema)), ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']);
    assert.deepEqual(texts(validateValue({ spec: { message: 'Hi', replicas: 1.5 } }, schema)), [
      'spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"',
    ]);
  });

  it('checks required, enum, bounds, lengths, patterns and formats', () => {
    const errs = texts(validateValue({ spec: { replicas: 11, mode: 'Medium', when: 'yesterday' } }, schema));
    assert.deepEqual(errs, [
      'spec.message: Required value',
      'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10',
      'spec.mode: Unsupported value: "Medium": supported values: "Fast", "Slow"',
      'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"',
    ]);
    assert.deepEqual(texts(validateValue({ spec: { message: '' } }, schema)), ['spec.message: Invalid value: "": spec.message in body should be at least 1 chars long', "spec.message: Invalid value: \"\": spec.message in body should match '^[A-Za-z ]+$'"]);
    assert.deepEqual(texts(validateValue({ spec: { message: 'x'.repeat(21) } }, schema)), ['spec.message: Too long: may not be more than 20 bytes']);
    assert.deepEqual(texts(validateValue({ spec: { message: 'ok', replicas: -1 } }, schema)), ['spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0']);
  });

  it('handles int-or-string, nullable, sets, maps, embedded resources', () => {
    assert.deepEqual(validateValue({ spec: { message: 'a', port: 80, ratio: null } }, schema), []);
    assert.deepEqual(validateValue({ spec: { message: 'a', port: 'http' } }, schema), []);
    assert.deepEqual(texts(validateValue({ spec: { message: 'a', port: true } }, schema)), ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']);
    assert.deepEqual(texts(validateValue({ spec: { message: 'a', mode: null } }, schema)), ['spec.mode: Invalid value: "null": spec.mode in body must be of type string: "null"']);
    assert.deepEqual(texts(validateValue({ spec: { message: 'a', tags: ['x', 'y', 'x'] } }, schema)), ['spec.tags[2]: Duplicate value: "x"']);
    assert.deepEqual(texts(validateValue({ spec: { message: 'a', tags: ['a', 'b', 'c', 'd'] } }, schema)), ['spec.tags: Too many: 4: must have at most 3 items']);
    assert.deepEqual(texts(validateValue({ spec: { message: 'a', ports: [{ name: 'a' }, { name: 'a', port: 1 }] } }, schema)), [
      'spec.ports[1]: Duplicate value: map[string]interface {}{"name":"a"}',
    ]);
    assert.deepEqual(texts(validateValue({ spec: { message: 'a', labels: { a: 1 } } }, schema)), ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"']);
    assert.deepEqual(texts(validateValue({ spec: { message: 'a', template: { spec: {} } } }, schema)), [
      'spec.template.apiVersion: Required value: must not be empty',
      'spec.template.kind: Required value: must not be empty',
    ]);
  });

  it('prunes unknown fields but keeps type meta, metadata, preserved and additional properties', () => {
    const obj = {
      apiVersion: 'x.io/v1',
      kind: 'W',
      metadata: { name: 'a', bogus: 1, labels: { a: 'b' } },
      spec: { message: 'a', colour: 'blue', extra: { anything: { goes: true } }, labels: { k: 'v' }, ports: [{ name: 'p', typo: 1 }], template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { a: 'b', c: 'd' } } },
      other: 1,
    };
    const dropped = prune(obj, schema);
    assert.deepEqual(dropped, ['metadata.bogus', 'spec.colour', 'spec.ports[0].typo', 'spec.template.spec.c', 'other']);
    assert.deepEqual(obj, {
      apiVersion: 'x.io/v1',
      kind: 'W',
      metadata: { name: 'a', labels: { a: 'b' } },
      spec: { message: 'a', extra: { anything: { goes: true } }, labels: { k: 'v' }, ports: [{ name: 'p' }], template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { a: 'b' } } },
    });
  });

  it('applies defaults to missing fields, inside lists too, without touching what is set', () => {
    const obj: Record<string, any> = { spec: { message: 'a', ports: [{ name: 'p' }, { name: 'q', port: 8080 }] } };
    applyDefaults(obj, schema);
    assert.equal(obj.spec.replicas, 1);
    assert.deepEqual(obj.spec.ports, [{ name: 'p', port: 80 }, { name: 'q', port: 8080 }]);
    const zero: Record<string, any> = { spec: { message: 'a', replicas: 0 } };
    applyDefaults(zero, schema);
    assert.equal(zero.spec.replicas, 0);
  });

  it('finds the common structural-schema mistakes', () => {
    const p = 'spec.versions[0].schema.openAPIV3Schema';
    assert.deepEqual(texts(structuralErrors(undefined, p)), [`${p}: Required value: schemas are required`]);
    assert.deepEqual(texts(structuralErrors({ properties: { spec: { properties: { a: {} } } } }, p)), [
      `${p}.type: Required value: must not be empty at the root`,
      `${p}.properties[spec].type: Required value: must not be empty for specified object fields`,
      `${p}.properties[spec].properties[a].type: Required value: must not be empty for specified object fields`,
    ]);
    assert.deepEqual(texts(structuralErrors({ type: 'object', properties: { xs: { type: 'array' }, p: { type: 'string', 'x-kubernetes-int-or-string': true } } }, p)), [
      `${p}.properties[xs].items: Required value: must be specified`,
      `${p}.properties[p].type: Invalid value: "string": must be empty if x-kubernetes-int-or-string is true`,
    ]);
    assert.deepEqual(structuralErrors({ type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }, p), []);
  });
});

describe('printer column JSONPath', () => {
  const obj = { metadata: { name: 'a', labels: { 'app.io/name': 'web' } }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Synced', status: 'False' }] }, spec: { items: [{ n: 1 }, { n: 2 }] } };
  it('selects fields, indices, wildcards, quoted keys and filters', () => {
    assert.deepEqual(evaluateJsonPath(parseJsonPath('.metadata.name'), obj), ['a']);
    assert.deepEqual(evaluateJsonPath(parseJsonPath('.spec.items[1].n'), obj), [2]);
    assert.deepEqual(evaluateJsonPath(parseJsonPath('.spec.items[*].n'), obj), [1, 2]);
    assert.deepEqual(evaluateJsonPath(parseJsonPath(".metadata.labels['app.io/name']"), obj), ['web']);
    assert.deepEqual(evaluateJsonPath(parseJsonPath('.metadata.labels.app\\.io/name'), obj), ['web']);
    assert.deepEqual(evaluateJsonPath(parseJsonPath('.status.conditions[?(@.type=="Ready")].status'), obj), ['True']);
    assert.deepEqual(evaluateJsonPath(parseJsonPath('.spec.missing'), obj), []);
    assert.throws(() => parseJsonPath('.spec[?(@ ~ 1)]'));
  });
});
