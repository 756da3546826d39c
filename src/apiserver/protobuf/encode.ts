// Turns the JSON form of an object into the Kubernetes protobuf encoding, driven by the same message
// tables as the decoder (schema.ts). A JSON field the tables do not know, or a value of the wrong
// shape, is never dropped silently: it is reported in `lost`, and the caller decides (the API server
// answers JSON instead when the client accepts it).
import { MESSAGES, TOP_LEVEL, type FieldDef } from './schema.js';
import { WIRE_LEN, WIRE_VARINT } from './wire.js';

/** "k8s\0", ahead of every runtime.Unknown envelope. */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export interface Encoded {
  /** The full payload: magic + runtime.Unknown{typeMeta, raw, contentEncoding, contentType}. */
  bytes: Buffer;
  /** JSON paths that could not be represented (unknown fields, wrong value types). */
  lost: string[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** The message a `apiVersion`/`kind` pair is encoded with, or undefined (custom resources, Tables, ...). */
export function messageFor(apiVersion: unknown, kind: unknown): string | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  return TOP_LEVEL[`${apiVersion}/${kind}`];
}

/** Encodes a top-level object (it must carry apiVersion and kind); undefined when its kind has no message. */
export function encodeObject(obj: unknown): Encoded | undefined {
  if (!isObj(obj)) return undefined;
  const message = messageFor(obj.apiVersion, obj.kind);
  if (!message) return undefined;
  const lost: string[] = [];
  const raw = encodeMessage(obj, message, '', lost, new Set(['apiVersion', 'kind']));
  const typeMeta = Buffer.concat([lenField(1, str(obj.apiVersion as string)), lenField(2, str(obj.kind as string))]);
  const unknown = Buffer.concat([lenField(1, typeMeta), lenField(2, raw), lenField(3, Buffer.alloc(0)), lenField(4, Buffer.alloc(0))]);
  return { bytes: Buffer.concat([PROTOBUF_MAGIC, unknown]), lost };
}

/**
 * One frame of a protobuf watch stream: a 4-byte big-endian length, then a meta/v1 WatchEvent written
 * without the envelope (the stream serializer is the raw one), whose object is the fully enveloped
 * object — what client-go's watch decoder reads.
 */
export function encodeWatchFrame(type: string, object: Encoded): Buffer {
  const rawExtension = lenField(1, object.bytes);
  const event = Buffer.concat([lenField(1, str(type)), lenField(2, rawExtension)]);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(event.length);
  return Buffer.concat([size, event]);
}

/** Names JSON may carry for a message, with embedded (`...`) messages' fields inlined. */
const knownKeys = new Map<string, Set<string>>();
function keysOf(name: string): Set<string> {
  let keys = knownKeys.get(name);
  if (keys) return keys;
  keys = new Set();
  for (const fd of MESSAGES.get(name)!.values()) {
    if (fd.json === '...') for (const k of keysOf(fd.type)) keys.add(k);
    else keys.add(fd.json);
  }
  knownKeys.set(name, keys);
  return keys;
}

const sortedFields = new Map<string, [number, FieldDef][]>();
function fieldsOf(name: string): [number, FieldDef][] {
  let out = sortedFields.get(name);
  if (!out) {
    out = [...MESSAGES.get(name)!.entries()].sort((a, b) => a[0] - b[0]);
    sortedFields.set(name, out);
  }
  return out;
}

function encodeMessage(obj: Obj, name: string, path: string, lost: string[], ignore?: Set<string>): Buffer {
  const parts: Buffer[] = [];
  for (const [num, fd] of fieldsOf(name)) {
    if (fd.json === '...') {
      // Go always writes an embedded struct; its fields live in the same JSON object.
      parts.push(lenField(num, encodeMessage(obj, fd.type, path, lost, SKIP_UNKNOWN)));
      continue;
    }
    const v = obj[fd.json];
    if (v === undefined || v === null) continue;
    const where = path ? `${path}.${fd.json}` : fd.json;
    if (fd.map) {
      if (!isObj(v)) {
        lost.push(where);
        continue;
      }
      for (const key of Object.keys(v).sort()) {
        const val = v[key];
        const entry: Buffer[] = [lenField(1, str(key))];
        if (val !== null && val !== undefined) {
          const enc = encodeValue(val, fd, num, `${where}[${key}]`, lost, 2);
          if (enc) entry.push(enc);
        }
        parts.push(lenField(num, Buffer.concat(entry)));
      }
    } else if (fd.repeated) {
      if (!Array.isArray(v)) {
        lost.push(where);
        continue;
      }
      v.forEach((item, i) => {
        if (item === null) return;
        const enc = encodeValue(item, fd, num, `${where}[${i}]`, lost);
        if (enc) parts.push(enc);
      });
    } else {
      const enc = encodeValue(v, fd, num, where, lost);
      if (enc) parts.push(enc);
    }
  }
  if (ignore !== SKIP_UNKNOWN) {
    const keys = keysOf(name);
    for (const k of Object.keys(obj)) {
      if (keys.has(k) || ignore?.has(k) || obj[k] === undefined) continue;
      // An embedded object's TypeMeta (StatefulSet volumeClaimTemplates) has no field in protobuf, for
      // kube-apiserver either: the message type says what it is.
      if ((k === 'apiVersion' || k === 'kind') && typeof obj[k] === 'string') continue;
      lost.push(path ? `${path}.${k}` : k);
    }
  }
  return Buffer.concat(parts);
}
/** Marks an embedded message's call: its parent reports unknown keys once, for the whole JSON object. */
const SKIP_UNKNOWN = new Set<string>();

/** One field (`num`) holding `v` as `fd.type`; `as` overrides the field number (map values are field 2). */
function encodeValue(v: Json, fd: FieldDef, num: number, where: string, lost: string[], as = num): Buffer | undefined {
  const bad = () => {
    lost.push(where);
    return undefined;
  };
  switch (fd.type) {
    case 'string':
      return typeof v === 'string' ? lenField(as, str(v)) : bad();
    case 'bytes':
      return typeof v === 'string' ? lenField(as, Buffer.from(v, 'base64')) : bad();
    case 'bool':
      return typeof v === 'boolean' ? varintField(as, v ? 1n : 0n) : bad();
    case 'int32':
    case 'int64':
      return typeof v === 'number' && Number.isInteger(v) ? varintField(as, BigInt(v)) : bad();
    case 'Quantity':
      return typeof v === 'string' || typeof v === 'number' ? lenField(as, lenField(1, str(String(v)))) : bad();
    case 'Time':
    case 'MicroTime': {
      const t = typeof v === 'string' ? parseTime(v) : undefined;
      if (!t) return bad();
      return lenField(as, Buffer.concat([varintField(1, t.seconds), varintField(2, BigInt(t.nanos))]));
    }
    case 'IntOrString':
      if (typeof v === 'number' && Number.isInteger(v)) {
        return lenField(as, Buffer.concat([varintField(1, 0n), varintField(2, BigInt(v)), lenField(3, Buffer.alloc(0))]));
      }
      if (typeof v === 'string') return lenField(as, Buffer.concat([varintField(1, 1n), varintField(2, 0n), lenField(3, str(v))]));
      return bad();
    case 'FieldsV1':
    case 'RawExtension':
      return lenField(as, lenField(1, str(JSON.stringify(v))));
    default:
      if (!isObj(v)) return bad();
      return lenField(as, encodeMessage(v, fd.type, where, lost));
  }
}

/** RFC 3339 with optional fraction (JSON Time has whole seconds, MicroTime six digits). */
function parseTime(s: string): { seconds: bigint; nanos: number } | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(ms)) return undefined;
  const nanos = m[2] ? Number(m[2].padEnd(9, '0')) : 0;
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos };
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

function varint(v: bigint): Buffer {
  let u = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    const b = Number(u & 0x7fn);
    u >>= 7n;
    out.push(u ? b | 0x80 : b);
  } while (u);
  return Buffer.from(out);
}

function varintField(num: number, v: bigint): Buffer {
  return Buffer.concat([varint(BigInt((num << 3) | WIRE_VARINT)), varint(v)]);
}

function lenField(num: number, bytes: Buffer): Buffer {
  return Buffer.concat([varint(BigInt((num << 3) | WIRE_LEN)), varint(BigInt(bytes.length)), bytes]);
}
