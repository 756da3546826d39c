// One pass over a raw JSON request body that finds what JSON.parse cannot tell us: duplicate keys, and the
// document order in which kube-apiserver's strict decoder reports them together with unknown fields. It also
// words syntax errors the way Go's encoding/json scanner does ("invalid character '}' after object key").
//
// Like Go, it only checks where a typed decode would look: not inside unknown fields, free-form values
// (RawExtension) or values of the wrong JSON kind, which Go skips.
import { goQuote } from './go-compat.js';
import type { SchemaNode } from './types.js';

export interface ScanOutcome {
  /** Go's syntax error text, when the body is not valid JSON. */
  syntaxError?: string;
  /** Strict-decoding complaints in document order: `unknown field "spec.x"`, `duplicate field "spec.y"`. */
  strict: string[];
  /** Paths of the unknown fields (each once). */
  unknown: string[];
}

/** Go stops collecting strict errors after this many. */
export const MAX_STRICT_ERRORS = 100;

class SyntaxFailure {
  constructor(readonly message: string) {}
}

/** Go's quoteChar: the offending byte in single quotes. */
function quoteChar(text: string, i: number): string {
  const code = text.charCodeAt(i);
  if (code === 0x27) return "'\\''";
  if (code === 0x22) return '\'"\'';
  // Go looks at bytes; a non-ASCII character is reported by its first UTF-8 byte read as a rune.
  const ch = code < 0x80 ? text[i]! : String.fromCharCode(Buffer.from(String.fromCodePoint(text.codePointAt(i)!))[0]!);
  const q = goQuote(ch);
  return `'${q.slice(1, -1)}'`;
}

class Scanner {
  private i = 0;
  readonly strict: string[] = [];
  readonly unknown: string[] = [];
  private readonly seen = new Set<string>();
  private readonly path: Array<string | number> = [];

  constructor(private readonly text: string) {}

  run(root: SchemaNode | undefined): void {
    this.ws();
    this.value(root);
    this.ws();
    if (this.i < this.text.length) this.fail('after top-level value');
  }

  private fail(context: string): never {
    if (this.i >= this.text.length) throw new SyntaxFailure('unexpected end of JSON input');
    throw new SyntaxFailure(`invalid character ${quoteChar(this.text, this.i)} ${context}`);
  }

  private ws(): void {
    const t = this.text;
    let i = this.i;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  private pathWith(key: string): string {
    let s = '';
    for (const seg of this.path) s = typeof seg === 'number' ? `${s}[${seg}]` : s ? `${s}.${seg}` : seg;
    return s ? `${s}.${key}` : key;
  }

  private complain(kind: 'unknown' | 'duplicate', key: string): void {
    const path = this.pathWith(key);
    const message = `${kind} field ${goQuote(path)}`;
    if (kind === 'unknown' && !this.unknown.includes(path)) this.unknown.push(path);
    if (this.strict.length >= MAX_STRICT_ERRORS || this.seen.has(message)) return;
    this.seen.add(message);
    this.strict.push(message);
  }

  private value(node: SchemaNode | undefined): void {
    const c = this.text.charCodeAt(this.i);
    if (c === 0x7b /* { */) {
      this.object(node && (node.type === 'object' || node.type === 'map') ? node : undefined);
    } else if (c === 0x5b /* [ */) {
      this.array(node && node.type === 'array' ? node : undefined);
    } else if (c === 0x22 /* " */) {
      this.string();
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.number();
    } else if (c === 0x74) {
      this.literal('true');
    } else if (c === 0x66) {
      this.literal('false');
    } else if (c === 0x6e) {
      this.literal('null');
    } else {
      this.fail('looking for beginning of value');
    }
  }

  private object(node: SchemaNode | undefined): void {
    this.i++; // {
    this.ws();
    if (this.text.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return;
    }
    const keys = node ? new Set<string>() : undefined;
    for (;;) {
      if (this.text.charCodeAt(this.i) !== 0x22) this.fail('looking for beginning of object key string');
      const key = this.string();
      this.ws();
      if (this.text.charCodeAt(this.i) !== 0x3a) this.fail('after object key');
      this.i++;
      this.ws();
      let child: SchemaNode | undefined;
      if (node && keys) {
        if (node.type === 'object') {
          child = node.field(key);
          if (!child) this.complain('unknown', key);
          else if (keys.has(key)) this.complain('duplicate', key);
        } else {
          if (keys.has(key)) this.complain('duplicate', key);
          child = node.items();
        }
        keys.add(key);
      }
      // Free-form values keep no strict checks inside.
      if (child && child.type === 'any') child = undefined;
      this.path.push(key);
      this.value(child);
      this.path.pop();
      this.ws();
      const c = this.text.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        this.ws();
        continue;
      }
      if (c === 0x7d) {
        this.i++;
        return;
      }
      this.fail('after object key:value pair');
    }
  }

  private array(node: SchemaNode | undefined): void {
    this.i++; // [
    this.ws();
    if (this.text.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return;
    }
    let element = node?.items();
    if (element && element.type === 'any') element = undefined;
    for (let index = 0; ; index++) {
      this.path.push(index);
      this.value(element);
      this.path.pop();
      this.ws();
      const c = this.text.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        this.ws();
        continue;
      }
      if (c === 0x5d) {
        this.i++;
        return;
      }
      this.fail('after array element');
    }
  }

  /** Consumes a string literal and returns its value. */
  private string(): string {
    const t = this.text;
    const start = this.i;
    let i = start + 1;
    let escaped = false;
    for (;;) {
      if (i >= t.length) {
        this.i = i;
        this.fail('');
      }
      const c = t.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        const e = t.charCodeAt(i + 1);
        if (e === 0x75 /* u */) {
          for (let k = 2; k < 6; k++) {
            const h = t.charCodeAt(i + k);
            const hex = (h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
            if (!hex) {
              this.i = i + k;
              this.fail('in \\u hexadecimal character escape');
            }
          }
          i += 6;
          continue;
        }
        if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          i += 2;
          continue;
        }
        this.i = i + 1;
        this.fail('in string escape code');
      }
      if (c < 0x20) {
        this.i = i;
        this.fail('in string literal');
      }
      i++;
    }
    this.i = i + 1;
    const raw = t.slice(start + 1, i);
    return escaped ? (JSON.parse(t.slice(start, i + 1)) as string) : raw;
  }

  private digit(): boolean {
    const c = this.text.charCodeAt(this.i);
    return c >= 0x30 && c <= 0x39;
  }

  private number(): void {
    const t = this.text;
    if (t.charCodeAt(this.i) === 0x2d) {
      this.i++;
      if (!this.digit()) this.fail('in numeric literal');
    }
    if (t.charCodeAt(this.i) === 0x30) this.i++;
    else while (this.digit()) this.i++;
    if (t.charCodeAt(this.i) === 0x2e) {
      this.i++;
      if (!this.digit()) this.fail('after decimal point in numeric literal');
      while (this.digit()) this.i++;
    }
    const e = t.charCodeAt(this.i);
    if (e === 0x65 || e === 0x45) {
      this.i++;
      const s = t.charCodeAt(this.i);
      if (s === 0x2b || s === 0x2d) this.i++;
      if (!this.digit()) this.fail('in exponent of numeric literal');
      while (this.digit()) this.i++;
    }
  }

  private literal(word: string): void {
    for (let k = 1; k < word.length; k++) {
      this.i++;
      if (this.text[this.i] !== word[k]) this.fail(`in literal ${word} (expecting '${word[k]}')`);
    }
    this.i++;
  }
}

/** Scans `text` against `root` (undefined: syntax only). */
export function scanJSON(text: string, root: SchemaNode | undefined): ScanOutcome {
  const scanner = new Scanner(text);
  try {
    scanner.run(root);
  } catch (e) {
    if (e instanceof SyntaxFailure) return { syntaxError: e.message, strict: [], unknown: [] };
    throw e;
  }
  return { strict: scanner.strict, unknown: scanner.unknown };
}
