// Protobuf responses. The handler marks a response whose client listed protobuf first in Accept
// (kube-apiserver picks the first media type it can serve); when the JSON body is written, its kind
// is looked up in the message tables. Kinds without a message (custom resources, Tables, discovery)
// stay JSON, as kube-apiserver answers JSON for custom resources. An object with a field the tables
// cannot carry is answered in JSON when the client also accepts JSON, and otherwise encoded with a
// Warning header naming what was left out.
import type { ServerResponse } from 'node:http';
import { negotiate } from '../negotiate.js';
import { type Encoded, encodeObject, encodeWatchFrame } from './encode.js';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
export const PROTOBUF_WATCH_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf;stream=watch';

interface Preference {
  /** The client lists a JSON type too (or a wildcard), so JSON is an acceptable fallback. */
  jsonOk: boolean;
}
const preferences = new WeakMap<ServerResponse, Preference>();

export function preferProtobuf(res: ServerResponse, jsonOk: boolean): void {
  preferences.set(res, { jsonOk });
}

export function prefersProtobuf(res: ServerResponse): boolean {
  return preferences.has(res);
}

/** The protobuf form of a JSON response body, or undefined to send the JSON as it is. */
export function protobufBody(res: ServerResponse, json: string): Buffer | undefined {
  const pref = preferences.get(res);
  if (!pref) return undefined;
  const enc = encodeText(json);
  if (!enc) return undefined;
  if (enc.lost.length > 0) {
    if (pref.jsonOk) return undefined;
    const warning = `299 - ${JSON.stringify(`kubeloop could not encode these fields in protobuf: ${enc.lost.slice(0, 10).join(', ')}`)}`;
    const existing = res.getHeader('Warning');
    res.setHeader('Warning', existing === undefined ? warning : [...(Array.isArray(existing) ? existing : [String(existing)]), warning]);
  }
  return enc.bytes;
}

/**
 * A watch event as a protobuf frame, or undefined when the object has no message (the caller then
 * writes JSON, which only happens for kinds the stream was not negotiated as protobuf for).
 */
export function protobufWatchFrame(type: string, objectJson: string): Buffer | undefined {
  const enc = encodeText(objectJson);
  return enc ? encodeWatchFrame(type, enc) : undefined;
}

function encodeText(json: string): Encoded | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(json);
  } catch {
    return undefined;
  }
  return encodeObject(obj);
}

/** Marks `res` for protobuf when its request's Accept lists protobuf first (see negotiate()). */
export function markProtobuf(res: ServerResponse, accept: string | undefined): void {
  const acc = negotiate(accept);
  if (acc.protobuf) preferProtobuf(res, acc.jsonOk);
}
