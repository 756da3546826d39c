// Image behaviour as catalog data: the built-in entries, user layers (JSON and YAML files), per-tag overrides,
// built-in file references, validation, and the runtime overlay.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NGINX_INDEX } from '../../containers/programs/servers.js';
import { imageBehaviour, mergeBehaviour, resolveBehaviour } from './behaviour.js';
import { ImageCatalog, parseCatalogText } from './catalog.js';

function behaviourOf(cat: ImageCatalog, spec: string) {
  const r = cat.lookup(spec);
  assert.ok(r.ok, `${spec} pullable`);
  return r.image.behaviour;
}

test('the built-in catalog carries the images behaviours, with the big pages by reference', () => {
  const cat = new ImageCatalog();
  const nginx = behaviourOf(cat, 'nginx:1.25');
  assert.deepEqual(nginx?.entrypoint, ['/docker-entrypoint.sh']);
  assert.deepEqual(nginx?.cmd, ['nginx', '-g', 'daemon off;']);
  assert.equal(nginx?.files?.['/usr/share/nginx/html/index.html'], NGINX_INDEX);
  assert.deepEqual(nginx?.ports, [80]);
  assert.equal(behaviourOf(cat, 'httpd')?.files?.['/usr/local/apache2/htdocs/index.html'], '<html><body><h1>It works!</h1></body></html>\n');
  assert.deepEqual(behaviourOf(cat, 'iwbaek/train')?.entrypoint, ['python', 'train.py']);
  assert.deepEqual(behaviourOf(cat, 'busybox'), {});
  assert.equal(behaviourOf(cat, 'someone/unknown:1'), undefined);
  assert.deepEqual(imageBehaviour('docker.io/library/redis')?.cmd, ['redis-server']);
});

test('a YAML user file adds an image and overrides a field of a known one, keeping the rest', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubeloop-behaviour-'));
  const file = join(dir, 'images.yaml');
  await writeFile(file, `repositories:
  example.com/hello:
    tags: [1.0, "2.0", 1.10]
    behaviour:
      entrypoint: [static-server, --port, "8080", --root, /srv/www, --]
      cmd: [sh, -c, "echo hi; sleep 3600"]
      env: { GREETING: hi }
      files:
        /srv/www/index.html: "hello\\n"
      ports: [8080]
  docker.io/library/nginx:
    behaviour:
      env: { EXTRA: "1" }
      files:
        /usr/share/nginx/html/index.html: "<h1>ours</h1>\\n"
`);
  const cat = new ImageCatalog({ extraPath: file, strict: true });
  assert.deepEqual(cat.tagsOf('example.com/hello').sort(), ['1.0', '1.10', '2.0']);
  const hello = behaviourOf(cat, 'example.com/hello:1.0');
  assert.deepEqual(hello?.cmd, ['sh', '-c', 'echo hi; sleep 3600']);
  assert.deepEqual(hello?.env, { GREETING: 'hi' });
  const nginx = behaviourOf(cat, 'nginx');
  assert.deepEqual(nginx?.cmd, ['nginx', '-g', 'daemon off;'], 'untouched fields stay');
  assert.deepEqual(nginx?.env, { NGINX_VERSION: '1.27.5', EXTRA: '1' });
  assert.equal(nginx?.files?.['/usr/share/nginx/html/index.html'], '<h1>ours</h1>\n');
  assert.ok(nginx?.files?.['/etc/nginx/nginx.conf'], 'other files stay');
});

test('per-tag overrides: globs, then exact tags; null removes', () => {
  const spec = mergeBehaviour(
    { cmd: ['a'], env: { X: '1', Y: '2' }, byTag: { '*-alpine': { cmd: ['alpine'] } } },
    { byTag: { '1.0-alpine': { env: { Y: null } }, '1.*': { cmd: ['one'] } } },
  );
  assert.deepEqual(resolveBehaviour(spec, 'latest'), { cmd: ['a'], env: { X: '1', Y: '2' } });
  assert.deepEqual(resolveBehaviour(spec, '2-alpine'), { cmd: ['alpine'], env: { X: '1', Y: '2' } });
  // Both globs match; the longer one applies last.
  assert.deepEqual(resolveBehaviour(spec, '1.0-alpine'), { cmd: ['alpine'], env: { X: '1' } });
  assert.deepEqual(resolveBehaviour(spec, '1.0'), { cmd: ['one'], env: { X: '1', Y: '2' } });
});

test('invalid catalogs are refused with the place and the reason', () => {
  const bad = (text: string, re: RegExp) => {
    const r = parseCatalogText(text, 'data');
    assert.equal(r.ok, false, text);
    if (!r.ok) assert.match(r.error, re);
  };
  bad('repositories: [1, 2', /^data: /);
  bad('{"repositories": ', /^data: .*JSON/);
  bad('repositories:\n  example.com/x:\n    behaviour:\n      cmd: echo hi\n', /repositories\["example.com\/x"\]\.behaviour\.cmd: must be a list of strings/);
  bad('repositories:\n  example.com/x:\n    behaviour:\n      files:\n        /a: {builtin: nope}\n', /unknown builtin "nope"/);
  bad('repositories:\n  example.com/x:1.0:\n    tags: [a]\n', /has no tag or digest/);
  bad('repositorys: {}\n', /repositorys: unknown field/);
  assert.deepEqual(parseCatalogText('# only comments\n'), { ok: true, catalog: {} });
});

test('the overlay replaces the run-time layer: tags and behaviours come and go', () => {
  const cat = new ImageCatalog({ strict: true });
  assert.equal(cat.lookup('nginx:1.99.0').ok, false);
  cat.setOverlay({ repositories: { 'docker.io/library/nginx': { tags: ['1.99.0'], behaviour: { cmd: ['nginx', '-g', 'daemon off; worker_processes 2;'] } } } });
  assert.ok(cat.lookup('nginx:1.99.0').ok);
  assert.deepEqual(behaviourOf(cat, 'nginx:1.25')?.cmd, ['nginx', '-g', 'daemon off; worker_processes 2;']);
  cat.setOverlay({});
  assert.equal(cat.lookup('nginx:1.99.0').ok, false);
  assert.deepEqual(behaviourOf(cat, 'nginx:1.25')?.cmd, ['nginx', '-g', 'daemon off;']);
});

test('a repository that only brings a behaviour accepts any tag, even with strict images', () => {
  const cat = new ImageCatalog({ strict: true, extra: { repositories: { 'myorg/app': { behaviour: { cmd: ['sh', '-c', 'echo up'] } } } } });
  assert.deepEqual(behaviourOf(cat, 'myorg/app:whatever')?.cmd, ['sh', '-c', 'echo up']);
  cat.setOverlay({ repositories: { 'myorg/app': { tags: ['v1'] } } });
  assert.equal(cat.lookup('myorg/app:whatever').ok, false, 'once tags are listed, only they exist');
  assert.ok(cat.lookup('myorg/app:v1').ok);
});
