// What every response to a hostile request must look like: no server error, and an error is a metav1.Status
// whose code is the HTTP status (kubectl prints its message; a client-go retry loop reads its reason).
import { APISERVER_PANIC_MESSAGE } from '../../src/api/patch/strategic.js';
import type { FuzzRequest, FuzzResponse } from './server.js';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

export function responseProblems(req: FuzzRequest, res: FuzzResponse): string[] {
  const problems: string[] = [];
  const ct = String(res.headers['content-type'] ?? '');
  if (kubeAnswers500(req, res)) return problems;
  if (res.status >= 500) problems.push(`server error ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
  if (res.status >= 400 && req.method !== 'HEAD') problems.push(...statusBodyProblems(res, ct));
  if (res.status >= 200 && res.status < 300 && !res.cut && req.method !== 'HEAD' && ct.startsWith('application/json')) {
    try {
      JSON.parse(res.body.toString('utf8'));
    } catch (err) {
      problems.push(`2xx body is not JSON: ${(err as Error).message}`);
    }
  }
  return problems;
}

/**
 * The one documented server error: kube-apiserver passes the strategic-merge-patch library's errors through
 * unconverted (500, empty reason, the library's text) and its Go panics on some patches become a plain-text
 * 500 (src/api/patch/strategic.ts reproduces both on purpose, so kubectl prints what it prints against kube).
 */
function kubeAnswers500(req: FuzzRequest, res: FuzzResponse): boolean {
  if (res.status !== 500 || req.method !== 'PATCH') return false;
  if (!String(req.headers?.['content-type'] ?? '').startsWith('application/strategic-merge-patch+json')) return false;
  const text = res.body.toString('utf8');
  if (text === APISERVER_PANIC_MESSAGE) return true;
  try {
    const s = JSON.parse(text) as { kind?: string; reason?: string; code?: number };
    return s.kind === 'Status' && s.reason === '' && s.code === 500;
  } catch {
    return false;
  }
}

function statusBodyProblems(res: FuzzResponse, ct: string): string[] {
  if (ct.startsWith(PROTOBUF)) {
    // A protobuf client gets its Status in the envelope: magic, then the message.
    return res.body.subarray(0, 4).toString('latin1') === 'k8s\u0000' ? [] : ['protobuf error body without the k8s envelope'];
  }
  if (!ct.startsWith('application/json')) return [`error ${res.status} with Content-Type ${ct || '(none)'}: ${res.body.toString('utf8').slice(0, 200)}`];
  let s: Record<string, unknown>;
  try {
    s = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return [`error ${res.status} body is not JSON: ${res.body.toString('utf8').slice(0, 200)}`];
  }
  const out: string[] = [];
  if (s.kind !== 'Status') out.push(`error body kind ${String(s.kind)}, not Status`);
  if (s.apiVersion !== 'v1') out.push(`error body apiVersion ${String(s.apiVersion)}`);
  if (s.status !== 'Failure') out.push(`error body status ${String(s.status)}`);
  if (typeof s.reason !== 'string' || s.reason === '') out.push('error body without a reason');
  if (s.code !== res.status) out.push(`error body code ${String(s.code)} but HTTP ${res.status}`);
  if (typeof s.message !== 'string') out.push('error body without a message');
  return out;
}

/** A short, printable form of a request for failure messages (bodies can be megabytes). */
export function describe(req: FuzzRequest): string {
  const body = req.body === undefined ? '' : ` body(${req.body.length}): ${JSON.stringify(req.body.toString().slice(0, 300))}`;
  return `${req.method} ${req.path.slice(0, 300)} ${JSON.stringify(req.headers ?? {})}${body}`;
}
