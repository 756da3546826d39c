import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  kubeconfigPathForMerge,
  insecureKubeconfigFor,
  kubeconfigFor,
  mergeIntoKubeconfig,
  mergeText,
  writeStandaloneKubeconfig,
} from './kubeconfig.js';
import type { Pki } from './pki.js';

// Contents are never parsed as certificates here, only carried through.
const pki: Pki = {
  caCert: 'CA PEM\n',
  caKey: 'CA KEY\n',
  serverCert: 'SERVER PEM\n',
  serverKey: 'SERVER KEY\n',
  clientCert: 'CLIENT PEM\n',
  clientKey: 'CLIENT KEY\n',
  token: 'tok-123',
};
const cfg = kubeconfigFor({ server: 'https://127.0.0.1:6443', pki });

const EXISTING = `# my clusters
apiVersion: v1
kind: Config
clusters:
  - name: prod # keep me
    cluster:
      server: https://prod.example:6443
  - name: kubeloop
    cluster:
      server: https://127.0.0.1:1111
contexts:
  - name: prod
    context: {cluster: prod, user: prod-admin, namespace: web}
  - name: kubeloop
    context: {cluster: kubeloop, user: kubeloop}
users:
  - name: prod-admin
    user:
      exec: {command: get-token, apiVersion: client.authentication.k8s.io/v1}
  - name: kubeloop
    user: {token: old}
current-context: prod
preferences: {colors: true}
extensions: []
`;

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kubeloop-kcfg-'));
  dirs.push(d);
  return d;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('kubeconfigFor', () => {
  test('carries the CA, the client certificate and the token', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    assert.deepEqual(cfg.clusters, [
      { name: 'kubeloop', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64('CA PEM\n') } },
    ]);
    assert.deepEqual(cfg.users, [
      {
        name: 'kubeloop',
        user: { 'client-certificate-data': b64('CLIENT PEM\n'), 'client-key-data': b64('CLIENT KEY\n'), token: 'tok-123' },
      },
    ]);
    assert.deepEqual(cfg.contexts, [{ name: 'kubeloop', context: { cluster: 'kubeloop', user: 'kubeloop' } }]);
    assert.equal(cfg['current-context'], 'kubeloop');
    assert.equal(kubeconfigFor({ server: 'https://x:1', pki, name: 'other' })['current-context'], 'other');
  });

  test('insecure variant has no credentials', () => {
    const c = insecureKubeconfigFor({ server: 'http://127.0.0.1:8080' });
    assert.deepEqual(c.clusters, [{ name: 'kubeloop', cluster: { server: 'http://127.0.0.1:8080' } }]);
    assert.deepEqual(c.users, [{ name: 'kubeloop', user: {} }]);
  });
});

describe('kubeconfigPathForMerge', () => {
  test('uses the first non-empty $KUBECONFIG entry, else ~/.kube/config', () => {
    assert.equal(kubeconfigPathForMerge({ KUBECONFIG: '/a/one:/b/two' }, '/home/u'), '/a/one');
    assert.equal(kubeconfigPathForMerge({ KUBECONFIG: ':/b/two' }, '/home/u'), '/b/two');
    assert.equal(kubeconfigPathForMerge({ KUBECONFIG: '' }, '/home/u'), '/home/u/.kube/config');
    assert.equal(kubeconfigPathForMerge({}, '/home/u'), '/home/u/.kube/config');
  });
});

describe('mergeText', () => {
  test('replaces our entries, keeps the others, and switches the current context', () => {
    const out = mergeText(EXISTING, cfg);
    const merged = parse(out);
    assert.deepEqual(merged.clusters.map((c: { name: string }) => c.name), ['prod', 'kubeloop']);
    assert.equal(merged.clusters[0].cluster.server, 'https://prod.example:6443');
    assert.deepEqual(merged.clusters[1], cfg.clusters[0]);
    assert.deepEqual(merged.users[0].user.exec.command, 'get-token');
    assert.deepEqual(merged.users[1], cfg.users[0]);
    assert.deepEqual(merged.contexts[0].context, { cluster: 'prod', user: 'prod-admin', namespace: 'web' });
    assert.equal(merged['current-context'], 'kubeloop');
    assert.deepEqual(merged.preferences, { colors: true });
    assert.deepEqual(merged.extensions, []);
    assert.match(out, /# my clusters/);
    assert.match(out, /# keep me/);
  });

  test('is idempotent', () => {
    const once = mergeText(EXISTING, cfg);
    assert.equal(mergeText(once, cfg), once);
  });

  test('adds entries to a config that has none, or to an empty file', () => {
    for (const text of ['', 'apiVersion: v1\nkind: Config\nclusters: null\nusers: null\ncontexts: null\n']) {
      const merged = parse(mergeText(text, cfg));
      assert.deepEqual(merged.clusters, cfg.clusters);
      assert.deepEqual(merged.users, cfg.users);
      assert.deepEqual(merged.contexts, cfg.contexts);
      assert.equal(merged.kind, 'Config');
    }
  });

  test('refuses a file that is not a kubeconfig mapping', () => {
    assert.throws(() => mergeText('- a\n- b\n', cfg), /not a YAML mapping/);
    assert.throws(() => mergeText('clusters: [\n', cfg), /cannot parse/);
  });
});

describe('writing files', () => {
  test('standalone kubeconfig is private and creates its directory', async () => {
    const file = join(tempDir(), 'nested', 'dir', 'kubeconfig');
    await writeStandaloneKubeconfig(file, cfg);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(parse(readFileSync(file, 'utf8')), cfg);
  });

  test('merge into a missing file creates it; into an existing one keeps its mode and leaves no debris', async () => {
    const dir = tempDir();
    const fresh = join(dir, '.kube', 'config');
    await mergeIntoKubeconfig(fresh, cfg);
    assert.equal(statSync(fresh).mode & 0o777, 0o600);
    assert.deepEqual(parse(readFileSync(fresh, 'utf8')), cfg);

    const existing = join(dir, 'existing');
    writeFileSync(existing, EXISTING);
    chmodSync(existing, 0o640);
    await mergeIntoKubeconfig(existing, cfg);
    await mergeIntoKubeconfig(existing, cfg);
    assert.equal(statSync(existing).mode & 0o777, 0o640);
    assert.equal(readFileSync(existing, 'utf8'), mergeText(EXISTING, cfg));
    assert.deepEqual(readdirSync(dir).sort(), ['.kube', 'existing']);
  });
});
