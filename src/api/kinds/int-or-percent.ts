// IntOrString fields that take a count or a percentage (maxSurge, maxUnavailable, minAvailable), checked the
// way kube's ValidatePositiveIntOrPercent and IsNotMoreThan100Percent do.
import { fieldErr } from '../fielderrors.js';
import type { FieldError } from '../types.js';
import { goIntOrString, invalidRaw } from './go-render.js';

const PERCENT_RE = /^[0-9]+%$/;
const PERCENT_MSG =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

function percentOf(v: unknown): number | undefined {
  return typeof v === 'string' && PERCENT_RE.test(v) ? Number.parseInt(v.slice(0, -1), 10) : undefined;
}

/** The number kube compares against zero: a percent's digits, an int, or a numeric string read as an int. */
export function intOrPercentValue(v: unknown): number {
  const p = percentOf(v);
  if (p !== undefined) return p;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return Number.parseInt(v, 10);
  return 0;
}

export function validateIntOrPercent(v: unknown, fld: string): FieldError[] {
  if (typeof v === 'string') return PERCENT_RE.test(v) ? [] : [invalidRaw(fld, goIntOrString(v), PERCENT_MSG)];
  if (typeof v === 'number' && v < 0) return [fieldErr.invalid(fld, Math.trunc(v), 'must be greater than or equal to 0')];
  return [];
}

export function notMoreThan100Percent(v: unknown, fld: string): FieldError[] {
  const p = percentOf(v);
  return p !== undefined && p > 100 ? [invalidRaw(fld, goIntOrString(v), 'must not be greater than 100%')] : [];
}
