// End-to-end: kubectl's chunked lists (limit/continue) against a real `kubeloop up`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Cluster, startKubeloop } from './harness.js';
import { kube, rows } from './expect.js';

let c: Cluster;
const { ok, fails } = kube(() => c);

before(async () => {
  c = await startKubeloop();
  const items: unknown[] = [];
  for (const ns of ['paging-b', 'paging-a']) items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (let i = 0; i < 15; i++) {
    for (const ns of ['paging-b', 'paging-a']) {
      items.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${String(i).padStart(2, '0')}`, namespace: ns, labels: { paging: 'yes', odd: String(i % 2 === 1) } } });
    }
  }
  await ok(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
});

after(async () => {
  await c?.stop();
});

describe('chunked lists', () => {
  it('kubectl get --chunk-size walks every page across namespaces, in order', async () => {
    const r = await c.kubectl(['get', 'cm', '-A', '-l', 'paging=yes', '--chunk-size=4', '--no-headers', '-o', 'custom-columns=NS:.metadata.namespace,NAME:.metadata.name', '-v=6']);
    assert.equal(r.code, 0, r.stderr);
    const want = ['paging-a', 'paging-b'].flatMap((ns) => Array.from({ length: 15 }, (_, i) => [ns, `cm-${String(i).padStart(2, '0')}`]));
    assert.deepEqual(rows(r.stdout), want);
    // 30 matches in pages of 4: the first request and seven more, each resuming with a continue token.
    assert.equal(r.stderr.match(/GET https?:\/\/\S+\/api\/v1\/configmaps\?[^ ]*limit=4/g)?.length, 8, r.stderr);
    assert.equal(r.stderr.match(/GET \S+continue=/g)?.length, 7, r.stderr);
  });

  it('pages with a selector count only matching objects', async () => {
    const chunked = await ok(['get', 'cm', '-n', 'paging-a', '-l', 'odd=true', '--chunk-size=3', '-o', 'name']);
    assert.deepEqual(chunked.trim().split('\n'), ['01', '03', '05', '07', '09', '11', '13'].map((n) => `configmap/cm-${n}`));
    assert.equal(await ok(['get', 'cm', '-n', 'paging-b', '--chunk-size=2', '-o', 'name']), await ok(['get', 'cm', '-n', 'paging-b', '--chunk-size=0', '-o', 'name']));
  });

  it('reports remainingItemCount without a selector and resumes from a continue token', async () => {
    const all = JSON.parse(await ok(['get', '--raw', '/api/v1/namespaces/paging-a/configmaps'])) as { items: { metadata: { name: string } }[] };
    const first = JSON.parse(await ok(['get', '--raw', '/api/v1/namespaces/paging-a/configmaps?limit=5'])) as { metadata: { continue: string; remainingItemCount: number }; items: { metadata: { name: string } }[] };
    assert.equal(first.items.length, 5);
    assert.equal(first.metadata.remainingItemCount, all.items.length - 5);
    const next = JSON.parse(await ok(['get', '--raw', `/api/v1/namespaces/paging-a/configmaps?limit=5&continue=${first.metadata.continue}`])) as { items: { metadata: { name: string } }[] };
    assert.deepEqual(
      [...first.items, ...next.items].map((o) => o.metadata.name),
      all.items.slice(0, 10).map((o) => o.metadata.name),
    );
    const selected = JSON.parse(await ok(['get', '--raw', '/api/v1/namespaces/paging-a/configmaps?limit=5&labelSelector=paging%3Dyes'])) as { metadata: Record<string, unknown> };
    assert.equal(typeof selected.metadata.continue, 'string');
    assert.equal(selected.metadata.remainingItemCount, undefined);
    assert.match(await fails(['get', '--raw', '/api/v1/configmaps?limit=1&continue=bogus']), /\(BadRequest\).*continue key is not valid/);
  });

  it('later pages read the first page\'s snapshot; Exact lists an older revision; bad options are kube\'s errors', async () => {
    await ok(['create', 'namespace', 'snap']);
    for (const n of ['a', 'b', 'c']) await ok(['create', 'configmap', n, '-n', 'snap', `--from-literal=v=1`]);
    const first = JSON.parse(await ok(['get', '--raw', '/api/v1/namespaces/snap/configmaps?limit=1'])) as { metadata: { continue: string; resourceVersion: string } };
    await ok(['delete', 'configmap', 'c', '-n', 'snap']);
    await ok(['create', 'configmap', 'bb', '-n', 'snap', '--from-literal=v=1']);
    const token = encodeURIComponent(first.metadata.continue);
    const second = JSON.parse(await ok(['get', '--raw', `/api/v1/namespaces/snap/configmaps?limit=5&continue=${token}`])) as { items: Array<{ metadata: { name: string } }>; metadata: { resourceVersion: string } };
    assert.deepEqual(second.items.map((i) => i.metadata.name), ['b', 'c']);
    assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
    const exact = JSON.parse(await ok(['get', '--raw', `/api/v1/namespaces/snap/configmaps?resourceVersion=${first.metadata.resourceVersion}&resourceVersionMatch=Exact`])) as { items: Array<{ metadata: { name: string } }> };
    assert.deepEqual(exact.items.map((i) => i.metadata.name), ['a', 'b', 'c']);
    const now = (await ok(['get', 'cm', '-n', 'snap', '-o', 'name'])).trim().split('\n');
    assert.ok(now.includes('configmap/bb') && !now.includes('configmap/c'), now.join(' '));
    const bad = await fails(['get', '--raw', '/api/v1/namespaces/snap/configmaps?resourceVersionMatch=Exact']);
    assert.match(bad, /The ListOptions "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided/);
  });
});
