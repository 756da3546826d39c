// End-to-end: node failure as a user demonstrates it, with the kubeloop CLI and the real kubectl. Cluster
// time runs 20 times faster so the node controller's 50 s grace period passes in a few seconds.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { rows, kube } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';
import { REPO_ROOT } from './kubectl.js';

let c: Cluster;
const k = kube(() => c);

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '3', '--time-scale', '20'] });
});

after(async () => {
  await c?.stop();
});

async function kubeloop(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...args, '--kubeconfig', c.kubeconfig], { cwd: REPO_ROOT, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function statusOf(out: string, node: string): string | undefined {
  return rows(out).find((r) => r[0] === node)?.[1];
}

describe('kubeloop node', () => {
  it('stop makes a node NotReady and tainted; start makes it Ready again', async () => {
    await k.eventually(['get', 'nodes'], (o) => rows(o).slice(1).filter((r) => r[1] === 'Ready').length === 3, 'three Ready nodes');
    const stop = await kubeloop(['node', 'stop', 'node-2']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout.trim(), 'node/node-2 kubelet stopped');
    await k.eventually(['get', 'nodes'], (o) => statusOf(o, 'node-2') === 'NotReady', 'node-2 NotReady', 90_000);
    assert.equal(statusOf(await k.ok(['get', 'nodes']), 'node-1'), 'Ready');
    await k.eventually(['get', 'node', 'node-2', '-o', 'jsonpath={.spec.taints[*].key}'], (o) => o.includes('node.kubernetes.io/unreachable'), 'the unreachable taint');
    const ls = await kubeloop(['node', 'ls']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /node-2\s+NotReady\s+stopped/);

    const start = await kubeloop(['node', 'start', 'node-2']);
    assert.equal(start.code, 0, start.stderr);
    assert.equal(start.stdout.trim(), 'node/node-2 kubelet started');
    await k.eventually(['get', 'nodes'], (o) => statusOf(o, 'node-2') === 'Ready', 'node-2 Ready again');
    await k.eventually(['get', 'node', 'node-2', '-o', 'jsonpath={.spec.taints}'], (o) => !o.includes('unreachable'), 'the taint removed');
  });

  it('add creates a Ready node; rm removes it', async () => {
    const add = await kubeloop(['node', 'add', 'node-9', '--labels', 'tier=edge']);
    assert.equal(add.code, 0, add.stderr);
    assert.equal(add.stdout.trim(), 'node/node-9 created');
    await k.eventually(['get', 'nodes'], (o) => statusOf(o, 'node-9') === 'Ready', 'node-9 Ready');
    assert.equal((await k.ok(['get', 'node', 'node-9', '-o', 'jsonpath={.metadata.labels.tier}'])).trim(), 'edge');

    const again = await kubeloop(['node', 'add', 'node-9']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /node "node-9" already exists/);

    const rm = await kubeloop(['node', 'rm', 'node-9']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(rm.stdout.trim(), 'node/node-9 deleted');
    await k.eventually(['get', 'nodes'], (o) => statusOf(o, 'node-9') === undefined, 'node-9 gone');
  });

  it('add with --cpu and --memory makes a machine of that size, as kubectl shows it', async () => {
    const add = await kubeloop(['node', 'add', 'small-1', '--cpu', '2', '--memory', '4Gi', '--pods', '50', '--labels', 'size=small', '--taints', 'dedicated=small:NoSchedule']);
    assert.equal(add.code, 0, add.stderr);
    assert.equal(add.stdout.trim(), 'node/small-1 created');
    await k.eventually(['get', 'nodes'], (o) => statusOf(o, 'small-1') === 'Ready', 'small-1 Ready');
    const capacity = JSON.parse(await k.ok(['get', 'node', 'small-1', '-o', 'jsonpath={.status.capacity}']));
    assert.equal(capacity.cpu, '2');
    assert.equal(capacity.memory, '4Gi');
    assert.equal(capacity.pods, '50');
    const allocatable = JSON.parse(await k.ok(['get', 'node', 'small-1', '-o', 'jsonpath={.status.allocatable}']));
    assert.equal(allocatable.cpu, '2');
    assert.equal(allocatable.memory, '3996Mi', 'less the 100Mi eviction threshold (stored in canonical form)');
    assert.equal((await k.ok(['get', 'node', 'small-1', '-o', 'jsonpath={.spec.taints[0].key}={.spec.taints[0].value}:{.spec.taints[0].effect}'])).trim(), 'dedicated=small:NoSchedule');

    const describe = await k.ok(['describe', 'node', 'small-1']);
    assert.match(describe, /Labels:\s+[\s\S]*size=small/);
    assert.match(describe, /Taints:\s+dedicated=small:NoSchedule/);
    const section = (title: string) => describe.slice(describe.indexOf(`${title}:`)).split('\n').slice(1, 8).join('\n');
    assert.match(section('Capacity'), /cpu:\s+2\n/);
    assert.match(section('Capacity'), /memory:\s+4Gi\n/);
    assert.match(section('Capacity'), /pods:\s+50/);
    assert.match(section('Allocatable'), /cpu:\s+2\n/);

    // A minute of heartbeats later the kubelet still reports the same machine.
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(JSON.parse(await k.ok(['get', 'node', 'small-1', '-o', 'jsonpath={.status.capacity}'])).cpu, '2');

    const bad = await kubeloop(['node', 'add', 'small-2', '--cpu', 'lots']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid cpu "lots"/);
    assert.equal((await kubeloop(['node', 'rm', 'small-1'])).code, 0);
  });

  it('names a missing node with exit code 1', async () => {
    for (const verb of ['stop', 'start', 'rm']) {
      const r = await kubeloop(['node', verb, 'nope']);
      assert.equal(r.code, 1, `${verb}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stderr.trim(), 'kubeloop: node "nope" not found');
    }
  });
});
