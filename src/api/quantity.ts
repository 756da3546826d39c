// Kubernetes resource quantities (resource.Quantity): parsing with apimachinery's grammar and error texts,
// exact comparison and arithmetic, and the canonical string kube-apiserver writes back.
//
// A value is kept as sign × mantissa × 10^exponent with a BigInt mantissa, so nothing ever goes through a
// float. Like kube, values are rounded away from zero to nano precision when parsed.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const SPLIT_RE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${SPLIT_RE}'`;
export const QUANTITY_NUMERIC_ERROR = 'unable to parse numeric part of quantity';
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

export class QuantityParseError extends Error {
  override name = 'QuantityParseError';
}

const NANO = -9;
const INT64_MAX = (1n << 63n) - 1n;
const SUFFIX_CHARS = 'eEinumkKMGTP';

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map<number, string>(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

interface Scanned {
  negative: boolean;
  /** Integer digits with leading zeros removed ("0" when there are none). */
  num: string;
  /** Fraction digits, possibly empty. */
  denom: string;
  suffix: string;
}

// Mirrors apimachinery's hand-written scanner rather than its advertised regular expression: the scanner
// is what decides, and it accepts a few odd inputs ("." and "+" are zero, "1.G" is fine).
function scan(str: string): Scanned {
  let pos = 0;
  const end = str.length;
  let negative = false;
  if (str[0] === '-') {
    negative = true;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { negative, num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  let num = str.slice(pos, i);
  if (num === '') num = '0';
  pos = i;
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    pos = i;
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) throw new QuantityParseError(QUANTITY_FORMAT_ERROR);
  return { negative, num, denom, suffix: str.slice(suffixStart) };
}

interface SuffixMeaning {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

function interpretSuffix(s: string): SuffixMeaning | undefined {
  const dec = DECIMAL_SUFFIXES[s];
  if (dec !== undefined && Object.hasOwn(DECIMAL_SUFFIXES, s)) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BINARY_SUFFIXES[s];
  if (bin !== undefined && Object.hasOwn(BINARY_SUFFIXES, s)) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E')) {
    const digits = s.slice(1);
    if (!/^[+-]?[0-9]+$/.test(digits)) return undefined;
    const parsed = BigInt(digits);
    if (parsed > INT64_MAX || parsed < -INT64_MAX - 1n) return undefined;
    // kube narrows the parsed int64 to int32 without a range check.
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

function digitCount(n: bigint): number {
  return n === 0n ? 0 : n.toString().length;
}

export class Quantity {
  /** Magnitude is |mantissa| × 10^exponent; the sign lives on the mantissa. */
  readonly mantissa: bigint;
  readonly exponent: number;
  readonly format: QuantityFormat;
  /** The input text when kube would echo it unchanged instead of re-rendering it. */
  private readonly preserved: string | undefined;
  private cached: string | undefined;

  constructor(mantissa: bigint, exponent: number, format: QuantityFormat, preserved?: string) {
    this.mantissa = mantissa;
    this.exponent = mantissa === 0n ? 0 : exponent;
    this.format = format;
    this.preserved = preserved;
  }

  get sign(): -1 | 0 | 1 {
    return this.mantissa === 0n ? 0 : this.mantissa < 0n ? -1 : 1;
  }

  isZero(): boolean {
    return this.mantissa === 0n;
  }

  cmp(other: Quantity): -1 | 0 | 1 {
    return compareParts(this.mantissa, this.exponent, other.mantissa, other.exponent);
  }

  /** Exact sum; a zero receiver takes the other operand's format, as kube's Quantity.Add does. */
  add(other: Quantity): Quantity {
    const format = this.isZero() ? other.format : this.format;
    const [a, b, e] = align(this.mantissa, this.exponent, other.mantissa, other.exponent);
    return new Quantity(a + b, e, format);
  }

  sub(other: Quantity): Quantity {
    return this.add(new Quantity(-other.mantissa, other.exponent, other.format));
  }

  neg(): Quantity {
    return new Quantity(-this.mantissa, this.exponent, this.format);
  }

  /** ceil(|q| × 10^-scale) with the sign kept, as kube's ScaledValue: value() is scale 0, milliValue() scale -3. */
  scaledValue(scale: number): bigint {
    const shift = this.exponent - scale;
    if (shift >= 0) return this.mantissa * pow10(shift);
    const div = pow10(-shift);
    const mag = this.mantissa < 0n ? -this.mantissa : this.mantissa;
    const q = (mag + div - 1n) / div;
    return this.mantissa < 0n ? -q : q;
  }

  value(): bigint {
    return this.scaledValue(0);
  }

  milliValue(): bigint {
    return this.scaledValue(-3);
  }

  /** A float approximation for display and ratios only; never feed it back into a comparison. */
  approximate(): number {
    return Number(this.mantissa) * 10 ** this.exponent;
  }

  toString(): string {
    if (this.preserved !== undefined) return this.preserved;
    if (this.cached === undefined) this.cached = canonicalize(this.mantissa, this.exponent, this.format);
    return this.cached;
  }

  toJSON(): string {
    return this.toString();
  }
}

function align(am: bigint, ae: number, bm: bigint, be: number): [bigint, bigint, number] {
  if (am === 0n) return [0n, bm, be];
  if (bm === 0n) return [am, 0n, ae];
  if (ae === be) return [am, bm, ae];
  if (ae > be) return [am * pow10(ae - be), bm, be];
  return [am, bm * pow10(be - ae), ae];
}

function compareParts(am: bigint, ae: number, bm: bigint, be: number): -1 | 0 | 1 {
  const as = am === 0n ? 0 : am < 0n ? -1 : 1;
  const bs = bm === 0n ? 0 : bm < 0n ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  if (as === 0) return 0;
  // Decide by order of magnitude first so that exponents far apart never build huge powers of ten.
  const amag = digitCount(am < 0n ? -am : am) + ae;
  const bmag = digitCount(bm < 0n ? -bm : bm) + be;
  if (amag !== bmag) return (amag > bmag) === (as === 1) ? 1 : -1;
  const [a, b] = align(am, ae, bm, be);
  return a === b ? 0 : a > b ? 1 : -1;
}

/** Rounds |mantissa| × 10^exponent up to nano precision, away from zero. */
function roundToNano(mag: bigint, exponent: number): [bigint, number] {
  if (exponent >= NANO || mag === 0n) return [mag, exponent];
  const shift = NANO - exponent;
  if (shift > digitCount(mag)) return [1n, NANO];
  const div = pow10(shift);
  return [(mag + div - 1n) / div, NANO];
}

function canonicalize(mantissa: bigint, exponent: number, format: QuantityFormat): string {
  if (mantissa === 0n) return '0';
  const negative = mantissa < 0n;
  let mag = negative ? -mantissa : mantissa;
  let fmt = format;
  if (fmt === 'BinarySI') {
    // Below 1024 or with a fraction, binary suffixes would lose information, so kube switches to decimal.
    if (compareParts(mag, exponent, 1024n, 0) < 0) fmt = 'DecimalSI';
    else if (exponent < 0 && mag % pow10(-exponent) !== 0n) fmt = 'DecimalSI';
  }
  const sign = negative ? '-' : '';
  if (fmt === 'BinarySI') {
    let n = exponent >= 0 ? mag * pow10(exponent) : mag / pow10(-exponent);
    let power = 0;
    while (n % 1024n === 0n) {
      n /= 1024n;
      power++;
    }
    return sign + n.toString() + (BINARY_BY_POWER[power] ?? '');
  }
  let e = exponent;
  while (mag % 10n === 0n) {
    mag /= 10n;
    e++;
  }
  while (e % 3 !== 0) {
    mag *= 10n;
    e--;
  }
  let suffix: string;
  if (fmt === 'DecimalExponent') suffix = e === 0 ? '' : `e${e}`;
  // An exponent beyond the SI table gets no suffix at all; kube has the same gap ("1000E" prints as "1").
  else suffix = DECIMAL_BY_EXPONENT.get(e) ?? '';
  return sign + mag.toString() + suffix;
}

/** Parses a quantity; throws QuantityParseError carrying apimachinery's message. */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new QuantityParseError(QUANTITY_FORMAT_ERROR);
  if (str === '0') return new Quantity(0n, 0, 'DecimalSI', '0');
  const { negative, num, denom, suffix } = scan(str);
  const meaning = interpretSuffix(suffix);
  if (!meaning) throw new QuantityParseError(QUANTITY_SUFFIX_ERROR);
  const { base, exponent } = meaning;
  let format = meaning.format;
  const shifted = num + denom;
  const digits = BigInt(shifted);

  // kube keeps the caller's text when its fast int64 path sees it is already canonical; that is why
  // "+5", "010" and "1E3" come back exactly as sent.
  let preserved: string | undefined;
  if (base === 10) {
    const precision = 18 - (num.length + denom.length);
    const scale = (exponent - denom.length) | 0;
    if (precision >= 0 && scale >= NANO && scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0') {
      preserved = str;
    }
  } else if (denom.length === 0) {
    const precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    if (precision >= 0 && digits * (1n << BigInt(exponent)) <= INT64_MAX && (digits & 7n) !== 0n) preserved = str;
  }

  let mag: bigint;
  let exp: number;
  if (base === 10) {
    mag = digits;
    exp = exponent - denom.length;
  } else {
    mag = digits * (1n << BigInt(exponent));
    exp = -denom.length;
  }
  [mag, exp] = roundToNano(mag, exp);
  if (format === 'BinarySI') {
    if (compareParts(mag, exp, INT64_MAX, 0) > 0) {
      mag = INT64_MAX;
      exp = 0;
    }
    if (mag !== 0n && compareParts(mag, exp, 1n, 0) < 0) format = 'DecimalSI';
  }
  return new Quantity(negative ? -mag : mag, exp, format, preserved);
}

export function isValidQuantity(s: string): boolean {
  try {
    parseQuantity(s);
    return true;
  } catch {
    return false;
  }
}

/** Orders two quantities numerically; accepts strings or parsed quantities. */
export function compareQuantity(a: string | Quantity, b: string | Quantity): -1 | 0 | 1 {
  const qa = typeof a === 'string' ? parseQuantity(a) : a;
  const qb = typeof b === 'string' ? parseQuantity(b) : b;
  return qa.cmp(qb);
}

/** The string kube-apiserver stores and returns for this quantity. */
export function canonicalQuantity(s: string): string {
  return parseQuantity(s).toString();
}

/** Builds value × 10^scale, e.g. newQuantity(500n, -3) is 500m. */
export function newQuantity(value: bigint | number, scale = 0, format: QuantityFormat = 'DecimalSI'): Quantity {
  const v = typeof value === 'bigint' ? value : BigInt(value);
  return new Quantity(v, scale, format);
}
