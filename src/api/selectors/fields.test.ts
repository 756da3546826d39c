import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  andFieldSelectors,
  convertFieldLabels,
  escapeFieldValue,
  FieldSelectorError,
  oneTermEqualSelector,
  parseFieldSelector,
  unescapeFieldValue,
} from './fields.js';

const POD_FIELDS = {
  supported: ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
  aliases: { 'spec.host': 'spec.nodeName' },
};

function getter(o: Record<string, string>) {
  return (f: string) => (Object.hasOwn(o, f) ? o[f] : undefined);
}

test('parses the selectors kubectl sends', () => {
  const s = parseFieldSelector('metadata.name=nginx');
  assert.deepEqual(s.requirements, [{ field: 'metadata.name', operator: '=', value: 'nginx' }]);
  assert.equal(s.requiresExactMatch('metadata.name'), 'nginx');

  const ev = parseFieldSelector('involvedObject.name=web-0,involvedObject.namespace=,involvedObject.kind=Pod,involvedObject.uid=1-2');
  assert.deepEqual(
    ev.requirements.map((r) => `${r.field}${r.operator}${r.value}`),
    // kube keeps the terms sorted by their raw text.
    ['involvedObject.kind=Pod', 'involvedObject.name=web-0', 'involvedObject.namespace=', 'involvedObject.uid=1-2'],
  );
  assert.equal(ev.requiresExactMatch('involvedObject.namespace'), '');

  const node = parseFieldSelector('spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed');
  assert.equal(node.matches(getter({ 'spec.nodeName': 'n1', 'status.phase': 'Running' })), true);
  assert.equal(node.matches(getter({ 'spec.nodeName': 'n1', 'status.phase': 'Failed' })), false);
  assert.equal(node.requiresExactMatch('status.phase'), undefined);
  assert.equal(parseFieldSelector('a==b').toString(), 'a=b');
  assert.equal(parseFieldSelector('').isEmpty(), true);
  assert.equal(parseFieldSelector(',,').isEmpty(), true);
});

test('a missing field reads as the empty string', () => {
  assert.equal(parseFieldSelector('spec.nodeName=').matches(getter({})), true);
  assert.equal(parseFieldSelector('spec.nodeName!=').matches(getter({})), false);
  assert.equal(parseFieldSelector('spec.nodeName!=n1').matches(getter({})), true);
});

test('escaping follows apimachinery', () => {
  assert.equal(escapeFieldValue('a,b=c\\d'), 'a\\,b\\=c\\\\d');
  assert.equal(unescapeFieldValue('a\\,b\\=c\\\\d'), 'a,b=c\\d');
  const s = parseFieldSelector('metadata.name=a\\,b,spec.x=c\\=d');
  assert.deepEqual(
    s.requirements.map((r) => r.value),
    ['a,b', 'c=d'],
  );
  assert.equal(s.toString(), 'metadata.name=a\\,b,spec.x=c\\=d');
});

test('syntax errors carry kube-apiserver wording', () => {
  const cases: [string, string][] = [
    ['foo', "invalid selector: 'foo'; can't understand 'foo'"],
    ['a=b,foo', "invalid selector: 'a=b,foo'; can't understand 'foo'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [sel, msg] of cases) {
    assert.throws(() => parseFieldSelector(sel), (e: unknown) => e instanceof FieldSelectorError && e.message === msg, sel);
  }
});

test('field labels are checked per kind with kube wording', () => {
  const pods = convertFieldLabels(parseFieldSelector('spec.host=n1,status.phase=Running'), POD_FIELDS);
  assert.deepEqual(pods.requirements.map((r) => r.field), ['spec.nodeName', 'status.phase']);
  assert.throws(() => convertFieldLabels(parseFieldSelector('spec.foo=1,status.phase=Running'), POD_FIELDS), {
    message: 'field label not supported: spec.foo',
  });
  // Kinds without their own list accept only name and namespace.
  assert.equal(convertFieldLabels(parseFieldSelector('metadata.namespace!=default'), undefined).isEmpty(), false);
  assert.throws(() => convertFieldLabels(parseFieldSelector('foo.bar=baz'), undefined), {
    message: '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"',
  });
  // The first bad term in sorted order is the one reported.
  assert.throws(() => convertFieldLabels(parseFieldSelector('z=1,b=2'), { supported: [] }), { message: 'field label not supported: b' });
});

test('helpers build selectors directly', () => {
  const s = andFieldSelectors(oneTermEqualSelector('metadata.name', 'x'), parseFieldSelector('spec.nodeName=n'));
  assert.equal(s.matches(getter({ 'metadata.name': 'x', 'spec.nodeName': 'n' })), true);
  assert.equal(s.requiresExactMatch('spec.nodeName'), 'n');
});

test('property: escape and unescape are inverse, and escaped values parse back', () => {
  fc.assert(
    fc.property(fc.string(), (v) => {
      assert.equal(unescapeFieldValue(escapeFieldValue(v)), v);
      const sel = parseFieldSelector(`metadata.name=${escapeFieldValue(v)}`);
      if (!sel.isEmpty()) assert.equal(sel.requiresExactMatch('metadata.name'), v);
    }),
  );
});
