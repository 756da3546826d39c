// Takes the README's dashboard screenshots (docs/dashboard-*.png) with playwright-core and Debian's chromium:
// a rolling update caught mid-way, with the Deployment's decision timeline, the StatefulSet walk-through with
// its controller's reasoning, and a stopped node beside a pod's exec terminal (the clock sped up from the page).
// Run from the repository root: node --import tsx docs/screenshots.ts
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startKubeloop } from '../test/e2e/harness.js';

const c = await startKubeloop();
const profile = await mkdtemp(join(tmpdir(), 'kubeloop-shots-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  ignoreHTTPSErrors: true,
  viewport: { width: 1366, height: 768 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const ok = async (args: string[], stdin?: string) => {
    const r = await c.kubectl(args, stdin === undefined ? {} : { stdin });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  };
  const link = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'dashboard', '--kubeconfig', c.kubeconfig], { encoding: 'utf8' }).stdout.trim();
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(link);
  await page.locator('.col[data-node="node-1"]').waitFor();

  await ok(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=8']);
  await page.waitForFunction(() => document.querySelectorAll('.tile[data-pod^="web-"][data-status="Running"]').length === 8, undefined, { timeout: 60_000 });
  await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.28']);
  await page.waitForFunction(() => document.querySelectorAll('.tile[data-status="Terminating"], .tile[data-status="ContainerCreating"]').length >= 3, undefined, { timeout: 30_000 });
  await page.screenshot({ path: 'docs/dashboard-rolling-update-nodes.png' });
  await page.getByRole('button', { name: 'Workloads' }).click();
  await page.locator('.tree button', { hasText: /^Deployment web/ }).first().click();
  await page.locator('.timeline li').nth(2).waitFor({ timeout: 30_000 });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: 'docs/dashboard-rolling-update-why.png' });

  await ok(['apply', '-f', '-'], await import('node:fs').then((fs) => fs.readFileSync('../shared/seed/manifests/mysts.yaml', 'utf8')));
  await page.getByRole('button', { name: 'Close details' }).click();
  await page.locator('.tree button', { hasText: /^StatefulSet mysts/ }).first().click();
  await page.waitForFunction(() => document.querySelectorAll('.tree button.s-running').length >= 9, undefined, { timeout: 60_000 }).catch(() => undefined);
  await page.waitForFunction(() => [...document.querySelectorAll('.tree button')].some((b) => /#1 mysts-1/.test(b.textContent ?? '')), undefined, { timeout: 30_000 });
  await page.getByRole('tab', { name: 'Why' }).click();
  await page.locator('.timeline', { hasText: /waits: mysts-\d not Ready/ }).waitFor({ timeout: 30_000 });
  await page.waitForTimeout(700);
  await page.screenshot({ path: 'docs/dashboard-statefulset.png' });
  await page.getByRole('button', { name: 'Services & volumes' }).click();
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'docs/dashboard-services-volumes.png' });

  // Time ×30 from the page, node-3's kubelet stopped (NotReady after the 50 s grace period, under 2 s now),
  // and a shell in a pod.
  await page.getByRole('button', { name: 'Nodes' }).click();
  await page.getByRole('button', { name: 'Close details' }).click();
  await page.getByLabel('Time scale').selectOption('30');
  await page.locator('.col[data-node="node-3"] h3 button').click();
  await page.getByRole('button', { name: 'Stop kubelet' }).click();
  await page.locator('.col.notready[data-node="node-3"]').waitFor({ timeout: 30_000 });
  await page.locator('.col[data-node="node-1"] .tile[data-pod^="web-"][data-status="Running"]').first().click();
  await page.getByRole('tab', { name: 'Terminal' }).click();
  await page.locator('pre.term[data-state="open"]').focus();
  await page.keyboard.type('hostname\n');
  await page.keyboard.type('ls /\n');
  await page.keyboard.type('date\n');
  await page.waitForTimeout(700);
  await page.screenshot({ path: 'docs/dashboard-node-stopped-terminal.png' });
} finally {
  await browser.close();
  await rm(profile, { recursive: true, force: true });
  await c.stop();
}
