// End-to-end: a user image catalog (`--images`, here in YAML) and `--strict-images` decide which images can be
// pulled and what they run; the kube-system/kubeloop-images ConfigMap changes the catalog at run time.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kube, rows } from './expect.js';
import { type Cluster, startKubeloop } from './harness.js';

let c: Cluster;
let dir: string;
const { ok, eventually } = kube(() => c);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubeloop-images-'));
  const catalog = join(dir, 'catalog.yaml');
  await writeFile(catalog, `repositories:
  registry.example.com/team/app:
    tags: [v1]
  example.com/hello:
    tags: ["1.0"]
    behaviour:
      entrypoint: [static-server, --port, "8080", --root, /srv/www, --]
      cmd: [sh, -c, "echo hi; sleep 3600"]
      files:
        /srv/www/index.html: "hello from kubeloop\\n"
      ports: [8080]
`);
  // A faster clock makes the image-pull back-off (10 s, 20 s, ...) pass in a second or two.
  c = await startKubeloop({ args: ['--images', catalog, '--strict-images', '--timing', 'instant', '--time-scale', '10'] });
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

  it('runs a custom image from the --images file: its cmd logs, its static server serves', async () => {
    await ok(['run', 'hello', '--image=example.com/hello:1.0']);
    await eventually(['get', 'pod', 'hello', '-o', 'jsonpath={.status.phase}'], (o) => o === 'Running', 'hello Running');
    await eventually(['logs', 'hello'], (o) => o.startsWith('hi\n'), 'hello logs hi');
    assert.equal(await ok(['get', '--raw', '/api/v1/namespaces/default/pods/hello:8080/proxy/']), 'hello from kubeloop\n');
    assert.equal(await ok(['exec', 'hello', '--', 'wget', '-qO-', 'http://localhost:8080/index.html']), 'hello from kubeloop\n');
    assert.match(await ok(['logs', 'hello']), /"GET \/index.html HTTP\/1.1" 200 20\n/);
  });

  it('kubectl edit of the kubeloop-images ConfigMap adds a tag and unblocks a pod in ImagePullBackOff', async () => {
    const initial = await ok(['get', 'configmap', 'kubeloop-images', '-n', 'kube-system', '-o', 'jsonpath={.data.catalog\\.yaml}']);
    assert.match(initial, /^# kubeloop image catalog/);
    assert.match(initial, /^repositories: \{\}$/m);
    await ok(['run', 'later', '--image=nginx:1.99.0']);
    await eventually(['get', 'pod', 'later', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}'], (o) => o === 'ImagePullBackOff', 'later in ImagePullBackOff');

    // The "editor" replaces `repositories: {}` in the block kubectl edit opens, keeping its indentation.
    const editor = join(dir, 'editor.sh');
    await writeFile(editor, `#!/bin/sh
grep -q '^ *repositories: {}$' "$1" || { echo "no repositories line in $1" >&2; exit 1; }
sed -i 's/^\\( *\\)repositories: {}$/\\1repositories:\\n\\1  docker.io\\/library\\/nginx:\\n\\1    tags: ["1.99.0"]/' "$1"
`);
    await chmod(editor, 0o755);
    await ok(['edit', 'configmap', 'kubeloop-images', '-n', 'kube-system'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    assert.match(await ok(['get', 'configmap', 'kubeloop-images', '-n', 'kube-system', '-o', 'jsonpath={.data.catalog\\.yaml}']), /tags: \["1\.99\.0"\]/);
    await eventually(['get', 'pod', 'later', '-o', 'jsonpath={.status.phase}'], (o) => o === 'Running', 'later Running after the edit', 90_000);
    assert.equal(await ok(['get', 'pod', 'later', '-o', 'jsonpath={.status.containerStatuses[0].image}']), 'docker.io/library/nginx:1.99.0');
  });

  it('an invalid catalog in the ConfigMap keeps the previous one and leaves a Warning event', async () => {
    await ok(['patch', 'configmap', 'kubeloop-images', '-n', 'kube-system', '--type', 'merge', '-p', JSON.stringify({ data: { 'catalog.yaml': 'repositories:\n  docker.io/library/nginx:\n    tags: ["1.99.0"\n' } })]);
    await eventually(['get', 'events', '-n', 'kube-system', '--field-selector', 'reason=InvalidImageCatalog', '-o', 'jsonpath={.items[*].message}'], (o) => /keeping the previous one: data\["catalog.yaml"\]/.test(o), 'an InvalidImageCatalog event');
    assert.match(await ok(['describe', 'configmap', 'kubeloop-images', '-n', 'kube-system']), /Warning\s+InvalidImageCatalog/);
    await ok(['run', 'still', '--image=nginx:1.99.0']);
    await eventually(['get', 'pod', 'still', '-o', 'jsonpath={.status.phase}'], (o) => o === 'Running', 'still Running on the previous catalog');
  });
});
