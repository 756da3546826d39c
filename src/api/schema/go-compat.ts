// Small pieces of Go's standard library behaviour that kube-apiserver's messages and stored values depend on:
// strconv.Quote, time.Parse for metav1.Time / MicroTime (with its error texts), and base64 for []byte fields.

/** Go's strconv.Quote for the strings that appear in decode errors (printable text stays as it is). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c === 0x07) out += '\\a';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0b) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const RFC3339 = '2006-01-02T15:04:05Z07:00';
const RFC3339_MICRO = '2006-01-02T15:04:05.000000Z07:00';

/** Outcome of parsing a metav1.Time / MicroTime string: the value kube stores back, or Go's error text. */
export type TimeParse = { ok: true; value: string } | { ok: false; error: string };

const CANONICAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const CANONICAL_MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/**
 * Parses like Go's time.Parse(RFC3339) (or RFC3339Micro for MicroTime) and returns the UTC text Go writes back:
 * seconds precision for Time, exactly six fraction digits for MicroTime.
 */
export function parseGoTime(value: string, micro: boolean): TimeParse {
  if (micro ? CANONICAL_MICRO.test(value) : CANONICAL_TIME.test(value)) {
    const fast = checkRanges(value, value);
    if (!fast) return { ok: true, value };
  }
  const layout = micro ? RFC3339_MICRO : RFC3339;
  const fail = (layoutElem: string, valueElem: string): TimeParse => ({
    ok: false,
    error: `parsing time ${goQuote(value)} as ${goQuote(layout)}: cannot parse ${goQuote(valueElem)} as ${goQuote(layoutElem)}`,
  });
  const range = (what: string): TimeParse => ({ ok: false, error: `parsing time ${goQuote(value)}: ${what} out of range` });

  let rest = value;
  // A fixed run of digits, as Go's getnum(fixed=true) and the 4-digit year read them.
  const digits = (n: number): number | undefined => {
    for (let i = 0; i < n; i++) if (!isDigit(rest, i)) return undefined;
    const v = Number(rest.slice(0, n));
    rest = rest.slice(n);
    return v;
  };
  const literal = (lit: string): boolean => {
    if (!rest.startsWith(lit)) return false;
    rest = rest.slice(lit.length);
    return true;
  };

  let hold = rest;
  const year = rest.length >= 4 ? digits(4) : undefined;
  if (year === undefined) return fail('2006', hold);
  if (!literal('-')) return fail('-', rest);
  hold = rest;
  const month = digits(2);
  if (month === undefined) return fail('01', hold);
  if (month < 1 || month > 12) return range('month');
  if (!literal('-')) return fail('-', rest);
  hold = rest;
  const day = digits(2);
  if (day === undefined) return fail('02', hold);
  if (!literal('T')) return fail('T', rest);
  hold = rest;
  // The hour takes one or two digits.
  let hour: number | undefined;
  if (isDigit(rest, 0) && isDigit(rest, 1)) hour = digits(2);
  else if (isDigit(rest, 0)) hour = digits(1);
  if (hour === undefined) return fail('15', hold);
  if (hour >= 24) return range('hour');
  if (!literal(':')) return fail(':', rest);
  hold = rest;
  const minute = digits(2);
  if (minute === undefined) return fail('04', hold);
  if (minute >= 60) return range('minute');
  if (!literal(':')) return fail(':', rest);
  hold = rest;
  const second = digits(2);
  if (second === undefined) return fail('05', hold);
  if (second >= 60) return range('second');

  let fraction = '';
  if (micro) {
    hold = rest;
    if (rest.length < 7 || (rest[0] !== '.' && rest[0] !== ',')) return fail('.000000', hold);
    for (let i = 1; i < 7; i++) if (!isDigit(rest, i)) return fail('.000000', hold);
    fraction = rest.slice(1, 7);
    rest = rest.slice(7);
  } else if (rest.length >= 2 && (rest[0] === '.' || rest[0] === ',') && isDigit(rest, 1)) {
    // Go accepts a fraction the layout does not mention; Time then drops it on output.
    let n = 1;
    while (isDigit(rest, n)) n++;
    rest = rest.slice(n);
  }

  hold = rest;
  let offsetMinutes = 0;
  if (rest[0] === 'Z') {
    rest = rest.slice(1);
  } else {
    if (rest.length < 6 || rest[3] !== ':' || (rest[0] !== '+' && rest[0] !== '-')) return fail('Z07:00', hold);
    const sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
    const oh = digits(2);
    if (oh === undefined || !literal(':')) return fail('Z07:00', hold);
    const om = digits(2);
    if (om === undefined) return fail('Z07:00', hold);
    if (oh > 24) return range('time zone offset hour');
    if (om > 60) return range('time zone offset minute');
    offsetMinutes = sign * (oh * 60 + om);
  }
  if (rest.length > 0) return { ok: false, error: `parsing time ${goQuote(value)}: extra text: ${goQuote(rest)}` };
  if (day < 1 || day > daysIn(month, year)) return { ok: false, error: `parsing time ${goQuote(value)}: day out of range` };

  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  const d = new Date(ms);
  if (year < 100) d.setUTCFullYear(year, month - 1, day);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const text = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return { ok: true, value: micro ? `${text}.${fraction}Z` : `${text}Z` };
}

/** Range errors a canonical-looking time can still have; undefined when it is valid. */
function checkRanges(value: string, text: string): string | undefined {
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const year = Number(text.slice(0, 4));
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) return value;
  if (Number(text.slice(11, 13)) >= 24 || Number(text.slice(14, 16)) >= 60 || Number(text.slice(17, 19)) >= 60) return value;
  return undefined;
}

const B64 = new Uint8Array(128).fill(255);
for (let i = 0; i < 64; i++) B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

/**
 * Checks standard padded base64 the way Go's base64.StdEncoding does for []byte fields; returns Go's error
 * text ("illegal base64 data at input byte N") or undefined. Go skips CR and LF.
 */
export function checkBase64(s: string): string | undefined {
  let quantum = 0; // characters seen in the current group of four
  let groupStart = 0;
  let padding = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) continue;
    if (quantum === 0) groupStart = i;
    if (c === 61) {
      // '=' may only close a group after at least two data characters, and nothing may follow the padding.
      if (quantum < 2) return `illegal base64 data at input byte ${i}`;
      padding++;
      quantum++;
      if (quantum === 4) {
        for (let j = i + 1; j < s.length; j++) {
          const t = s.charCodeAt(j);
          if (t !== 10 && t !== 13) return `illegal base64 data at input byte ${j}`;
        }
        return undefined;
      }
      continue;
    }
    if (padding > 0) return `illegal base64 data at input byte ${i}`;
    if (c >= 128 || B64[c] === 255) return `illegal base64 data at input byte ${i}`;
    quantum = (quantum + 1) % 4;
  }
  if (padding > 0) return `illegal base64 data at input byte ${s.length}`;
  if (quantum !== 0) return `illegal base64 data at input byte ${groupStart}`;
  return undefined;
}
