// Small helpers over object metadata used across the server and controllers.
import type { KubeObject } from './types.js';

/** A deep copy of a JSON value (objects from the store are frozen; copy before changing). Hand-written
 * because structuredClone is several times slower for plain JSON, and this runs on every write. */
export function clone<T>(v: T): T {
  return cloneValue(v) as T;
}

function cloneValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = cloneValue(v[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k in v as Record<string, unknown>) {
    if (!Object.hasOwn(v as object, k)) continue;
    const x = (v as Record<string, unknown>)[k];
    // "__proto__" is a legal label or data key; assigning it would change the prototype instead.
    if (k === '__proto__') Object.defineProperty(out, k, { value: cloneValue(x), enumerable: true, writable: true, configurable: true });
    else out[k] = cloneValue(x);
  }
  return out;
}

/** Random suffix alphabet kube-apiserver uses for generateName: no vowels, no 0/1/3. */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5, rand: () => number = Math.random): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

/** generateName prefix cut to leave room for the suffix within 63 characters. */
export function generateName(prefix: string, rand?: () => number): string {
  const max = 63 - 5;
  return `${prefix.length > max ? prefix.slice(0, max) : prefix}${randomSuffix(5, rand)}`;
}

export function namespacedName(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : (obj.metadata.name ?? '');
}
