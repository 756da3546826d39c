// Quantities inside resource lists of storage and node objects: kube's canonical text on the way in, and the
// value checks its validation applies (non-negative, integral for countable resources, positive sizes).
// quantityOf here is the one every kind reads JSON quantities with, pod specs included.
import { fieldErr } from '../fielderrors.js';
import { canonicalQuantity, parseQuantity, type Quantity } from '../quantity.js';
import type { FieldError } from '../types.js';
import { isObj } from './object-helpers.js';

const INTEGER_RESOURCES = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'persistentvolumeclaims', 'configmaps',
  'services.nodeports', 'services.loadbalancers',
]);

/** A quantity from its JSON form (string or number), or undefined when it is not one. */
export function quantityOf(v: unknown): Quantity | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  try {
    return parseQuantity(String(v));
  } catch {
    return undefined;
  }
}

/** Rewrites the valid quantities of a resource list into their canonical text (`1.5Gi` -> `1536Mi`). */
export function normalizeQuantities(list: unknown): void {
  if (!isObj(list)) return;
  for (const [k, v] of Object.entries(list)) {
    if (quantityOf(v)) list[k] = canonicalQuantity(String(v));
  }
}

/** The printed form of a quantity; a missing one prints as "0" like a zero Quantity. */
export function quantityText(v: unknown): string {
  return quantityOf(v)?.toString() ?? '0';
}

function isIntegerResource(name: string): boolean {
  if (INTEGER_RESOURCES.has(name)) return true;
  // Extended resources (vendor-prefixed, not kubernetes.io) are countable devices.
  return name.includes('/') && !name.includes('kubernetes.io/') && !name.startsWith('requests.');
}

/** ValidateResourceQuantityValue over a whole list; `sep` joins base and key ('.' for child, '[' for key). */
export function validateResourceListValues(list: unknown, base: string, sep: '.' | '['): FieldError[] {
  if (!isObj(list)) return [];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(list)) {
    const q = quantityOf(v);
    if (!q) continue;
    const fld = sep === '.' ? `${base}.${k}` : `${base}[${k}]`;
    if (q.sign < 0) errs.push(fieldErr.invalid(fld, q.toString(), 'must be greater than or equal to 0'));
    if (isIntegerResource(k) && q.milliValue() % 1000n !== 0n) errs.push(fieldErr.invalid(fld, q.toString(), 'must be an integer'));
  }
  return errs;
}

/** ValidatePositiveQuantityValue: sizes of volumes and claims must be above zero. */
export function validatePositiveQuantity(v: unknown, fld: string): FieldError[] {
  const q = quantityOf(v);
  if (!q) return [];
  return q.sign > 0 ? [] : [fieldErr.invalid(fld, q.toString(), 'must be greater than zero')];
}
