// Word expansion in POSIX order: parameters, command substitution and arithmetic, then field splitting of what
// was not quoted, then pathname expansion. Quoting is tracked per character run so "$a b" and $a b differ.
import type { ArithExpr, ParameterExpansionPart, WordNode, WordPart } from './ast.js';
import { globToRegExp } from './glob.js';

export interface ExpandHost {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  /** $1.. $# $@ $? $$ $! $0 */
  special(name: string): string | string[] | undefined;
  substitute(script: WordPart & { type: 'CommandSubstitution' }): Promise<string>;
  glob(pattern: string): string[];
  fail(message: string): never;
}

/** A field under construction: its text, and which characters may still be globbed. */
interface Field {
  text: string;
  globbable: boolean;
  quoted: boolean;
}

export class ShellError extends Error {}

export async function expandWords(host: ExpandHost, words: WordNode[]): Promise<string[]> {
  const out: string[] = [];
  for (const w of words) out.push(...(await expandWord(host, w)));
  return out;
}

/** A word to one string, no splitting or globbing (assignments, redirection targets, case words). */
export async function expandString(host: ExpandHost, word: WordNode): Promise<string> {
  let s = '';
  for (const p of word.parts) s += (await partValues(host, p, true)).join(' ');
  return s;
}

async function expandWord(host: ExpandHost, word: WordNode): Promise<string[]> {
  const fields: Field[] = [];
  let cur: Field | undefined;
  const touch = (): Field => (cur ??= { text: '', globbable: false, quoted: false });
  for (const p of word.parts) {
    if (p.type === 'Literal' || p.type === 'Escaped' || p.type === 'SingleQuoted' || p.type === 'DoubleQuoted' || p.type === 'TildeExpansion') {
      const f = touch();
      if (p.type === 'Literal') f.text += p.value;
      else if (p.type === 'TildeExpansion') f.text += p.user ? `~${p.user}` : (host.get('HOME') ?? '/root');
      else {
        f.quoted = true;
        f.text += p.type === 'DoubleQuoted' ? await quotedText(host, p.parts) : p.value;
      }
      continue;
    }
    if (p.type === 'Glob') {
      const f = touch();
      f.text += p.pattern;
      f.globbable = true;
      continue;
    }
    if (p.type === 'BraceExpansion') {
      // Brace expansion is bash, not sh: keep it literal as busybox ash does.
      touch().text += `{${p.items.map((i) => ('word' in i ? i.word.parts.map((x) => ('value' in x ? x.value : '')).join('') : '')).join(',')}}`;
      continue;
    }
    const values = await partValues(host, p, false);
    const ifs = host.get('IFS') ?? ' \t\n';
    for (let vi = 0; vi < values.length; vi++) {
      const v = values[vi] as string;
      if (vi > 0) {
        if (cur) fields.push(cur);
        cur = undefined;
      }
      const pieces = splitIfs(v, ifs);
      if (pieces.leadingBreak && cur) {
        fields.push(cur);
        cur = undefined;
      }
      pieces.words.forEach((w, i) => {
        if (i > 0) {
          if (cur) fields.push(cur);
          cur = undefined;
        }
        touch().text += w;
      });
      if (pieces.trailingBreak && cur) {
        fields.push(cur);
        cur = undefined;
      }
    }
  }
  if (cur) fields.push(cur);
  const out: string[] = [];
  for (const f of fields) {
    if (f.globbable) {
      const matches = host.glob(f.text);
      if (matches.length) {
        out.push(...matches);
        continue;
      }
    }
    if (f.text !== '' || f.quoted) out.push(f.text);
  }
  return out;
}

function splitIfs(v: string, ifs: string): { words: string[]; leadingBreak: boolean; trailingBreak: boolean } {
  if (ifs === '') return { words: v === '' ? [] : [v], leadingBreak: false, trailingBreak: false };
  const isSep = (c: string) => ifs.includes(c);
  const words: string[] = [];
  let w = '';
  for (const c of v) {
    if (isSep(c)) {
      if (w) words.push(w);
      w = '';
    } else w += c;
  }
  if (w) words.push(w);
  return { words, leadingBreak: v.length > 0 && isSep(v[0] as string), trailingBreak: v.length > 0 && isSep(v[v.length - 1] as string) };
}

async function quotedText(host: ExpandHost, parts: WordPart[]): Promise<string> {
  let s = '';
  for (const p of parts) s += (await partValues(host, p, true)).join(' ');
  return s;
}

/** The value(s) of one part; "$@" gives one value per positional parameter. */
async function partValues(host: ExpandHost, p: WordPart, quoted: boolean): Promise<string[]> {
  switch (p.type) {
    case 'Literal':
    case 'Escaped':
    case 'SingleQuoted':
      return [p.value];
    case 'Glob':
      return [p.pattern];
    case 'TildeExpansion':
      return [p.user ? `~${p.user}` : (host.get('HOME') ?? '/root')];
    case 'DoubleQuoted':
      return [await quotedText(host, p.parts)];
    case 'CommandSubstitution':
      return [(await host.substitute(p)).replace(/\n+$/, '')];
    case 'ArithmeticExpansion':
      return [String(arith(host, p.expression.expression))];
    case 'ParameterExpansion':
      return parameter(host, p, quoted);
    default:
      return [''];
  }
}

async function parameter(host: ExpandHost, p: ParameterExpansionPart, quoted: boolean): Promise<string[]> {
  const name = p.parameter;
  const special = host.special(name);
  if (Array.isArray(special) && !p.operation) return quoted && name === '@' ? special : [special.join(' ')];
  const raw = special !== undefined ? (Array.isArray(special) ? special.join(' ') : special) : host.get(name);
  const op = p.operation;
  if (!op) {
    if (raw === undefined && host.get('-u') === 'on') host.fail(`${name}: parameter not set`);
    return [raw ?? ''];
  }
  const value = raw ?? '';
  const unset = (checkEmpty: boolean) => raw === undefined || (checkEmpty && raw === '');
  switch (op.type) {
    case 'DefaultValue':
      return unset(op.checkEmpty) ? [await expandString(host, op.word)] : [value];
    case 'AssignDefault': {
      if (!unset(op.checkEmpty)) return [value];
      const v = await expandString(host, op.word);
      host.set(name, v);
      return [v];
    }
    case 'UseAlternative':
      return unset(op.checkEmpty) ? [''] : [await expandString(host, op.word)];
    case 'ErrorIfUnset':
      if (unset(op.checkEmpty)) host.fail(`${name}: ${op.word ? await expandString(host, op.word) : 'parameter not set'}`);
      return [value];
    case 'Length':
      return [String(value.length)];
    case 'PatternRemoval': {
      const re = globToRegExp(await expandString(host, op.pattern), false);
      const lens = [...Array(value.length + 1).keys()];
      const order = op.greedy ? lens.reverse() : lens;
      for (const n of order) {
        const piece = op.side === 'prefix' ? value.slice(0, n) : value.slice(value.length - n);
        if (re.test(piece)) return [op.side === 'prefix' ? value.slice(n) : value.slice(0, value.length - n)];
      }
      return [value];
    }
    case 'PatternReplacement': {
      const pat = await expandString(host, op.pattern);
      const rep = op.replacement ? await expandString(host, op.replacement) : '';
      const src = globToRegExp(pat, false).source.slice(1, -1);
      const anchored = op.anchor === 'start' ? `^${src}` : op.anchor === 'end' ? `${src}$` : src;
      return [value.replace(new RegExp(anchored, op.all ? 'g' : ''), () => rep)];
    }
    case 'Substring': {
      const off = arith(host, op.offset.expression);
      const start = off < 0 ? Math.max(0, value.length + off) : off;
      return [op.length ? value.substr(start, arith(host, op.length.expression)) : value.slice(start)];
    }
    case 'CaseModification':
      return [op.direction === 'upper' ? (op.all ? value.toUpperCase() : value.charAt(0).toUpperCase() + value.slice(1)) : op.all ? value.toLowerCase() : value.charAt(0).toLowerCase() + value.slice(1)];
    default:
      host.fail(`bad substitution`);
  }
}

function num(host: ExpandHost, name: string): number {
  const v = host.get(name) ?? (host.special(name) as string | undefined) ?? '';
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : 0;
}

export function arith(host: ExpandHost, e: ArithExpr): number {
  switch (e.type) {
    case 'ArithNumber':
      return e.value;
    case 'ArithVariable':
      return num(host, e.name);
    case 'ArithGroup':
    case 'ArithNested':
      return arith(host, e.expression);
    case 'ArithTernary':
      return arith(host, e.condition) ? arith(host, e.consequent) : arith(host, e.alternate);
    case 'ArithUnary': {
      if (e.operator === '++' || e.operator === '--') {
        const name = e.operand.type === 'ArithVariable' ? e.operand.name : '';
        const old = num(host, name);
        const next = e.operator === '++' ? old + 1 : old - 1;
        host.set(name, String(next));
        return e.prefix ? next : old;
      }
      const v = arith(host, e.operand);
      return e.operator === '-' ? -v : e.operator === '+' ? v : e.operator === '!' ? Number(!v) : ~v;
    }
    case 'ArithAssignment': {
      const v = arith(host, e.value);
      const old = num(host, e.variable);
      const ops: Record<string, (a: number, b: number) => number> = {
        '=': (_a, b) => b, '+=': (a, b) => a + b, '-=': (a, b) => a - b, '*=': (a, b) => a * b,
        '/=': (a, b) => Math.trunc(a / b), '%=': (a, b) => a % b,
      };
      const r = (ops[e.operator] ?? ((_a: number, b: number) => b))(old, v);
      host.set(e.variable, String(r));
      return r;
    }
    case 'ArithBinary': {
      if (e.operator === '&&') return Number(!!arith(host, e.left) && !!arith(host, e.right));
      if (e.operator === '||') return Number(!!arith(host, e.left) || !!arith(host, e.right));
      const a = arith(host, e.left);
      const b = arith(host, e.right);
      switch (e.operator) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/': if (b === 0) host.fail('arithmetic syntax error: divide by zero'); return Math.trunc(a / b);
        case '%': if (b === 0) host.fail('arithmetic syntax error: divide by zero'); return a % b;
        case '**': return a ** b;
        case '<<': return a << b;
        case '>>': return a >> b;
        case '<': return Number(a < b);
        case '<=': return Number(a <= b);
        case '>': return Number(a > b);
        case '>=': return Number(a >= b);
        case '==': return Number(a === b);
        case '!=': return Number(a !== b);
        case '&': return a & b;
        case '|': return a | b;
        case '^': return a ^ b;
        default: return b;
      }
    }
    default:
      return 0;
  }
}
