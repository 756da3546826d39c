// End-to-end: the real kubectl against a real `kubeloop up`, asserting what a user sees.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startKubeloop } from './harness.js';
import { SEED, kube, rows } from './expect.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

let c: Cluster;
const { ok, fails } = kube(() => c);
let scratch: string;



/** Table rows split into cells on runs of 2+ spaces. */

function json(out: string): Record<string, any> {
  return JSON.parse(out) as Record<string, any>;
}

before(async () => {
  c = await startKubeloop();
  scratch = await mkdtemp(join(tmpdir(), 'kubeloop-e2e-'));
});

after(async () => {
  await c?.stop();
});

describe('discovery and health', () => {
  it('answers /readyz, /version and lists api-resources with short names', async () => {
    assert.equal(await ok(['get', '--raw', '/readyz']), 'ok');
    const v = json(await ok(['version', '-o', 'json']));
    assert.equal(v.serverVersion.major, '1');
    assert.equal(v.serverVersion.minor, '32');
    const res = rows(await ok(['api-resources']));
    const find = (name: string, group = '') => res.find((r) => r[0] === name && (r.length === 5 ? r[2] : r[1])?.startsWith(group || 'v1'));
    assert.deepEqual(find('deployments', 'apps'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
    assert.deepEqual(find('pods'), ['pods', 'po', 'v1', 'true', 'Pod']);
    assert.deepEqual(find('jobs', 'batch'), ['jobs', 'batch/v1', 'true', 'Job']);
    assert.deepEqual(find('storageclasses', 'storage'), ['storageclasses', 'sc', 'storage.k8s.io/v1', 'false', 'StorageClass']);
  });

  it('documents fields for kubectl explain and serves OpenAPI v2 and v3', async () => {
    const explain = await ok(['explain', 'deployment.spec.strategy']);
    assert.match(explain, /FIELD: strategy <DeploymentStrategy>/);
    assert.match(explain, /The deployment strategy to use to replace existing pods with new ones\./);
    assert.match(explain, /type\t<string>\n\s+Type of deployment\. Can be "Recreate" or "RollingUpdate"\./);
    const recursive = await ok(['explain', 'pod.spec.containers', '--recursive']);
    assert.match(recursive, /livenessProbe\t<Probe>/);
    const v2 = json(await ok(['get', '--raw', '/openapi/v2']));
    assert.equal(v2.swagger, '2.0');
    assert.match(v2.definitions['io.k8s.api.apps.v1.Deployment'].description, /declarative updates for Pods and ReplicaSets/);
  });

  it('starts with the four namespaces', async () => {
    const names = rows(await ok(['get', 'ns', '--no-headers'])).map((r) => `${r[0]} ${r[1]}`);
    assert.deepEqual(names, ['default Active', 'kube-node-lease Active', 'kube-public Active', 'kube-system Active']);
  });
});

describe('the tutorial manifests', () => {
  it('applies every manifest of the tutorial', async () => {
    const cases: Array<[string, string[]]> = [
      ['myreplicaset.yaml', ['replicaset.apps/myreplicaset created']],
      ['mydeploy.yaml', ['deployment.apps/mydeploy created']],
      ['mysts.yaml', ['statefulset.apps/mysts created', 'service/mysts created']],
      ['fluentd.yaml', ['daemonset.apps/fluentd created']],
      ['node-logger.yaml', ['daemonset.apps/node-logger created']],
      ['job.yaml', ['job.batch/myjob created']],
      ['job-bug.yaml', ['job.batch/myjob-bug created']],
      ['cronjob.yaml', ['cronjob.batch/hello created']],
    ];
    for (const [file, expected] of cases) {
      const out = await ok(['apply', '-f', join(SEED, file)]);
      assert.deepEqual(out.trim().split('\n'), expected, file);
    }
    // Re-applying unchanged files changes nothing.
    assert.equal((await ok(['apply', '-f', join(SEED, 'mydeploy.yaml')])).trim(), 'deployment.apps/mydeploy unchanged');
  });

  it('prints kube-apiserver columns for each kind', async () => {
    assert.deepEqual(rows(await ok(['get', 'rs', 'myreplicaset']))[0], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    // CURRENT and READY depend on how far the controller and the kubelets have got; DESIRED does not.
    assert.deepEqual(rows(await ok(['get', 'rs', 'myreplicaset']))[1]?.slice(0, 2), ['myreplicaset', '2']);
    assert.deepEqual(rows(await ok(['get', 'deploy', 'mydeploy', '-o', 'wide']))[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    // READY, UP-TO-DATE and AVAILABLE move as the controllers work; the rest is fixed.
    assert.deepEqual(rows(await ok(['get', 'deploy', 'mydeploy', '-o', 'wide']))[1]?.filter((_, i) => ![1, 2, 3, 4].includes(i)), ['mydeploy', 'nginx', 'nginx', 'run=nginx']);
    // READY counts pods as the StatefulSet brings them up one by one.
    const sts = rows(await ok(['get', 'sts']))[1];
    assert.equal(sts?.[0], 'mysts');
    assert.match(sts?.[1] ?? '', /^[0-3]\/3$/);
    assert.deepEqual(rows(await ok(['get', 'svc', 'mysts']))[1]?.slice(0, 5), ['mysts', 'ClusterIP', 'None', '<none>', '8080/TCP']);
    assert.deepEqual(rows(await ok(['get', 'ds', 'fluentd']))[0], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    assert.deepEqual(rows(await ok(['get', 'job', 'myjob']))[0], ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    // ACTIVE and LAST SCHEDULE change when a minute boundary passes during the test.
    const cj = rows(await ok(['get', 'cj', 'hello']))[1];
    assert.deepEqual(cj?.slice(0, 4), ['hello', '*/1 * * * *', '<none>', 'False']);
    assert.match(`${cj?.[4]} ${cj?.[5]}`, /^(0 <none>|[01] \d+s)$/);
  });

  it('lists mixed kinds with kind prefixes (get all)', async () => {
    const out = await ok(['get', 'all']);
    for (const name of ['service/mysts', 'daemonset.apps/fluentd', 'deployment.apps/mydeploy', 'replicaset.apps/myreplicaset', 'statefulset.apps/mysts', 'job.batch/myjob', 'cronjob.batch/hello']) {
      assert.match(out, new RegExp(`^${name.replace(/[./]/g, '\\$&')}\\s`, 'm'), name);
    }
  });

  it('prints objects as yaml, json, jsonpath and names, and across namespaces', async () => {
    const yaml = await ok(['get', 'rs', 'myreplicaset', '-o', 'yaml']);
    assert.match(yaml, /^apiVersion: apps\/v1\nkind: ReplicaSet\n/);
    assert.match(yaml, /^  replicas: 2$/m);
    assert.equal(json(await ok(['get', 'rs', 'myreplicaset', '-o', 'json'])).metadata.name, 'myreplicaset');
    assert.equal(await ok(['get', 'sts', 'mysts', '-o', 'jsonpath={.spec.serviceName}']), 'mysts');
    assert.equal((await ok(['get', 'rs', '--field-selector', 'metadata.name=myreplicaset', '-o', 'name'])).trim(), 'replicaset.apps/myreplicaset');
    const all = rows(await ok(['get', 'rs', '-A']));
    assert.deepEqual(all[0]?.slice(0, 2), ['NAMESPACE', 'NAME']);
    assert.deepEqual(
      all.find((r) => r[1] === 'myreplicaset')?.slice(0, 3),
      ['default', 'myreplicaset', '2'],
    );
  });

  it('describes a replica set', async () => {
    const out = await ok(['describe', 'rs', 'myreplicaset']);
    assert.match(out, /^Selector:\s+run=nginx-rs$/m);
    assert.match(out, /^Replicas:\s+\d current \/ 2 desired$/m);
    assert.match(out, /^Pod Template:$/m);
  });

  it('stores the defaults kube-apiserver applies', async () => {
    const d = json(await ok(['get', 'deploy', 'mydeploy', '-o', 'json']));
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    assert.equal(d.metadata.generation, 1);
    const ctr = d.spec.template.spec.containers[0];
    assert.equal(ctr.imagePullPolicy, 'Always');
    assert.equal(ctr.terminationMessagePath, '/dev/termination-log');
    const job = json(await ok(['get', 'job', 'myjob', '-o', 'json']));
    assert.equal(job.spec.backoffLimit, 2);
    assert.equal(job.spec.completions, 1);
    assert.equal(job.spec.template.metadata.labels['batch.kubernetes.io/job-name'], 'myjob');
    assert.equal(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid'], job.metadata.uid);
  });
});

describe('changing objects', () => {
  it('patches with strategic merge, merge and JSON patches', async () => {
    await ok(['apply', '-f', join(FIXTURES, 'web-deploy.yaml')]);
    assert.equal((await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.21'])).trim(), 'deployment.apps/web image updated');
    let d = json(await ok(['get', 'deploy', 'web', '-o', 'json']));
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.21');
    assert.equal(d.spec.template.spec.containers[0].ports[0].containerPort, 80, 'strategic merge keeps other container fields');
    assert.equal(d.metadata.generation, 2);

    await ok(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","env":[{"name":"A","$patch":"delete"}]}]}}}}']);
    d = json(await ok(['get', 'deploy', 'web', '-o', 'json']));
    assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'B', value: '2' }]);

    await ok(['patch', 'deploy', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"tier":"front"}}}']);
    await ok(['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":5}]']);
    d = json(await ok(['get', 'deploy', 'web', '-o', 'json']));
    assert.equal(d.metadata.labels.tier, 'front');
    assert.equal(d.spec.replicas, 5);
  });

  it('re-applies a changed file with a three-way strategic merge', async () => {
    const file = join(scratch, 'web.yaml');
    const text = (await readFile(join(FIXTURES, 'web-deploy.yaml'), 'utf8')).replace('nginx:1.20', 'nginx:1.22').replace('replicas: 3', 'replicas: 4');
    await writeFile(file, text);
    assert.equal((await ok(['apply', '-f', file])).trim(), 'deployment.apps/web configured');
    const d = json(await ok(['get', 'deploy', 'web', '-o', 'json']));
    assert.equal(d.spec.replicas, 4);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.22');
  });

  it('scales through the scale subresource and bumps generation', async () => {
    const before = json(await ok(['get', 'deploy', 'web', '-o', 'json'])).metadata.generation;
    assert.equal((await ok(['scale', 'deploy', 'web', '--replicas=7'])).trim(), 'deployment.apps/web scaled');
    const d = json(await ok(['get', 'deploy', 'web', '-o', 'json']));
    assert.equal(d.spec.replicas, 7);
    assert.equal(d.metadata.generation, before + 1);
    assert.equal(await fails(['scale', 'deploy', 'web', '--current-replicas=2', '--replicas=3']), 'error: Expected replicas to be 2, was 7');
  });

  it('labels, annotates and selects by label', async () => {
    assert.equal((await ok(['label', 'deploy', 'web', 'env=prod'])).trim(), 'deployment.apps/web labeled');
    assert.equal((await ok(['annotate', 'deploy', 'web', 'owner=me'])).trim(), 'deployment.apps/web annotated');
    assert.equal((await ok(['get', 'deploy', '-l', 'env=prod', '-o', 'name'])).trim(), 'deployment.apps/web');
    assert.equal((await ok(['get', 'deploy', '-l', 'env in (prod,dev),tier!=back', '-o', 'name'])).trim(), 'deployment.apps/web');
    assert.equal((await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.metadata.annotations.owner}'])).trim(), 'me');
    const shown = rows(await ok(['get', 'deploy', 'web', '--show-labels']));
    assert.equal(shown[1]?.at(-1), 'app=web,env=prod,tier=front');
  });

  it('edits with KUBE_EDITOR', async () => {
    const out = await ok(['edit', 'deploy', 'web'], { env: { KUBE_EDITOR: `sed -i -e 's/replicas: 7/replicas: 2/'` } });
    assert.equal(out.trim(), 'deployment.apps/web edited');
    assert.equal((await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).trim(), '2');
    const none = await c.kubectl(['edit', 'deploy', 'web'], { env: { KUBE_EDITOR: 'true' } });
    assert.equal(none.code, 0);
    assert.equal(`${none.stdout}${none.stderr}`.trim(), 'Edit cancelled, no changes made.');
  });

  it('replaces with create -f / replace -f and detects stale versions', async () => {
    const cm = join(scratch, 'cm.yaml');
    await writeFile(cm, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n');
    assert.equal((await ok(['create', '-f', cm])).trim(), 'configmap/settings created');
    const live = json(await ok(['get', 'cm', 'settings', '-o', 'json']));
    live.data.a = '2';
    const stale = join(scratch, 'stale.json');
    await writeFile(stale, JSON.stringify(live));
    assert.equal((await ok(['replace', '-f', stale])).trim(), 'configmap/settings replaced');
    assert.equal(
      await fails(['replace', '-f', stale]),
      `Error from server (Conflict): error when replacing "${stale}": Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again`,
    );
  });

  it('describes a deployment with its events section', async () => {
    const out = await ok(['describe', 'deploy', 'web']);
    assert.match(out, /^Name:\s+web$/m);
    assert.match(out, /^StrategyType:\s+RollingUpdate$/m);
    assert.match(out, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
  });
});

describe('errors, worded as kube-apiserver words them', () => {
  it('reports missing objects', async () => {
    assert.equal(await fails(['get', 'deploy', 'nope']), 'Error from server (NotFound): deployments.apps "nope" not found');
    assert.equal(await fails(['delete', 'pod', 'nope']), 'Error from server (NotFound): pods "nope" not found');
    // kubectl itself looks the namespace up after a 404, as against a real cluster.
    assert.equal(await fails(['get', 'pods', '-n', 'nowhere', 'x']), 'Error from server (NotFound): namespaces "nowhere" not found');
  });

  it('reports invalid objects with field causes', async () => {
    const bad = join(scratch, 'bad-rs.yaml');
    await writeFile(
      bad,
      'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: bad\nspec:\n  replicas: -1\n  selector:\n    matchLabels:\n      app: a\n  template:\n    metadata:\n      labels:\n        app: b\n    spec:\n      containers:\n      - name: c\n        image: nginx\n',
    );
    const err = await fails(['apply', '-f', bad]);
    assert.equal(
      err,
      'The ReplicaSet "bad" is invalid: \n* spec.replicas: Invalid value: -1: must be greater than or equal to 0\n* spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`',
    );
    assert.equal(await fails(['get', 'rs', 'bad']), 'Error from server (NotFound): replicasets.apps "bad" not found');
  });

  it('rejects unknown fields with fieldValidation=Strict', async () => {
    const bad = join(scratch, 'typo.yaml');
    await writeFile(bad, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndatta:\n  a: "1"\n');
    assert.equal(await fails(['apply', '-f', bad]), `Error from server (BadRequest): error when creating "${bad}": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "datta"`);
  });

  it('refuses changes to immutable fields', async () => {
    const err = await fails(['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}']);
    assert.match(err, /^The Deployment "web" is invalid: spec\.selector: Invalid value: .*: field is immutable$/);
  });

  it('refuses writes into a namespace that does not exist', async () => {
    const cm = join(scratch, 'ghost.yaml');
    await writeFile(cm, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: ghost\n');
    assert.equal(await fails(['apply', '-f', cm]), `Error from server (NotFound): error when creating "${cm}": namespaces "ghost" not found`);
  });

  it('keeps serving after bad input', async () => {
    const r = await c.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods?labelSelector=a%20in%20(b']);
    assert.notEqual(r.code, 0);
    assert.equal(await ok(['get', '--raw', '/readyz']), 'ok');
  });
});

describe('deleting', () => {
  it('deletes objects one by one and with --all', async () => {
    assert.equal((await ok(['delete', 'deploy', 'web'])).trim(), 'deployment.apps "web" deleted');
    const out = (await ok(['delete', 'ds', '--all'])).trim().split('\n').sort();
    assert.deepEqual(out, ['daemonset.apps "fluentd" deleted', 'daemonset.apps "node-logger" deleted']);
    assert.equal((await ok(['delete', 'deploy', '--all'])).trim(), 'deployment.apps "mydeploy" deleted');
    assert.equal((await ok(['delete', 'rs', 'myreplicaset'])).trim(), 'replicaset.apps "myreplicaset" deleted');
    // The deployment's ReplicaSet goes with it (garbage collector).
    for (let i = 0; i < 50 && (await c.kubectl(['get', 'rs'])).stdout.trim() !== ''; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await c.kubectl(['get', 'rs'])).stderr.trim(), 'No resources found in default namespace.');
    assert.match(await fails(['get', 'ds', 'fluentd']), /NotFound/);
  });

  it('deletes a namespace with its contents', async () => {
    assert.equal((await ok(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: scratch\n' })).trim(), 'namespace/scratch created');
    await ok(['apply', '-n', 'scratch', '-f', join(SEED, 'myreplicaset.yaml')]);
    assert.equal((await ok(['delete', 'namespace', 'scratch'])).trim(), 'namespace "scratch" deleted');
    assert.match(await fails(['get', 'ns', 'scratch']), /NotFound/);
    assert.equal((await c.kubectl(['get', 'rs', '-n', 'scratch'])).stderr.trim(), 'No resources found in scratch namespace.');
  });
});

describe('watching', () => {
  it('kubectl get -w prints the list, then changes as they happen', async () => {
    const watching = c.kubectl(['get', 'cm', '-w'], { timeoutMs: 4000 });
    await new Promise((r) => setTimeout(r, 1500));
    await ok(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\ndata:\n  k: v\n' });
    const r = await watching;
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(rows(lines[0] as string)[0], ['NAME', 'DATA', 'AGE']);
    assert.ok(lines.some((l) => l.startsWith('watched ')), r.stdout);
    assert.equal(lines.filter((l) => l.startsWith('settings ')).length, 1, 'no duplicate rows');
  });
});
