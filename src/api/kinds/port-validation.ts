// Port numbers and IANA-style port names, as container ports, probes, Services and Endpoints check them.
import { fieldErr } from '../fielderrors.js';
import type { FieldError } from '../types.js';

export const PORT_RANGE_MSG = 'must be between 1 and 65535, inclusive';

export function isValidPortNum(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

export function portNameProblems(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** An int-or-string port: a number in range, or a port name. */
export function validatePortNumOrName(port: unknown, fld: string): FieldError[] {
  if (typeof port === 'string') return portNameProblems(port).map((m) => fieldErr.invalid(fld, port, m));
  const n = typeof port === 'number' ? port : 0;
  return isValidPortNum(n) ? [] : [fieldErr.invalid(fld, n, PORT_RANGE_MSG)];
}
