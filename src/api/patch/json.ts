// JSON Patch (RFC 6902) as kube-apiserver applies it. kube uses evanphx/json-patch v4, which differs from
// the RFC in a few ways clients rely on; each operation is first resolved against the document with those
// rules (and with own-property lookups only), then carried out by fast-json-patch on a private copy, so a
// failure anywhere leaves the caller's document untouched.
import fjp from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { cloneJson, hasOwn, isJsonObject, type JsonObject } from './merge.js';

export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** kube-apiserver's fixed text for any JSON patch that decodes but cannot be applied (422 Invalid). */
export const JSON_PATCH_APPLY_FAILED = 'the server rejected our request due to an error in our request';

export type JsonPatchStatus = 400 | 413 | 422;
export type JsonPatchReason = 'BadRequest' | 'RequestEntityTooLarge' | 'Invalid';

/**
 * A JSON patch kube-apiserver refuses. `status`, `reason` and `message` are what it answers with;
 * `detail` is the library's own explanation (kube drops it from the 422 answer; useful for logs).
 */
export class JsonPatchError extends Error {
  override name = 'JsonPatchError';
  constructor(
    readonly status: JsonPatchStatus,
    readonly reason: JsonPatchReason,
    message: string,
    readonly detail: string = message,
  ) {
    super(message);
  }
}

function badRequest(msg: string): JsonPatchError {
  return new JsonPatchError(400, 'BadRequest', msg);
}

function applyFailed(detail: string): JsonPatchError {
  return new JsonPatchError(422, 'Invalid', JSON_PATCH_APPLY_FAILED, detail);
}

function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** Checks the decoded body the way kube's decoder does and returns the operations (400 on failure). */
function decodeOperations(patch: unknown): (JsonObject | null)[] {
  if (patch === null) return [];
  if (!Array.isArray(patch)) throw badRequest(`json: cannot unmarshal ${goJsonType(patch)} into Go value of type jsonpatch.Patch`);
  for (const op of patch) {
    if (op !== null && !isJsonObject(op)) {
      throw badRequest(`json: cannot unmarshal ${goJsonType(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new JsonPatchError(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`,
    );
  }
  return patch as (JsonObject | null)[];
}

function decodeToken(t: string): string {
  return t.replace(/~1/g, '/').replace(/~0/g, '~');
}

function encodeToken(t: string): string {
  return t.replace(/~/g, '~0').replace(/\//g, '~1');
}

const ATOI_RE = /^[+-]?[0-9]+$/;

function atoi(s: string): number | undefined {
  if (!ATOI_RE.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

interface Target {
  parent: JsonObject | unknown[];
  key: string;
  /** The encoded pointer of `parent`. */
  parentPointer: string;
}

/** Finds the container a pointer ends in, following own properties only. */
function locate(doc: unknown, pointer: string, what: string): Target {
  if (!pointer.startsWith('/')) throw applyFailed(`${what} operation does not apply: doc is missing path: "${pointer}": missing value`);
  const tokens = pointer.slice(1).split('/').map(decodeToken);
  let cur: unknown = doc;
  let walked = '';
  for (const tok of tokens.slice(0, -1)) {
    let next: unknown;
    if (Array.isArray(cur)) {
      const idx = atoi(tok);
      next = idx === undefined ? undefined : cur[idx < 0 ? idx + cur.length : idx];
    } else if (isJsonObject(cur)) {
      next = hasOwn(cur, tok) ? cur[tok] : undefined;
    }
    if (!Array.isArray(next) && !isJsonObject(next)) {
      throw applyFailed(`${what} operation does not apply: doc is missing path: "${pointer}": missing value`);
    }
    walked += `/${encodeToken(tok)}`;
    cur = next;
  }
  return { parent: cur as JsonObject | unknown[], key: tokens[tokens.length - 1]!, parentPointer: walked };
}

function arrayIndex(arr: unknown[], key: string, pointer: string, forAdd: boolean): number {
  const idx = atoi(key);
  if (idx === undefined) throw applyFailed(`value was not a proper array index: '${key}' (path '${pointer}')`);
  const size = forAdd ? arr.length + 1 : arr.length;
  if (idx >= size || idx < -size) throw applyFailed(`Unable to access invalid index: ${idx}: invalid index referenced (path '${pointer}')`);
  return idx < 0 ? idx + size : idx;
}

function stringField(op: JsonObject, name: string, kind: string): string {
  const v = hasOwn(op, name) ? op[name] : undefined;
  if (typeof v !== 'string') throw applyFailed(`${kind} operation failed to decode ${name}: missing value`);
  return v;
}

/** Reads the value at an already located target, or undefined when an object member is absent. */
function readTarget(t: Target, pointer: string): { present: boolean; value: unknown; index?: number } {
  if (Array.isArray(t.parent)) {
    const i = arrayIndex(t.parent, t.key, pointer, false);
    return { present: true, value: t.parent[i], index: i };
  }
  return hasOwn(t.parent, t.key) ? { present: true, value: t.parent[t.key] } : { present: false, value: undefined };
}

function pointerTo(t: Target, index?: number): string {
  return `${t.parentPointer}/${index === undefined ? encodeToken(t.key) : String(index)}`;
}

/** Rewrites one kube-style operation into a plain RFC 6902 operation on `doc`, or null when it is a no-op. */
function normalize(doc: unknown, raw: JsonObject | null): Operation | null {
  const kind = raw && typeof raw['op'] === 'string' && hasOwn(raw, 'op') ? (raw['op'] as string) : 'unknown';
  const op = raw ?? {};
  // Copied so later operations on the result can never reach into the caller's patch.
  const value = hasOwn(op, 'value') ? cloneJson(op['value']) : null;
  switch (kind) {
    case 'add': {
      const path = stringField(op, 'path', 'add');
      const t = locate(doc, path, 'add');
      if (Array.isArray(t.parent)) {
        if (t.key === '-') return { op: 'add', path: `${t.parentPointer}/-`, value };
        return { op: 'add', path: pointerTo(t, arrayIndex(t.parent, t.key, path, true)), value };
      }
      return { op: 'add', path: pointerTo(t), value };
    }
    case 'remove': {
      const path = stringField(op, 'path', 'remove');
      const t = locate(doc, path, 'remove');
      const r = readTarget(t, path);
      if (!r.present) throw applyFailed(`error in remove for path: '${path}': Unable to remove nonexistent key: ${t.key}: missing value`);
      return { op: 'remove', path: pointerTo(t, r.index) };
    }
    case 'replace': {
      const path = stringField(op, 'path', 'replace');
      const t = locate(doc, path, 'replace');
      const r = readTarget(t, path);
      // evanphx v4 lets replace create a missing object member; kubectl's rollout undo relies on it for
      // /metadata/annotations.
      if (!r.present) return { op: 'add', path: pointerTo(t), value };
      return { op: 'replace', path: pointerTo(t, r.index), value };
    }
    case 'test': {
      const path = stringField(op, 'path', 'test');
      const t = locate(doc, path, 'test');
      const r = readTarget(t, path);
      if (!r.present) {
        if (value === null) return null;
        throw applyFailed(`testing value ${path} failed: test failed`);
      }
      return { op: 'test', path: pointerTo(t, r.index), value };
    }
    case 'move': {
      const from = stringField(op, 'from', 'move');
      const ft = locate(doc, from, 'move');
      const fr = readTarget(ft, from);
      if (!fr.present) throw applyFailed(`error in move for path: '${ft.key}': Unable to remove nonexistent key: ${ft.key}: missing value`);
      const path = stringField(op, 'path', 'move');
      return { op: 'move', from: pointerTo(ft, fr.index), path: resolveDestination(doc, path, 'move', pointerTo(ft, fr.index)) };
    }
    case 'copy': {
      const from = stringField(op, 'from', 'copy');
      const ft = locate(doc, from, 'copy');
      const fr = readTarget(ft, from);
      const path = stringField(op, 'path', 'copy');
      const dest = resolveDestination(doc, path, 'copy');
      // Copying an absent member copies null in evanphx v4.
      if (!fr.present) return { op: 'add', path: dest, value: null };
      return { op: 'copy', from: pointerTo(ft, fr.index), path: dest };
    }
    default:
      throw applyFailed(`Unexpected kind: ${kind}`);
  }
}

// The destination of move/copy is resolved like an add. For move it is resolved after the source is gone,
// as evanphx does, so the document is probed on a copy with the source removed.
function resolveDestination(doc: unknown, path: string, what: string, removeFirst?: string): string {
  let probe = doc;
  if (removeFirst !== undefined) {
    probe = cloneJson(doc);
    fjp.applyOperation(probe, { op: 'remove', path: removeFirst }, false, true, true);
  }
  const t = locate(probe, path, what);
  if (Array.isArray(t.parent)) {
    if (t.key === '-') return `${t.parentPointer}/-`;
    return pointerTo(t, arrayIndex(t.parent, t.key, path, true));
  }
  return pointerTo(t);
}

/**
 * Applies a decoded JSON Patch body to `doc` and returns the patched copy; `doc` is never modified.
 * Throws JsonPatchError: 400 when the body is not a list of operation objects, 413 above 10000
 * operations, 422 (with kube's fixed message) when an operation cannot be applied.
 */
export function applyJsonPatch<T>(doc: T, patch: unknown): T {
  const ops = decodeOperations(patch);
  let work: unknown = cloneJson(doc);
  for (const raw of ops) {
    let op: Operation | null = null;
    try {
      op = normalize(work, raw);
      if (op) work = fjp.applyOperation(work, op, true, true, true).newDocument;
    } catch (e) {
      if (e instanceof JsonPatchError) throw e;
      if (e instanceof Error && e.name === 'TEST_OPERATION_FAILED') throw applyFailed(`testing value ${op?.path} failed: test failed`);
      // fast-json-patch refuses "__proto__" path segments outright; that also lands here as a 422.
      throw applyFailed(e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e));
    }
  }
  return work as T;
}
