import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeProtobufBody } from './index.js';
import { KUBECTL_132_BODIES } from './kubectl-fixtures.js';

const body = (name: string) => Buffer.from(KUBECTL_132_BODIES[name]!.hex, 'hex');
const decode = (name: string) => decodeProtobufBody(body(name)) as Record<string, any>;

/** Builds protobuf bytes by hand so edge cases the generators never send can be pinned down. */
const varint = (n: number | bigint): number[] => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return out;
};
const len = (num: number, bytes: number[] | string): number[] => {
  const b = typeof bytes === 'string' ? [...Buffer.from(bytes)] : bytes;
  return [...varint((num << 3) | 2), ...varint(b.length), ...b];
};
const vi = (num: number, n: number | bigint): number[] => [...varint(num << 3), ...varint(n)];
const envelope = (apiVersion: string, kind: string, obj: number[]) =>
  Buffer.from([0x6b, 0x38, 0x73, 0x00, ...len(1, [...len(1, apiVersion), ...len(2, kind)]), ...len(2, obj), ...len(3, ''), ...len(4, '')]);

describe('decodeProtobufBody on bodies recorded from kubectl 1.32', () => {
  it('kubectl create namespace', () => {
    assert.deepEqual(decode('namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo' }, spec: {}, status: {} });
  });

  it('kubectl create configmap keeps every literal', () => {
    assert.deepEqual(decode('configmap'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: 'b', c: 'd' } });
  });

  it('kubectl create secret: bytes become base64 as in JSON', () => {
    assert.deepEqual(decode('secretGeneric'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, data: { k: Buffer.from('v').toString('base64') } });
    const reg = decode('secretDockerRegistry');
    assert.equal(reg.type, 'kubernetes.io/dockerconfigjson');
    const cfg = JSON.parse(Buffer.from(reg.data['.dockerconfigjson'], 'base64').toString());
    assert.equal(cfg.auths['r.io'].username, 'u');
  });

  it('kubectl create serviceaccount', () => {
    assert.deepEqual(decode('serviceAccount'), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa1' } });
  });

  it('kubectl create service clusterip / nodeport: ports with int targetPort', () => {
    const svc = decode('serviceClusterIP');
    assert.deepEqual(svc.metadata, { name: 'svc1', labels: { app: 'svc1' } });
    assert.deepEqual(svc.spec, {
      ports: [
        { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 },
        { name: '443-8443', protocol: 'TCP', port: 443, targetPort: 8443 },
      ],
      selector: { app: 'svc1' },
      type: 'ClusterIP',
    });
    assert.equal(decode('serviceNodePort').spec.ports[0].nodePort, 30080);
  });

  it('kubectl create deployment: replicas, selector, template, container ports', () => {
    const d = decode('deploymentWeb');
    assert.equal(d.apiVersion, 'apps/v1');
    assert.equal(d.kind, 'Deployment');
    assert.equal(d.spec.replicas, 2);
    assert.deepEqual(d.spec.selector, { matchLabels: { app: 'web' } });
    assert.deepEqual(d.spec.template.metadata, { labels: { app: 'web' } });
    assert.deepEqual(d.spec.template.spec.containers, [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }]);
    // Go writes every unset value field; none of those zero values may leak into the object.
    assert.equal('creationTimestamp' in d.metadata, false);
    assert.equal('stdin' in d.spec.template.spec.containers[0], false);
    assert.deepEqual(decode('deploymentMulti').spec.template.spec.containers.map((c: { name: string }) => c.name), ['nginx', 'busybox']);
  });

  it('kubectl create job and cronjob', () => {
    const j = decode('job');
    assert.equal(j.apiVersion, 'batch/v1');
    assert.deepEqual(j.spec.template.spec.containers[0].command, ['echo', 'hi']);
    assert.equal(j.spec.template.spec.restartPolicy, 'Never');
    const cj = decode('cronjob');
    assert.equal(cj.spec.schedule, '*/1 * * * *');
    assert.equal(cj.spec.jobTemplate.metadata.name, 'cj');
    assert.equal(cj.spec.jobTemplate.spec.template.spec.restartPolicy, 'OnFailure');
  });

  it('kubectl create job --from=cronjob: owner reference, annotation and defaulted pod spec', () => {
    const j = decode('jobFromCronJob');
    assert.deepEqual(j.metadata.annotations, { 'cronjob.kubernetes.io/instantiate': 'manual' });
    assert.deepEqual(j.metadata.ownerReferences, [
      { kind: 'CronJob', name: 'cj', uid: '38063666-7ed0-408b-9454-a17ee3a2c291', apiVersion: 'batch/v1', controller: true },
    ]);
    const pod = j.spec.template.spec;
    assert.equal(pod.terminationGracePeriodSeconds, 30);
    assert.equal(pod.dnsPolicy, 'ClusterFirst');
    assert.equal(pod.schedulerName, 'default-scheduler');
    assert.equal(pod.containers[0].imagePullPolicy, 'Always');
  });
});

describe('decodeProtobufBody beyond what the generators send', () => {
  it('keeps zero values of pointer fields and drops them for value fields', () => {
    // DeploymentSpec.replicas (pointer) = 0, minReadySeconds (value) = 0, paused (value) = false
    const spec = [...vi(1, 0), ...vi(5, 0), ...vi(7, 0)];
    const d = decodeProtobufBody(envelope('apps/v1', 'Deployment', [...len(1, len(1, 'z')), ...len(2, spec)])) as any;
    assert.deepEqual(d.spec, { replicas: 0 });
  });

  it('decodes Time, IntOrString strings, quantities, negative ints and skips unknown zero fields', () => {
    // Go writes every non-pointer field, so a newer client's zero-valued new fields are routine.
    const meta = [...len(1, 'x'), ...len(8, [...vi(1, 1700000000), ...vi(2, 5)]), ...vi(99, 0), ...len(98, ''), ...len(97, [...vi(1, 0), ...len(2, '')])];
    const rolling = len(2, [...len(1, [...vi(1, 1), ...len(3, '25%')]), ...len(2, [...vi(1, 0), ...vi(2, 0)])]);
    const resources = len(8, len(1, [...len(1, 'cpu'), ...len(2, len(1, '500m'))]));
    const container = [...len(1, 'c'), ...len(2, 'img'), ...resources];
    const podSpec = [...len(2, container), ...vi(25, -5)];
    const spec = [...len(3, len(2, podSpec)), ...len(4, [...len(1, 'RollingUpdate'), ...rolling])];
    const d = decodeProtobufBody(envelope('apps/v1', 'Deployment', [...len(1, meta), ...len(2, spec)])) as any;
    assert.equal(d.metadata.creationTimestamp, '2023-11-14T22:13:20Z');
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 0 } });
    assert.deepEqual(d.spec.template.spec.containers[0].resources, { limits: { cpu: '500m' } });
    assert.equal(d.spec.template.spec.priority, -5);
  });

  it('refuses a set field its tables do not know rather than dropping it', () => {
    assert.throws(
      () => decodeProtobufBody(envelope('v1', 'ConfigMap', [...len(1, [...len(1, 'x'), ...vi(99, 7)])])),
      /ObjectMeta field 99 is not known/,
    );
    assert.throws(() => decodeProtobufBody(envelope('v1', 'ConfigMap', [...len(1, len(1, 'x')), ...len(98, 'junk')])), /ConfigMap field 98/);
  });

  it('inlines embedded structs (volume sources, key selectors)', () => {
    const vol = [...len(1, 'cfg'), ...len(2, len(19, [...len(1, len(1, 'my-cm')), ...vi(3, 420)]))];
    const env = [...len(1, 'E'), ...len(3, len(4, [...len(1, len(1, 'sec')), ...len(2, 'k')]))];
    const pod = [...len(1, vol), ...len(2, [...len(1, 'c'), ...len(7, env)])];
    const p = decodeProtobufBody(envelope('v1', 'Pod', [...len(1, len(1, 'p')), ...len(2, pod)])) as any;
    assert.deepEqual(p.spec.volumes, [{ name: 'cfg', configMap: { name: 'my-cm', defaultMode: 420 } }]);
    assert.deepEqual(p.spec.containers[0].env, [{ name: 'E', valueFrom: { secretKeyRef: { name: 'sec', key: 'k' } } }]);
  });

  it('rejects unsupported kinds, bad magic and truncated data with clear messages', () => {
    assert.throws(() => decodeProtobufBody(envelope('rbac.authorization.k8s.io/v1', 'Role', [])), /cannot decode protobuf bodies of rbac.authorization.k8s.io\/v1\/Role/);
    assert.throws(() => decodeProtobufBody(Buffer.from('{"kind":"Pod"}')), /malformed protobuf body: .*prefix/);
    const whole = body('deploymentWeb');
    assert.throws(() => decodeProtobufBody(whole.subarray(0, whole.length - 20)), /malformed protobuf body/);
    assert.throws(() => decodeProtobufBody(Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff])), /malformed protobuf body/);
    // metadata as a varint instead of a message
    assert.throws(() => decodeProtobufBody(envelope('v1', 'ConfigMap', vi(1, 3))), /ConfigMap.metadata.*wire type 0/);
  });
});
