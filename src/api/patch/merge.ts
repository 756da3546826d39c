// JSON merge patch (RFC 7386) as kube-apiserver applies it (evanphx/json-patch v4), plus the own-property
// helpers the patch code shares. Objects may carry keys such as "__proto__", "constructor" or "prototype"
// (legal label and data keys), so everything here reads with hasOwn and writes with defineProperty: no
// assignment ever goes through a prototype. Inputs are never mutated; they may be deep-frozen.

export type JsonObject = { [key: string]: unknown };

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** Reads an own property only; an inherited member such as `constructor` reads as undefined. */
export function getOwn(o: JsonObject, key: string): unknown {
  return hasOwn(o, key) ? o[key] : undefined;
}

/** Creates or overwrites an own, enumerable data property, even for "__proto__". */
export function setOwn(o: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

/** A deep copy made of fresh arrays and plain objects with own properties only. */
export function cloneJson<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  if (isJsonObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v)) setOwn(out, k, cloneJson(v[k]));
    return out as T;
  }
  return v;
}

/** A copy with every null-valued object member removed, at any depth (array elements that are null stay). */
export function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (isJsonObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (x !== null) setOwn(out, k, withoutNulls(x));
    }
    return out;
  }
  return v;
}

/**
 * Applies `patch` to `target` with merge-patch semantics and returns a new value.
 *
 * This follows what kube-apiserver does rather than the letter of RFC 7386 in two places: a value that is
 * set (not merged) loses its null members everywhere inside it, including in objects nested in arrays
 * (`{"a":[{"b":null}]}` sets a to `[{}]`), except when it replaces an existing object, in which case it
 * is taken verbatim. Null array elements are always kept.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return withoutNulls(patch);
  const out: JsonObject = {};
  const base = isJsonObject(target) ? target : undefined;
  if (base) for (const k of Object.keys(base)) setOwn(out, k, cloneJson(base[k]));
  for (const k of Object.keys(patch)) {
    const p = patch[k];
    if (p === null) {
      delete out[k];
      continue;
    }
    const cur = hasOwn(out, k) ? out[k] : undefined;
    let next: unknown;
    if (!isJsonObject(cur)) next = withoutNulls(p);
    else if (isJsonObject(p)) next = mergePatch(cur, p);
    // kube's quirk: a non-object replacing an object keeps its nulls.
    else next = cloneJson(p);
    setOwn(out, k, next);
  }
  return out;
}

/** A merge patch kube-apiserver refuses; it answers 400 BadRequest with `message`. */
export class MergePatchError extends Error {
  override name = 'MergePatchError';
  readonly status = 400;
  readonly reason = 'BadRequest';
}

/**
 * Applies a merge patch to a stored object. kube rejects a null or scalar patch with "Invalid JSON Patch"
 * (400). An array patch would replace the whole object; kube then fails to decode the result, so it is
 * refused here the same way.
 */
export function applyMergePatch(doc: JsonObject, patch: unknown): JsonObject {
  if (!isJsonObject(patch)) throw new MergePatchError('Invalid JSON Patch');
  return mergePatch(doc, patch) as JsonObject;
}
