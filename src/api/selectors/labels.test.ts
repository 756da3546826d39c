import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  everything,
  labelKeyErrors,
  labelSelectorFromObject,
  labelSelectorToObject,
  LabelSelectorError,
  nothing,
  parseLabelSelector,
  selectorFromSet,
  validateLabels,
  validateLabelSelector,
} from './labels.js';

// Selector → kube-apiserver v1.32's error text (the 400 BadRequest message). Produced with the real
// kubectl 1.32 as an oracle: it runs the same apimachinery parser client-side.
const PARSE_ERRORS: [string, string][] = [
  ["a in", "unable to parse requirement: found '' expected: '('"],
  ["a in (b", "unable to parse requirement: found '', expected: ',' or ')'"],
  ["a=b=c", "found '=', expected: ',' or 'end of string'"],
  ["a,", "found '', expected: identifier after ','"],
  [",a", "found ',', expected: !, identifier, or 'end of string'"],
  ["a=(b)", "unable to parse requirement: found '(', expected: identifier"],
  ["a=b_", "unable to parse requirement: values[0][a]: Invalid value: \"b_\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
  ["a in (b_,c_)", "unable to parse requirement: [values[0][a]: Invalid value: \"b_\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?'), values[1][a]: Invalid value: \"c_\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')]"],
  ["x>a", "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"],
  ["a!", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"],
  ["!a=b", "found '=', expected: ',' or 'end of string'"],
  ["a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
  ["a/=b", "unable to parse requirement: <nil>: Invalid value: \"a/\": name part must be non-empty; name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
  ["/b=c", "unable to parse requirement: <nil>: Invalid value: \"/b\": prefix part must be non-empty"],
  ["A/b=c", "unable to parse requirement: <nil>: Invalid value: \"A/b\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"],
  ["a/b/c=d", "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"],
  ["a=_", "unable to parse requirement: values[0][a]: Invalid value: \"_\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
  ["x<-5", "unable to parse requirement: values[0][x]: Invalid value: \"-5\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
  ["!", "unable to parse requirement: found '', expected: identifier"],
  ["a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"],
  ["a notin", "unable to parse requirement: found '' expected: '('"],
  ["a=b,,c=d", "found ',', expected: identifier after ','"],
  ["a in (b,c", "unable to parse requirement: found '', expected: ',' or ')'"],
  ["a in (b)c", "found 'c', expected: ',' or 'end of string'"],
  ["a in b", "unable to parse requirement: found 'b' expected: '('"],
  ["a=b c", "found 'c', expected: ',' or 'end of string'"],
  ["a=!b", "unable to parse requirement: found '!', expected: identifier"],
  ["a=(", "unable to parse requirement: found '(', expected: identifier"],
  ["a)", "unable to parse requirement: found ')', expected: in, notin, =, ==, !=, gt, lt"],
  ["a>", "unable to parse requirement: values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value must be an integer"],
  ["a <", "unable to parse requirement: values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value must be an integer"],
  ["a=b!", "found '!', expected: ',' or 'end of string'"],
  ["=a", "found '=', expected: !, identifier, or 'end of string'"],
  ["a notin (b", "unable to parse requirement: found '', expected: ',' or ')'"],
  ["-ltier=postgres", "unable to parse requirement: <nil>: Invalid value: \"-ltier\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
  [")", "found ')', expected: !, identifier, or 'end of string'"],
  ["a==b==c", "found '==', expected: ',' or 'end of string'"],
  ["a in ((b))", "unable to parse requirement: found '(', expected: ',', ')' or identifier"],
  ["a in (b))", "found ')', expected: ',' or 'end of string'"],
  ["!!a", "unable to parse requirement: found '!', expected: identifier"],
  ["a,!", "unable to parse requirement: found '', expected: identifier"],
  ["a=b,", "found '', expected: identifier after ','"],
  ["k8s.io/=v", "unable to parse requirement: <nil>: Invalid value: \"k8s.io/\": name part must be non-empty; name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
  ["-a", "unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
  ["a-=b", "unable to parse requirement: <nil>: Invalid value: \"a-\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
  ["a in (-b)", "unable to parse requirement: values[0][a]: Invalid value: \"-b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],];

test('parse errors carry kube-apiserver wording', () => {
  for (const [sel, msg] of PARSE_ERRORS) {
    assert.throws(() => parseLabelSelector(sel), (e: unknown) => e instanceof LabelSelectorError && e.message === msg, sel);
  }
});

test('parse: operators, whitespace and canonical string', () => {
  const cases: [string, string][] = [
    ['app=nginx', 'app=nginx'],
    ['app==nginx', 'app==nginx'],
    ['tier!=x', 'tier!=x'],
    ['  env  in  ( b , a )  ', 'env in (a,b)'],
    ['env notin (a,b,a)', 'env notin (a,b)'],
    ['x,!y', 'x,!y'],
    ['b=1,a=2', 'a=2,b=1'],
    ['a in (,b)', 'a in (,b)'],
    ['a in ()', 'a in ()'],
    ['a=', 'a='],
    ['in in (in,notin)', 'in in (in,notin)'],
    ['n>5,m<3', 'm<3,n>5'],
    ['k8s.io/app=x', 'k8s.io/app=x'],
    ['a\tin\t(x)', 'a in (x)'],
    ['', ''],
  ];
  for (const [input, want] of cases) assert.equal(parseLabelSelector(input).toString(), want, input);
  // What `-l 'app=nginx,tier!=x,env in (a,b)'` arrives as once form-decoded.
  const s = parseLabelSelector('app=nginx,tier!=x,env in (a,b)');
  assert.deepEqual(
    s.requirements.map((r) => [r.key, r.operator, [...r.values]]),
    [
      ['app', '=', ['nginx']],
      ['env', 'in', ['a', 'b']],
      ['tier', '!=', ['x']],
    ],
  );
  assert.equal(parseLabelSelector('').isEmpty(), true);
});

test('matching follows kube semantics', () => {
  const labels = { app: 'nginx', tier: 'web', n: '7' };
  const yes = ['app=nginx', 'app==nginx', 'app in (nginx,x)', 'gone notin (a)', 'app notin (x)', 'app', '!gone', 'tier!=db', 'gone!=x', 'n>6', 'n<8', ''];
  const no = ['app=x', 'gone=x', 'app notin (nginx)', 'gone', '!app', 'app!=nginx', 'n>7', 'n<7', 'app>1', 'app=nginx,tier=db'];
  for (const s of yes) assert.equal(parseLabelSelector(s).matches(labels), true, s);
  for (const s of no) assert.equal(parseLabelSelector(s).matches(labels), false, s);
  assert.equal(parseLabelSelector('!a').matches(undefined), true);
  assert.equal(parseLabelSelector('a').matches(null), false);
});

test('inherited Object members never count as labels', () => {
  const labels = JSON.parse('{"__proto__":"p","constructor":"c","app":"x"}') as Record<string, string>;
  assert.equal(parseLabelSelector('constructor').matches({}), false);
  assert.equal(parseLabelSelector('constructor=c').matches(labels), true);
  assert.equal(parseLabelSelector('!toString').matches({}), true);
  assert.equal(selectorFromSet({ constructor: 'x' }).matches({}), false);
  // "__proto__" is not a valid label key, but selectors built from sets are not validated.
  const proto = selectorFromSet(JSON.parse('{"__proto__":"p"}'));
  assert.equal(proto.matches(labels), true);
  assert.equal(proto.matches({ app: 'x' }), false);
});

test('requiresExactMatch exposes equality terms for indexes', () => {
  const s = parseLabelSelector('app=nginx,tier in (web),env in (a,b),x!=y');
  assert.equal(s.requiresExactMatch('app'), 'nginx');
  assert.equal(s.requiresExactMatch('tier'), 'web');
  assert.equal(s.requiresExactMatch('env'), undefined);
  assert.equal(s.requiresExactMatch('x'), undefined);
  assert.equal(s.requiresExactMatch('missing'), undefined);
});

test('LabelSelector objects: empty matches everything, null matches nothing', () => {
  assert.equal(labelSelectorFromObject({}), everything);
  assert.equal(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).matches({ a: 'b' }), true);
  assert.equal(labelSelectorFromObject(null), nothing);
  assert.equal(labelSelectorFromObject(undefined).matches({}), false);
  assert.equal(labelSelectorFromObject(null, { whenNull: 'everything' }).matches({}), true);
  const s = labelSelectorFromObject({
    matchLabels: { app: 'nginx' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['web', 'api'] },
      { key: 'env', operator: 'NotIn', values: ['dev'] },
      { key: 'team', operator: 'Exists' },
      { key: 'legacy', operator: 'DoesNotExist' },
    ],
  });
  assert.equal(s.toString(), 'app=nginx,env notin (dev),!legacy,team,tier in (api,web)');
  assert.equal(s.matches({ app: 'nginx', tier: 'api', team: 't' }), true);
  assert.equal(s.matches({ app: 'nginx', tier: 'api', team: 't', legacy: '1' }), false);
  assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }), {
    message: '"Gt" is not a valid label selector operator',
  });
  assert.deepEqual(labelSelectorToObject(parseLabelSelector('app=nginx,x in (a),!y')), {
    matchLabels: { app: 'nginx' },
    matchExpressions: [
      { key: 'x', operator: 'In', values: ['a'] },
      { key: 'y', operator: 'DoesNotExist' },
    ],
  });
  assert.equal(labelSelectorToObject(parseLabelSelector('a!=b')), undefined);
});

test('validateLabelSelector words errors as kube-apiserver does', () => {
  const errs = validateLabelSelector(
    {
      matchLabels: { 'bad key!': 'ok', good: 'bad value!' },
      matchExpressions: [
        { key: 'a', operator: 'In', values: [] },
        { key: 'b', operator: 'Exists', values: ['x'] },
        { key: 'c', operator: 'Foo' },
        { key: '', operator: 'NotIn', values: ['ok', 'no/pe'] },
      ],
    },
    'spec.selector',
  );
  const lines = errs.map((e) => `${e.reason} ${e.field}: ${e.message}`);
  const nameRegex = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  const valueRegex = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  assert.deepEqual(lines, [
    `FieldValueInvalid spec.selector.matchLabels: Invalid value: "bad key!": ${nameRegex}`,
    `FieldValueInvalid spec.selector.matchLabels: Invalid value: "bad value!": ${valueRegex}`,
    "FieldValueRequired spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "FieldValueForbidden spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    'FieldValueInvalid spec.selector.matchExpressions[2].operator: Invalid value: "Foo": not a valid selector operator',
    'FieldValueInvalid spec.selector.matchExpressions[3].key: Invalid value: "": name part must be non-empty',
    `FieldValueInvalid spec.selector.matchExpressions[3].key: Invalid value: "": ${nameRegex}`,
    `FieldValueInvalid spec.selector.matchExpressions[3].values[1]: Invalid value: "no/pe": ${valueRegex}`,
  ]);
  assert.deepEqual(validateLabelSelector(null, 'spec.selector'), []);
  assert.equal(validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: ['b_'] }] }, 's', { allowInvalidLabelValueInSelector: true }).length, 0);
  assert.deepEqual(validateLabels({ ok: 'fine' }, 'metadata.labels'), []);
  assert.deepEqual(labelKeyErrors('x'.repeat(64)), ['name part must be no more than 63 characters']);
});

const labelName = fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,8}[a-z0-9])?$/);
const labelMap = fc.dictionary(labelName, labelName, { maxKeys: 6 });

test('property: a set selector matches its own labels and the string form round-trips', () => {
  fc.assert(
    fc.property(labelMap, labelMap, (labels, extra) => {
      const sel = selectorFromSet(labels);
      assert.equal(sel.matches({ ...extra, ...labels }), true);
      const reparsed = parseLabelSelector(sel.toString());
      assert.equal(reparsed.toString(), sel.toString());
      assert.equal(reparsed.matches(extra), sel.matches(extra));
    }),
  );
});

test('property: negation and complement agree', () => {
  fc.assert(
    fc.property(labelName, fc.array(labelName, { minLength: 1, maxLength: 4 }), labelMap, (key, values, labels) => {
      const list = values.join(',');
      const inSel = parseLabelSelector(`${key} in (${list})`);
      const notIn = parseLabelSelector(`${key} notin (${list})`);
      assert.notEqual(inSel.matches(labels), notIn.matches(labels));
      assert.notEqual(parseLabelSelector(key).matches(labels), parseLabelSelector(`!${key}`).matches(labels));
    }),
  );
});
