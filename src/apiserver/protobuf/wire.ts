// A minimal reader for the protobuf wire format. Kubernetes' messages are proto2 and only need
// varints, length-delimited fields and the two fixed widths, so a hand-written reader is smaller
// than a runtime dependency and lets every malformed-input case fail with our own message.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export class ProtobufError extends Error {}

export interface WireField {
  num: number;
  wire: number;
  /** Varints stay BigInt so int64 and negative int32 (sign-extended to ten bytes) survive intact. */
  varint?: bigint;
  bytes?: Buffer;
  fixed?: Buffer;
}

export class WireReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new ProtobufError('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  private take(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw new ProtobufError(`field of ${n} bytes runs past the end of its message`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  next(): WireField {
    const key = this.varint();
    const num = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (num === 0) throw new ProtobufError('field number 0 is not allowed');
    switch (wire) {
      case WIRE_VARINT:
        return { num, wire, varint: this.varint() };
      case WIRE_FIXED64:
        return { num, wire, fixed: this.take(8) };
      case WIRE_LEN: {
        const len = this.varint();
        if (len > BigInt(this.buf.length)) throw new ProtobufError(`length ${len} exceeds the body`);
        return { num, wire, bytes: this.take(Number(len)) };
      }
      case WIRE_FIXED32:
        return { num, wire, fixed: this.take(4) };
      default:
        // Groups (3/4) are a proto2 relic no Kubernetes message uses; anything else is corruption.
        throw new ProtobufError(`unsupported wire type ${wire} for field ${num}`);
    }
  }
}

/** Iterates the fields of one encoded message. */
export function* fields(buf: Buffer): Generator<WireField> {
  const r = new WireReader(buf);
  while (!r.done()) yield r.next();
}
