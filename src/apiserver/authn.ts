// Who is calling: a client certificate signed by the cluster CA, or the admin bearer token.
// The https server is created with `requestCert: true, rejectUnauthorized: false, ca: [caCert]`,
// so TLS never fails on a missing or foreign certificate; the decision is made here, per request,
// and a refused request gets kube-apiserver's 401 Status instead of a handshake error.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { ADMIN_GROUP, ADMIN_USER, type Pki } from '../cli/pki.js';

export interface UserInfo {
  user: string;
  groups: string[];
}

export type Authenticator = (req: IncomingMessage) => UserInfo | null;

// kube-apiserver adds this group to every authenticated identity; RBAC rules and
// `kubectl auth whoami` expect it.
const AUTHENTICATED = 'system:authenticated';
const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

export function createAuthenticator(pki: Pick<Pki, 'token'>): Authenticator {
  const tokenDigest = digest(pki.token);
  return (req) => fromClientCert(req) ?? fromBearer(req, tokenDigest);
}

// A connection's certificate cannot change, and reading it is costly (it is decoded on every call), so the
// identity is worked out once per connection.
const byConnection = new WeakMap<object, UserInfo | null>();

function fromClientCert(req: IncomingMessage): UserInfo | null {
  const socket = req.socket as Partial<TLSSocket>;
  if (!socket.encrypted || !socket.authorized || typeof socket.getPeerCertificate !== 'function') return null;
  let who = byConnection.get(socket);
  if (who === undefined) {
    who = identityOf(socket as TLSSocket);
    byConnection.set(socket, who);
  }
  return who;
}

function identityOf(socket: TLSSocket): UserInfo | null {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.subject) return null;
  // A serving certificate from the same CA must not pass as a client identity. OpenSSL's purpose
  // check refuses it already; checking here keeps that true whatever the TLS options are.
  if (cert.ext_key_usage && !cert.ext_key_usage.includes(CLIENT_AUTH_OID)) return null;
  const user = first(cert.subject.CN);
  if (!user) return null;
  return { user, groups: withAuthenticated(list(cert.subject.O)) };
}

function fromBearer(req: IncomingMessage, tokenDigest: Buffer): UserInfo | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const m = /^bearer\s+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) return null;
  // Comparing fixed-length digests keeps the comparison constant-time whatever the input length.
  if (!timingSafeEqual(digest(m[1]), tokenDigest)) return null;
  return { user: ADMIN_USER, groups: withAuthenticated([ADMIN_GROUP]) };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function first(v: string | string[] | undefined): string | undefined {
  return list(v)[0];
}

function withAuthenticated(groups: string[]): string[] {
  return groups.includes(AUTHENTICATED) ? groups : [...groups, AUTHENTICATED];
}

export const UNAUTHORIZED_STATUS = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Unauthorized',
  reason: 'Unauthorized',
  code: 401,
} as const;

/** Answers 401 the way kube-apiserver does; kubectl turns it into "You must be logged in". */
export function writeUnauthorized(res: ServerResponse): void {
  const body = JSON.stringify(UNAUTHORIZED_STATUS);
  res.writeHead(401, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache, private',
  });
  res.end(body);
}
