// Resource lists of containers: canonical quantity strings on the way in, and the apiserver's checks on names,
// values and requests against limits.
import { compareQuantity, newQuantity, parseQuantity, QUANTITY_FORMAT_ERROR, type Quantity } from '../quantity.js';
import { fieldErr, key } from '../fielderrors.js';
import type { FieldError } from '../types.js';
import { isQualifiedName } from '../validation/names.js';

/** Parses a JSON quantity (string or number); the error text when it does not parse. */
function parseJsonQuantity(v: unknown): Quantity | string {
  const text = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v : undefined;
  if (text === undefined) return QUANTITY_FORMAT_ERROR;
  try {
    return parseQuantity(text);
  } catch (e) {
    return e instanceof Error ? e.message : QUANTITY_FORMAT_ERROR;
  }
}

// Resource lists are rounded up to milli precision on the way in, so `0.0001` cpu is stored as `1m`.
function roundUpToMilli(q: Quantity): Quantity {
  return q.exponent >= -3 ? q : newQuantity(q.milliValue(), -3, q.format);
}

/** Rewrites every valid quantity in a resource list into kube's canonical form (`0.5` -> `500m`). */
export function normalizeResourceList(list: Record<string, unknown>): void {
  for (const [name, v] of Object.entries(list)) {
    const q = parseJsonQuantity(v);
    if (typeof q !== 'string') list[name] = roundUpToMilli(q).toString();
  }
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers',
  'resourcequotas', 'secrets', 'persistentvolumeclaims', 'configmaps', 'services.nodeports',
  'services.loadbalancers', 'requests.storage',
]);

export function isHugePagesResource(name: string): boolean {
  return name.startsWith('hugepages-');
}

/** Unprefixed names and `kubernetes.io/` names belong to Kubernetes itself. */
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

function isExtendedResource(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

/** Native resources other than huge pages may be requested below their limit. */
function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePagesResource(name);
}

function isIntegerResource(name: string): boolean {
  return isExtendedResource(name) || ['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets',
    'persistentvolumeclaims', 'configmaps', 'services.nodeports', 'services.loadbalancers'].includes(name);
}

function validateContainerResourceName(name: string, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const m of isQualifiedName(name)) errs.push(fieldErr.invalid(fld, name, m));
  if (errs.length > 0) return errs;
  if (!name.includes('/')) {
    if (!STANDARD_RESOURCES.has(name) && !isHugePagesResource(name) && !name.startsWith('requests.hugepages-')) {
      errs.push(fieldErr.invalid(fld, name, 'must be a standard resource type or fully qualified'));
    }
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePagesResource(name)) {
      errs.push(fieldErr.invalid(fld, name, 'must be a standard resource for containers'));
    }
  } else if (!isNativeResource(name) && !isExtendedResource(name)) {
    errs.push(fieldErr.invalid(fld, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

function validateQuantityValue(name: string, raw: unknown, fld: string): { errs: FieldError[]; q?: Quantity } {
  const parsed = parseJsonQuantity(raw);
  if (typeof parsed === 'string') return { errs: [fieldErr.invalid(fld, raw, parsed)] };
  const errs: FieldError[] = [];
  if (parsed.sign < 0) errs.push(fieldErr.invalid(fld, parsed.toString(), 'must be greater than or equal to 0'));
  if (isIntegerResource(name) && parsed.milliValue() % 1000n !== 0n) errs.push(fieldErr.invalid(fld, parsed.toString(), 'must be an integer'));
  return { errs, q: parsed };
}

/** Container `resources`: names, values, request <= limit, and equal for resources that cannot be overcommitted. */
export function validateResourceRequirements(res: any, fld: string, podClaimNames: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (!res || typeof res !== 'object') return errs;
  const limPath = `${fld}.limits`;
  const reqPath = `${fld}.requests`;
  const limits: Record<string, unknown> = res.limits && typeof res.limits === 'object' ? res.limits : {};
  const requests: Record<string, unknown> = res.requests && typeof res.requests === 'object' ? res.requests : {};
  let limCpuMem = false;
  let reqCpuMem = false;
  let hugePages = false;
  const limitValues = new Map<string, Quantity>();
  for (const [name, raw] of Object.entries(limits)) {
    const p = key(limPath, name);
    errs.push(...validateContainerResourceName(name, p));
    const { errs: qe, q } = validateQuantityValue(name, raw, p);
    errs.push(...qe);
    if (q !== undefined) limitValues.set(name, q);
    if (isHugePagesResource(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') limCpuMem = true;
  }
  for (const [name, raw] of Object.entries(requests)) {
    const p = key(reqPath, name);
    errs.push(...validateContainerResourceName(name, p));
    const { errs: qe, q } = validateQuantityValue(name, raw, p);
    errs.push(...qe);
    const limit = limitValues.get(name);
    if (q !== undefined && limit !== undefined) {
      const c = q.cmp(limit);
      if (c !== 0 && !isOvercommitAllowed(name)) {
        errs.push(fieldErr.invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${limit.toString()}`));
      } else if (c > 0) {
        errs.push(fieldErr.invalid(reqPath, q.toString(), `must be less than or equal to ${name} limit of ${limit.toString()}`));
      }
    } else if (!(name in limits) && !isOvercommitAllowed(name)) {
      errs.push(fieldErr.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePagesResource(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') reqCpuMem = true;
  }
  if (hugePages && !limCpuMem && !reqCpuMem) errs.push(fieldErr.forbidden(fld, 'HugePages require cpu or memory'));
  if (Array.isArray(res.claims)) errs.push(...validateClaimRefs(res.claims, `${fld}.claims`, podClaimNames));
  return errs;
}

function validateClaimRefs(claims: any[], fld: string, podClaimNames: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  claims.forEach((c, i) => {
    const name = typeof c?.name === 'string' ? c.name : '';
    const p = `${fld}[${i}]`;
    if (!name) {
      errs.push(fieldErr.required(p));
      return;
    }
    const k = c.request ? `${name}/${c.request}` : name;
    if (seen.has(k)) errs.push(fieldErr.duplicate(p, k));
    seen.add(k);
    if (!podClaimNames.has(name)) {
      const which = podClaimNames.size === 0 ? ' which is empty' : `: ${[...podClaimNames].sort().join(', ')}`;
      errs.push({
        reason: 'FieldValueNotFound',
        field: p,
        message: `Not found: ${JSON.stringify(name)}: must be one of the names in pod.spec.resourceClaims${which}`,
      });
    }
  });
  return errs;
}

export { compareQuantity };
export { quantityOf } from './quantity-helpers.js';
