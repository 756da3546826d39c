import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyMergePatch, cloneJson, getOwn, mergePatch, MergePatchError, setOwn } from './merge.js';

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

test('RFC 7386 appendix A examples', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) assert.deepEqual(mergePatch(target, patch), want, JSON.stringify([target, patch]));
});

test("kube's null handling inside set values", () => {
  // Checked against kubectl patch --type=merge (evanphx/json-patch v4, as kube-apiserver uses).
  const target = { x: { a: 1, arr: [1, 2] } };
  assert.deepEqual(mergePatch(target, { x: { arr: [{ k: null, j: 1 }, null, 3], new: { n: null, m: [{ z: null }] }, a: null }, y: [null, { q: null }] }), {
    x: { arr: [{ j: 1 }, null, 3], new: { m: [{}] } },
    y: [null, {}],
  });
  // A non-object replacing an object is taken verbatim.
  assert.deepEqual(mergePatch({ x: { a: 1 } }, { x: [{ k: null }] }), { x: [{ k: null }] });
  assert.deepEqual(mergePatch({ m: { n: 'c' } }, { m: { n: [{ q: null }] } }), { m: { n: [{}] } });
});

test('applyMergePatch refuses what kube-apiserver refuses', () => {
  for (const p of [null, 5, 'x', true, [1]]) {
    assert.throws(() => applyMergePatch({ a: 1 }, p), (e: unknown) => e instanceof MergePatchError && e.message === 'Invalid JSON Patch' && e.status === 400);
  }
  assert.deepEqual(applyMergePatch({ metadata: { labels: { a: 'b' } } }, { metadata: { labels: { a: null, c: 'd' } } }), { metadata: { labels: { c: 'd' } } });
});

test('keys named __proto__, constructor and prototype are ordinary data', () => {
  const target = JSON.parse('{"data":{"__proto__":"keep","prototype":"p"}}');
  const patch = JSON.parse('{"data":{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"prototype":null}}');
  const out = mergePatch(target, patch) as { data: Record<string, unknown> };
  assert.equal(Object.getPrototypeOf(out.data), Object.prototype);
  assert.deepEqual(Object.keys(out.data), ['__proto__', 'constructor']);
  assert.deepEqual(getOwn(out.data, '__proto__'), { polluted: true });
  assert.deepEqual(getOwn(out.data, 'constructor'), { prototype: { x: 1 } });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal((Object.prototype as unknown as Record<string, unknown>)['x'], undefined);
  // Deleting a key that only exists on the prototype chain is a no-op.
  assert.deepEqual(mergePatch({ a: 1 }, JSON.parse('{"toString":null,"__proto__":null}')), { a: 1 });
  const o = {};
  setOwn(o, '__proto__', 1);
  assert.equal(Object.getPrototypeOf(o), Object.prototype);
  assert.deepEqual(cloneJson(o), o);
});

test('inputs are never modified and may be frozen', () => {
  const target = deepFreeze({ a: { b: [1, { c: 2 }] }, d: 'e' });
  const patch = deepFreeze({ a: { b: null, x: { y: null, z: 1 } }, d: null });
  const out = mergePatch(target, patch) as Record<string, unknown>;
  assert.deepEqual(out, { a: { x: { z: 1 } } });
  assert.equal(Object.isFrozen(out), false);
  assert.deepEqual(target, { a: { b: [1, { c: 2 }] }, d: 'e' });
  // The result shares nothing with the inputs.
  const t2 = { keep: { deep: [1] } };
  const r2 = mergePatch(t2, { other: 1 }) as { keep: { deep: number[] } };
  r2.keep.deep.push(2);
  assert.deepEqual(t2.keep.deep, [1]);
});

const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'a', 'b'), fc.string({ maxLength: 4 }));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 4 }), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
})).value;
const jsonObject = fc.dictionary(key, json, { maxKeys: 5, noNullPrototype: true });

function noNullMembers(v: unknown): boolean {
  if (Array.isArray(v)) return v.every(noNullMembers);
  if (typeof v === 'object' && v !== null) return Object.values(v).every((x) => x !== null && noNullMembers(x));
  return true;
}

test('property: an empty patch is the identity', () => {
  fc.assert(
    fc.property(
      jsonObject.map((o) => JSON.parse(JSON.stringify(o))),
      (t) => {
        assert.deepEqual(mergePatch(t, {}), t);
      },
    ),
  );
});

function noNullsInArrays(v: unknown): boolean {
  if (Array.isArray(v)) return noNullMembers(v);
  if (typeof v === 'object' && v !== null) return Object.values(v).every(noNullsInArrays);
  return true;
}

// kube keeps nulls in an array that replaces an object and drops them when it replaces anything else, so
// idempotence only holds for patches without null members inside arrays.
test('property: applying a patch twice is the same as once', () => {
  fc.assert(
    fc.property(jsonObject, jsonObject.filter(noNullsInArrays), (t, p) => {
      const once = mergePatch(t, p);
      assert.deepEqual(mergePatch(once, p), once);
    }),
  );
});

test('property: patched members equal the patch wherever the patch holds a non-object without nulls', () => {
  fc.assert(
    fc.property(jsonObject, jsonObject, (t, p) => {
      const out = mergePatch(t, p) as Record<string, unknown>;
      for (const k of Object.keys(p)) {
        const v = p[k];
        if (v === null) assert.equal(Object.hasOwn(out, k), false);
        else if (typeof v !== 'object' || (Array.isArray(v) && noNullMembers(v))) assert.deepEqual(getOwn(out, k), v);
      }
      assert.equal(Object.getPrototypeOf(out), Object.prototype);
    }),
  );
});
