// End-to-end: a user image catalog (`--images`) and `--strict-images` decide which images can be pulled.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kube, rows } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';

let c: Cluster;
const { ok, eventually } = kube(() => c);

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubeloop-images-'));
  const catalog = join(dir, 'catalog.json');
  await writeFile(catalog, JSON.stringify({ repositories: { 'registry.example.com/team/app': { tags: ['v1'] } } }));
  c = await startKubeloop({ args: ['--images', catalog, '--strict-images', '--timing', 'instant'] });
});

after(async () => {
  await c?.stop();
});

describe('image catalog flags', () => {
  it('runs an image the user catalog adds and refuses one it lacks', async () => {
    await ok(['run', 'ours', '--image=registry.example.com/team/app:v1']);
    await ok(['run', 'unknown', '--image=registry.example.com/team/other:v1']);
    await eventually(['get', 'pods', '--no-headers'], (o) => {
      const byName = new Map(rows(o).map((r) => [r[0], r[2]]));
      return byName.get('ours') === 'Running' && /^(ErrImagePull|ImagePullBackOff)$/.test(byName.get('unknown') ?? '');
    }, 'ours Running and unknown failing to pull');
    const pod = JSON.parse(await ok(['get', 'pod', 'ours', '-o', 'json']));
    assert.equal(pod.status.containerStatuses[0].image, 'registry.example.com/team/app:v1');
  });
});
