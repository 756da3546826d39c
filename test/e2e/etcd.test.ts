// End-to-end: several kubeloop processes on one etcd (Debian's etcd-server, started here on free ports). Two
// API servers serve the same objects and watches; one controllers process and one nodes process act behind
// their Leases; when the controllers process is killed with SIGKILL, a new one takes over within the lease
// duration and converges without duplicate pods. Pod streams (logs, exec, port-forward) reach the nodes
// process's kubelet server through either API server, also after another nodes process takes over; and two
// `--role all` processes on one etcd run the kubelets once between them.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type EtcdServer, startEtcd } from '../../src/store/testdata/etcd-server.js';
import { kube } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';
import { REPO_ROOT, findKubectl } from './kubectl.js';

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

const quiet = async <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);

/** `kubectl port-forward pod/NAME :80` through `c`; resolves with the local port and the child to kill. */
async function portForward(c: Cluster, pod: string, extraEnv: Record<string, string> = {}): Promise<{ port: number; stop: () => void }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(KUBECONFIG|KUBECACHEDIR|KUBERC|KUBECTL_.*)$/.test(k)) env[k] = v;
  const pf = spawn(await findKubectl(), ['port-forward', `pod/${pod}`, ':80'], { env: { ...env, ...extraEnv, HOME: c.home, KUBECONFIG: c.kubeconfig } });
  let out = '';
  pf.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no forwarding line: ${out}`)), 20_000);
    pf.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
  }).catch((err: Error) => {
    pf.kill();
    throw err;
  });
  return { port, stop: () => pf.kill() };
}

const TICKER = 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done';

describe('pod streams across processes: API servers relay to the kubelet of the nodes process', () => {
  it('logs, logs -f, exec, exec -i and port-forward through API server B', async () => {
    await viaA.ok(['run', 'ticker', '--image=busybox', '--', 'sh', '-c', TICKER]);
    await viaA.ok(['run', 'web', '--image=nginx', '--port=80']);
    await viaB.ok(['wait', '--for=condition=Ready', 'pod/ticker', 'pod/web', '--timeout=60s']);
    // The Node says where its kubelet is: the nodes process's real port and the record API servers read.
    const port = await viaB.ok(['get', 'node', 'node-1', '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}']);
    assert.ok(Number(port) > 0 && Number(port) !== 10250, `kubelet port ${port}`);
    assert.notEqual(await viaB.ok(['get', 'node', 'node-1', '-o', "jsonpath={.metadata.annotations['kubeloop\\.dev/kubelet-endpoint']}"]), '');

    await viaB.eventually(['logs', 'ticker'], (o) => /^tick 0\ntick 1\n/.test(o), 'ticker logs through B', 30_000);
    // Following: lines arrive, then the interrupted kubectl ends the stream.
    const follow = await b.kubectl(['logs', '-f', 'ticker', '--tail=1'], { timeoutMs: 3500 });
    assert.equal(follow.code, -1, 'kubectl logs -f keeps following until killed');
    assert.ok(follow.stdout.trim().split('\n').filter((l) => /^tick \d+$/.test(l)).length >= 2, `followed lines: ${follow.stdout}`);

    assert.equal(await viaB.ok(['exec', 'ticker', '--', 'echo', 'hi']), 'hi\n');
    assert.equal(await viaB.ok(['exec', '-i', 'ticker', '--', 'cat'], { stdin: 'piped in\n' }), 'piped in\n');
    const failed = await b.kubectl(['exec', 'ticker', '--', 'sh', '-c', 'exit 3']);
    assert.equal(failed.code, 3);

    // SPDY inside a WebSocket (kubectl's default) and plain SPDY (its fallback) both pass through the relay.
    for (const env of [{}, { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }] as Array<Record<string, string>>) {
      const pf = await portForward(b, 'web', env);
      try {
        const res = await fetch(`http://127.0.0.1:${pf.port}/`);
        assert.equal(res.status, 200);
        assert.match(await res.text(), /Welcome to nginx!/);
      } finally {
        pf.stop();
      }
    }
    // A pod nobody scheduled: kube-apiserver's answer.
    await viaA.ok(['run', 'nowhere', '--image=busybox', '--overrides={"apiVersion":"v1","spec":{"nodeSelector":{"no":"such-node"}}}', '--', 'sleep', '3600']);
    const r = await b.kubectl(['logs', 'nowhere']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pod nowhere does not have a host assigned/);
  });

  it('after the nodes process is killed, the next one takes the lease and logs work through its endpoint', async () => {
    const old = [...workers].find((w) => /nodes is running/.test(w.log()));
    assert.ok(old);
    const before = await viaB.ok(['get', 'node', 'node-1', '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}']);
    await killWorker(old);
    // While nobody serves the nodes, a stream request fails with a clear message and B keeps serving.
    const down = await b.kubectl(['logs', 'ticker']);
    assert.notEqual(down.code, 0);
    assert.match(down.stderr, /connection refused|no kubelet is serving node/);
    await startWorker('nodes');
    await viaB.eventually(['get', 'node', 'node-1', '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}'], (o) => o !== '' && o !== before, 'node-1 pointing at the new kubelet server', 45_000);
    await viaB.eventually(['logs', 'ticker'], (o) => /tick \d+/.test(o), 'ticker logs through the new nodes process', 45_000);
    assert.equal(await viaA.ok(['exec', 'ticker', '--', 'echo', 'again']), 'again\n');
  });
});

describe('two --role all processes on one etcd', () => {
  let etcd2: EtcdServer;
  let c: Cluster;
  let d: Cluster;
  const viaC = kube(() => c);
  const viaD = kube(() => d);
  const args = () => ['--etcd-servers', etcd2.url, '--timing', 'instant', '--nodes', '2', '--lease-duration', String(LEASE_SECONDS)];

  before(async () => {
    etcd2 = await startEtcd();
    c = await startKubeloop({ durable: true, args: args() });
    d = await startKubeloop({ durable: true, args: args() });
  });

  after(async () => {
    await quiet(d?.stop());
    await quiet(c?.stop());
    await quiet(etcd2?.stop());
  });

  it('exactly one runs the kubelets, and logs and exec work through both API servers', async () => {
    await viaC.ok(['run', 'ticker', '--image=busybox', '--', 'sh', '-c', TICKER]);
    await viaD.ok(['wait', '--for=condition=Ready', 'pod/ticker', '--timeout=60s']);
    for (const via of [viaC, viaD]) {
      await via.eventually(['logs', 'ticker'], (o) => /^tick 0\ntick 1\n/.test(o), 'ticker logs', 30_000);
      assert.equal(await via.ok(['exec', 'ticker', '--', 'echo', 'hi']), 'hi\n');
    }
    // Not double-started: one container start, no restarts, one kubelet start per node.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await viaD.ok(['get', 'pod', 'ticker', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']), '0');
    const started = await viaC.ok(['get', 'events', '--field-selector', 'involvedObject.name=ticker,reason=Started', '-o', 'jsonpath={range .items[*]}{.count}{"\\n"}{end}']);
    assert.deepEqual(started.trim().split('\n'), ['1'], `Started events of ticker: ${started}`);
    for (const node of ['node-1', 'node-2']) {
      const starts = await viaD.ok(['get', 'events', '--field-selector', `involvedObject.name=${node},reason=Starting`, '-o', 'jsonpath={range .items[*]}{.count}{"\\n"}{end}']);
      assert.deepEqual(starts.trim().split('\n'), ['1'], `kubelet Starting events of ${node}: ${starts}`);
    }
    const holder = await viaD.ok(['get', 'lease', '-n', 'kube-system', 'kubeloop-nodes', '-o', 'jsonpath={.spec.holderIdentity}']);
    assert.ok(holder.length > 0);
  });
});
