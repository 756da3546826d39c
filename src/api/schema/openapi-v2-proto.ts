// The Swagger 2.0 document in gnostic's protobuf form (message openapi.v2.Document), which kubectl up to 1.28
// asks for before `apply` (Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf). Field numbers
// follow gnostic's published OpenAPIv2.proto; only the parts our JSON document uses are written. Extension
// values travel as YAML text in Any.yaml, which is how kube-openapi reads them back.
import { stringify } from 'yaml';

type Json = Record<string, unknown>;

/** Protobuf bytes under construction: a list of chunks, concatenated once at the end. */
class Writer {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private varint(n: number): void {
    const out: number[] = [];
    let v = n;
    while (v > 127) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    this.push(Buffer.from(out));
  }

  string(field: number, s: string | undefined): this {
    if (s === undefined || s === '') return this;
    const b = Buffer.from(s, 'utf8');
    this.varint((field << 3) | 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  strings(field: number, list: readonly string[] | undefined): this {
    for (const s of list ?? []) {
      const b = Buffer.from(s, 'utf8');
      this.varint((field << 3) | 2);
      this.varint(b.length);
      this.push(b);
    }
    return this;
  }

  bool(field: number, v: boolean | undefined): this {
    if (!v) return this;
    this.varint(field << 3);
    this.varint(1);
    return this;
  }

  message(field: number, inner: Writer | undefined): this {
    if (!inner) return this;
    this.varint((field << 3) | 2);
    this.varint(inner.size);
    for (const c of inner.chunks) this.push(c);
    return this;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

const w = (): Writer => new Writer();

/** NamedAny{name, value: Any{yaml}} for each `x-` key. */
function extensions(into: Writer, field: number, obj: Json): void {
  for (const [k, v] of Object.entries(obj)) {
    if (!k.startsWith('x-')) continue;
    into.message(field, w().string(1, k).message(2, w().string(2, stringify(v))));
  }
}

function schema(s: Json): Writer {
  const out = w()
    .string(1, s.$ref as string | undefined)
    .string(2, s.format as string | undefined)
    .string(4, s.description as string | undefined)
    .strings(19, s.required as string[] | undefined);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.message(21, w().message(1, schema(s.additionalProperties as Json)));
  if (typeof s.type === 'string') out.message(22, w().strings(1, [s.type]));
  if (s.items) out.message(23, w().message(1, schema(s.items as Json)));
  for (const a of (s.allOf as Json[] | undefined) ?? []) out.message(24, schema(a));
  if (s.properties) {
    const props = w();
    for (const [name, p] of Object.entries(s.properties as Record<string, Json>)) props.message(1, w().string(1, name).message(2, schema(p)));
    out.message(25, props);
  }
  extensions(out, 31, s);
  return out;
}

function parameter(p: Json): Writer {
  if (p.in === 'body') {
    const body = w().string(1, p.description as string | undefined).string(2, p.name as string).string(3, 'body').bool(4, p.required as boolean).message(5, schema(p.schema as Json));
    return w().message(1, w().message(1, body));
  }
  // Query and path parameters differ in field numbers after `name` (query has allow_empty_value at 5).
  const isPath = p.in === 'path';
  const sub = w().bool(1, p.required as boolean).string(2, p.in as string).string(3, p.description as string | undefined).string(4, p.name as string);
  if (isPath) sub.string(5, p.type as string | undefined).string(6, p.format as string | undefined).bool(19, p.uniqueItems as boolean);
  else sub.string(6, p.type as string | undefined).string(7, p.format as string | undefined).bool(20, p.uniqueItems as boolean);
  return w().message(1, w().message(2, w().message(isPath ? 4 : 3, sub)));
}

function operation(op: Json): Writer {
  const out = w()
    .strings(1, op.tags as string[] | undefined)
    .string(3, op.description as string | undefined)
    .string(5, op.operationId as string | undefined)
    .strings(6, op.produces as string[] | undefined)
    .strings(7, op.consumes as string[] | undefined);
  for (const p of (op.parameters as Json[] | undefined) ?? []) out.message(8, parameter(p));
  const responses = w();
  for (const [code, r] of Object.entries((op.responses as Record<string, Json>) ?? {})) {
    const resp = w().string(1, r.description as string);
    if (r.schema) resp.message(2, w().message(1, schema(r.schema as Json)));
    responses.message(1, w().string(1, code).message(2, w().message(1, resp)));
  }
  out.message(9, responses).strings(10, op.schemes as string[] | undefined);
  extensions(out, 13, op);
  return out;
}

const METHODS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

/** Encodes a Swagger 2.0 document (as built by openapi-v2.ts) as gnostic's openapi.v2.Document. */
export function encodeOpenApiV2(doc: Json): Buffer {
  const info = doc.info as Json;
  const out = w().string(1, doc.swagger as string).message(2, w().string(1, info.title as string).string(2, info.version as string));
  const paths = w();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    const pi = w();
    for (const [method, value] of Object.entries(item)) {
      if (method === 'parameters') continue;
      if (METHODS[method]) pi.message(METHODS[method]!, operation(value as Json));
    }
    for (const p of (item.parameters as Json[] | undefined) ?? []) pi.message(9, parameter(p));
    paths.message(2, w().string(1, path).message(2, pi));
  }
  out.message(8, paths);
  const defs = w();
  for (const [name, s] of Object.entries(doc.definitions as Record<string, Json>)) defs.message(1, w().string(1, name).message(2, schema(s)));
  out.message(9, defs);
  for (const req of (doc.security as Array<Record<string, string[]>>) ?? []) {
    const sr = w();
    for (const [name, scopes] of Object.entries(req)) sr.message(1, w().string(1, name).message(2, w().strings(1, scopes)));
    out.message(12, sr);
  }
  const secDefs = w();
  for (const [name, d] of Object.entries((doc.securityDefinitions as Record<string, Json>) ?? {})) {
    const apiKey = w().string(1, d.type as string).string(2, d.name as string).string(3, d.in as string).string(4, d.description as string | undefined);
    secDefs.message(1, w().string(1, name).message(2, w().message(2, apiKey)));
  }
  out.message(13, secDefs);
  return out.bytes();
}
