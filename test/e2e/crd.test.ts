// End-to-end: CustomResourceDefinitions with the real kubectl. A CRD becomes a served resource (discovery,
// OpenAPI, explain), its objects are validated, defaulted and pruned by the CRD's schema, printed with its
// printer columns, scaled and status-patched through its subresources, and deleted with the CRD.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startKubeloop } from './harness.js';
import { kube, rows } from './expect.js';

let c: Cluster;
const { ok, fails, eventually } = kube(() => c);
let scratch: string;

before(async () => {
  c = await startKubeloop({ args: ['--timing', 'instant'] });
  scratch = await mkdtemp(join(tmpdir(), 'kubeloop-crd-'));
});

after(async () => {
  await c?.stop();
});

async function file(name: string, text: string): Promise<string> {
  const p = join(scratch, name);
  await writeFile(p, text);
  return p;
}

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.labelSelector
    additionalPrinterColumns:
    - name: Spec
      type: string
      description: The cron spec defining the interval a CronJob is run
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Image
      type: string
      priority: 1
      jsonPath: .spec.image
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: The desired state of the CronTab.
            required: [cronSpec]
            properties:
              cronSpec:
                type: string
                description: The cron schedule.
                pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'
              image:
                type: string
                default: busybox:1.36
              replicas:
                type: integer
                minimum: 0
                maximum: 10
                default: 1
              mode:
                type: string
                enum: [Fast, Slow]
          status:
            type: object
            properties:
              replicas:
                type: integer
              labelSelector:
                type: string
              phase:
                type: string
`;

describe('CustomResourceDefinitions', () => {
  it('serves a CRD as a new resource', async () => {
    const out = await ok(['apply', '-f', await file('crd.yaml', CRD)]);
    assert.match(out, /customresourcedefinition.apiextensions.k8s.io\/crontabs.stable.example.com created/);
    const crds = await ok(['get', 'crd']);
    assert.deepEqual(rows(crds)[0], ['NAME', 'CREATED AT']);
    assert.equal(rows(crds)[1]?.[0], 'crontabs.stable.example.com');
    await ok(['wait', '--for', 'condition=Established', 'crd/crontabs.stable.example.com', '--timeout=10s']);
    const status = JSON.parse(await ok(['get', 'crd', 'crontabs.stable.example.com', '-o', 'json'])).status;
    assert.deepEqual(status.storedVersions, ['v1']);
    assert.equal(status.acceptedNames.kind, 'CronTab');
    assert.ok(status.conditions.some((x: { type: string; status: string }) => x.type === 'NamesAccepted' && x.status === 'True'));
    const resources = await ok(['api-resources', '--api-group', 'stable.example.com']);
    const row = rows(resources).find((r) => r[0] === 'crontabs');
    assert.deepEqual(row, ['crontabs', 'ct', 'stable.example.com/v1', 'true', 'CronTab']);
  });

  it('creates custom objects with defaults and prints the printer columns', async () => {
    const ct = `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: my-cron
spec:
  cronSpec: "* * * * */5"
  mode: Fast
`;
    assert.match(await ok(['apply', '-f', await file('ct.yaml', ct)]), /crontab.stable.example.com\/my-cron created/);
    const table = rows(await ok(['get', 'crontabs']));
    assert.deepEqual(table[0], ['NAME', 'SPEC', 'REPLICAS', 'AGE']);
    assert.deepEqual(table[1]?.slice(0, 3), ['my-cron', '* * * * */5', '1']);
    const wide = rows(await ok(['get', 'ct', '-o', 'wide']));
    assert.deepEqual(wide[0], ['NAME', 'SPEC', 'REPLICAS', 'IMAGE', 'AGE']);
    assert.equal(wide[1]?.[3], 'busybox:1.36');
    const yaml = await ok(['get', 'crontab', 'my-cron', '-o', 'yaml']);
    assert.match(yaml, /image: busybox:1.36/);
    assert.match(yaml, /replicas: 1/);
    assert.match(yaml, /generation: 1/);
    // `categories: [all]` puts it in `kubectl get all`.
    assert.match(await ok(['get', 'all']), /crontab.stable.example.com\/my-cron/);
  });

  it('refuses invalid objects with kube-apiserver messages', async () => {
    const bad = `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: bad-cron
spec:
  cronSpec: "* * * * */5"
  replicas: "three"
`;
    const r = await c.kubectl(['apply', '-f', await file('bad.yaml', bad)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The CronTab "bad-cron" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"/);
    const tooMany = await fails(['apply', '-f', await file('bad2.yaml', bad.replace('"three"', '11').replace('cronSpec: "* * * * */5"', 'mode: Medium'))]);
    assert.match(tooMany, /spec.cronSpec: Required value/);
    assert.match(tooMany, /spec.mode: Unsupported value: "Medium": supported values: "Fast", "Slow"/);
    assert.match(tooMany, /spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10/);
    const unknown = await fails(['apply', '-f', await file('bad3.yaml', bad.replace('replicas: "three"', 'colour: blue'))]);
    assert.match(unknown, /strict decoding error: unknown field "spec.colour"/);
    // Without strict validation the unknown field is pruned, with a warning.
    const created = await c.kubectl(['create', '--validate=warn', '-f', await file('bad4.yaml', bad.replace('replicas: "three"', 'colour: blue').replace('bad-cron', 'pruned'))]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /unknown field "spec.colour"/);
    assert.doesNotMatch(await ok(['get', 'crontab', 'pruned', '-o', 'yaml']), /colour/);
  });

  it('updates status through the status subresource only', async () => {
    await ok(['patch', 'crontab', 'my-cron', '--type=merge', '-p', '{"status":{"phase":"Ignored"},"spec":{"image":"nginx"}}']);
    let obj = JSON.parse(await ok(['get', 'crontab', 'my-cron', '-o', 'json']));
    assert.equal(obj.status, undefined);
    assert.equal(obj.spec.image, 'nginx');
    assert.equal(obj.metadata.generation, 2);
    await ok(['patch', 'crontab', 'my-cron', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running","replicas":1,"labelSelector":"app=cron"}}']);
    obj = JSON.parse(await ok(['get', 'crontab', 'my-cron', '-o', 'json']));
    assert.equal(obj.status.phase, 'Running');
    assert.equal(obj.metadata.generation, 2);
  });

  it('scales through the scale subresource', async () => {
    assert.match(await ok(['scale', 'crontab', 'my-cron', '--replicas=3']), /crontab.stable.example.com\/my-cron scaled/);
    assert.equal(await ok(['get', 'crontab', 'my-cron', '-o', 'jsonpath={.spec.replicas}']), '3');
    const scale = JSON.parse(await ok(['get', '--raw', '/apis/stable.example.com/v1/namespaces/default/crontabs/my-cron/scale']));
    assert.deepEqual(scale.status, { replicas: 1, selector: 'app=cron' });
    const err = await fails(['scale', 'crontab', 'my-cron', '--replicas=20']);
    assert.match(err, /spec.replicas in body should be less than or equal to 10/);
  });

  it('explains the kind from its schema', async () => {
    const out = await ok(['explain', 'crontab.spec']);
    assert.match(out, /GROUP:\s+stable.example.com/);
    assert.match(out, /KIND:\s+CronTab/);
    assert.match(out, /VERSION:\s+v1/);
    assert.match(out, /The desired state of the CronTab/);
    assert.match(out, /cronSpec\s+<string> -required-/);
    assert.match(out, /The cron schedule/);
  });

  it('deletes the objects with the CRD and stops serving the resource', async () => {
    await ok(['delete', 'crd', 'crontabs.stable.example.com']);
    await eventually(['get', 'crd'], (out) => !out.includes('crontabs'), 'the CRD to go', 10_000);
    // kubectl's discovery cache (fresh for 6 hours) still maps the name, so this kubectl asks and gets a 404,
    // as against kube-apiserver; a kubectl without that cache no longer knows the resource type.
    assert.match(await fails(['get', 'crontabs']), /NotFound|the server doesn't have a resource type "crontabs"/);
    const err = await fails(['get', 'crontabs', '--cache-dir', join(scratch, 'fresh-cache')]);
    assert.match(err, /error: the server doesn't have a resource type "crontabs"/);
    // Re-creating the CRD shows no leftover objects.
    await ok(['apply', '-f', await file('crd.yaml', CRD)]);
    await ok(['wait', '--for', 'condition=Established', 'crd/crontabs.stable.example.com', '--timeout=10s']);
    const list = await c.kubectl(['get', 'crontabs']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stderr, /No resources found in default namespace/);
  });

  it('serves several versions of a cluster-scoped kind with None conversion', async () => {
    const widgets = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.org
spec:
  group: example.org
  scope: Cluster
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema: &schema
        type: object
        properties:
          spec:
            type: object
            properties:
              port: {x-kubernetes-int-or-string: true}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    number: {type: integer}
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: *schema
`;
    await ok(['apply', '-f', await file('widgets.yaml', widgets)]);
    await ok(['wait', '--for', 'condition=Established', 'crd/widgets.example.org', '--timeout=10s']);
    const w = `apiVersion: example.org/v1beta1
kind: Widget
metadata:
  name: gadget
spec:
  port: http
  extra: {anything: {goes: [1, 2]}}
  ports: [{name: a, number: 1}]
`;
    await ok(['apply', '-f', await file('w.yaml', w)]);
    // The preferred version (v1) answers `kubectl get widget`; the object is the same under v1beta1.
    const v1 = JSON.parse(await ok(['get', 'widget', 'gadget', '-o', 'json']));
    assert.equal(v1.apiVersion, 'example.org/v1');
    assert.equal(v1.metadata.namespace, undefined);
    assert.deepEqual(v1.spec.extra, { anything: { goes: [1, 2] } });
    const beta = JSON.parse(await ok(['get', 'widgets.v1beta1.example.org', 'gadget', '-o', 'json']));
    assert.equal(beta.apiVersion, 'example.org/v1beta1');
    assert.deepEqual(beta.spec, v1.spec);
    const dup = await fails(['apply', '-f', await file('w2.yaml', w.replace('gadget', 'dup').replace('[{name: a, number: 1}]', '[{name: a}, {name: a}]'))]);
    assert.match(dup, /spec.ports\[1\]: Duplicate value: map\[string\]interface \{\}\{"name":"a"\}/);
    const resources = rows(await ok(['api-resources', '--api-group', 'example.org']));
    assert.deepEqual(resources.find((r) => r[0] === 'widgets'), ['widgets', 'example.org/v1', 'false', 'Widget']);
    await ok(['delete', 'crd', 'widgets.example.org']);
  });

  it('explains the CRD kind itself', async () => {
    const out = await ok(['explain', 'crd.spec.names']);
    assert.match(out, /KIND:\s+CustomResourceDefinition/);
    assert.match(out, /plural\t<string> -required-/);
  });

  it('rejects invalid CRDs with kube-apiserver messages', async () => {
    const bad = CRD.replace('name: crontabs.stable.example.com', 'name: crontab.stable.example.com').replace('    storage: true\n', '    storage: false\n');
    const err = await fails(['apply', '-f', await file('badcrd.yaml', bad)]);
    assert.match(err, /metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural\+"."\+spec.group/);
    assert.match(err, /must have exactly one version marked as storage version/);
    const noType = CRD.replace('name: crontabs.stable.example.com', 'name: things.stable.example.com')
      .replace('plural: crontabs', 'plural: things').replace('kind: CronTab', 'kind: Thing').replace('singular: crontab', 'singular: thing').replace('shortNames: [ct]', 'shortNames: [th]')
      .replace('                type: string\n                description: The cron schedule.', '                description: The cron schedule.');
    const err2 = await fails(['apply', '-f', await file('notype.yaml', noType)]);
    assert.match(err2, /spec.versions\[0\].schema.openAPIV3Schema.properties\[spec\].properties\[cronSpec\].type: Required value: must not be empty for specified object fields/);
  });
});
