// A short, readable stand-in for the cmp.Diff text kube-apiserver appends to "spec is immutable" errors: one
// -/+ pair per top-level field that differs, under the Go type name.
import { isObj, type Obj, semanticEqual } from './object-helpers.js';

function goFieldName(k: string): string {
  return k.charAt(0).toUpperCase() + k.slice(1);
}

function render(v: unknown): string {
  return v === undefined || v === null ? 'nil' : JSON.stringify(v);
}

export function specDiff(typeName: string, before: unknown, after: unknown): string {
  const a: Obj = isObj(before) ? before : {};
  const b: Obj = isObj(after) ? after : {};
  const lines = [`  ${typeName}{`];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (semanticEqual(a[k], b[k])) continue;
    lines.push(`- \t${goFieldName(k)}: ${render(a[k])},`, `+ \t${goFieldName(k)}: ${render(b[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}
