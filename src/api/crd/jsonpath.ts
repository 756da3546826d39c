// The JSONPath subset that additionalPrinterColumns use (kubectl's jsonpath syntax without the braces):
// `.spec.replicas`, `.status.conditions[0].type`, `.spec.items[*].name`, `.metadata.labels['app\.io/name']`,
// and filters like `.status.conditions[?(@.type=="Ready")].status`.

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: Step[]; op: '==' | '!=' | 'exists'; value?: unknown };

export class JsonPathError extends Error {}

/** Parses a printer-column path; throws JsonPathError when it is not one. */
export function parseJsonPath(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  const ident = (): string => {
    let out = '';
    while (i < s.length && !'.['.includes(s[i] as string)) {
      if (s[i] === '\\' && i + 1 < s.length) {
        out += s[i + 1];
        i += 2;
      } else out += s[i++];
    }
    return out;
  };
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      i++;
      if (s[i] === '.') throw new JsonPathError(`recursive descent is not supported in ${expr}`);
      const name = ident();
      if (name === '*') steps.push({ kind: 'all' });
      else if (name) steps.push({ kind: 'field', name });
      else if (i < s.length && s[i] !== '[') throw new JsonPathError(`invalid path ${expr}`);
    } else if (c === '[') {
      const end = findClose(s, i);
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1).replace(/\\(.)/g, '$1') });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push(parseFilter(inner.slice(2, -1).trim(), expr));
      else throw new JsonPathError(`unsupported subscript [${inner}] in ${expr}`);
    } else if (i === 0) {
      // A path without the leading dot (`spec.replicas`) is taken as if it had one.
      const name = ident();
      if (!name) throw new JsonPathError(`invalid path ${expr}`);
      steps.push({ kind: 'field', name });
    } else {
      throw new JsonPathError(`unexpected ${JSON.stringify(c)} in ${expr}`);
    }
  }
  return steps;
}

function findClose(s: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let j = open; j < s.length; j++) {
    const ch = s[j] as string;
    if (quote) {
      if (ch === '\\') j++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '[') depth++;
    else if (ch === ']' && --depth === 0) return j;
  }
  throw new JsonPathError(`unterminated [ in ${s}`);
}

function parseFilter(f: string, expr: string): Step {
  const m = /^@((?:\.[\w-]+|\['[^']*'\])*)\s*(==|!=)\s*(.+)$/.exec(f);
  if (m) {
    const raw = (m[3] as string).trim();
    let value: unknown;
    if (/^'.*'$|^".*"$/.test(raw)) value = raw.slice(1, -1);
    else if (raw === 'true' || raw === 'false') value = raw === 'true';
    else if (!Number.isNaN(Number(raw))) value = Number(raw);
    else throw new JsonPathError(`unsupported filter value ${raw} in ${expr}`);
    return { kind: 'filter', path: parseJsonPath(m[1] as string), op: m[2] as '==' | '!=', value };
  }
  const e = /^@((?:\.[\w-]+)+)$/.exec(f);
  if (e) return { kind: 'filter', path: parseJsonPath(e[1] as string), op: 'exists' };
  throw new JsonPathError(`unsupported filter ${f} in ${expr}`);
}

/** Every value the path selects, in document order. */
export function evaluateJsonPath(steps: Step[], root: unknown): unknown[] {
  let cur: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || v === undefined) continue;
      switch (step.kind) {
        case 'field':
          if (typeof v === 'object' && !Array.isArray(v) && step.name in (v as object)) next.push((v as Record<string, unknown>)[step.name]);
          break;
        case 'index':
          if (Array.isArray(v)) {
            const idx = step.index < 0 ? v.length + step.index : step.index;
            if (idx >= 0 && idx < v.length) next.push(v[idx]);
          }
          break;
        case 'all':
          if (Array.isArray(v)) next.push(...v);
          else if (typeof v === 'object') next.push(...Object.values(v as object));
          break;
        case 'filter':
          if (Array.isArray(v)) {
            for (const item of v) {
              const got = evaluateJsonPath(step.path, item);
              if (step.op === 'exists' ? got.length > 0 : step.op === '==' ? got.some((g) => g === step.value) : !got.some((g) => g === step.value)) next.push(item);
            }
          }
          break;
      }
    }
    cur = next;
  }
  return cur;
}
