// Request/response plumbing shared by every handler: bodies with a size limit, JSON replies, Status errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import { ApiError, errors } from '../api/errors.js';
import type { Status } from '../api/types.js';
import { checkJsonDepth, checkValueDepth } from './body-depth.js';
import { RawJson } from './storage/decode.js';
import { PROTOBUF_CONTENT_TYPE, decodeProtobufBody, protobufBody } from './protobuf/index.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Headers kube-apiserver sends on every response; no-cache keeps kubectl's HTTP cache honest. */
export function baseHeaders(res: ServerResponse): void {
  res.setHeader('Cache-Control', 'no-cache, private');
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  sendText(res, code, typeof body === 'string' ? body : JSON.stringify(body), contentType);
}

export function sendText(res: ServerResponse, code: number, text: string, contentType: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  baseHeaders(res);
  // A client that asked for protobuf first gets the object in protobuf when its kind has a message.
  const pb = contentType === 'application/json' ? protobufBody(res, text) : undefined;
  if (pb) {
    res.writeHead(code, { 'Content-Type': PROTOBUF_CONTENT_TYPE, 'Content-Length': pb.length });
    res.end(pb);
    return;
  }
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendStatus(res: ServerResponse, status: Status): void {
  sendJson(res, status.code, status);
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof ApiError) {
    sendStatus(res, err.status);
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  sendStatus(res, errors.internal(message).status);
}

export function addWarnings(res: ServerResponse, warnings: string[]): void {
  if (warnings.length === 0) return;
  // RFC 7234 warning header form that client-go parses: 299 - "text"
  res.setHeader(
    'Warning',
    warnings.map((w) => `299 - ${JSON.stringify(w)}`),
  );
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw errors.tooLarge(MAX_BODY_BYTES);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw errors.tooLarge(MAX_BODY_BYTES);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Decodes a request body by Content-Type: JSON (also when the header is missing), YAML, and nothing else.
 * With `raw`, JSON stays text (RawJson) so the schema decoder can see duplicate fields. */
export function parseBody(buf: Buffer, contentType: string | undefined, raw = false): unknown {
  const mt = mediaType(contentType);
  const text = buf.toString('utf8');
  if (mt === '' || mt === 'application/json' || mt.endsWith('+json')) {
    if (text.trim() === '') throw errors.badRequest('the body of the request is empty');
    checkJsonDepth(text);
    if (raw) return new RawJson(text);
    try {
      return JSON.parse(text);
    } catch (err) {
      throw errors.badRequest(`couldn't get version/kind; json parse error: ${jsonErrorText(err)}`);
    }
  }
  if (mt === 'application/yaml' || mt.endsWith('+yaml')) {
    let value: unknown;
    try {
      value = parseYaml(text, { version: '1.1' });
    } catch (err) {
      throw errors.badRequest(`error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
    }
    checkValueDepth(value);
    return value;
  }
  const accepted = ['application/json', 'application/yaml'];
  if (mt === 'application/vnd.kubernetes.protobuf') {
    let value: unknown;
    try {
      value = decodeProtobufBody(buf);
    } catch (err) {
      throw errors.badRequest((err as Error).message);
    }
    checkValueDepth(value);
    return value;
  }
  throw errors.unsupportedMediaType(accepted);
}

function jsonErrorText(err: unknown): string {
  const m = (err as Error).message;
  return m.replace(/^JSON\.parse: /, '');
}

export function queryBool(v: string | null): boolean {
  return v === 'true' || v === '1' || v === '';
}

/** Answers an upgrade request that will not be upgraded with the error as a Status, then closes the connection.
 * A malformed escape in the path is the caller's mistake (400), anything else not an ApiError is ours (500). */
export function refuseUpgrade(socket: Duplex, err: unknown): void {
  const e = err instanceof ApiError ? err : err instanceof URIError ? errors.badRequest(err.message) : errors.internal(String(err));
  const body = JSON.stringify(e.status);
  socket.end(`HTTP/1.1 ${e.code} ${e.reason || 'Internal Server Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
