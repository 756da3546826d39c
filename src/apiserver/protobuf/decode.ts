// Turns a Kubernetes protobuf request body (kubectl >= 1.32 sends these for `kubectl create ...`)
// into the same JSON-shaped object a JSON body would have produced, so the rest of the API
// server's pipeline never needs to know which encoding arrived.
import { MESSAGES, TOP_LEVEL, type FieldDef, type MessageDef } from './schema.js';
import { ProtobufError, WIRE_LEN, WIRE_VARINT, fields, type WireField } from './wire.js';

/** "k8s\0": every Kubernetes protobuf payload starts with it, ahead of a runtime.Unknown message. */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

export function decodeProtobufBody(buf: Buffer): unknown {
  try {
    return decodeEnvelope(buf);
  } catch (err) {
    if (err instanceof ProtobufError) throw new Error(`malformed protobuf body: ${err.message}`);
    throw err;
  }
}

function decodeEnvelope(buf: Buffer): Obj {
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ProtobufError('the body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  let apiVersion = '';
  let kind = '';
  let raw: Buffer | undefined;
  let contentEncoding = '';
  for (const f of fields(buf.subarray(MAGIC.length))) {
    if (f.num === 1) {
      for (const t of fields(lenOf(f, 'TypeMeta'))) {
        if (t.num === 1) apiVersion = str(lenOf(t, 'apiVersion'));
        else if (t.num === 2) kind = str(lenOf(t, 'kind'));
      }
    } else if (f.num === 2) raw = lenOf(f, 'raw');
    else if (f.num === 3) contentEncoding = str(lenOf(f, 'contentEncoding'));
  }
  if (!kind || !apiVersion) throw new ProtobufError('the envelope carries no apiVersion/kind');
  if (contentEncoding !== '') throw new Error(`protobuf bodies with contentEncoding "${contentEncoding}" are not supported`);
  const message = TOP_LEVEL[`${apiVersion}/${kind}`];
  if (!message) {
    const known = Object.keys(TOP_LEVEL).join(', ');
    throw new Error(`kubeloop cannot decode protobuf bodies of ${apiVersion}/${kind}; send JSON instead (protobuf is decoded for ${known})`);
  }
  return { apiVersion, kind, ...decodeMessage(raw ?? Buffer.alloc(0), message) };
}

function decodeMessage(buf: Buffer, name: string): Obj {
  const def = MESSAGES.get(name) as MessageDef;
  const out: Obj = {};
  for (const f of fields(buf)) {
    const fd = def.get(f.num);
    if (!fd) {
      // A field newer than our tables. Go writes every non-pointer field, so a zero one is routine
      // and carries nothing; a set one would be lost, which must not pass silently.
      if (isZeroWire(f)) continue;
      throw new ProtobufError(`${name} field ${f.num} is not known to kubeloop's protobuf tables; send this object as JSON`);
    }
    if (fd.json === '...') {
      Object.assign(out, decodeMessage(lenOf(f, `${name}.${fd.type}`), fd.type));
      continue;
    }
    const where = `${name}.${fd.json}`;
    if (fd.map) {
      const [k, v] = mapEntry(f, fd, where);
      const m = (out[fd.json] ??= {}) as Obj;
      m[k] = v;
    } else if (fd.repeated) {
      const list = (out[fd.json] ??= []) as Json[];
      if (f.wire === WIRE_LEN && (fd.type === 'int32' || fd.type === 'int64' || fd.type === 'bool')) {
        // Packed encoding: proto2 writers may still pack repeated scalars.
        for (const v of packed(lenOf(f, where), fd.type)) list.push(v);
      } else {
        const v = value(f, fd, where);
        if (v !== undefined) list.push(v);
      }
    } else {
      const v = value(f, fd, where);
      if (v === undefined || (!fd.pointer && isZero(v, fd))) {
        delete out[fd.json]; // the last occurrence wins in protobuf, including a zero one
        continue;
      }
      out[fd.json] = v;
    }
  }
  return out;
}

/** Zero values of non-pointer scalars, which Go writes for unset fields and JSON would omit. */
function isZero(v: Json, fd: FieldDef): boolean {
  if (fd.type === 'IntOrString') return v === 0;
  if (!isScalarType(fd.type)) return false; // an embedded struct is always present, as in JSON
  return v === '' || v === 0 || v === false;
}

function isScalarType(t: string): boolean {
  return t === 'string' || t === 'bool' || t === 'int32' || t === 'int64' || t === 'bytes' || t === 'Quantity';
}

function value(f: WireField, fd: FieldDef, where: string): Json | undefined {
  switch (fd.type) {
    case 'string':
      return str(lenOf(f, where));
    case 'bytes':
      return lenOf(f, where).toString('base64');
    case 'bool':
      return varintOf(f, where) !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, varintOf(f, where)));
    case 'int64':
      return int64(varintOf(f, where), where);
    case 'Quantity':
      return quantity(lenOf(f, where));
    case 'Time':
      return time(lenOf(f, where), where);
    case 'MicroTime':
      return microTime(lenOf(f, where), where);
    case 'RawExtension':
      return fieldsV1(lenOf(f, where), where);
    case 'IntOrString':
      return intOrString(lenOf(f, where));
    case 'FieldsV1':
      return fieldsV1(lenOf(f, where), where);
    default:
      return decodeMessage(lenOf(f, where), fd.type);
  }
}

function mapEntry(f: WireField, fd: FieldDef, where: string): [string, Json] {
  let key = '';
  // A value-less entry means the zero value of the value type.
  let val: Json = fd.type === 'bytes' || fd.type === 'string' || fd.type === 'Quantity' ? '' : fd.type === 'Time' ? null : {};
  for (const e of fields(lenOf(f, where))) {
    if (e.num === 1) key = str(lenOf(e, `${where} key`));
    else if (e.num === 2) val = value(e, { ...fd, map: false }, `${where}[${key}]`) ?? '';
  }
  return [key, val];
}

function packed(buf: Buffer, type: string): Json[] {
  const out: Json[] = [];
  for (const v of packedVarints(buf)) {
    out.push(type === 'bool' ? v !== 0n : type === 'int32' ? Number(BigInt.asIntN(32, v)) : int64(v, 'packed int64'));
  }
  return out;
}

function* packedVarints(buf: Buffer): Generator<bigint> {
  let pos = 0;
  while (pos < buf.length) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new ProtobufError('truncated packed varint');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new ProtobufError('packed varint longer than 10 bytes');
    }
    yield BigInt.asUintN(64, result);
  }
}

function quantity(buf: Buffer): string {
  let s = '';
  for (const f of fields(buf)) if (f.num === 1) s = str(lenOf(f, 'Quantity.string'));
  return s;
}

/** meta/v1 Time: {1 seconds, 2 nanos}; JSON has RFC 3339 in whole seconds, and null for the zero time. */
function time(buf: Buffer, where: string): Json | undefined {
  let seconds = 0n;
  for (const f of fields(buf)) if (f.num === 1) seconds = BigInt.asIntN(64, varintOf(f, where));
  if (seconds === 0n) return undefined;
  const ms = Number(seconds) * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new ProtobufError(`${where}: time out of range`);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** meta/v1 MicroTime: {1 seconds, 2 nanos}; JSON has RFC 3339 with six fraction digits, and null for the zero time. */
function microTime(buf: Buffer, where: string): Json | undefined {
  let seconds = 0n;
  let nanos = 0;
  for (const f of fields(buf)) {
    if (f.num === 1) seconds = BigInt.asIntN(64, varintOf(f, where));
    else if (f.num === 2) nanos = Number(BigInt.asIntN(32, varintOf(f, where)));
  }
  if (seconds === 0n && nanos === 0) return undefined;
  const ms = Number(seconds) * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new ProtobufError(`${where}: time out of range`);
  const micros = String(Math.floor(nanos / 1000)).padStart(6, '0');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${micros}Z`);
}

/** A zero scalar, or a message made only of zero fields (Go writes non-pointer structs even when empty). */
function isZeroWire(f: WireField): boolean {
  if (f.varint !== undefined) return f.varint === 0n;
  if (f.fixed) return f.fixed.every((b) => b === 0);
  if (!f.bytes || f.bytes.length === 0) return true;
  try {
    for (const inner of fields(f.bytes)) if (!isZeroWire(inner)) return false;
    return true;
  } catch {
    return false;
  }
}

/** util/intstr IntOrString: {1 type (0 int, 1 string), 2 intVal, 3 strVal}. */
function intOrString(buf: Buffer): Json {
  let type = 0n;
  let intVal = 0;
  let strVal = '';
  for (const f of fields(buf)) {
    if (f.num === 1) type = varintOf(f, 'IntOrString.type');
    else if (f.num === 2) intVal = Number(BigInt.asIntN(32, varintOf(f, 'IntOrString.intVal')));
    else if (f.num === 3) strVal = str(lenOf(f, 'IntOrString.strVal'));
  }
  return type === 1n ? strVal : intVal;
}

/** meta/v1 FieldsV1 and runtime.RawExtension wrap JSON text in field 1. */
function fieldsV1(buf: Buffer, where: string): Json {
  let raw: Buffer = Buffer.alloc(0);
  for (const f of fields(buf)) if (f.num === 1) raw = lenOf(f, where);
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8')) as Json;
  } catch {
    throw new ProtobufError(`${where}: not JSON`);
  }
}

function int64(v: bigint, where: string): number {
  const n = BigInt.asIntN(64, v);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ProtobufError(`${where}: ${n} does not fit a JSON number exactly`);
  }
  return Number(n);
}

function lenOf(f: WireField, where: string): Buffer {
  if (f.wire !== WIRE_LEN || !f.bytes) throw new ProtobufError(`${where} (field ${f.num}) should be length-delimited, got wire type ${f.wire}`);
  return f.bytes;
}

function varintOf(f: WireField, where: string): bigint {
  if (f.wire !== WIRE_VARINT || f.varint === undefined) throw new ProtobufError(`${where} (field ${f.num}) should be a varint, got wire type ${f.wire}`);
  return f.varint;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
function str(buf: Buffer): string {
  try {
    return utf8.decode(buf);
  } catch {
    throw new ProtobufError('a string field is not valid UTF-8');
  }
}
