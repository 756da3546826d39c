// Decoding of request bodies against the kind's schema: unknown fields pruned (and reported per
// fieldValidation), wrong types refused with kube-apiserver's wording.
import { clone } from '../../api/meta.js';
import type { ResourceDescriptor } from '../../api/descriptor.js';
import { errors } from '../../api/errors.js';
import { decodeJSON, decodeObject } from '../../api/schema/decode.js';
import { hasSchema } from '../../api/schema/index.js';
import type { KubeObject } from '../../api/types.js';
import type { FieldValidation } from './options.js';

/** A JSON request body kept as text, so duplicate fields can still be detected while decoding. */
export class RawJson {
  constructor(readonly text: string) {}
}

export function decodeBody(d: ResourceDescriptor, body: unknown, mode: FieldValidation, warnings: string[]): KubeObject {
  if (d.decodeBody) return d.decodeBody(body instanceof RawJson ? parseRaw(body) : body, mode, warnings);
  // Kinds without a schema are taken as they come.
  if (!hasSchema(d.schemaType)) return (body instanceof RawJson ? parseRaw(body) : clone(body)) as KubeObject;
  const opts = { kindLabel: d.kind, version: d.version, validation: mode };
  const result = body instanceof RawJson ? decodeJSON(body.text, d.schemaType, opts) : decodeObject(body, d.schemaType, opts);
  if (result.error) throw errors.badRequest(result.error);
  warnings.push(...result.warnings);
  // decodeObject shares untouched subtrees with its input (which may be frozen): the caller mutates the result.
  return (body instanceof RawJson ? result.object : clone(result.object)) as KubeObject;
}

/** Raw text is only known to be JSON once parsed: a syntax error is the client's (400), never a server error. */
function parseRaw(body: RawJson): unknown {
  try {
    return JSON.parse(body.text);
  } catch (err) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}
