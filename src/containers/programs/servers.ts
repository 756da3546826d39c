// Long-running image programs: web servers that answer simulated HTTP with their real default pages and log
// formats, and daemons that print their startup lines and then wait for SIGTERM.
import { formatDate, type Program } from '../shell/commands.js';
import { FsError, normalize } from '../fs.js';
import type { HttpHandler, HttpRequest, HttpResponse } from '../http.js';

/** What a long-running program may ask of its container. */
export interface Daemon {
  listen(port: number, handler: HttpHandler): void;
  /** Resolves with the exit code once SIGTERM arrives and the program has handled it. */
  untilTerminated(exitCode: number): Promise<number>;
}

export const NGINX_INDEX = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

export const HTTPD_INDEX = '<html><body><h1>It works!</h1></body></html>\n';

function nginxError(status: number, text: string): string {
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx/1.27.5</center>\r\n</body>\r\n</html>\r\n`;
}

/** Serves files under `root` the way nginx's default server does. */
function staticSite(ctx: Parameters<Program>[0], root: string, errorPage: (s: number, t: string) => string, log: (req: HttpRequest, res: HttpResponse) => void): HttpHandler {
  return (req) => {
    const fs = ctx.sys.fs;
    const clean = decodeURIComponent(req.path.split('?')[0] ?? '/');
    let p = normalize(clean, '/');
    let res: HttpResponse;
    const e = fs.stat(`${root}${p}`);
    if (e?.kind === 'dir') p = `${p === '/' ? '' : p}/index.html`;
    try {
      const body = fs.readFile(`${root}${p}`);
      res = { status: 200, headers: { 'Content-Type': 'text/html', 'Content-Length': String(Buffer.byteLength(body)) }, body };
    } catch (err) {
      if (!(err instanceof FsError)) throw err;
      const status = e?.kind === 'dir' ? 403 : 404;
      const text = status === 403 ? 'Forbidden' : 'Not Found';
      res = { status, headers: { 'Content-Type': 'text/html' }, body: errorPage(status, text) };
    }
    if (req.method === 'HEAD') res = { ...res, body: '' };
    log(req, res);
    return res;
  };
}

function accessTime(ms: number): string {
  return formatDate(ms, '%d/%b/%Y:%H:%M:%S +0000');
}

export function nginx(daemon: Daemon): Program {
  return async (ctx, argv) => {
    if (argv.includes('-v') || argv.includes('-V')) {
      ctx.stderr('nginx version: nginx/1.27.5\n');
      return 0;
    }
    if (argv.includes('-t')) {
      ctx.stderr('nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n');
      return 0;
    }
    if (argv.includes('-s')) return 0;
    const now = formatDate(ctx.sys.now(), '%Y/%m/%d %H:%M:%S');
    for (const l of ['using the "epoll" event method', 'nginx/1.27.5', 'built by gcc 12.2.0 (Debian 12.2.0-14)', 'OS: Linux 6.8.0-1017-aws', 'getrlimit(RLIMIT_NOFILE): 1048576:1048576', 'start worker processes', 'start worker process 29']) {
      ctx.stderr(`${now} [notice] 1#1: ${l}\n`);
    }
    daemon.listen(
      80,
      staticSite(ctx, '/usr/share/nginx/html', nginxError, (req, res) =>
        ctx.stdout(`${req.remote} - - [${accessTime(ctx.sys.now())}] "${req.method} ${req.path} HTTP/1.1" ${res.status} ${Buffer.byteLength(res.body)} "-" "${req.headers['user-agent'] ?? '-'}" "-"\n`),
      ),
    );
    return daemon.untilTerminated(0);
  };
}

/** The official image's entrypoint: its configuration lines, then it execs its arguments. */
export function nginxEntrypoint(): Program {
  return async (ctx, argv) => {
    const args = argv.slice(1);
    if (args[0] === 'nginx' || args[0] === 'nginx-debug') {
      for (const l of [
        '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
        '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
        '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
        '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
        '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
        '/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh',
        '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh',
        '/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh',
        '/docker-entrypoint.sh: Configuration complete; ready for start up',
      ]) ctx.stdout(`${l}\n`);
    }
    return args.length ? ctx.shell.exec(args, ctx) : 0;
  };
}

export function httpd(daemon: Daemon): Program {
  return async (ctx) => {
    const stamp = formatDate(ctx.sys.now(), '%a %b %d %H:%M:%S.000000 %Y');
    ctx.stderr(`AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using ${ctx.sys.hostname}. Set the 'ServerName' directive globally to suppress this message\n`);
    ctx.stderr(`[${stamp}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations\n`);
    ctx.stderr(`[${stamp}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'\n`);
    daemon.listen(
      80,
      staticSite(ctx, '/usr/local/apache2/htdocs', (s, t) => `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${s} ${t}</title>\n</head><body>\n<h1>${t}</h1>\n</body></html>\n`, (req, res) =>
        ctx.stdout(`${req.remote} - - [${accessTime(ctx.sys.now())}] "${req.method} ${req.path} HTTP/1.1" ${res.status} ${Buffer.byteLength(res.body)}\n`),
      ),
    );
    return daemon.untilTerminated(0);
  };
}

export function redis(daemon: Daemon): Program {
  return async (ctx) => {
    const t = formatDate(ctx.sys.now(), '%d %b %Y %H:%M:%S.000');
    for (const l of [
      `1:C ${t} # WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition.`,
      `1:C ${t} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo`,
      `1:C ${t} * Redis version=7.4.2, bits=64, commit=00000000, modified=0, pid=1, just started`,
      `1:C ${t} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf`,
      `1:M ${t} * monotonic clock: POSIX clock_gettime`,
      `1:M ${t} * Running mode=standalone, port=6379.`,
      `1:M ${t} * Server initialized`,
      `1:M ${t} * Ready to accept connections tcp`,
    ]) ctx.stdout(`${l}\n`);
    daemon.listen(6379, () => ({ status: 400, headers: {}, body: '-ERR wrong number of arguments\r\n' }));
    const code = await daemon.untilTerminated(0);
    const e = formatDate(ctx.sys.now(), '%d %b %Y %H:%M:%S.000');
    ctx.stdout(`1:signal-handler (${Math.floor(ctx.sys.now() / 1000)}) Received SIGTERM scheduling shutdown...\n1:M ${e} # User requested shutdown...\n1:M ${e} # Redis is now ready to exit, bye bye...\n`);
    return code;
  };
}

export function fluentd(daemon: Daemon): Program {
  return async (ctx) => {
    const stamp = () => formatDate(ctx.sys.now(), '%Y-%m-%d %H:%M:%S +0000');
    const lines = [
      `${stamp()} [info]: parsing config file is succeeded path="/etc/fluent/fluent.conf"`,
      `${stamp()} [info]: using configuration file: <ROOT>`,
      '  <match fluent.**>',
      '    @type null',
      '  </match>',
      '</ROOT>',
      `${stamp()} [info]: starting fluentd-1.4.2 pid=1 ruby="2.6.3"`,
      `${stamp()} [info]: spawn command to main:  cmdline=["/usr/local/bin/ruby", "-Eascii-8bit:ascii-8bit", "/usr/local/bundle/bin/fluentd", "--under-supervisor"]`,
    ];
    for (const l of lines) ctx.stdout(`${l}\n`);
    await ctx.sys.sleep(1000);
    ctx.stdout(`${stamp()} [info]: adding match pattern="fluent.**" type="null"\n`);
    ctx.stdout(`${stamp()} [info]: #0 starting fluentd worker pid=13 ppid=1 worker=0\n`);
    ctx.stdout(`${stamp()} [info]: #0 fluentd worker is now running worker=0\n`);
    const code = await daemon.untilTerminated(0);
    ctx.stdout(`${stamp()} [info]: Received graceful stop\n${stamp()} [info]: #0 fluentd worker is now stopping worker=0\n`);
    return code;
  };
}

/** A small built-in web server for catalog images: `static-server [--port N] [--root DIR] [--] [COMMAND...]`
 * serves the files under DIR (default /srv/www) on port N (default 8080), logging one access line per request
 * on stdout, then runs COMMAND if one is given (the server lives as long as the container) or waits for
 * SIGTERM. Catalog entries use it as an entrypoint in front of their cmd. */
export function staticServer(daemon: Daemon): Program {
  return async (ctx, argv) => {
    let port = 8080;
    let root = '/srv/www';
    let i = 1;
    for (; i < argv.length; i++) {
      const a = argv[i] as string;
      const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      if (flag === '--') {
        i++;
        break;
      }
      if (flag === '-p' || flag === '--port' || flag === '-d' || flag === '--root' || flag === '-h') {
        const v = inline ?? argv[++i];
        if (v === undefined) {
          ctx.stderr(`static-server: option ${flag} needs a value\n`);
          return 2;
        }
        if (flag === '-p' || flag === '--port') {
          const n = Number(v);
          if (!Number.isInteger(n) || n <= 0 || n > 65535) {
            ctx.stderr(`static-server: invalid port ${JSON.stringify(v)}\n`);
            return 2;
          }
          port = n;
        } else root = normalize(v, ctx.cwd);
        continue;
      }
      break;
    }
    const rest = argv.slice(i);
    daemon.listen(
      port,
      staticSite(ctx, root === '/' ? '' : root, (s, t) => `<html><head><title>${s} ${t}</title></head><body><h1>${s} ${t}</h1></body></html>\n`, (req, res) =>
        ctx.stdout(`${req.remote} - - [${accessTime(ctx.sys.now())}] "${req.method} ${req.path} HTTP/1.1" ${res.status} ${Buffer.byteLength(res.body)}\n`),
      ),
    );
    return rest.length ? ctx.shell.exec(rest, ctx) : daemon.untilTerminated(0);
  };
}
