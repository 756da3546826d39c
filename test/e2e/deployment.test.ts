// End-to-end: the tutorial's Deployment walk-through (chapter 7.3) as a user types it, with the real kubectl
// against `kubeloop up` (realistic timing, sped up), and an invariant checker that watches every pod while
// 100 replicas roll over.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startKubeloop } from './harness.js';
import { SEED, kube, rows } from './expect.js';
import { findKubectl } from './kubectl.js';

const HASH = '[456789bcdf]{1,10}';
const SUFFIX = '[bcdfghjklmnpqrstvwxz2456789]{5}';

let c: Cluster;
const { ok, eventually } = kube(() => c);
let workdir: string;
const startDir = process.cwd();

before(async () => {
  // kubectl --record writes the command line as typed; running it next to the manifest makes that
  // `--filename=mydeploy.yaml`, as in the tutorial.
  workdir = await mkdtemp(join(tmpdir(), 'kubeloop-deploy-'));
  await copyFile(join(SEED, 'mydeploy.yaml'), join(workdir, 'mydeploy.yaml'));
  process.chdir(workdir);
  c = await startKubeloop({ args: ['--nodes', '3', '--time-scale', '4'] });
});

after(async () => {
  process.chdir(startDir);
  await c?.stop();
  await rm(workdir, { recursive: true, force: true });
});




const WAITING = /^Waiting for deployment "mydeploy" rollout to finish: (\d+ out of 10 new replicas have been updated|\d+ old replicas are pending termination|\d+ of 10 updated replicas are available)\.\.\.$/;

/** `kubectl rollout status` to the end: every line one of kubectl's waiting messages, then success. */
async function rolloutStatus(): Promise<string[]> {
  const r = await c.kubectl(['rollout', 'status', 'deployment', 'mydeploy'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `rollout status failed: ${r.stdout}${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.at(-1), 'deployment "mydeploy" successfully rolled out');
  for (const l of lines.slice(0, -1)) assert.match(l, WAITING);
  return lines;
}

async function history(): Promise<string> {
  return ok(['rollout', 'history', 'deployment', 'mydeploy']);
}

function historyText(entries: Array<[number, string]>): string {
  const body = entries.map(([r, cause]) => `${String(r).padEnd(8)}  ${cause}`).join('\n');
  return `deployment.apps/mydeploy \nREVISION  CHANGE-CAUSE\n${body}\n\n`;
}

const APPLY_CAUSE = 'kubectl apply --record=true --filename=mydeploy.yaml';
const BROKEN_CAUSE = 'kubectl set image deployment mydeploy nginx=nginx:1.9.21 --record=true';

/** Name -> hash of the ReplicaSets, and the hash of the one at a given revision. */
async function replicaSetsByRevision(): Promise<Map<string, string>> {
  const list = JSON.parse(await ok(['get', 'rs', '-o', 'json'])) as { items: Array<{ metadata: { name: string; annotations?: Record<string, string> } }> };
  return new Map(list.items.map((rs) => [rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '', rs.metadata.name]));
}

function live(out: string): string[][] {
  return rows(out)
    .slice(1)
    .filter((r) => r[2] !== 'Terminating');
}

describe('tutorial 7.3: Deployment', () => {
  let firstRS = '';
  let alpineRS = '';

  it('starts three Ready nodes', async () => {
    await eventually(['get', 'nodes'], (o) => rows(o).slice(1).filter((r) => r[1] === 'Ready').length === 3, 'three Ready nodes');
  });

  it('kubectl apply --record -f mydeploy.yaml rolls out 10 pods', async () => {
    const r = await c.kubectl(['apply', '--record', '-f', 'mydeploy.yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'deployment.apps/mydeploy created\n');
    assert.match(r.stderr, /Flag --record has been deprecated, --record will be removed in the future/);
    await rolloutStatus();

    const deploy = rows(await ok(['get', 'deployment']));
    assert.deepEqual(deploy[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    assert.deepEqual(deploy[1]?.slice(0, 4), ['mydeploy', '10/10', '10', '10']);

    const rs = rows(await ok(['get', 'rs']));
    assert.deepEqual(rs[0], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    assert.equal(rs.length, 2);
    assert.match(rs[1]?.[0] ?? '', new RegExp(`^mydeploy-${HASH}$`));
    assert.deepEqual(rs[1]?.slice(1, 4), ['10', '10', '10']);
    firstRS = rs[1]?.[0] ?? '';

    const pods = rows(await ok(['get', 'pod']));
    assert.deepEqual(pods[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.equal(pods.length, 11);
    for (const p of pods.slice(1)) {
      assert.match(p[0] ?? '', new RegExp(`^${firstRS}-${SUFFIX}$`));
      assert.deepEqual(p.slice(1, 4), ['1/1', 'Running', '0']);
    }
  });

  it('kubectl set image ... nginx=nginx:1.21-alpine rolls over with the progress lines', async () => {
    const watching = c.kubectl(['get', 'pods', '-w', '--no-headers'], { timeoutMs: 8_000 });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await ok(['set', 'image', 'deployment', 'mydeploy', 'nginx=nginx:1.21-alpine']), 'deployment.apps/mydeploy image updated\n');
    const lines = await rolloutStatus();
    assert.ok(lines.some((l) => / out of 10 new replicas have been updated\.\.\.$/.test(l)), lines.join('\n'));
    const seen = rows((await watching).stdout);
    const rs = rows(await ok(['get', 'rs', '--no-headers']));
    alpineRS = rs.find((r) => r[1] === '10')?.[0] ?? '';
    assert.notEqual(alpineRS, firstRS);
    assert.ok(seen.some((r) => r[0]?.startsWith(`${alpineRS}-`) && r[2] === 'ContainerCreating'), `a new pod in ContainerCreating:\n${seen.join('\n')}`);
    assert.deepEqual(
      rs.map((r) => r.slice(0, 4).join(' ')).sort(),
      [`${alpineRS} 10 10 10`, `${firstRS} 0 0 0`].sort(),
    );

    const pod = rows(await ok(['get', 'pod', '--no-headers']))[0]?.[0] ?? '';
    const yaml = await ok(['get', 'pod', pod, '-o', 'yaml']);
    assert.deepEqual(yaml.split('\n').filter((l) => l.includes('image: nginx')), ['  - image: nginx:1.21-alpine']);
  });

  it('kubectl set image ... nginx=nginx:1.9.21 --record stalls with 8 old Running and 5 new failing to pull', async () => {
    const r = await c.kubectl(['set', 'image', 'deployment', 'mydeploy', 'nginx=nginx:1.9.21', '--record']);
    assert.equal(r.stdout, 'deployment.apps/mydeploy image updated\n', r.stderr);
    const pulling = (s: string | undefined) => s === 'ErrImagePull' || s === 'ImagePullBackOff';
    const out = await eventually(
      ['get', 'pod'],
      (o) => {
        const ps = rows(o).slice(1);
        const old = ps.filter((p) => p[0]?.startsWith(`${alpineRS}-`));
        const fresh = ps.filter((p) => !p[0]?.startsWith(`${alpineRS}-`));
        return ps.length === 13 && old.every((p) => p[1] === '1/1' && p[2] === 'Running') && old.length === 8 && fresh.every((p) => p[1] === '0/1' && pulling(p[2]));
      },
      '8 old Running and 5 new in ErrImagePull/ImagePullBackOff',
    );
    const brokenRS = rows(out)[1 + 8]?.[0]?.replace(new RegExp(`-${SUFFIX}$`), '') ?? '';
    assert.match(brokenRS, new RegExp(`^mydeploy-${HASH}$`));
    const deploy = rows(await ok(['get', 'deploy', '--no-headers']))[0];
    assert.deepEqual(deploy?.slice(0, 4), ['mydeploy', '8/10', '5', '8']);
  });

  it('kubectl rollout history lists revisions with their change-cause', async () => {
    assert.equal(await history(), historyText([[1, APPLY_CAUSE], [2, APPLY_CAUSE], [3, BROKEN_CAUSE]]));
  });

  it('kubectl rollout undo reuses the previous ReplicaSet as revision 4', async () => {
    assert.equal(await ok(['rollout', 'undo', 'deployment', 'mydeploy']), 'deployment.apps/mydeploy rolled back\n');
    await rolloutStatus();
    assert.equal(await history(), historyText([[1, APPLY_CAUSE], [3, BROKEN_CAUSE], [4, APPLY_CAUSE]]));
    const byRevision = await replicaSetsByRevision();
    assert.equal(byRevision.get('4'), alpineRS, 'the 1.21-alpine ReplicaSet is reused');
    assert.equal(byRevision.size, 3);
    const yaml = await ok(['get', 'deployment', 'mydeploy', '-oyaml']);
    assert.deepEqual(yaml.split('\n').filter((l) => /^\s*-? ?image:/.test(l)).map((l) => l.trim()), ['- image: nginx:1.21-alpine']);
  });

  it('kubectl rollout undo --to-revision=1 goes back to the first template', async () => {
    assert.equal(await ok(['rollout', 'undo', 'deployment', 'mydeploy', '--to-revision=1']), 'deployment.apps/mydeploy rolled back\n');
    await rolloutStatus();
    assert.equal(await history(), historyText([[3, BROKEN_CAUSE], [4, APPLY_CAUSE], [5, APPLY_CAUSE]]));
    assert.equal((await replicaSetsByRevision()).get('5'), firstRS);
  });

  it('kubectl scale deployment mydeploy --replicas 5, then back to 10', async () => {
    assert.equal(await ok(['scale', 'deployment', 'mydeploy', '--replicas', '5']), 'deployment.apps/mydeploy scaled\n');
    await eventually(['get', 'pod'], (o) => live(o).length === 5 && live(o).every((p) => p[2] === 'Running'), 'five Running pods');
    assert.equal(await ok(['scale', 'deployment', 'mydeploy', '--replicas=10']), 'deployment.apps/mydeploy scaled\n');
    await eventually(['get', 'pod'], (o) => live(o).length === 10 && live(o).every((p) => p[2] === 'Running'), 'ten Running pods');
  });

  it('kubectl edit deploy mydeploy to 3 replicas', async () => {
    const out = await ok(['edit', 'deploy', 'mydeploy'], { env: { KUBE_EDITOR: "sed -i -e 's/replicas: 10/replicas: 3/'" } });
    assert.equal(out, 'deployment.apps/mydeploy edited\n');
    const pods = await eventually(['get', 'pod'], (o) => rows(o).length === 4 && live(o).every((p) => p[1] === '1/1' && p[2] === 'Running'), 'three Running pods');
    for (const p of rows(pods).slice(1)) assert.match(p[0] ?? '', new RegExp(`^${firstRS}-${SUFFIX}$`));
  });

  it('kubectl describe deployment shows the rollout', async () => {
    const out = await ok(['describe', 'deployment', 'mydeploy']);
    assert.match(out, /^Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable$/m);
    assert.match(out, /^StrategyType:\s+RollingUpdate$/m);
    assert.match(out, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
    assert.match(out, /^\s+Available\s+True\s+MinimumReplicasAvailable$/m);
    assert.match(out, /^\s+Progressing\s+True\s+NewReplicaSetAvailable$/m);
    assert.match(out, new RegExp(`^NewReplicaSet:\\s+${firstRS} \\(3/3 replicas created\\)$`, 'm'));
    assert.match(out, /^OldReplicaSets:\s+mydeploy-/m);
    // Past ten similar events the recorder combines them, as client-go's does, so only the first is certain.
    const events = out.slice(out.indexOf('\nEvents:')).split('\n').filter((l) => l.includes('ScalingReplicaSet'));
    assert.match(events[0] ?? '', new RegExp(`^\\s+Normal\\s+ScalingReplicaSet\\s+\\S+\\s+deployment-controller\\s+Scaled up replica set ${firstRS} from 0 to 10$`));
    assert.ok(events.some((l) => new RegExp(`Scaled down replica set ${firstRS} from 10 to 8$`).test(l)), events.join('\n'));
  });

  it('kubectl rollout status fails once the progress deadline passes', async () => {
    const file = join(workdir, 'stuck.yaml');
    await writeFile(
      file,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: stuck\nspec:\n  replicas: 2\n  progressDeadlineSeconds: 10\n  selector:\n    matchLabels:\n      app: stuck\n  template:\n    metadata:\n      labels:\n        app: stuck\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.9.21\n',
    );
    await ok(['apply', '-f', file]);
    const r = await c.kubectl(['rollout', 'status', 'deployment', 'stuck'], { timeoutMs: 60_000 });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^Waiting for deployment "stuck" rollout to finish: 0 of 2 updated replicas are available\.\.\.$/m);
    assert.equal(r.stderr.trim(), 'error: deployment "stuck" exceeded its progress deadline');
    await ok(['delete', 'deploy', 'stuck']);
  });

  it('kubectl delete deploy --all removes ReplicaSets and pods', async () => {
    assert.equal((await ok(['delete', 'deploy', '--all'])).trim(), 'deployment.apps "mydeploy" deleted');
    await eventually(['get', 'rs,pods', '-o', 'name'], (o) => o.trim() === '', 'ReplicaSets and pods to go');
  });
});

describe('rolling update of 100 replicas', () => {
  let big: Cluster;
  before(async () => {
    big = await startKubeloop({ args: ['--nodes', '5', '--time-scale', '10'] });
  });
  after(async () => {
    await big?.stop();
  });

  it('never has more than 125 pods nor fewer than 75 available', async (t) => {
    const manifest = (image: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: big\nspec:\n  replicas: 100\n  selector:\n    matchLabels:\n      app: big\n  template:\n    metadata:\n      labels:\n        app: big\n    spec:\n      containers:\n      - name: nginx\n        image: ${image}\n`;
    const k = async (args: string[], stdin?: string) => {
      const r = await big.kubectl(args, { timeoutMs: 180_000, ...(stdin ? { stdin } : {}) });
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    await k(['apply', '-f', '-'], manifest('nginx:1.9.1'));
    await k(['rollout', 'status', 'deployment', 'big']);

    // Watch every pod: name, being deleted, Ready.
    const bin = await findKubectl();
    const cols = 'EVENT:.type,NAME:.object.metadata.name,DEL:.object.metadata.deletionTimestamp,READY:.object.status.conditions[?(@.type=="Ready")].status';
    const watcher = spawn(bin, ['get', 'pods', '-l', 'app=big', '-w', '--output-watch-events', '--no-headers', '-o', `custom-columns=${cols}`], {
      env: { ...process.env, KUBECONFIG: big.kubeconfig, HOME: big.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pods = new Map<string, { deleting: boolean; ready: boolean }>();
    const violations: string[] = [];
    let events = 0;
    let maxPods = 0;
    let minAvailable = Infinity;
    let started = false;
    let buf = '';
    watcher.stdout.setEncoding('utf8');
    watcher.stdout.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        const [type, name, del, ready] = line.trim().split(/\s+/);
        if (!type || !name) continue;
        events++;
        if (type === 'DELETED') pods.delete(name);
        else pods.set(name, { deleting: del !== '<none>', ready: ready === 'True' });
        const live = [...pods.values()].filter((p) => !p.deleting);
        const available = live.filter((p) => p.ready).length;
        if (!started && live.length === 100 && available === 100) started = true;
        if (!started) continue;
        maxPods = Math.max(maxPods, live.length);
        minAvailable = Math.min(minAvailable, available);
        if (live.length > 125) violations.push(`${live.length} pods after ${line}`);
        if (available < 75) violations.push(`${available} available after ${line}`);
      }
    });
    await new Promise((r) => setTimeout(r, 1000));
    await k(['set', 'image', 'deployment', 'big', 'nginx=nginx:1.21-alpine']);
    await k(['rollout', 'status', 'deployment', 'big']);
    await new Promise((r) => setTimeout(r, 1000));
    watcher.kill();
    t.diagnostic(`${events} pod events; at most ${maxPods} pods, at least ${minAvailable} available`);
    assert.ok(started, 'the watch saw all 100 pods available before the update');
    assert.ok(events > 300, `only ${events} pod events seen`);
    assert.deepEqual(violations.slice(0, 5), []);
    assert.ok(maxPods > 100, `the rollout surged (max ${maxPods} pods)`);
    assert.ok(minAvailable < 100, `the rollout used its unavailability budget (min ${minAvailable} available)`);
    const rs = rows(await k(['get', 'rs', '--no-headers'])).map((r) => r.slice(1, 4).join(' ')).sort();
    assert.deepEqual(rs, ['0 0 0', '100 100 100']);
  });
});
