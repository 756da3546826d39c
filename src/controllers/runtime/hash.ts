// Names derived from content: pod-template-hash (Deployment, DaemonSet) and ControllerRevision hashes
// (StatefulSet), spelled as Kubernetes spells them (decimal digits mapped to 456789bcdf) so names look real.
/** A deterministic text for a JSON value: keys sorted, zero values left out (absent and empty are one). */
function dump(v: unknown, out: string[]): void {
  if (v === null || v === undefined) {
    out.push('nil');
    return;
  }
  if (Array.isArray(v)) {
    out.push('[');
    for (const x of v) {
      dump(x, out);
      out.push(',');
    }
    out.push(']');
    return;
  }
  if (typeof v === 'object') {
    out.push('{');
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (isZero(x)) continue;
      out.push(JSON.stringify(k), ':');
      dump(x, out);
      out.push(',');
    }
    out.push('}');
    return;
  }
  out.push(JSON.stringify(v));
}

function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv1a(bytes: Uint8Array, seed = FNV_OFFSET): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h >>> 0;
}

// The digits of the decimal hash, mapped the way kube's SafeEncodeString maps them, so names look real.
const DIGIT_ALPHABET = '456789bcdf';

/** The pod-template-hash of a template: FNV-32a of a stable dump, with the collision count mixed in as eight
 * little-endian bytes so that bumping it yields a different name. */
export function computeHash(template: unknown, collisionCount?: number): string {
  const parts: string[] = [];
  dump(template, parts);
  let h = fnv1a(new TextEncoder().encode(parts.join('')));
  if (collisionCount !== undefined && collisionCount !== null) {
    const extra = new Uint8Array(8);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a(extra, h);
  }
  return String(h).replace(/\d/g, (c) => DIGIT_ALPHABET[Number(c)] as string);
}

// FNV-32 (multiply, then xor): the variant kube hashes revisions with, unlike the 32a of template hashes.
function fnv32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h >>> 0;
}

export function revisionHash(data: unknown, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32(enc.encode(JSON.stringify(data)));
  if (collisionCount !== undefined) h = fnv32(enc.encode(String(collisionCount)), h);
  return String(h).replace(/\d/g, (c) => DIGIT_ALPHABET[Number(c)] as string);
}

