import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ImageCatalog } from './images/catalog.js';
import { normalizeImage } from './images/image-ref.js';

test('the built-in catalog knows the tutorial tags, and not the ones that never existed', () => {
  const cat = new ImageCatalog();
  for (const tag of ['latest', '1.25', '1.21-alpine', '1.9.1', '1.7.9', '1.20', '1.22', '1.14.2', '1.16.1']) {
    assert.ok(cat.lookup(`nginx:${tag}`).ok, `nginx:${tag}`);
  }
  for (const tag of ['1.9.21', '1.161', '1.7.9-alpine']) assert.equal(cat.lookup(`nginx:${tag}`).ok, false, `nginx:${tag}`);
  for (const image of ['httpd', 'httpd:2.4', 'busybox', 'busybox:1.28', 'alpine:3.19', 'redis', 'redis:7-alpine', 'quay.io/fluentd_elasticsearch/fluentd:v3.0.0', 'iwbaek/train', 'perl:5.34.0']) {
    assert.ok(cat.lookup(image).ok, image);
  }
  assert.equal(cat.lookup('quay.io/fluentd_elasticsearch/fluentd').ok, false, 'fluentd has no latest tag');
});

test('images resolve to fully qualified names, stable digests and sizes', () => {
  const cat = new ImageCatalog();
  const a = cat.lookup('nginx:1.25');
  const b = cat.lookup('docker.io/library/nginx:1.25');
  assert.ok(a.ok && b.ok);
  assert.equal(a.image.fullName, 'docker.io/library/nginx:1.25');
  assert.equal(a.image.digest, b.image.digest);
  assert.match(a.image.imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
  assert.equal(a.image.sizeBytes, 72219237);
  const alpine = cat.lookup('nginx:1.21-alpine');
  assert.ok(alpine.ok);
  assert.ok(alpine.image.sizeBytes < a.image.sizeBytes);
  assert.notEqual(alpine.image.digest, a.image.digest);
  const other = cat.lookup('nginx:1.26');
  assert.ok(other.ok && other.image.digest !== a.image.digest);

  const plain = normalizeImage('nginx');
  assert.equal(plain.ok ? plain.image.fullName : '', 'docker.io/library/nginx:latest');
  const user = normalizeImage('iwbaek/train');
  assert.ok(user.ok);
  assert.equal(user.image.fullName, 'docker.io/iwbaek/train:latest');
  const registry = normalizeImage('localhost:5000/app:v1');
  assert.ok(registry.ok);
  assert.equal(registry.image.repository, 'localhost:5000/app');
  const digest = normalizeImage(`nginx@sha256:${'a'.repeat(64)}`);
  assert.ok(digest.ok);
  assert.equal(digest.image.fullName, `docker.io/library/nginx@sha256:${'a'.repeat(64)}`);
  const bad = cat.lookup('Nginx');
  assert.equal(bad.ok ? '' : bad.reason, 'InvalidImageName');
});

test('a user catalog adds repositories and tags; strict mode rejects the rest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeloop-catalog-'));
  try {
    const file = join(dir, 'images.json');
    writeFileSync(file, JSON.stringify({ repositories: { 'registry.example.com/shop/cart': { tags: ['v1', 'v2'], sizeBytes: 1234 }, nginx: { tags: ['my-build'] } } }));
    const cat = new ImageCatalog({ extraPath: file, strict: true });
    const cart = cat.lookup('registry.example.com/shop/cart:v2');
    assert.ok(cart.ok && cart.image.sizeBytes === 1234);
    assert.equal(cat.lookup('registry.example.com/shop/cart:v3').ok, false);
    assert.ok(cat.lookup('nginx:my-build').ok);
    assert.ok(cat.lookup('nginx:1.25').ok, 'built-in tags stay');
    const unknown = cat.lookup('someone/else:1');
    assert.ok(!unknown.ok && unknown.reason === 'ErrImagePull');
    assert.ok(new ImageCatalog().lookup('someone/else:1').ok, 'lenient by default');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
