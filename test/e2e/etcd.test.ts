// End-to-end: several kubeloop processes on one etcd (Debian's etcd-server, started here on free ports). Two
// API servers serve the same objects and watches; one controllers process and one nodes process act behind
// their Leases; when the controllers process is killed with SIGKILL, a new one takes over within the lease
// duration and converges without duplicate pods.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type EtcdServer, startEtcd } from '../../src/store/testdata/etcd-server.js';
import { kube } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';
import { REPO_ROOT } from './kubectl.js';

let etcd: EtcdServer;
let a: Cluster;
let b: Cluster;
const workers = new Set<{ child: ChildProcess; log: () => string }>();
const dirs: string[] = [];
const viaA = kube(() => a);
const viaB = kube(() => b);

const LEASE_SECONDS = 3;
const common = () => ['--etcd-servers', etcd.url, '--timing', 'instant', '--nodes', '2', '--lease-duration', String(LEASE_SECONDS)];

/** A `--role controllers|nodes` process: it serves nothing, so it is ready once it says it runs. */
async function startWorker(role: 'controllers' | 'nodes'): Promise<{ child: ChildProcess; log: () => string }> {
  const dir = await mkdtemp(join(tmpdir(), `kubeloop-etcd-${role}-`));
  dirs.push(dir);
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'up', '--data-dir', dir, ...common(), '--role', role], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20000)));
  const w = { child, log: () => out };
  workers.add(w);
  const deadline = Date.now() + 60_000;
  while (!/is running against etcd/.test(out)) {
    if (child.exitCode !== null) throw new Error(`kubeloop --role ${role} exited (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) throw new Error(`kubeloop --role ${role} did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return w;
}

async function killWorker(w: { child: ChildProcess }): Promise<void> {
  if (w.child.exitCode === null && w.child.signalCode === null) {
    const gone = new Promise((r) => w.child.once('exit', r));
    w.child.kill('SIGKILL');
    await gone;
  }
  workers.delete(w as { child: ChildProcess; log: () => string });
}

before(async () => {
  etcd = await startEtcd();
  // A creates the initial namespaces; the rest start together.
  a = await startKubeloop({ durable: true, args: [...common(), '--role', 'apiserver'] });
  [b] = await Promise.all([startKubeloop({ durable: true, args: [...common(), '--role', 'apiserver'] }), startWorker('controllers'), startWorker('nodes')]);
});

after(async () => {
  for (const w of [...workers]) await killWorker(w);
  await b?.stop();
  await a?.stop();
  await etcd?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const running = (out: string) => out.trim().split('\n').filter((l) => /\bRunning\b/.test(l)).length;
const lines = (out: string) => out.trim().split('\n').filter(Boolean).length;

describe('several kubeloop processes on one etcd', () => {
  it('a deployment created through API server A runs, and B shows its pods', async () => {
    await viaA.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=3']);
    await viaB.eventually(['get', 'pods', '-l', 'app=web', '--no-headers'], (o) => running(o) === 3 && lines(o) === 3, '3 Running pods through B', 45_000);
    // Both servers hand out the same resourceVersion (etcd's mod revision) for the same object.
    const rvA = await viaA.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.metadata.resourceVersion}']);
    const rvB = await viaB.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.metadata.resourceVersion}']);
    assert.equal(rvA, rvB);
  });

  it('kubectl get -w on B sees a change made through A', async () => {
    const watching = b.kubectl(['get', 'configmaps', '-w', '--no-headers', '--output-watch-events'], { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 1500));
    await viaA.ok(['create', 'configmap', 'from-a', '--from-literal=k=v']);
    const r = await watching;
    assert.match(r.stdout, /ADDED\s+from-a\b/, `watch output:\n${r.stdout}${r.stderr}`);
  });

  it('a new controllers process takes over from a killed one and scales without duplicates', async () => {
    const old = [...workers].find((w) => /controllers is running/.test(w.log()));
    assert.ok(old);
    await killWorker(old);
    await startWorker('controllers');
    await viaA.ok(['scale', 'deployment', 'web', '--replicas=5']);
    await viaB.eventually(['get', 'pods', '-l', 'app=web', '--no-headers'], (o) => running(o) === 5 && lines(o) === 5, '5 Running pods after the takeover', 45_000);
    assert.equal(lines(await viaB.ok(['get', 'rs', '-l', 'app=web', '--no-headers'])), 1);
    // Settled: still exactly five a moment later (nobody else is creating pods).
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(lines(await viaA.ok(['get', 'pods', '-l', 'app=web', '--no-headers'])), 5);
    const holder = await viaB.ok(['get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'jsonpath={.spec.holderIdentity}']);
    assert.ok(holder.length > 0);
  });
});
