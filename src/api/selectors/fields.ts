// Field selectors (`fieldSelector=`): parsing with apimachinery's escaping rules, matching against a field
// getter, and the per-kind field-label check whose failure kube-apiserver answers with 400 BadRequest.

export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  readonly field: string;
  /** `==` is stored as `=`, as kube does. */
  readonly operator: FieldOperator;
  /** Unescaped value. */
  readonly value: string;
}

/** Reads a field's value from an object; a missing field reads as the empty string, as in kube. */
export type FieldGetter = (field: string) => string | undefined;

export interface FieldSelector {
  /** In kube's order: the terms sorted by their raw text. */
  readonly requirements: readonly FieldRequirement[];
  isEmpty(): boolean;
  matches(get: FieldGetter): boolean;
  /** The value an `=` term demands for `field` (e.g. metadata.name), for store fast paths. */
  requiresExactMatch(field: string): string | undefined;
  toString(): string;
}

/** A malformed or unsupported selector; `message` is kube-apiserver's text for the 400 BadRequest. */
export class FieldSelectorError extends Error {
  override name = 'FieldSelectorError';
}

/** Escapes `\`, `,` and `=` in a value, as client-go's fields.EscapeValue does. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Reverses escapeFieldValue; rejects bare `,`/`=` and unknown escapes with kube's messages. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // Go prints the offending rune with %v, i.e. as its code point number.
    else if (c === ',' || c === '=') throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new FieldSelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

// Commas escaped with a backslash stay inside their term (backslash kept for unescaping later).
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// The left side has no escaping, so the first operator occurrence splits; `!=` and `==` are tried before `=`.
function splitTerm(term: string): [string, FieldOperator, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term.startsWith('!=', i)) return [term.slice(0, i), '!=', term.slice(i + 2)];
    if (term.startsWith('==', i)) return [term.slice(0, i), '=', term.slice(i + 2)];
    if (term[i] === '=') return [term.slice(0, i), '=', term.slice(i + 1)];
  }
  return undefined;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class TermSelector implements FieldSelector {
  readonly requirements: readonly FieldRequirement[];

  constructor(requirements: FieldRequirement[]) {
    this.requirements = Object.freeze(requirements.map((r) => Object.freeze({ ...r })));
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  matches(get: FieldGetter): boolean {
    for (const r of this.requirements) {
      const v = get(r.field) ?? '';
      if ((v === r.value) !== (r.operator === '=')) return false;
    }
    return true;
  }

  requiresExactMatch(field: string): string | undefined {
    for (const r of this.requirements) if (r.field === field && r.operator === '=') return r.value;
    return undefined;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

export const everythingFields: FieldSelector = new TermSelector([]);

/** Parses a `fieldSelector=` string (already URL-decoded); throws FieldSelectorError with kube's text. */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort(compareStrings);
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw new FieldSelectorError(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [field, operator, raw] = split;
    reqs.push({ field, operator, value: unescapeFieldValue(raw) });
  }
  return reqs.length === 0 ? everythingFields : new TermSelector(reqs);
}

/** One `field=value` term, e.g. metadata.name for a single-object watch. */
export function oneTermEqualSelector(field: string, value: string): FieldSelector {
  return new TermSelector([{ field, operator: '=', value }]);
}

/** The conjunction of several selectors. */
export function andFieldSelectors(...selectors: FieldSelector[]): FieldSelector {
  return new TermSelector(selectors.flatMap((s) => s.requirements.slice()));
}

// ---------------------------------------------------------------------------------------------------------
// Field labels a kind accepts (kube's per-kind field label conversion functions).

/** Fields every kind accepts when it declares none of its own. */
export const DEFAULT_FIELD_LABELS: readonly string[] = Object.freeze(['metadata.name', 'metadata.namespace']);

export interface FieldLabelSpec {
  /** Field labels accepted as they are. */
  readonly supported: readonly string[];
  /** Old spellings rewritten to current ones, e.g. pods' spec.host → spec.nodeName. */
  readonly aliases?: Readonly<Record<string, string>>;
}

/** kube's text for a kind with its own conversion function. */
export function fieldLabelNotSupported(label: string): string {
  return `field label not supported: ${label}`;
}

/** kube's text for a kind without one (the metav1 default: only name and namespace). */
export function unknownDefaultFieldLabel(label: string): string {
  return `${JSON.stringify(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`;
}

/**
 * Checks and rewrites the field labels of `sel` for a kind. `spec` undefined means the kind registers no
 * conversion (kube then allows metadata.name/metadata.namespace and words the error differently).
 * Terms are checked in their sorted order and the first bad one is reported, as kube does.
 * Throws FieldSelectorError; the caller answers 400 BadRequest with its message.
 */
export function convertFieldLabels(sel: FieldSelector, spec: FieldLabelSpec | undefined): FieldSelector {
  if (sel.isEmpty()) return sel;
  const supported = new Set(spec ? spec.supported : DEFAULT_FIELD_LABELS);
  const out: FieldRequirement[] = [];
  for (const r of sel.requirements) {
    let field = r.field;
    const alias = spec?.aliases && Object.hasOwn(spec.aliases, field) ? spec.aliases[field] : undefined;
    if (alias !== undefined) field = alias;
    else if (!supported.has(field)) {
      throw new FieldSelectorError(spec ? fieldLabelNotSupported(r.field) : unknownDefaultFieldLabel(r.field));
    }
    out.push({ field, operator: r.operator, value: r.value });
  }
  return new TermSelector(out);
}
