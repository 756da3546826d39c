// Builders for field errors worded the way kube-apiserver words them (k8s.io/apimachinery field.Error).
import type { FieldError } from './types.js';

/** Renders a value roughly as Go's %#v / field.Error does: strings quoted, numbers bare, maps as map[string]string{...}. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
    return `[${v.map(goValue).join(', ')}]`;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.every(([, x]) => typeof x === 'string')) {
      const body = entries
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => `${JSON.stringify(k)}:${JSON.stringify(x)}`)
        .join(', ');
      return `map[string]string{${body}}`;
    }
    return JSON.stringify(v);
  }
  return String(v);
}

export const fieldErr = {
  invalid(field: string, value: unknown, detail: string): FieldError {
    return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${goValue(value)}: ${detail}` };
  },
  required(field: string, detail = ''): FieldError {
    return { reason: 'FieldValueRequired', field, message: detail ? `Required value: ${detail}` : 'Required value' };
  },
  notSupported(field: string, value: unknown, valid: string[]): FieldError {
    const list = valid.map((v) => JSON.stringify(v)).join(', ');
    return { reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${goValue(value)}: supported values: ${list}` };
  },
  forbidden(field: string, detail: string): FieldError {
    return { reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
  },
  duplicate(field: string, value: unknown): FieldError {
    return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${goValue(value)}` };
  },
  tooLong(field: string, value: unknown, max: number): FieldError {
    return { reason: 'FieldValueTooLong', field, message: `Too long: may not be more than ${max} bytes` };
  },
  tooMany(field: string, actual: number, max: number): FieldError {
    return { reason: 'FieldValueTooMany', field, message: `Too many: ${actual}: must have at most ${max} items` };
  },
  typeInvalid(field: string, value: unknown, detail: string): FieldError {
    return { reason: 'FieldValueTypeInvalid', field, message: `Invalid value: ${goValue(value)}: ${detail}` };
  },
};

/** Joins a base path and a child: path('spec', 'replicas'), path('containers', 0) -> containers[0]. */
export function path(base: string, child: string | number): string {
  if (typeof child === 'number') return `${base}[${child}]`;
  return base ? `${base}.${child}` : child;
}

/** Map-key subscript as field.Path.Key renders it: labels[app]. */
export function key(base: string, k: string): string {
  return `${base}[${k}]`;
}
