// Serves the dashboard at /ui/: the page and its bundle, the decision log it reads, and the one-time login
// that `kubeloop dashboard` hands to a browser. The page talks to the ordinary API with relative paths, so it
// works the same served by kubeloop (a session cookie stands in for kubectl's credentials) and through
// `kubectl proxy` (which adds its own).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { ResourceStorage } from '../../apiserver/storage/generic.js';
import type { Clock } from '../../clock/clock.js';
import { type DecisionLog, defaultDecisionLog } from '../../controllers/runtime/decisions.js';
import { serveMultiWatch } from './watch.js';

export const SESSION_COOKIE = 'kubeloop-ui';
const LOGIN_TOKEN_TTL_MS = 60_000;
const SESSION_TTL_MS = 12 * 3600_000;
const MAX_SESSIONS = 100;

/** One API server's dashboard sessions and one-time login tokens (kept in memory: a restart logs out). */
export class UiState {
  private readonly tokens = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  decisions: DecisionLog = defaultDecisionLog;

  /** A one-time token a browser exchanges at /ui/login for a session; valid for a minute. */
  mintLoginToken(now = Date.now()): string {
    this.expire(now);
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, now + LOGIN_TOKEN_TTL_MS);
    return token;
  }

  /** Spends a login token; returns a new session id, or undefined when the token is unknown or expired. */
  exchange(token: string, now = Date.now()): string | undefined {
    this.expire(now);
    let found: string | undefined;
    for (const t of this.tokens.keys()) if (sameText(t, token)) found = t;
    if (found === undefined) return undefined;
    this.tokens.delete(found);
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, now + SESSION_TTL_MS);
    return id;
  }

  validSession(id: string | undefined, now = Date.now()): boolean {
    if (!id) return false;
    const until = this.sessions.get(id);
    if (until === undefined) return false;
    if (until < now) {
      this.sessions.delete(id);
      return false;
    }
    return true;
  }

  private expire(now: number): void {
    for (const [t, until] of this.tokens) if (until < now) this.tokens.delete(t);
    for (const [s, until] of this.sessions) if (until < now) this.sessions.delete(s);
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const states = new WeakMap<object, UiState>();

/** The dashboard state of the API server whose storage is `key` (one per server, created on first use). */
export function uiStateFor(key: object): UiState {
  let s = states.get(key);
  if (!s) {
    s = new UiState();
    states.set(key, s);
  }
  return s;
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * For a request without API credentials: may it go on? Yes for the login page (it checks its one-time
 * token itself) and for a browser holding a live session cookie. A cookie never authorises a write that
 * another site's page started (its Origin must be this server); SameSite=Strict already keeps most out.
 */
export function admitDashboard(key: object, req: IncomingMessage): boolean {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (path === '/ui/login') return true;
  const state = states.get(key);
  if (!state || !state.validSession(cookieValue(req.headers.cookie, SESSION_COOKIE))) return false;
  const method = req.method ?? 'GET';
  const origin = req.headers.origin;
  if (method !== 'GET' && method !== 'HEAD' && origin !== undefined) {
    try {
      if (new URL(origin).host !== req.headers.host) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * For a WebSocket upgrade without API credentials (the page's exec terminal): a live session cookie, and an
 * Origin naming this server. Browsers always send Origin on a WebSocket handshake and SameSite does not
 * protect one opened by another site's script, so without the check any page could drive a shell
 * (cross-site WebSocket hijacking).
 */
export function admitDashboardUpgrade(key: object, req: IncomingMessage): boolean {
  const state = states.get(key);
  if (!state || !state.validSession(cookieValue(req.headers.cookie, SESSION_COOKIE))) return false;
  const origin = req.headers.origin;
  if (!origin || !req.headers.host) return false;
  try {
    const u = new URL(origin);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.host === req.headers.host;
  } catch {
    return false;
  }
}

// --- the bundle ---

interface Asset {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kubeloop</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="app.css">
</head>
<body>
<div id="app"><p>Loading the kubeloop dashboard…</p></div>
<noscript>The kubeloop dashboard needs JavaScript.</noscript>
<script type="module" src="app.js"></script>
</body>
</html>
`;

let assets: Promise<Map<string, Asset>> | undefined;

/** The built page: dist/ui/ when kubeloop runs from its bundle, else built from src/ui/app with esbuild (from
 * source through tsx, so an edit shows on the next start). */
export function loadAssets(): Promise<Map<string, Asset>> {
  assets ??= (async () => {
    const fromSource = import.meta.url.endsWith('.ts');
    const out = new Map<string, Asset>();
    out.set('index.html', { body: Buffer.from(INDEX_HTML), type: TYPES['.html'] as string });
    if (!fromSource) {
      // dist/kubeloop.js sits beside dist/ui/.
      const dir = fileURLToPath(new URL('./ui/', import.meta.url));
      if (existsSync(`${dir}app.js`)) {
        for (const name of ['app.js', 'app.css']) {
          if (existsSync(dir + name)) out.set(name, { body: await readFile(dir + name), type: typeOf(name) });
        }
        return out;
      }
    }
    for (const f of await buildUi({ write: false })) out.set(f.name, { body: Buffer.from(f.contents), type: typeOf(f.name) });
    return out;
  })();
  assets.catch(() => {
    assets = undefined;
  });
  return assets;
}

function typeOf(name: string): string {
  const ext = name.slice(name.lastIndexOf('.'));
  return TYPES[ext] ?? 'application/octet-stream';
}

/** The esbuild options of the page; scripts/build.mjs uses the same (its own copy, kept short). */
export async function buildUi(opts: { write: false }): Promise<Array<{ name: string; contents: Uint8Array }>> {
  const entry = fileURLToPath(new URL('../app/main.tsx', import.meta.url));
  if (!existsSync(entry)) throw new Error('the dashboard is not built (dist/ui is missing) and its sources are not here');
  const { build } = await import('esbuild');
  const r = await build({
    entryPoints: { app: entry },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: 'ui-out',
    write: opts.write,
    logLevel: 'silent',
  });
  return r.outputFiles.map((f) => ({ name: f.path.slice(f.path.lastIndexOf('/') + 1), contents: f.contents }));
}

// --- routes ---

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

function send(res: ServerResponse, code: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': buf.length, 'Cache-Control': 'no-cache, private', ...SECURITY_HEADERS, ...extra });
  res.end(buf);
}

function sendJson(res: ServerResponse, code: number, v: unknown): void {
  send(res, code, 'application/json', JSON.stringify(v));
}

/** Handles every path under /ui (the request is authenticated, or is the login exchange). */
export async function serveUi(deps: { storage: ResourceStorage; clock: Clock }, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const state = uiStateFor(deps.storage);
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path === '/ui') return send(res, 301, 'text/plain', 'moved', { Location: 'ui/' });
  if (path === '/ui/login') return login(state, req, res, url);
  if (path === '/ui/api/watch' && method === 'GET') return serveMultiWatch(deps.storage, req, res, url);
  if (path === '/ui/api/decisions' && method === 'GET') {
    const uid = url.searchParams.get('uid');
    const after = Number(url.searchParams.get('after') ?? 0) || 0;
    if (uid) return sendJson(res, 200, { uid, target: state.decisions.target(uid) ?? null, items: state.decisions.get(uid, after) });
    const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? 200) || 200);
    return sendJson(res, 200, { items: state.decisions.recent(limit) });
  }
  if (path === '/ui/api/login-token' && method === 'POST') {
    const token = state.mintLoginToken();
    return sendJson(res, 201, { token, path: `/ui/login?token=${token}`, expiresInSeconds: LOGIN_TOKEN_TTL_MS / 1000 });
  }
  if (path === '/ui/api/clock' && method === 'GET') return sendJson(res, 200, { now: deps.clock.now() });
  if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'MethodNotAllowed', code: 405, message: 'the dashboard only serves GET' });
  const name = path === '/ui/' ? 'index.html' : path.slice('/ui/'.length);
  let files: Map<string, Asset>;
  try {
    files = await loadAssets();
  } catch (err) {
    return send(res, 500, 'text/plain; charset=utf-8', `the dashboard could not be built: ${(err as Error).message}\n`);
  }
  const asset = files.get(name);
  if (!asset) return sendJson(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' });
  send(res, 200, asset.type, method === 'HEAD' ? Buffer.alloc(0) : asset.body);
}

function login(state: UiState, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const token = url.searchParams.get('token') ?? '';
  if (!isLoopback(req.socket.remoteAddress)) return send(res, 403, 'text/plain; charset=utf-8', 'dashboard logins are accepted from this machine only\n');
  const session = token ? state.exchange(token) : undefined;
  if (!session) return send(res, 401, 'text/plain; charset=utf-8', 'this login link is unknown, used or expired: run `kubeloop dashboard` for a new one\n');
  const secure = (req.socket as { encrypted?: boolean }).encrypted ? '; Secure' : '';
  // A page, not a redirect: the navigation to ./ then starts on this site, so the SameSite=Strict cookie
  // goes with it even when the login link was opened from another application.
  send(res, 200, 'text/html; charset=utf-8', '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=./"><title>kubeloop</title><p><a href="./">Open the dashboard</a></p>\n', {
    'Set-Cookie': `${SESSION_COOKIE}=${session}; HttpOnly${secure}; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}`,
  });
}
