// What ConfigMap and Secret data share: key syntax and size (apimachinery IsConfigMapKey, core MaxSecretSize),
// and the freeze that `immutable: true` puts on the payload.
import { fieldErr, key } from '../fielderrors.js';
import type { FieldError, KubeObject } from '../types.js';
import { type Obj, semanticEqual } from './object-helpers.js';

const KEY_FMT = '[-._a-zA-Z0-9]+';
const KEY_RE = new RegExp(`^${KEY_FMT}$`);
const KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' " +
  `(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '${KEY_FMT}')`;

/** Keys become file names in volumes, so path tricks like `..` are refused too. */
export function configKeyProblems(k: string): string[] {
  const errs: string[] = [];
  if (k.length > 253) errs.push('must be no more than 253 characters');
  if (!KEY_RE.test(k)) errs.push(KEY_MSG);
  if (k === '.') errs.push("must not be '.'");
  else if (k === '..') errs.push("must not be '..'");
  else if (k.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** Both kinds share etcd's practical object limit for their payload. */
export const MAX_DATA_BYTES = 1024 * 1024;

/** Bytes a base64 value stands for (Secret data, ConfigMap binaryData); lenient with malformed input. */
export function decodedLength(v: unknown): number {
  if (typeof v !== 'string') return 0;
  return Buffer.from(v, 'base64').length;
}

/** Invalid-key errors for one key of the data map at `field`, path subscripted the way kube reports them. */
export function dataKeyErrors(field: string, k: string): FieldError[] {
  return configKeyProblems(k).map((m) => fieldErr.invalid(key(field, k), k, m));
}

/** Once stored with `immutable: true`, the flag stays and the payload fields may not change. */
export function immutableDataErrors(obj: KubeObject, old: KubeObject, payload: string[]): FieldError[] {
  if ((old as Obj).immutable !== true) return [];
  const why = 'field is immutable when `immutable` is set';
  const errs: FieldError[] = [];
  if ((obj as Obj).immutable !== true) errs.push(fieldErr.forbidden('immutable', why));
  for (const f of payload) if (!semanticEqual((obj as Obj)[f], (old as Obj)[f])) errs.push(fieldErr.forbidden(f, why));
  return errs;
}
