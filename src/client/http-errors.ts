// Turns an API server's error answer into the ApiError the in-process transport would have thrown, so
// callers test `err.code === 409` or `err.reason === 'AlreadyExists'` without caring about the transport.
import { ApiError } from '../api/errors.js';
import type { StatusDetails } from '../api/types.js';

// Used only when the body is not a metav1.Status (a proxy's HTML page, a plain-text crash): the reason
// kube-apiserver would have given that code, so code paths keyed on the reason still work.
const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An ApiError from a metav1.Status (an error answer's body or an ERROR watch event's object). */
export function errorFromStatus(status: unknown, fallbackCode: number): ApiError {
  if (!isObject(status) || status.kind !== 'Status') {
    return new ApiError(fallbackCode, REASONS[fallbackCode] ?? (fallbackCode >= 500 ? 'InternalError' : ''), `unexpected error object from the server: ${clip(JSON.stringify(status) ?? '')}`);
  }
  const code = typeof status.code === 'number' && status.code > 0 ? status.code : fallbackCode;
  const reason = typeof status.reason === 'string' ? status.reason : '';
  const message = typeof status.message === 'string' ? status.message : '';
  const details = isObject(status.details) ? (status.details as StatusDetails) : undefined;
  return new ApiError(code, reason, message, details);
}

/** An ApiError from a non-2xx HTTP answer; `what` (e.g. `GET /api/v1/pods`) goes into messages the
 * server did not write itself. */
export function errorFromResponse(httpCode: number, statusText: string | undefined, body: string, what: string): ApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (isObject(parsed) && parsed.kind === 'Status') return errorFromStatus(parsed, httpCode);
  const reason = REASONS[httpCode] ?? (httpCode >= 500 ? 'InternalError' : '');
  const text = body.trim();
  const said = text ? `: ${JSON.stringify(clip(text))}` : '';
  return new ApiError(httpCode, reason, `the server answered ${httpCode} ${statusText ?? ''}`.trimEnd() + `${said} (${what})`);
}

function clip(s: string): string {
  return s.length > 500 ? `${s.slice(0, 500)}…` : s;
}
