// Benchmarks: print figures, assert nothing. `npm run bench` (add `--quick` for a smaller run).
// Each section says what it measures; BENCHMARKS.md records the figures and the machine.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { allKinds } from '../src/api/kinds/index.js';
import { Registry } from '../src/api/registry.js';
import { createAuthenticator } from '../src/apiserver/authn.js';
import { ApiServer } from '../src/apiserver/server.js';
import { RealClock } from '../src/clock/clock.js';
import { ensurePki, type Pki } from '../src/cli/pki.js';
import { MemoryStore } from '../src/store/memory.js';

const quick = process.argv.includes('--quick');
const repo = join(import.meta.dirname, '..');

function pod(name: string, i: number) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'bench', shard: String(i % 10) } },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

async function startupAndIdle(): Promise<void> {
  spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'inherit' });
  const runs = quick ? 3 : 7;
  const ready: number[] = [];
  const firstKubectl: number[] = [];
  let rssKb = 0;
  for (let r = 0; r < runs; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'kubeloop-bench-'));
    const t0 = performance.now();
    const child = spawn(process.execPath, ['bin/kubeloop.js', 'up', '--port', '0', '--in-memory', '--kubeconfig', join(dir, 'kubeconfig')], {
      cwd: repo,
      env: { ...process.env, HOME: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        if (b.toString().includes('ready at')) resolve();
      });
    });
    ready.push(performance.now() - t0);
    const k = spawnSync('kubectl', ['get', 'namespaces'], { env: { ...process.env, HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') } });
    if (k.status !== 0) throw new Error(`kubectl failed: ${k.stderr}`);
    firstKubectl.push(performance.now() - t0);
    if (r === runs - 1) {
      await new Promise((res) => setTimeout(res, 2000));
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    }
    child.kill('SIGTERM');
    await new Promise((res) => child.once('exit', res));
    rmSync(dir, { recursive: true, force: true });
  }
  ready.sort((a, b) => a - b);
  firstKubectl.sort((a, b) => a - b);
  console.log(`startup: ready line after ${fmt(pct(ready, 50), 0)} ms (median of ${runs}), first \`kubectl get namespaces\` answered after ${fmt(pct(firstKubectl, 50), 0)} ms`);
  console.log(`idle RSS 2 s after start: ${fmt(rssKb / 1024)} MiB`);
}

interface Bench {
  server: ApiServer;
  url: string;
  agent: https.Agent;
  pki: Pki;
}

async function startInProcess(): Promise<Bench> {
  const pki = await ensurePki(undefined, { hosts: ['127.0.0.1'] });
  const server = new ApiServer({
    store: new MemoryStore(),
    registry: new Registry([...allKinds]),
    clock: new RealClock(),
    tls: { caCert: pki.caCert, serverCert: pki.serverCert, serverKey: pki.serverKey, authenticate: createAuthenticator(pki) },
  });
  const { url } = await server.listen(0, '127.0.0.1');
  const agent = new https.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey });
  return { server, url, agent, pki };
}

function request(b: Bench, method: string, path: string, body?: unknown, accept = 'application/json'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${b.url}${path}`, { method, agent: b.agent, headers: { accept, 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function creates(b: Bench): Promise<void> {
  const podsD = b.server.storage.registry.kind('', 'Pod');
  if (!podsD) throw new Error('no pods');
  const n = quick ? 5_000 : 20_000;
  let t = performance.now();
  for (let i = 0; i < n; i++) b.server.storage.create(podsD, 'default', pod(`inproc-${i}`, i), { decode: false });
  let s = (performance.now() - t) / 1000;
  console.log(`creates in-process (pods, no decode): ${fmt(n / s, 0)}/s over ${n}`);
  t = performance.now();
  for (let i = 0; i < n; i++) b.server.storage.create(podsD, 'default', pod(`decoded-${i}`, i), { fieldValidation: 'Strict' });
  s = (performance.now() - t) / 1000;
  console.log(`creates in-process (pods, schema decode + Strict): ${fmt(n / s, 0)}/s over ${n}`);

  const m = quick ? 2_000 : 10_000;
  const concurrency = 32;
  const worker = new Worker(new URL('./creator.mjs', import.meta.url), {
    workerData: { url: b.url, count: m, concurrency, ca: b.pki.caCert, cert: b.pki.clientCert, key: b.pki.clientKey },
  });
  const { ms } = await new Promise<{ ms: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  console.log(`creates over HTTPS (pods, client in a worker thread, ${concurrency} keep-alive connections, client cert): ${fmt(m / (ms / 1000), 0)}/s over ${m}`);
  // Clean slate for the list benchmark.
  b.server.storage.deleteCollection(podsD, 'default', {}, { gracePeriodSeconds: 0 });
}

async function tableList(b: Bench): Promise<void> {
  const podsD = b.server.storage.registry.kind('', 'Pod');
  if (!podsD) throw new Error('no pods');
  const n = 10_000;
  for (let i = 0; i < n; i++) b.server.storage.create(podsD, 'table', pod(`p-${i}`, i), { decode: false });
  const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
  const times: number[] = [];
  for (let r = 0; r < (quick ? 3 : 10); r++) {
    const t = performance.now();
    const res = await request(b, 'GET', '/api/v1/namespaces/table/pods', undefined, accept);
    times.push(performance.now() - t);
    if (res.status !== 200) throw new Error(res.text);
  }
  times.sort((a, c) => a - c);
  const jsonTimes: number[] = [];
  for (let r = 0; r < (quick ? 3 : 10); r++) {
    const t = performance.now();
    await request(b, 'GET', '/api/v1/namespaces/table/pods');
    jsonTimes.push(performance.now() - t);
  }
  jsonTimes.sort((a, c) => a - c);
  console.log(`list 10,000 pods as a Table (kubectl get pods), request to last byte: median ${fmt(pct(times, 50))} ms; as a JSON PodList: median ${fmt(pct(jsonTimes, 50))} ms`);
}

async function created(b: Bench): Promise<void> {
  await request(b, 'POST', '/api/v1/namespaces', { metadata: { name: 'table' } });
  await request(b, 'POST', '/api/v1/namespaces', { metadata: { name: 'watch' } });
}

async function watchLatency(b: Bench): Promise<void> {
  // Watchers run in a worker thread so that reading 1000 TLS streams does not share the server's event loop
  // (as with real clients, which are other processes).
  const watchers = 1000;
  const events = quick ? 20 : 100;
  const worker = new Worker(new URL('./watchers.mjs', import.meta.url), {
    workerData: {
      url: b.url,
      path: `/api/v1/namespaces/watch/configmaps?watch=true&resourceVersion=${b.server.storage.store.revision()}`,
      count: watchers,
      ca: b.pki.caCert,
      cert: b.pki.clientCert,
      key: b.pki.clientKey,
    },
  });
  await new Promise<void>((resolve) => worker.on('message', (m: { type: string }) => m.type === 'connected' && resolve()));
  const cmD = b.server.storage.registry.kind('', 'ConfigMap');
  if (!cmD) throw new Error('no configmaps');
  for (let i = 0; i < events; i++) {
    const sent = String(performance.timeOrigin + performance.now());
    b.server.storage.create(cmD, 'watch', { metadata: { name: `cm-${i}`, annotations: { 'bench/sent': sent } }, data: { i: String(i) } });
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 500));
  const latencies = await new Promise<number[]>((resolve) => {
    worker.on('message', (m: { type: string; latencies: number[] }) => m.type === 'latencies' && resolve(m.latencies));
    worker.postMessage('report');
  });
  await worker.terminate();
  latencies.sort((a, c) => a - c);
  console.log(
    `watch delivery to ${watchers} HTTPS watchers (worker thread), ${events} events: p50 ${fmt(pct(latencies, 50))} ms, p99 ${fmt(pct(latencies, 99))} ms, max ${fmt(latencies.at(-1) ?? 0)} ms (${latencies.length} deliveries)`,
  );
}

async function main(): Promise<void> {
  console.log(`kubeloop benchmarks on Node ${process.version}${quick ? ' (quick)' : ''}`);
  await startupAndIdle();
  const b = await startInProcess();
  await created(b);
  await creates(b);
  await tableList(b);
  await watchLatency(b);
  b.agent.destroy();
  await b.server.close();
}

await main();
