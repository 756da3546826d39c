import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceDescriptor } from './descriptor.js';
import { allKinds } from './kinds/index.js';
import { Registry } from './registry.js';

function custom(version: string, plural = 'widgets', kind = 'Widget'): ResourceDescriptor {
  const base = allKinds.find((d) => d.kind === 'ConfigMap') as ResourceDescriptor;
  return { ...base, group: 'example.com', version, plural, kind, listKind: `${kind}List`, singular: kind.toLowerCase(), shortNames: ['wd'] };
}

describe('Registry', () => {
  it('looks up built-in kinds by path and kind', () => {
    const r = new Registry(allKinds);
    assert.equal(r.resource('apps', 'v1', 'deployments')?.kind, 'Deployment');
    assert.equal(r.kind('', 'Pod')?.plural, 'pods');
    assert.equal(r.forObject('apps/v1', 'ReplicaSet')?.plural, 'replicasets');
    assert.equal(r.groups()[0]?.group, '');
    assert.throws(() => new Registry([...allKinds, allKinds[0] as ResourceDescriptor]), /duplicate resource/);
  });

  it('adds and removes resources at run time and tells listeners', () => {
    const r = new Registry(allKinds);
    const seen: string[] = [];
    const off = r.onChange(({ added, removed }) => seen.push(`+${added.map((d) => d.version).join(',')} -${removed.map((d) => d.version).join(',')}`));
    const before = r.version;
    const v1 = custom('v1');
    const v1beta1 = custom('v1beta1');
    r.add(v1, v1beta1);
    assert.ok(r.version > before);
    assert.equal(r.resource('example.com', 'v1beta1', 'widgets'), v1beta1);
    // The first version registered answers kind lookups; forObject prefers the exact version.
    assert.equal(r.kind('example.com', 'Widget'), v1);
    assert.equal(r.forObject('example.com/v1beta1', 'Widget'), v1beta1);
    assert.deepEqual(r.groups().at(-1), { group: 'example.com', versions: ['v1', 'v1beta1'] });
    assert.deepEqual(r.inGroupVersion('example.com/v1'), [v1]);

    // Replacing a descriptor at the same path swaps it in place of the old one.
    const v1b = custom('v1');
    r.add(v1b);
    assert.equal(r.resource('example.com', 'v1', 'widgets'), v1b);
    assert.equal(r.all().filter((d) => d.group === 'example.com').length, 2);

    r.remove(v1b);
    assert.equal(r.kind('example.com', 'Widget'), v1beta1);
    r.remove(v1beta1);
    assert.equal(r.resource('example.com', 'v1beta1', 'widgets'), undefined);
    assert.equal(r.kind('example.com', 'Widget'), undefined);
    assert.equal(r.groups().some((g) => g.group === 'example.com'), false);
    assert.deepEqual(r.inGroupVersion('example.com/v1'), []);
    off();
    r.add(custom('v2'));
    assert.deepEqual(seen, ['+v1,v1beta1 -', '+v1 -v1', '+ -v1', '+ -v1beta1']);
  });

  it('keeps all() snapshots stable across changes', () => {
    const r = new Registry(allKinds);
    const snapshot = r.all();
    r.add(custom('v1'));
    assert.equal(snapshot.length, allKinds.length);
    assert.equal(r.all().length, allKinds.length + 1);
  });
});
