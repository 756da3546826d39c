import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJSON, decodeObject, parseFieldValidation, type DecodeOptions } from './decode.js';
import { checkBase64, parseGoTime } from './go-compat.js';

const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';
const POD = 'io.k8s.api.core.v1.Pod';
const strict: DecodeOptions = { kindLabel: 'Deployment', version: 'v1', validation: 'Strict' };
const podStrict: DecodeOptions = { kindLabel: 'Pod', version: 'v1', validation: 'Strict' };
const PREFIX = 'Deployment in version "v1" cannot be handled as a Deployment: ';

function deployment(extraSpec: Record<string, unknown> = {}, container: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', labels: { app: 'nginx' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ...container }] } },
      ...extraSpec,
    },
  };
}

function errorOf(body: unknown, opts: DecodeOptions = strict, typeName = DEPLOYMENT): string | undefined {
  return decodeObject(body, typeName, opts).error;
}

describe('decodeObject: unknown fields', () => {
  it('prunes unknown fields, reports their paths and leaves a valid body untouched', () => {
    const clean = deployment();
    const ok = decodeObject(clean, DEPLOYMENT, strict);
    assert.equal(ok.error, undefined);
    assert.equal(ok.object, clean, 'nothing to change: the same object comes back');

    const body = deployment({ replica: 3 }, { imagee: 'x' });
    const snapshot = structuredClone(body);
    const r = decodeObject(body, DEPLOYMENT, { ...strict, validation: 'Ignore' });
    // Document order: the helper puts extra spec fields after the template.
    assert.deepEqual(r.unknownFields, ['spec.template.spec.containers[0].imagee', 'spec.replica']);
    assert.equal(r.error, undefined);
    assert.deepEqual(r.strictErrors, []);
    assert.deepEqual(r.object, deployment());
    assert.deepEqual(body, snapshot, 'the input is not modified');
  });

  it('fails Strict requests with kube-apiserver wording', () => {
    const r = decodeObject(deployment({ replica: 3 }, { imagee: 'x' }), DEPLOYMENT, strict);
    assert.equal(
      r.error,
      `${PREFIX}strict decoding error: unknown field "spec.template.spec.containers[0].imagee", unknown field "spec.replica"`,
    );
  });

  it('turns them into warnings with Warn', () => {
    const r = decodeObject(deployment({ replica: 3 }), DEPLOYMENT, { ...strict, validation: 'Warn' });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.warnings, ['unknown field "spec.replica"']);
  });

  it('reports unknown metadata fields and each list element separately', () => {
    const body = deployment();
    (body.metadata as Record<string, unknown>).unknownMeta = 'foo';
    const spec = ((body.spec as any).template.spec) as { containers: Array<Record<string, unknown>> };
    spec.containers.push({ name: 'b', foo: 1 }, { name: 'c', foo: 2 });
    assert.equal(
      errorOf(body),
      `${PREFIX}strict decoding error: unknown field "metadata.unknownMeta", unknown field "spec.template.spec.containers[1].foo", unknown field "spec.template.spec.containers[2].foo"`,
    );
  });

  it('drops nulls and modifies in place on request', () => {
    const body = deployment({ paused: null });
    (body.metadata as Record<string, unknown>).creationTimestamp = null;
    const r = decodeObject(body, DEPLOYMENT, { ...strict, inPlace: true });
    assert.equal(r.object, body);
    assert.equal('paused' in (body.spec as object), false);
    assert.equal('creationTimestamp' in (body.metadata as object), false);
  });

  it('keeps label keys such as __proto__ as plain keys', () => {
    const body = JSON.parse('{"metadata":{"labels":{"__proto__":"x","a":"b"},"bogus":1}}') as Record<string, unknown>;
    const r = decodeObject(body, DEPLOYMENT, { ...strict, validation: 'Ignore' });
    const labels = (r.object.metadata as Record<string, unknown>).labels as Record<string, unknown>;
    assert.deepEqual(Object.keys(labels), ['__proto__', 'a']);
    assert.equal(Object.getPrototypeOf(labels), Object.prototype);
  });
});

describe('decodeObject: wrong JSON types', () => {
  it('words type errors like Go encoding/json inside kube-apiserver', () => {
    assert.equal(
      errorOf(deployment({ replicas: 'three' })),
      `${PREFIX}json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`,
    );
    assert.equal(
      errorOf(deployment({ replicas: 1.5 })),
      `${PREFIX}json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32`,
    );
    assert.equal(
      errorOf(deployment({ replicas: 3_000_000_000 })),
      `${PREFIX}json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32`,
    );
    assert.equal(
      errorOf(deployment({}, { image: 5 })),
      `${PREFIX}json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string`,
    );
    assert.equal(
      errorOf({ metadata: { labels: { a: true } } }),
      `${PREFIX}json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string`,
    );
    assert.equal(
      errorOf({ spec: 'x' }),
      `${PREFIX}json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec`,
    );
    assert.equal(
      errorOf({ apiVersion: 'v1', kind: 'Pod', spec: { containers: { name: 'a' } } }, podStrict, POD),
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container',
    );
    assert.equal(
      errorOf({ spec: { containers: [{ name: 'a', imagePullPolicy: 1 }] } }, podStrict, POD),
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field Container.spec.containers.imagePullPolicy of type v1.PullPolicy',
    );
  });

  it('names inline-embedded structs in the path, as Go does', () => {
    assert.equal(
      errorOf({ spec: { volumes: [{ name: 'v', configMap: { name: 7 } }] } }, podStrict, POD),
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field ConfigMapVolumeSource.spec.volumes.VolumeSource.configMap.LocalObjectReference.name of type string',
    );
    assert.equal(
      errorOf({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'a', livenessProbe: { httpGet: { port: true } } }] } }, podStrict, POD),
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal bool into Go struct field HTTPGetAction.spec.containers.livenessProbe.ProbeHandler.httpGet.port of type int32',
    );
  });

  it('reports type errors even with validation Ignore, and before strict errors', () => {
    assert.match(errorOf(deployment({ replicas: 'x' }), { ...strict, validation: 'Ignore' }) ?? '', /cannot unmarshal string/);
    const r = decodeObject(deployment({ bogus: 1, replicas: 'x' }), DEPLOYMENT, strict);
    assert.equal(r.error, `${PREFIX}json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`);
  });

  it('uses the kind and version named in the body', () => {
    assert.equal(
      errorOf({ apiVersion: 'apps/v1beta2', kind: 'Thing', spec: { replicas: 'x' } }),
      'Thing in version "v1beta2" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
  });

  it('rejects bodies whose kind or apiVersion cannot be read', () => {
    assert.equal(
      errorOf({ kind: 5 }),
      'the object provided is unrecognized (must be of type Deployment): couldn\'t get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string ({"kind":5})',
    );
    assert.equal(
      errorOf({ apiVersion: 'a/b/c' }),
      'the object provided is unrecognized (must be of type Deployment): unexpected GroupVersion string: a/b/c ({"apiVersion":"a/b/c"})',
    );
    assert.match(errorOf([1, 2]) ?? '', /json: cannot unmarshal array into Go value of type struct \{ APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" \} \(5b312c325d\)$/);
  });
});

describe('decodeObject: special types', () => {
  it('canonicalizes quantities and rejects malformed ones', () => {
    const r = decodeObject(deployment({}, { resources: { limits: { cpu: '1000m', memory: 0.5 }, requests: { cpu: '250m' } } }), DEPLOYMENT, strict);
    assert.equal(r.error, undefined);
    const resources = (r.object as any).spec.template.spec.containers[0].resources;
    assert.deepEqual(resources, { limits: { cpu: '1', memory: '500m' }, requests: { cpu: '250m' } });
    assert.equal(
      errorOf(deployment({}, { resources: { limits: { cpu: 'lots' } } })),
      `${PREFIX}quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
    assert.equal(errorOf(deployment({}, { resources: { limits: { cpu: '5mi' } } })), `${PREFIX}unable to parse quantity's suffix`);
  });

  it('checks int-or-string values as int32 when they are not strings', () => {
    assert.equal(errorOf(deployment({ strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } })), undefined);
    assert.equal(
      errorOf(deployment({ strategy: { rollingUpdate: { maxSurge: 1.5 } } })),
      `${PREFIX}json: cannot unmarshal number 1.5 into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32`,
    );
  });

  it('parses times like metav1.Time and writes them back in UTC', () => {
    const r = decodeObject({ metadata: { creationTimestamp: '2024-03-01T10:00:00.25+02:00' } }, DEPLOYMENT, strict);
    assert.deepEqual(r.object, { metadata: { creationTimestamp: '2024-03-01T08:00:00Z' } });
    assert.equal(
      errorOf({ metadata: { creationTimestamp: 'yesterday' } }),
      `${PREFIX}parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"`,
    );
    assert.equal(
      errorOf({ metadata: { creationTimestamp: 5 } }),
      `${PREFIX}json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string`,
    );
    assert.deepEqual(parseGoTime('2024-02-30T00:00:00Z', false), { ok: false, error: 'parsing time "2024-02-30T00:00:00Z": day out of range' });
    assert.deepEqual(parseGoTime('2024-13-01T00:00:00Z', false), { ok: false, error: 'parsing time "2024-13-01T00:00:00Z": month out of range' });
    assert.deepEqual(parseGoTime('2024-01-01T00:00:00Z', true), {
      ok: false,
      error: 'parsing time "2024-01-01T00:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"',
    });
    assert.deepEqual(parseGoTime('2024-01-01T00:00:00.123456Z', true), { ok: true, value: '2024-01-01T00:00:00.123456Z' });
  });

  it('validates base64 in []byte fields', () => {
    const opts: DecodeOptions = { kindLabel: 'Secret', version: 'v1', validation: 'Strict' };
    assert.equal(errorOf({ data: { a: 'aGVsbG8=' } }, opts, 'io.k8s.api.core.v1.Secret'), undefined);
    assert.equal(errorOf({ data: { a: 'hello' } }, opts, 'io.k8s.api.core.v1.Secret'), 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 4');
    assert.equal(checkBase64('ab$d'), 'illegal base64 data at input byte 2');
  });

  it('keeps free-form data as it is', () => {
    const data = { spec: { template: { anything: [1, { deep: true }] } } };
    const r = decodeObject({ data, revision: 1 }, 'io.k8s.api.apps.v1.ControllerRevision', { kindLabel: 'ControllerRevision', version: 'v1', validation: 'Strict' });
    assert.equal(r.error, undefined);
    assert.equal(r.object.data, data);
  });
});

describe('decodeJSON', () => {
  it('reports unknown and duplicate fields in document order (conformance wording)', () => {
    const text = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"my-dep","labels":{"app":"nginx"}},
      "spec":{"unknownField":"foo","replicas":2,"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},
      "template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx","image":"nginx:latest"}]}}}}`;
    const r = decodeJSON(text, DEPLOYMENT, strict);
    assert.equal(r.error, `${PREFIX}strict decoding error: unknown field "spec.unknownField", duplicate field "spec.replicas"`);
    const warn = decodeJSON(text, DEPLOYMENT, { ...strict, validation: 'Warn' });
    assert.equal(warn.error, undefined);
    assert.deepEqual(warn.warnings, ['unknown field "spec.unknownField"', 'duplicate field "spec.replicas"']);
    assert.equal((warn.object.spec as Record<string, unknown>).replicas, 3, 'the last duplicate wins, as in Go');
    assert.equal('unknownField' in (warn.object.spec as object), false);
    const ignore = decodeJSON(text, DEPLOYMENT, { ...strict, validation: 'Ignore' });
    assert.equal(ignore.error, undefined);
    assert.deepEqual(ignore.warnings, []);
  });

  it('reports an unknown duplicated field once, as unknown', () => {
    const r = decodeJSON('{"spec":{"unknownDupe":1,"unknownDupe":2,"paused":true,"paused":false}}', DEPLOYMENT, strict);
    assert.equal(r.error, `${PREFIX}strict decoding error: unknown field "spec.unknownDupe", duplicate field "spec.paused"`);
  });

  it('finds duplicate map keys but looks inside neither unknown fields nor free-form data', () => {
    const r = decodeJSON('{"metadata":{"labels":{"a":"1","a":"2"}},"bogus":{"x":1,"x":2}}', DEPLOYMENT, strict);
    assert.equal(r.error, `${PREFIX}strict decoding error: duplicate field "metadata.labels.a", unknown field "bogus"`);
    const rev = decodeJSON('{"data":{"x":1,"x":2},"revision":1}', 'io.k8s.api.apps.v1.ControllerRevision', { ...strict, kindLabel: 'ControllerRevision' });
    assert.equal(rev.error, undefined);
  });

  it('words syntax errors like Go', () => {
    const wrap = (m: string, summary: string): string =>
      `the object provided is unrecognized (must be of type Deployment): couldn't get version/kind; json parse error: ${m} (${summary})`;
    assert.equal(decodeJSON('{"a": }', DEPLOYMENT, strict).error, wrap("invalid character '}' looking for beginning of value", '{"a": }'));
    assert.equal(decodeJSON('{"a" 1}', DEPLOYMENT, strict).error, wrap("invalid character '1' after object key", '{"a" 1}'));
    assert.equal(decodeJSON('{"a":1 "b":2}', DEPLOYMENT, strict).error, wrap('invalid character \'"\' after object key:value pair', '{"a":1 "b":2}'));
    assert.equal(decodeJSON('{"a":tru}', DEPLOYMENT, strict).error, wrap("invalid character '}' in literal true (expecting 'e')", '{"a":tru}'));
    assert.equal(decodeJSON('{"a":1', DEPLOYMENT, { ...strict, validation: 'Ignore' }).error, wrap('unexpected end of JSON input', '{"a":1'));
    assert.equal(decodeJSON('', DEPLOYMENT, strict).error, wrap('unexpected end of JSON input', '<empty>'));
    assert.equal(decodeJSON('{} x', DEPLOYMENT, strict).error, wrap("invalid character 'x' after top-level value", '{} x'));
  });

  it('quotes only the first 30 bytes of a long body', () => {
    const text = `{"metadata":{"name":"${'x'.repeat(40)}"},"spec":{"replicas":"a"}`;
    assert.match(decodeJSON(text, DEPLOYMENT, strict).error ?? '', /json parse error: unexpected end of JSON input \(\{"metadata":\{"name":"xxxxxxxxx \.\.\.\)$/);
  });
});

describe('parseFieldValidation', () => {
  it('defaults to Warn like kube-apiserver', () => {
    assert.equal(parseFieldValidation(undefined), 'Warn');
    assert.equal(parseFieldValidation(''), 'Warn');
    assert.equal(parseFieldValidation('Strict'), 'Strict');
    assert.equal(parseFieldValidation('strict'), undefined);
  });
});
