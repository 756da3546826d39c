// `kubeloop dashboard`: prints (and with --open, opens) a link that logs a browser on this machine into the
// dashboard. The link carries a one-time token, valid for a minute, that the server mints for a caller holding
// the kubeconfig's credentials; the browser trades it for an HttpOnly session cookie. Only loopback servers.
import { spawn } from 'node:child_process';
import https from 'node:https';
import http from 'node:http';
import { Command, Option } from 'commander';
import { readKubeconfig } from '../client/http-kubeconfig.js';
import { kubeconfigPathForMerge } from './kubeconfig.js';

export interface DashboardOptions {
  kubeconfig?: string;
  context?: string;
  open?: boolean;
}

function loopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** Asks the server for a one-time login link; resolves with the URL to open. */
export async function dashboardLink(opts: DashboardOptions): Promise<string> {
  const conn = await readKubeconfig(opts.kubeconfig ?? kubeconfigPathForMerge(), opts.context ?? 'kubeloop');
  const base = new URL(conn.server);
  if (!loopbackHost(base.hostname)) {
    throw new Error(`the dashboard logs in on this machine only, and ${conn.server} is not a loopback address: run \`kubectl proxy\` and open http://127.0.0.1:8001/ui/ instead`);
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  const target = new URL(`${prefix}/ui/api/login-token`, base);
  const body = await new Promise<string>((resolve, reject) => {
    const headers: Record<string, string> = { Accept: 'application/json', 'Content-Length': '0' };
    if (conn.token && target.protocol === 'https:') headers.Authorization = `Bearer ${conn.token}`;
    const common = { method: 'POST', headers };
    const req =
      target.protocol === 'https:'
        ? https.request(target, {
            ...common,
            ...(conn.ca ? { ca: conn.ca } : {}),
            ...(conn.cert ? { cert: conn.cert } : {}),
            ...(conn.key ? { key: conn.key } : {}),
            rejectUnauthorized: !conn.insecureSkipTLSVerify,
          })
        : http.request(target, common);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 201) resolve(text);
        else reject(new Error(`the server refused a dashboard login (HTTP ${res.statusCode}): ${text.slice(0, 200)}`));
      });
    });
    req.on('error', (err) => reject(new Error(`cannot reach kubeloop at ${conn.server}: ${err.message}`)));
    req.end();
  });
  const { token } = JSON.parse(body) as { token: string };
  return new URL(`${prefix}/ui/login?token=${encodeURIComponent(token)}`, base).toString();
}

function openInBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => process.stderr.write(`kubeloop: could not start ${cmd}; open the link above yourself\n`));
    child.unref();
  } catch {
    process.stderr.write(`kubeloop: could not start ${cmd}; open the link above yourself\n`);
  }
}

export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description('print a one-time link (valid for a minute) that logs this machine\'s browser into the dashboard at /ui/')
    .exitOverride()
    .addOption(new Option('--kubeconfig <file>', 'kubeconfig to read the server and credentials from (default $KUBECONFIG or ~/.kube/config)'))
    .addOption(new Option('--context <name>', 'context of the kubeconfig').default('kubeloop'))
    .addOption(new Option('--open', 'also open the link in the default browser'))
    .action(async (opts: DashboardOptions) => {
      const url = await dashboardLink(opts);
      process.stdout.write(`${url}\n`);
      if (opts.open) openInBrowser(url);
    });
}
