// The container filesystem: sub-path mounts, links followed the way the kernel does, permission bits, and the
// per-change hook persistent volumes write through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerFs, type Entry, FileTree, modeString } from './fs.js';

test('a sub-path mount shows one directory or file of a volume; writes land in the volume', () => {
  const vol = FileTree.from({ '/html/index.html': 'hi\n', '/conf/app.conf': 'x=1\n' });
  const changes: Array<[string, Entry | undefined]> = [];
  vol.onChange = (rel, e) => changes.push([rel, e]);
  const fs = new ContainerFs(new FileTree(), [
    { path: '/site', tree: vol, sub: 'html' },
    { path: '/etc/app.conf', tree: vol, sub: 'conf/app.conf' },
  ], () => 5);
  assert.equal(fs.readFile('/site/index.html'), 'hi\n');
  assert.equal(fs.readFile('/etc/app.conf'), 'x=1\n');
  assert.deepEqual(fs.list('/etc'), ['app.conf']);
  fs.writeFile('/site/new', 'n');
  assert.equal(vol.entries.get('html/new')?.kind, 'file');
  fs.mkdir('/site/a/b', true);
  fs.remove('/site/a', true);
  assert.deepEqual(changes.map(([rel, e]) => `${rel}:${e?.kind ?? 'gone'}`), ['html/new:file', 'html/a/b:dir', 'html/a:gone']);
  assert.deepEqual(fs.walk('/site').map(([p]) => p), ['/site', '/site/index.html', '/site/new']);
});

test('links are followed on the way (..data layout) and reported by lstat; modes print as ls does', () => {
  const vol = new FileTree();
  vol.mkdirs('..2024_01_01_00_00_00.1', 0);
  vol.entries.set('..2024_01_01_00_00_00.1/key', { kind: 'file', data: 'v', mtime: 0, mode: 0o400 });
  vol.link('..data', '..2024_01_01_00_00_00.1', 0);
  vol.link('key', '..data/key', 0);
  const fs = new ContainerFs(new FileTree(), [{ path: '/etc/config', tree: vol, readOnly: true }], () => 0);
  assert.equal(fs.readFile('/etc/config/key'), 'v');
  assert.equal(fs.lstat('/etc/config/key')?.kind, 'link');
  assert.equal(modeString(fs.stat('/etc/config/key') as Entry), '-r--------');
  assert.equal(modeString(fs.lstat('/etc/config/..data') as Entry), 'lrwxrwxrwx');
  assert.equal(modeString({ kind: 'dir', mtime: 0, mode: 0o1777 }), 'drwxrwxrwt');
  assert.equal(modeString({ kind: 'file', data: '', mtime: 0 }), '-rw-r--r--');
  assert.equal(vol.realPath('key'), '..2024_01_01_00_00_00.1/key');
  assert.throws(() => fs.writeFile('/etc/config/key', 'w'), /EROFS/);
  // A loop ends with ELOOP instead of hanging.
  const loop = new FileTree();
  loop.link('a', 'b', 0);
  loop.link('b', 'a', 0);
  const lfs = new ContainerFs(new FileTree(), [{ path: '/l', tree: loop }], () => 0);
  assert.throws(() => lfs.readFile('/l/a'), /ELOOP/);
});
