// Label selectors: the `labelSelector=` query string grammar, metav1.LabelSelector objects, matching, and the
// validation messages kube-apiserver (v1.32) gives for both. A parse error's message is exactly what
// kube-apiserver puts in its 400 BadRequest answer.
import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import { fieldErr, path as childPath } from '../fielderrors.js';
import type { FieldError } from '../types.js';

/** Operator spellings as k8s.io/apimachinery/pkg/selection names them. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated, as kube keeps them; empty for exists / !. */
  readonly values: readonly string[];
}

export type Labels = Readonly<Record<string, string>> | null | undefined;

export interface LabelSelector {
  /** Sorted by key. */
  readonly requirements: readonly LabelRequirement[];
  /** True only for the selector built from a null LabelSelector object. */
  readonly matchesNothing: boolean;
  /** True when the selector places no restriction (matches every object). */
  isEmpty(): boolean;
  matches(labels: Labels): boolean;
  /** The value `key` must have (from `=`, `==` or a one-value `in`), for index lookups. */
  requiresExactMatch(key: string): string | undefined;
  toString(): string;
}

/** A malformed selector; `message` is kube-apiserver's text for the 400 BadRequest. */
export class LabelSelectorError extends Error {
  override name = 'LabelSelectorError';
}

// ---------------------------------------------------------------------------------------------------------
// Key and value rules (k8s.io/apimachinery/pkg/util/validation, v1.32 wording).

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  // kube joins the examples with "', " + " or ", which leaves two spaces before each "or".
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

function maxLenError(n: number): string {
  return `must be no more than ${n} characters`;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Problems with a DNS-1123 subdomain (empty when valid). */
export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 253) errs.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** Problems with a label key / qualified name (empty when valid). */
export function labelKeyErrors(key: string): string[] {
  const errs: string[] = [];
  const parts = key.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const m of dns1123SubdomainErrors(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLength(name) > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!QUALIFIED_NAME_RE.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** Problems with a label value (empty when valid). */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---------------------------------------------------------------------------------------------------------
// Compiled matching. Each requirement becomes one closure; a selector is their conjunction. Nothing is
// allocated or parsed per call.

type Matcher = (labels: Readonly<Record<string, string>>) => boolean;

// Label maps come from JSON, so a present key always holds a string; inherited Object.prototype members
// (e.g. "constructor") are never strings, which makes typeof a safe and cheap own-property test.
function lookup(labels: Readonly<Record<string, string>>, key: string): string | undefined {
  const v = (labels as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

// Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits, int64 range. Hand-rolled because it runs
// once per object for gt/lt requirements.
function parseInt64(s: string): bigint | undefined {
  const start = s[0] === '+' || s[0] === '-' ? 1 : 0;
  if (s.length === start) return undefined;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  return n;
}

function compileRequirement(r: LabelRequirement): Matcher {
  const { key, values } = r;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==': {
      if (values.length === 1) {
        const want = values[0]!;
        return (l) => lookup(l, key) === want;
      }
      const set = new Set(values);
      return (l) => {
        const v = lookup(l, key);
        return v !== undefined && set.has(v);
      };
    }
    case 'notin':
    case '!=': {
      if (values.length === 1) {
        const avoid = values[0]!;
        return (l) => lookup(l, key) !== avoid;
      }
      const set = new Set(values);
      return (l) => {
        const v = lookup(l, key);
        return v === undefined || !set.has(v);
      };
    }
    case 'exists':
      return (l) => lookup(l, key) !== undefined;
    case '!':
      return (l) => lookup(l, key) === undefined;
    case 'gt':
    case 'lt': {
      const bound = values.length === 1 ? parseInt64(values[0]!) : undefined;
      if (bound === undefined) return () => false;
      const gt = r.operator === 'gt';
      return (l) => {
        const v = lookup(l, key);
        const n = v === undefined ? undefined : parseInt64(v);
        if (n === undefined) return false;
        return gt ? n > bound : n < bound;
      };
    }
  }
}

function requirementString(r: LabelRequirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
      return `${r.key} in (${r.values.join(',')})`;
    case 'notin':
      return `${r.key} notin (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values.join(',')}`;
    case 'lt':
      return `${r.key}<${r.values.join(',')}`;
    default:
      return `${r.key}${r.operator}${r.values.join(',')}`;
  }
}

function byKey(a: LabelRequirement, b: LabelRequirement): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareStrings);
}

class CompiledSelector implements LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  readonly matchesNothing = false;
  private readonly matchers: readonly Matcher[];
  private readonly single: Matcher | undefined;

  constructor(requirements: LabelRequirement[]) {
    // Values are kept sorted (not de-duplicated) because kube prints them sorted.
    this.requirements = Object.freeze(
      requirements
        .slice()
        .sort(byKey)
        .map((r) => Object.freeze({ key: r.key, operator: r.operator, values: Object.freeze(r.values.slice().sort(compareStrings)) })),
    );
    this.matchers = this.requirements.map(compileRequirement);
    this.single = this.matchers.length === 1 ? this.matchers[0] : undefined;
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  matches(labels: Labels): boolean {
    const l = labels ?? EMPTY_LABELS;
    if (this.single) return this.single(l);
    const ms = this.matchers;
    for (let i = 0; i < ms.length; i++) if (!ms[i]!(l)) return false;
    return true;
  }

  requiresExactMatch(key: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== key) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
      return undefined;
    }
    return undefined;
  }

  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

const EMPTY_LABELS: Readonly<Record<string, string>> = Object.freeze({});

class NothingSelector implements LabelSelector {
  readonly requirements: readonly LabelRequirement[] = Object.freeze([]);
  readonly matchesNothing = true;
  isEmpty(): boolean {
    return false;
  }
  matches(): boolean {
    return false;
  }
  requiresExactMatch(): undefined {
    return undefined;
  }
  toString(): string {
    return '';
  }
}

/** Matches every object. */
export const everything: LabelSelector = new CompiledSelector([]);
/** Matches no object (what a null metav1.LabelSelector means). */
export const nothing: LabelSelector = new NothingSelector();

/** A selector requiring exactly these labels (kube's SelectorFromSet); an empty set matches everything. */
export function selectorFromSet(set: Readonly<Record<string, string>> | null | undefined): LabelSelector {
  if (!set) return everything;
  const reqs = Object.keys(set).map((key): LabelRequirement => ({ key, operator: '=', values: [set[key]!] }));
  return reqs.length === 0 ? everything : new CompiledSelector(reqs);
}

/** Builds a selector from already-validated requirements. */
export function selectorFromRequirements(requirements: readonly LabelRequirement[]): LabelSelector {
  return new CompiledSelector(requirements.map((r) => ({ key: r.key, operator: r.operator, values: r.values.slice() })));
}

// ---------------------------------------------------------------------------------------------------------
// Requirement construction with kube's checks (labels.NewRequirement). Messages follow field.Error: the
// string parser passes a nil path, which kube prints as "<nil>".

function fieldErrorText(field: string, body: string): string {
  return `${field}: ${body}`;
}

function invalidBody(value: unknown, detail: string): string {
  return `Invalid value: ${goQuoted(value)}: ${detail}`;
}

function goQuoted(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}`;
  return String(value);
}

/** kube's errors.Aggregate text: one message bare, several de-duplicated inside brackets. */
function aggregate(msgs: string[]): string {
  const unique = [...new Set(msgs)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

function keyError(key: string, path: string): string | undefined {
  const errs = labelKeyErrors(key);
  return errs.length ? fieldErrorText(path, invalidBody(key, errs.join('; '))) : undefined;
}

function newRequirement(key: string, op: LabelOperator, values: string[], basePath: string | undefined): LabelRequirement {
  const errs: string[] = [];
  const keyPath = basePath === undefined ? 'key' : childPath(basePath, 'key');
  const valuesPath = basePath === undefined ? 'values' : childPath(basePath, 'values');
  const ke = keyError(key, keyPath);
  if (ke) errs.push(ke);
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(fieldErrorText(valuesPath, invalidBody(values, "for 'in', 'notin' operators, values set can't be empty")));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(fieldErrorText(valuesPath, invalidBody(values, 'exact-match compatibility requires one single value')));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(fieldErrorText(valuesPath, invalidBody(values, 'values set must be empty for exists and does not exist')));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(fieldErrorText(valuesPath, invalidBody(values, "for 'Gt', 'Lt' operators, exactly one value is required")));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(fieldErrorText(`${valuesPath}[${i}]`, invalidBody(v, "for 'Gt', 'Lt' operators, the value must be an integer")));
        }
      });
      break;
  }
  values.forEach((v, i) => {
    const ve = labelValueErrors(v);
    if (ve.length) errs.push(fieldErrorText(`${valuesPath}[${i}][${key}]`, invalidBody(v, ve.join('; '))));
  });
  if (errs.length) throw new LabelSelectorError(aggregate(errs));
  return { key, operator: op, values };
}

// ---------------------------------------------------------------------------------------------------------
// The string grammar (labels.Parse). A lexer, then a recursive-descent parser with one token of
// lookahead; "in" and "notin" are keywords only where an operator may stand.

const enum Tok {
  Error,
  End,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const KEYWORDS: ReadonlyMap<string, Tok> = new Map([
  [')', Tok.ClosedPar],
  [',', Tok.Comma],
  ['!', Tok.DoesNotExist],
  ['==', Tok.DoubleEquals],
  ['=', Tok.Equals],
  ['>', Tok.GreaterThan],
  ['in', Tok.In],
  ['<', Tok.LessThan],
  ['!=', Tok.NotEquals],
  ['notin', Tok.NotIn],
  ['(', Tok.OpenPar],
]);

interface Token {
  tok: Tok;
  lit: string;
}

function isWhitespace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isSpecial(c: string): boolean {
  return c === '=' || c === '!' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<';
}

function lex(s: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      out.push({ tok: Tok.End, lit: '' });
      return out;
    }
    const c = s[pos]!;
    if (isSpecial(c)) {
      // Longest run of operator characters that still spells a known operator.
      let buf = '';
      let last: Token | undefined;
      while (pos < s.length && isSpecial(s[pos]!)) {
        buf += s[pos];
        const t = KEYWORDS.get(buf);
        if (t !== undefined) {
          last = { tok: t, lit: buf };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      out.push(last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buf}'` });
    } else {
      const start = pos;
      while (pos < s.length && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) pos++;
      const word = s.slice(start, pos);
      const t = KEYWORDS.get(word);
      out.push({ tok: t ?? Tok.Identifier, lit: word });
    }
  }
}

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class Parser {
  private pos = 0;
  constructor(private readonly items: Token[]) {}

  // In value position the keywords "in" and "notin" are plain identifiers.
  private asValue(t: Token): Token {
    return t.tok === Tok.In || t.tok === Tok.NotIn ? { tok: Tok.Identifier, lit: t.lit } : t;
  }
  private lookahead(values: boolean): Token {
    const t = this.items[this.pos]!;
    return values ? this.asValue(t) : t;
  }
  private consume(values: boolean): Token {
    const t = this.items[this.pos++]!;
    return values ? this.asValue(t) : t;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      if (tok === Tok.Identifier || tok === Tok.DoesNotExist) {
        let r: LabelRequirement;
        try {
          r = this.parseRequirement();
        } catch (e) {
          if (e instanceof LabelSelectorError) throw new LabelSelectorError(`unable to parse requirement: ${e.message}`);
          throw e;
        }
        reqs.push(r);
        const next = this.consume(true);
        if (next.tok === Tok.End) return reqs;
        if (next.tok === Tok.Comma) {
          const after = this.lookahead(true);
          if (after.tok !== Tok.Identifier && after.tok !== Tok.DoesNotExist) {
            throw new LabelSelectorError(`found '${after.lit}', expected: identifier after ','`);
          }
          continue;
        }
        throw new LabelSelectorError(`found '${next.lit}', expected: ',' or 'end of string'`);
      }
      if (tok === Tok.End) return reqs;
      throw new LabelSelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private parseRequirement(): LabelRequirement {
    let t = this.consume(true);
    let op: LabelOperator | undefined;
    if (t.tok === Tok.DoesNotExist) {
      op = '!';
      t = this.consume(true);
    }
    if (t.tok !== Tok.Identifier) throw new LabelSelectorError(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const ke = keyError(key, '<nil>');
    if (ke) throw new LabelSelectorError(ke);
    const la = this.lookahead(true).tok;
    if (la === Tok.End || la === Tok.Comma) {
      if (op !== '!') op = 'exists';
    }
    if (op === 'exists' || op === '!') return newRequirement(key, op, [], undefined);

    const o = this.consume(false);
    switch (o.tok) {
      case Tok.In:
        op = 'in';
        break;
      case Tok.Equals:
        op = '=';
        break;
      case Tok.DoubleEquals:
        op = '==';
        break;
      case Tok.GreaterThan:
        op = 'gt';
        break;
      case Tok.LessThan:
        op = 'lt';
        break;
      case Tok.NotIn:
        op = 'notin';
        break;
      case Tok.NotEquals:
        op = '!=';
        break;
      default:
        throw new LabelSelectorError(`found '${o.lit}', expected: ${BINARY_OPERATORS}`);
    }
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, op, sortedUnique(values), undefined);
  }

  private parseValues(): string[] {
    const open = this.consume(true);
    if (open.tok !== Tok.OpenPar) throw new LabelSelectorError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    if (tok === Tok.Identifier || tok === Tok.Comma) {
      const s = this.parseIdentifierList();
      if (this.consume(true).tok !== Tok.ClosedPar) throw new LabelSelectorError(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === Tok.ClosedPar) {
      this.consume(true);
      return [''];
    }
    throw new LabelSelectorError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  // Empty entries ("(,a)", "(a,,b)", "(a,)") stand for the empty value.
  private parseIdentifierList(): string[] {
    const s = new Set<string>();
    for (;;) {
      const t = this.consume(true);
      if (t.tok === Tok.Identifier) {
        s.add(t.lit);
        const next = this.lookahead(true);
        if (next.tok === Tok.Comma) continue;
        if (next.tok === Tok.ClosedPar) return [...s];
        throw new LabelSelectorError(`found '${next.lit}', expected: ',' or ')'`);
      }
      if (t.tok === Tok.Comma) {
        if (s.size === 0) s.add('');
        const next = this.lookahead(true);
        if (next.tok === Tok.ClosedPar) {
          s.add('');
          return [...s];
        }
        if (next.tok === Tok.Comma) s.add('');
        continue;
      }
      throw new LabelSelectorError(`found '${t.lit}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): string[] {
    const la = this.lookahead(true).tok;
    if (la === Tok.End || la === Tok.Comma) return [''];
    const t = this.consume(true);
    if (t.tok === Tok.Identifier) return [t.lit];
    throw new LabelSelectorError(`found '${t.lit}', expected: identifier`);
  }
}

/**
 * Parses a `labelSelector=` string (already URL-decoded). Throws LabelSelectorError whose message is the
 * text kube-apiserver answers with (400 BadRequest).
 */
export function parseLabelSelector(selector: string): LabelSelector {
  const reqs = new Parser(lex(selector)).parse();
  return reqs.length === 0 ? everything : new CompiledSelector(reqs);
}

// ---------------------------------------------------------------------------------------------------------
// metav1.LabelSelector objects.

const OBJECT_OPERATORS: Readonly<Record<string, LabelOperator>> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

export interface FromObjectOptions {
  /** What a null/undefined selector means. kube's LabelSelectorAsSelector treats it as matching nothing. */
  whenNull?: 'nothing' | 'everything';
}

/**
 * Converts a metav1.LabelSelector. An empty selector ({}) matches everything; a null one matches nothing
 * unless `whenNull: 'everything'` says otherwise. Throws LabelSelectorError with kube's text for an unknown
 * operator or an invalid key/value (validate first with validateLabelSelector to get field errors instead).
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined, opts: FromObjectOptions = {}): LabelSelector {
  if (sel === null || sel === undefined) return opts.whenNull === 'everything' ? everything : nothing;
  const matchLabels = sel.matchLabels ?? {};
  const exprs = sel.matchExpressions ?? [];
  const labelKeys = Object.keys(matchLabels);
  if (labelKeys.length + exprs.length === 0) return everything;
  const reqs: LabelRequirement[] = [];
  for (const k of labelKeys) reqs.push(newRequirement(k, '=', [matchLabels[k]!], undefined));
  for (const e of exprs) {
    const op = Object.hasOwn(OBJECT_OPERATORS, e.operator) ? OBJECT_OPERATORS[e.operator] : undefined;
    if (!op) throw new LabelSelectorError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push(newRequirement(e.key, op, (e.values ?? []).slice(), undefined));
  }
  return new CompiledSelector(reqs);
}

/** The metav1.LabelSelector a string selector corresponds to, or undefined when it uses gt/lt/!=. */
export function labelSelectorToObject(sel: LabelSelector): LabelSelectorObject | undefined {
  const out: LabelSelectorObject = {};
  for (const r of sel.requirements) {
    switch (r.operator) {
      case '=':
      case '==':
        out.matchLabels = { ...out.matchLabels, [r.key]: r.values[0] ?? '' };
        break;
      case 'in':
        (out.matchExpressions ??= []).push({ key: r.key, operator: 'In', values: r.values.slice() });
        break;
      case 'notin':
        (out.matchExpressions ??= []).push({ key: r.key, operator: 'NotIn', values: r.values.slice() });
        break;
      case 'exists':
        (out.matchExpressions ??= []).push({ key: r.key, operator: 'Exists' });
        break;
      case '!':
        (out.matchExpressions ??= []).push({ key: r.key, operator: 'DoesNotExist' });
        break;
      default:
        return undefined;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Object validation (metav1validation.ValidateLabelSelector and friends).

/** Validates a label key, reporting at `field` (ValidateLabelName). */
export function validateLabelName(key: string, field: string): FieldError[] {
  return labelKeyErrors(key).map((m) => fieldErr.invalid(field, key, m));
}

/** Validates a label map; like kube, errors point at the map itself, not at the key. */
export function validateLabels(labels: Readonly<Record<string, string>> | null | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!labels) return errs;
  for (const k of Object.keys(labels)) {
    errs.push(...validateLabelName(k, field));
    const v = labels[k]!;
    for (const m of labelValueErrors(v)) errs.push(fieldErr.invalid(field, v, m));
  }
  return errs;
}

export interface LabelSelectorValidationOptions {
  /** Skip value checks in matchExpressions (kube allows this only for objects stored before 1.27). */
  allowInvalidLabelValueInSelector?: boolean;
}

/**
 * Validates a metav1.LabelSelector at `field` (e.g. "spec.selector"). A null selector is valid here;
 * callers that require one add their own Required error.
 */
export function validateLabelSelector(
  sel: LabelSelectorObject | null | undefined,
  field: string,
  opts: LabelSelectorValidationOptions = {},
): FieldError[] {
  const errs: FieldError[] = [];
  if (!sel) return errs;
  errs.push(...validateLabels(sel.matchLabels, childPath(field, 'matchLabels')));
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const base = childPath(childPath(field, 'matchExpressions'), i);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          errs.push(fieldErr.required(childPath(base, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errs.push(fieldErr.forbidden(childPath(base, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
        break;
      default:
        errs.push(fieldErr.invalid(childPath(base, 'operator'), e.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(e.key ?? '', childPath(base, 'key')));
    if (!opts.allowInvalidLabelValueInSelector) {
      values.forEach((v, j) => {
        for (const m of labelValueErrors(v)) errs.push(fieldErr.invalid(childPath(childPath(base, 'values'), j), v, m));
      });
    }
  });
  return errs;
}
