// End-to-end: the tutorial's DaemonSet walk-through (chapter 7.5) as a user types it, with the real kubectl
// against `kubeloop up`: one fluentd pod per node, its logs, the node-logger example, nodes coming and going.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startKubeloop } from './harness.js';

const SEED = join(import.meta.dirname, '..', '..', '..', 'shared', 'seed', 'manifests');

let c: Cluster;

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '3'] });
});

after(async () => {
  await c?.stop();
});

async function ok(args: string[]): Promise<string> {
  const r = await c.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}\n--- server log ---\n${c.logs().slice(-3000)}`);
  return r.stdout;
}

function rows(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.trim().split(/\s{2,}/));
}

async function eventually(args: string[], pred: (out: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    const r = await c.kubectl(args);
    last = `${r.stdout}${r.stderr}`;
    if (r.code === 0 && pred(r.stdout)) return r.stdout;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`timed out waiting for ${what}; last output of kubectl ${args.join(' ')}:\n${last}\n--- server log ---\n${c.logs().slice(-3000)}`);
}

/** Running pods of a DaemonSet from `kubectl get pod -o wide`: [name, node]. */
function daemonPods(out: string, prefix: string): Array<[string, string]> {
  return rows(out)
    .slice(1)
    .filter((r) => r[0]?.startsWith(`${prefix}-`) && r[1] === '1/1' && r[2] === 'Running')
    .map((r) => [r[0] as string, r[6] as string]);
}

describe('tutorial 7.5: DaemonSet', () => {
  it('kubectl apply -f fluentd.yaml puts one Ready pod on each of the three nodes', async () => {
    await eventually(['get', 'nodes'], (o) => rows(o).slice(1).filter((r) => r[1] === 'Ready').length === 3, 'three Ready nodes');
    assert.equal((await ok(['apply', '-f', join(SEED, 'fluentd.yaml')])).trim(), 'daemonset.apps/fluentd created');
    const ds = await eventually(['get', 'ds'], (o) => rows(o)[1]?.slice(0, 6).join(' ') === 'fluentd 3 3 3 3 3', 'DESIRED=CURRENT=READY=UP-TO-DATE=AVAILABLE=3');
    assert.deepEqual(rows(ds)[0], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    assert.equal(rows(ds)[1]?.[6], '<none>');
    const wide = await eventually(['get', 'pod', '-o', 'wide'], (o) => daemonPods(o, 'fluentd').length === 3, 'three Running fluentd pods');
    const nodes = daemonPods(wide, 'fluentd').map(([, n]) => n).sort();
    assert.deepEqual(nodes, ['node-1', 'node-2', 'node-3']);
  });

  it('kubectl rollout status ds reports the rollout done', async () => {
    assert.equal((await ok(['rollout', 'status', 'ds', 'fluentd', '--timeout=30s'])).trim(), 'daemon set "fluentd" successfully rolled out');
  });

  it('kubectl logs shows fluentd starting up', async () => {
    const [pod] = daemonPods(await ok(['get', 'pod', '-o', 'wide']), 'fluentd')[0]!;
    const logs = await eventually(['logs', pod], (o) => o.trim().length > 0, 'fluentd logs');
    assert.match(logs, /fluentd/i);
  });

  it('kubectl rollout history ds lists revision 1', async () => {
    const out = await ok(['rollout', 'history', 'ds', 'fluentd']);
    assert.match(out, /^daemonset\.apps\/fluentd $/m);
    assert.match(out, /^1\s+<none>$/m);
  });

  it('a Node applied with kubectl gets a daemon pod; deleting it removes the pod', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ds-node-'));
    const file = join(dir, 'node.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: Node\nmetadata:\n  name: node-4\n');
    assert.equal((await ok(['apply', '-f', file])).trim(), 'node/node-4 created');
    await eventually(['get', 'ds', 'fluentd'], (o) => rows(o)[1]?.slice(1, 6).join(' ') === '4 4 4 4 4', 'four daemon pods');
    const wide = await eventually(['get', 'pod', '-o', 'wide'], (o) => daemonPods(o, 'fluentd').some(([, n]) => n === 'node-4'), 'a fluentd pod on node-4');
    assert.equal(daemonPods(wide, 'fluentd').length, 4);
    assert.equal((await ok(['delete', 'node', 'node-4'])).trim(), 'node "node-4" deleted');
    await eventually(['get', 'ds', 'fluentd'], (o) => rows(o)[1]?.slice(1, 6).join(' ') === '3 3 3 3 3', 'back to three daemon pods', 90_000);
  });

  it('node-logger logs "Logging from <pod>"', async () => {
    assert.equal((await ok(['apply', '-f', join(SEED, 'node-logger.yaml')])).trim(), 'daemonset.apps/node-logger created');
    const wide = await eventually(['get', 'pod', '-o', 'wide'], (o) => daemonPods(o, 'node-logger').length === 3, 'three node-logger pods');
    const [pod] = daemonPods(wide, 'node-logger')[0]!;
    const logs = await eventually(['logs', pod], (o) => o.includes('Logging from'), 'node-logger output');
    assert.match(logs, new RegExp(`^Logging from ${pod}$`, 'm'));
  });

  it('kubectl delete ds --all removes both DaemonSets and their pods', async () => {
    const out = await ok(['delete', 'ds', '--all']);
    assert.match(out, /daemonset\.apps "fluentd" deleted/);
    assert.match(out, /daemonset\.apps "node-logger" deleted/);
    // A pod left on the node deleted earlier has no kubelet to finish it: pod GC force-deletes it after its
    // 40 s quarantine, checked every 20 s, so allow up to two minutes.
    await eventually(['get', 'pod'], (o) => !/fluentd-|node-logger-/.test(o), 'daemon pods gone', 120_000);
  });
});
