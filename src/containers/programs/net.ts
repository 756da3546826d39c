// curl and wget against the simulated servers, with the error texts and exit codes the real tools give.
import type { Program } from '../shell/commands.js';
import { type Resolver, STATUS_TEXT } from '../http.js';

function parseUrl(raw: string): { host: string; port: number; path: string } | undefined {
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`;
  try {
    const u = new URL(withScheme);
    return { host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), path: `${u.pathname}${u.search}` };
  } catch {
    return undefined;
  }
}

export function curl(resolve: Resolver, remote: () => string): Program {
  return async (ctx, argv) => {
    let silent = false;
    let showErr = false;
    let include = false;
    let fail = false;
    let output: string | undefined;
    let method = 'GET';
    let url: string | undefined;
    let writeOut: string | undefined;
    const a = argv.slice(1);
    for (let i = 0; i < a.length; i++) {
      const x = a[i] as string;
      if (x === '-o' || x === '--output') output = a[++i];
      else if (x === '-X' || x === '--request') method = a[++i] ?? 'GET';
      else if (x === '-w' || x === '--write-out') writeOut = a[++i];
      else if (x === '-H' || x === '-d' || x === '--data' || x === '-m' || x === '--max-time' || x === '--connect-timeout') i++;
      else if (x.startsWith('--')) {
        if (x === '--silent') silent = true;
        if (x === '--fail') fail = true;
        if (x === '--include') include = true;
        if (x === '--show-error') showErr = true;
      } else if (x.startsWith('-') && x.length > 1) {
        for (const c of x.slice(1)) {
          if (c === 's') silent = true;
          if (c === 'S') showErr = true;
          if (c === 'i') include = true;
          if (c === 'f') fail = true;
          if (c === 'I') method = 'HEAD';
        }
      } else url = x;
    }
    const err = (code: number, msg: string) => {
      if (!silent || showErr) ctx.stderr(`curl: (${code}) ${msg}\n`);
      return code;
    };
    if (!url) return err(2, 'no URL specified');
    const u = parseUrl(url);
    if (!u) return err(3, 'URL rejected: Malformed input to a URL function');
    const handler = await resolve(u.host, u.port);
    if (handler === 'unknown-host') return err(6, `Could not resolve host: ${u.host}`);
    if (!handler) return err(7, `Failed to connect to ${u.host} port ${u.port} after 0 ms: Couldn't connect to server`);
    const res = await handler({ method, path: u.path || '/', headers: { host: u.host, 'user-agent': 'curl/8.5.0' }, remote: remote() });
    if (fail && res.status >= 400) return err(22, `The requested URL returned error: ${res.status}`);
    let text = '';
    if (include || method === 'HEAD') {
      text += `HTTP/1.1 ${res.status} ${STATUS_TEXT[res.status] ?? ''}\r\n`;
      for (const [k, v] of Object.entries(res.headers)) text += `${k}: ${v}\r\n`;
      text += '\r\n';
    }
    if (method !== 'HEAD') text += res.body;
    if (output) ctx.sys.fs.writeFile(output.startsWith('/') ? output : `${ctx.cwd}/${output}`, text);
    else ctx.stdout(text);
    if (writeOut) ctx.stdout(writeOut.replace(/%\{http_code\}/g, String(res.status)).replace(/\\n/g, '\n'));
    return 0;
  };
}

export function wget(resolve: Resolver, remote: () => string): Program {
  return async (ctx, argv) => {
    const a = argv.slice(1);
    let quiet = false;
    let output: string | undefined;
    let url: string | undefined;
    for (let i = 0; i < a.length; i++) {
      const x = a[i] as string;
      if (x === '--quiet') quiet = true;
      else if (x === '-T' || x === '--timeout') i++;
      else if (x.startsWith('--')) continue;
      else if (x.startsWith('-') && x.length > 1) {
        // Short options cluster, and -O takes the rest of the cluster or the next word: -qO- is common.
        for (let j = 1; j < x.length; j++) {
          if (x[j] === 'q') quiet = true;
          else if (x[j] === 'O') {
            output = j + 1 < x.length ? x.slice(j + 1) : a[++i];
            break;
          }
        }
      } else url = x;
    }
    if (!url) {
      ctx.stderr('BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [-O FILE] URL...\n');
      return 1;
    }
    const u = parseUrl(url);
    const handler = u ? await resolve(u.host, u.port) : 'unknown-host';
    if (!u || handler === 'unknown-host') {
      ctx.stderr(`wget: bad address '${u?.host ?? url}'\n`);
      return 1;
    }
    if (!quiet) ctx.stderr(`Connecting to ${u.host}${u.port === 80 ? '' : `:${u.port}`} (${u.host}:${u.port})\n`);
    if (!handler) {
      ctx.stderr(`wget: can't connect to remote host (${u.host}): Connection refused\n`);
      return 1;
    }
    const res = await handler({ method: 'GET', path: u.path || '/', headers: { host: u.host, 'user-agent': 'Wget' }, remote: remote() });
    if (res.status >= 400) {
      ctx.stderr(`wget: server returned error: HTTP/1.1 ${res.status} ${STATUS_TEXT[res.status] ?? ''}\n`);
      return 1;
    }
    const file = output ?? (u.path.replace(/\/$/, '').split('/').pop() || 'index.html');
    if (file === '-') ctx.stdout(res.body);
    else {
      ctx.sys.fs.writeFile(file.startsWith('/') ? file : `${ctx.cwd}/${file}`, res.body);
      if (!quiet) ctx.stderr(`saving to '${file}'\n${file}             100% |********************************|   ${res.body.length}  0:00:00 ETA\n'${file}' saved\n`);
    }
    return 0;
  };
}
