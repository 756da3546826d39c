import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  canonicalQuantity,
  compareQuantity,
  isValidQuantity,
  newQuantity,
  parseQuantity,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
  QuantityParseError,
} from './quantity.js';

// Input → the string kube-apiserver v1.32 writes back. Produced with the real kubectl as an oracle
// (`kubectl set resources --local` decodes into typed objects and re-encodes quantities).
const CANONICAL: [string, string][] = [
  ['1Gi', '1Gi'], ['1024Mi', '1Gi'], ['1536Mi', '1536Mi'], ['1000m', '1'], ['0.5', '500m'], ['1.5', '1500m'],
  ['1e3', '1e3'], ['1E3', '1E3'], ['100Ki', '100Ki'], ['1000', '1k'], ['+5', '+5'], ['010', '010'],
  ['0.1m', '100u'], ['0.1n', '1n'], ['1.0000000001', '1000000001n'], ['1e-3', '1e-3'], ['5e-4', '500e-6'],
  ['1.5Gi', '1536Mi'], ['0.5Mi', '512Ki'], ['1.5Ki', '1536'], ['8Ei', '9223372036854775807'], ['1000E', '1'],
  ['12E3', '12E3'], ['100e3', '100e3'], ['1000e3', '1e6'], ['1e31', '10e30'], ['-1.5', '-1500m'],
  ['-10Mi', '-10Mi'], ['.', '0'], ['+', '0'], ['1k', '1k'], ['1.G', '1.G'], ['0', '0'], ['00', '0'], ['-0', '0'],
  ['1e+3', '1e+3'], ['0.001m', '1u'], ['123456789012345678', '123456789012345678'],
  ['1234567890123456789', '1234567890123456789'], ['1023Ki', '1023Ki'], ['1024Ki', '1Mi'],
  ['9223372036854775808', '9223372036854775808'], ['7Ki', '7Ki'], ['2e-9', '2e-9'], ['2.5e-9', '3e-9'],
  // kube's scanner accepts a bare suffix as zero.
  ['Gi', '0'], ['m', '0'], ['e3', '0'], ['-m', '0'],
  // A sample of randomly generated inputs, same oracle.
  ['94211813Mi', '94211813Mi'], ['+25316.2Pi', '9223372036854775807'], ['4771160591m', '4771160591m'],
  ['+82217964479e-3', '+82217964479e-3'], ['1e-7', '100e-9'], ['-830793432023e2', '-83079343202300'],
  ['94.7464e-12', '1e-9'], ['-737446u', '-737446u'], ['19940313.2053382282u', '19940313206n'],
  ['688335538.17566e-7', '68833553818e-9'], ['-042583.194612M', '-042583.194612M'],
  ['+360810636880766637.117460273k', '360810636880766637117460273u'], ['028', '028'],
  ['0514783.15477745860m', '514783154778n'], ['.4881960M', '488196'], ['+212901.42Mi', '223243319377920m'],
  ['97089028201Gi', '9223372036854775807'], ['-71.65350m', '-71653500n'], ['+29362329090e2', '2936232909e3'],
  ['-867054382e0', '-867054382e0'], ['-3.2574e0', '-3257400e-6'], ['-78040090e2', '-7804009e3'],
  ['-71.17414G', '-71174140k'], ['+8612e-12', '9e-9'], ['+1641096042.111057Ki', '1680482347121722368u'],
  ['805232138822.39268m', '805232138822392680n'], ['6.18292128329Gi', '6638861176368225321n'],
  ['9130130360E', '9130130360E'], ['+335840.275879016e+2', '33584027587901600e-9'], ['.56Gi', '601295421440m'],
  ['.3876547e-7', '39e-9'], ['8642.514871096u', '8642515n'], ['1554884626.5341668M', '1554884626534166800m'],
  ['514041e0', '514041e0'],
];

test('canonical strings match kube-apiserver', () => {
  for (const [input, want] of CANONICAL) assert.equal(canonicalQuantity(input), want, input);
});

test('invalid quantities carry apimachinery messages', () => {
  const suffix = ['1e', '1ki', '1K', '5i', '1.5e', '1Mi5', '1m-3', '1k3', '--1'];
  const format = ['', 'abc', '0x10', '1.2.3', '1 Gi', '1Gi '];
  for (const s of suffix) assert.throws(() => parseQuantity(s), { message: QUANTITY_SUFFIX_ERROR }, s);
  for (const s of format) assert.throws(() => parseQuantity(s), { message: QUANTITY_FORMAT_ERROR }, s);
  assert.equal(QUANTITY_FORMAT_ERROR, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  assert.throws(() => parseQuantity('x'), QuantityParseError);
  assert.equal(isValidQuantity('250m'), true);
  assert.equal(isValidQuantity('250q'), false);
});

test('comparison is exact', () => {
  assert.equal(compareQuantity('1Gi', '1024Mi'), 0);
  assert.equal(compareQuantity('1G', '1Gi'), -1);
  assert.equal(compareQuantity('1000m', '1'), 0);
  assert.equal(compareQuantity('0.1', '100m'), 0);
  assert.equal(compareQuantity('-1', '1m'), -1);
  assert.equal(compareQuantity('1e100', '1e99'), 1);
  assert.equal(compareQuantity('1e-9', '0'), 1);
  // 0.3 is not 0.1 + 0.2 in floating point; here it is.
  assert.equal(parseQuantity('100m').add(parseQuantity('200m')).cmp(parseQuantity('300m')), 0);
  assert.equal(compareQuantity('9223372036854775807', '9223372036854775806'), 1);
});

test('values, arithmetic and formats', () => {
  const q = parseQuantity('1.5');
  assert.equal(q.milliValue(), 1500n);
  assert.equal(q.value(), 2n);
  assert.equal(parseQuantity('-1.5').value(), -2n);
  assert.equal(parseQuantity('1Ki').value(), 1024n);
  assert.equal(parseQuantity('250m').format, 'DecimalSI');
  assert.equal(parseQuantity('1Mi').format, 'BinarySI');
  assert.equal(parseQuantity('1e3').format, 'DecimalExponent');
  assert.equal(parseQuantity('0.5Ki').format, 'BinarySI');
  assert.equal(parseQuantity('1Mi').add(parseQuantity('1Mi')).toString(), '2Mi');
  assert.equal(parseQuantity('1').sub(parseQuantity('250m')).toString(), '750m');
  assert.equal(newQuantity(0).add(parseQuantity('1Ki')).format, 'BinarySI');
  assert.equal(newQuantity(500, -3).toString(), '500m');
  assert.equal(JSON.stringify({ cpu: parseQuantity('0.5') }), '{"cpu":"500m"}');
  assert.equal(parseQuantity('0').isZero(), true);
  assert.equal(parseQuantity('-2').sign, -1);
});

const quantityText = fc
  .tuple(
    fc.constantFrom('', '-', '+'),
    fc.stringMatching(/^[0-9]{1,12}$/),
    fc.option(fc.stringMatching(/^[0-9]{0,10}$/), { nil: undefined }),
    fc.constantFrom('', 'm', 'n', 'u', 'k', 'M', 'G', 'T', 'P', 'Ki', 'Mi', 'Gi', 'Ti', 'e3', 'e-6', 'E2', 'e0'),
  )
  .map(([sign, int, frac, suffix]) => `${sign}${int}${frac === undefined ? '' : `.${frac}`}${suffix}`);

test('property: the canonical form denotes the same amount and is stable', () => {
  fc.assert(
    fc.property(quantityText, (s) => {
      const q = parseQuantity(s);
      const c = q.toString();
      assert.equal(parseQuantity(c).cmp(q), 0);
      assert.equal(canonicalQuantity(c), c);
    }),
    { numRuns: 2000 },
  );
});

test('property: comparison agrees with scaled integer arithmetic', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (a, b) => {
      const qa = parseQuantity(`${a}m`);
      const qb = parseQuantity(`${b}n`);
      const want = a * 1000000n === b ? 0 : a * 1000000n > b ? 1 : -1;
      assert.equal(qa.cmp(qb), want);
    }),
  );
});
