// The dashboard at /ui/: served behind the API's authentication, logged into with `kubeloop dashboard`'s
// one-time link, usable through `kubectl proxy`, and (with Debian's chromium) live in a real
// browser: tiles appear for a new Deployment and follow a `kubectl scale`, the decision timeline shows the
// rolling update's surge arithmetic, and a pod's logs follow; from the page, a node is added, stopped (it turns
// NotReady) and removed, the clock's time scale and pause land in ConfigMap kube-system/kubeloop-clock, and the
// exec terminal runs `hostname` in a pod (its WebSocket authenticated by the session cookie and its Origin).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { findKubectl, REPO_ROOT } from './kubectl.js';
import { type Cluster, startKubeloop } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: REPO_ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('dashboard', { timeout: 240_000 }, () => {
  let c: Cluster;
  let token: string;

  before(async () => {
    c = await startKubeloop({ args: ['--timing', 'instant'] });
    const cfg = YAML.parse(await readFile(c.kubeconfig, 'utf8')) as { users: Array<{ user: { token?: string } }> };
    token = cfg.users[0]?.user.token ?? '';
    assert.ok(token, 'the kubeconfig carries a bearer token');
  });
  after(async () => {
    await c?.stop();
  });

  const loginLink = async (): Promise<string> => {
    const r = await runCli(['dashboard', '--kubeconfig', c.kubeconfig], { ...process.env, HOME: c.home, KUBECONFIG: c.kubeconfig });
    assert.equal(r.code, 0, r.stderr);
    const link = r.stdout.trim();
    assert.match(link, /^https:\/\/127\.0\.0\.1:\d+\/ui\/login\?token=[\w-]+$/);
    return link;
  };

  it('is served behind the API authentication and named in the ready line', async () => {
    assert.match(c.logs(), new RegExp(`dashboard: ${c.url}/ui/`));
    assert.equal((await get(`${c.url}/ui/`)).status, 401);
    assert.equal((await get(`${c.url}/ui/app.js`)).status, 401);
    assert.equal((await get(`${c.url}/ui/api/decisions`)).status, 401);
    const page = await get(`${c.url}/ui/`, { Authorization: `Bearer ${token}` });
    assert.equal(page.status, 200);
    assert.match(page.body, /<script type="module" src="app\.js">/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    const js = await get(`${c.url}/ui/app.js`, { Authorization: `Bearer ${token}` });
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
    // Relative API paths only, so the page works under kubectl proxy's mount point too.
    assert.match(js.body, /\.\.\/api\/v1\/pods/);
    assert.doesNotMatch(js.body, /["'`]\/api\/v1/);
    assert.equal((await get(`${c.url}/ui`, { Authorization: `Bearer ${token}` })).status, 301);
  });

  it('kubeloop dashboard prints a one-time link that becomes a session cookie', async () => {
    const link = await loginLink();
    const first = await get(link);
    assert.equal(first.status, 200);
    const setCookie = String(first.headers['set-cookie']);
    assert.match(setCookie, /kubeloop-ui=[\w-]+; HttpOnly; Secure; SameSite=Strict; Path=\//);
    const cookie = (/kubeloop-ui=[\w-]+/.exec(setCookie) ?? [''])[0];
    assert.equal((await get(link)).status, 401, 'the token is spent');
    assert.equal((await get(`${c.url}/ui/`, { Cookie: cookie })).status, 200);
    assert.equal((await get(`${c.url}/api/v1/namespaces`, { Cookie: cookie })).status, 200);
    assert.equal((await get(`${c.url}/api/v1/namespaces`, { Cookie: 'kubeloop-ui=forged' })).status, 401);
    // A write another site's page started is refused even with the cookie.
    const cross = await get(`${c.url}/api/v1/namespaces/default/pods/x`, { Cookie: cookie, Origin: 'https://evil.example' }, 'DELETE');
    assert.equal(cross.status, 401);
  });

  it('works through kubectl proxy at /ui/', async () => {
    const kubectl = await findKubectl();
    const proxy = spawn(kubectl, ['proxy', '--port=0'], { env: { ...process.env, HOME: c.home, KUBECONFIG: c.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let out = '';
        const t = setTimeout(() => reject(new Error(`kubectl proxy did not start: ${out}`)), 20_000);
        proxy.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(out);
          if (m?.[1]) {
            clearTimeout(t);
            resolve(m[1]);
          }
        });
      });
      const base = `http://127.0.0.1:${port}`;
      const page = await fetch(`${base}/ui/`);
      assert.equal(page.status, 200);
      assert.equal((await fetch(`${base}/ui/app.js`)).status, 200);
      assert.equal((await fetch(new URL('../api/v1/pods', `${base}/ui/`))).status, 200);
    } finally {
      proxy.kill();
    }
  });

  it('shows pod tiles live in a browser, the rolling update arithmetic, and following logs', async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does`);
    const { chromium } = await import('playwright-core');
    const profile = await mkdtemp(join(tmpdir(), 'kubeloop-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      ignoreHTTPSErrors: true,
      viewport: { width: 1440, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(await loginLink());
      await page.waitForURL(/\/ui\/(#.*)?$/);
      await page.locator('.col[data-node="node-1"]').waitFor({ timeout: 20_000 });
      await page.getByText('Live', { exact: true }).waitFor({ timeout: 20_000 });

      const ok = async (args: string[]) => {
        const r = await c.kubectl(args);
        assert.equal(r.code, 0, r.stderr);
      };
      await ok(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3']);
      const tiles = page.locator('.tile[data-pod^="web-"]');
      await page.waitForFunction(() => document.querySelectorAll('.tile[data-pod^="web-"][data-status="Running"]').length === 3, undefined, { timeout: 30_000 });

      // A scale shows up as new tiles within about a second.
      const scaled = Date.now();
      await ok(['scale', 'deployment', 'web', '--replicas=6']);
      await page.waitForFunction(() => document.querySelectorAll('.tile[data-pod^="web-"]').length === 6, undefined, { timeout: 10_000 });
      const tookMs = Date.now() - scaled;
      assert.ok(tookMs < 5000, `tiles appeared after ${tookMs} ms`);
      assert.equal(await tiles.count(), 6);

      // A rolling update: the Deployment's timeline explains the surge arithmetic.
      await page.waitForFunction(() => document.querySelectorAll('.tile[data-pod^="web-"][data-status="Running"]').length === 6, undefined, { timeout: 30_000 });
      await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.28']);
      await page.getByRole('button', { name: 'Workloads' }).click();
      await page.locator('.tree button', { hasText: /^Deployment web/ }).first().click();
      await page.getByRole('tab', { name: 'Why' }).click();
      await page.locator('.timeline').getByText(/desired 6, 8 allowed by maxSurge 2, 5 must stay available by maxUnavailable 1: created new ReplicaSet web-\w+ \(revision 2\).* from 0 to 2/).first().waitFor({ timeout: 20_000 });
      await page.getByRole('tab', { name: 'YAML' }).click();
      await page.locator('pre.yaml', { hasText: 'image: nginx:1.28' }).waitFor();

      // Controls go through the API: scale from the page.
      await page.getByRole('tab', { name: 'Why' }).click();
      await page.getByLabel('Replicas').fill('2');
      await page.getByRole('button', { name: 'Scale' }).click();
      await page.getByRole('status').filter({ hasText: 'scale to 2: done' }).waitFor({ timeout: 10_000 });
      const replicas = await c.kubectl(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']);
      assert.equal(replicas.stdout, '2');

      // Logs follow.
      await ok(['create', 'deployment', 'ticker', '--image=busybox', '--', 'sh', '-c', 'i=0; while true; do i=$(expr $i + 1); echo "tick $i"; sleep 1; done']);
      await page.getByRole('button', { name: 'Nodes' }).click();
      const ticker = page.locator('.tile[data-pod^="ticker-"][data-status="Running"]');
      await ticker.first().waitFor({ timeout: 30_000 });
      await ticker.first().click();
      await page.locator('pre.logs', { hasText: 'tick 1' }).waitFor({ timeout: 15_000 });
      await page.locator('pre.logs', { hasText: 'tick 3' }).waitFor({ timeout: 15_000 });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    }
  });

  it('refuses a cookie-authenticated WebSocket upgrade from another site', async () => {
    const link = await loginLink();
    const cookie = (/kubeloop-ui=[\w-]+/.exec(String((await get(link)).headers['set-cookie'])) ?? [''])[0];
    const host = new URL(c.url).host;
    const upgrade = (origin: string) =>
      new Promise<string>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port: Number(new URL(c.url).port), rejectUnauthorized: false }, () => {
          s.write(
            `GET /api/v1/namespaces/default/pods/nope/exec?command=sh&stdin=true&stdout=true&tty=true HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
              `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\nCookie: ${cookie}\r\nOrigin: ${origin}\r\n\r\n`,
          );
        });
        let got = '';
        s.on('data', (d: Buffer) => {
          got += d.toString();
          if (got.includes('\r\n')) {
            resolve(got.split('\r\n')[0] ?? '');
            s.destroy();
          }
        });
        s.on('error', reject);
      });
    assert.match(await upgrade('https://evil.example'), / 401 /);
    // The page's own Origin gets through authentication (and on to the pod lookup: no such pod).
    assert.match(await upgrade(`https://${host}`), / 404 | 400 /);
  });

  it('adds, stops and removes nodes, sets the clock and runs a shell from the page', async () => {
    const { chromium } = await import('playwright-core');
    const profile = await mkdtemp(join(tmpdir(), 'kubeloop-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      ignoreHTTPSErrors: true,
      viewport: { width: 1440, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const clockYaml = async () => (await c.kubectl(['get', 'cm', 'kubeloop-clock', '-n', 'kube-system', '-o', 'yaml'])).stdout;
    const until = async (what: string, pred: () => Promise<boolean>, ms = 15_000) => {
      const end = Date.now() + ms;
      while (!(await pred())) {
        if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(await loginLink());
      await page.getByText('Live', { exact: true }).waitFor({ timeout: 20_000 });

      // The clock: its time scale and pause go into the ConfigMap, as kubectl edit would put them.
      await page.getByLabel('Time scale').selectOption('30');
      await until('timeScale "30" in the ConfigMap', async () => /timeScale: "30"/.test(await clockYaml()));
      await page.getByRole('button', { name: /Pause clock/ }).click();
      await until('paused "true" in the ConfigMap', async () => /paused: "true"/.test(await clockYaml()));
      await page.getByRole('button', { name: /Resume clock/ }).click();
      await until('paused "false" in the ConfigMap', async () => /paused: "false"/.test(await clockYaml()));

      // Nodes: add one, stop a kubelet (at time scale 30 the 50 s grace period is under 2 s), remove one.
      await page.getByRole('button', { name: 'Nodes' }).click();
      await page.getByLabel('New node').fill('node-9');
      await page.getByRole('button', { name: 'Add node' }).click();
      await page.locator('.col[data-node="node-9"]:not(.notready)').waitFor({ timeout: 15_000 });
      await page.locator('.col[data-node="node-2"] h3 button').click();
      await page.getByRole('button', { name: 'Stop kubelet' }).click();
      await page.getByRole('status').filter({ hasText: 'stop kubelet: done' }).waitFor({ timeout: 10_000 });
      await page.locator('.col.notready[data-node="node-2"]').waitFor({ timeout: 20_000 });
      const ready = await c.kubectl(['get', 'node', 'node-2', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
      assert.equal(ready.stdout, 'Unknown');
      await page.getByRole('button', { name: 'Start kubelet' }).click();
      await page.locator('.col[data-node="node-2"]:not(.notready)').waitFor({ timeout: 20_000 });
      await page.getByRole('button', { name: 'Close details' }).click();
      await page.locator('.col[data-node="node-9"] h3 button').click();
      await page.getByRole('button', { name: 'Remove node' }).click();
      await page.locator('.col[data-node="node-9"]').waitFor({ state: 'detached', timeout: 15_000 });
      assert.equal((await c.kubectl(['get', 'node', 'node-9'])).code, 1);

      // The exec terminal: sh in a pod, typed into, prints its hostname.
      await page.getByRole('button', { name: 'Close details' }).click();
      const pod = page.locator('.tile[data-pod^="ticker-"][data-status="Running"]').first();
      await pod.waitFor({ timeout: 30_000 });
      const name = (await pod.getAttribute('data-pod')) ?? '';
      await pod.click();
      await page.getByRole('tab', { name: 'Terminal' }).click();
      const term = page.locator('pre.term[data-state="open"]');
      await term.waitFor({ timeout: 10_000 });
      await term.focus();
      await page.keyboard.type('hostnamx');
      await page.keyboard.press('Backspace');
      await page.keyboard.type('e');
      await page.keyboard.press('Enter');
      await page.waitForFunction((n) => (document.querySelector('pre.term')?.textContent ?? '').split('\n').some((l) => l.trim() === n), name, { timeout: 10_000 });
      assert.match((await term.textContent()) ?? '', /hostname\n/);
      // Tab leaves the terminal: the keyboard is never trapped.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('term')), false);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    }
  });
});
