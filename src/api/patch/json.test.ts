import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyJsonPatch, JSON_PATCH_APPLY_FAILED, JsonPatchError, MAX_JSON_PATCH_OPERATIONS } from './json.js';

const doc = () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, x: { a: 1, arr: [1, 2] } });

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

function rejects(patch: unknown, status: number, message = JSON_PATCH_APPLY_FAILED, target: unknown = doc()): void {
  assert.throws(
    () => applyJsonPatch(target, patch),
    (e: unknown) => e instanceof JsonPatchError && e.status === status && e.message === message,
    JSON.stringify(patch),
  );
}

// Results checked against `kubectl patch --local --type=json`, which runs the evanphx/json-patch v4 code
// kube-apiserver uses.
test('operations behave as in kube-apiserver', () => {
  const ok: [unknown[], Record<string, unknown>][] = [
    [[{ op: 'replace', path: '/x/zz', value: 1 }], { a: 1, arr: [1, 2], zz: 1 }],
    [[{ op: 'test', path: '/x/zz', value: null }], { a: 1, arr: [1, 2] }],
    [[{ op: 'add', path: '/x/arr/-1', value: 9 }], { a: 1, arr: [1, 2, 9] }],
    [[{ op: 'add', path: '/x/arr/-', value: 7 }], { a: 1, arr: [1, 2, 7] }],
    [[{ op: 'add', path: '/x/arr/-3', value: 0 }], { a: 1, arr: [0, 1, 2] }],
    [[{ op: 'add', path: '/x/arr/01', value: 7 }], { a: 1, arr: [1, 7, 2] }],
    [[{ op: 'add', path: '/x/arr/+1', value: 3 }], { a: 1, arr: [1, 3, 2] }],
    [[{ op: 'add', path: '/x/arr/2', value: 3 }], { a: 1, arr: [1, 2, 3] }],
    [[{ op: 'remove', path: '/x/arr/-1' }], { a: 1, arr: [1] }],
    [[{ op: 'replace', path: '/x/arr/-1', value: 5 }], { a: 1, arr: [1, 5] }],
    [[{ op: 'add', path: '/x/c' }], { a: 1, arr: [1, 2], c: null }],
    [[{ op: 'move', from: '/x/a', path: '/x/b' }], { arr: [1, 2], b: 1 }],
    [[{ op: 'move', from: '/x/a', path: '/x/arr/1' }], { arr: [1, 1, 2] }],
    [[{ op: 'move', from: '/x/arr/0', path: '/x/arr/1' }], { a: 1, arr: [2, 1] }],
    [[{ op: 'copy', from: '/x/a', path: '/x/arr/0' }], { a: 1, arr: [1, 1, 2] }],
    [[{ op: 'copy', from: '/x/zz', path: '/x/q' }], { a: 1, arr: [1, 2], q: null }],
    [[{ op: 'test', path: '/x', value: { arr: [1, 2], a: 1 } }], { a: 1, arr: [1, 2] }],
    [[{ op: 'add', path: '/x/~1a~0b', value: 1 }, { op: 'copy', from: '/x/~1a~0b', path: '/x/c~1' }], { a: 1, arr: [1, 2], '/a~b': 1, 'c/': 1 }],
  ];
  for (const [patch, x] of ok) assert.deepEqual(applyJsonPatch(doc(), patch), { ...doc(), x }, JSON.stringify(patch));
  assert.deepEqual(applyJsonPatch(doc(), null), doc());
});

test('kubectl rollout undo: replace /metadata/annotations works even when there are none', () => {
  const deployment = { metadata: { name: 'nginx' }, spec: { template: { metadata: { labels: { app: 'nginx', 'pod-template-hash': 'x' } }, spec: {} } } };
  const patch = [
    { op: 'replace', path: '/spec/template', value: { metadata: { creationTimestamp: null, labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.21' }] } } },
    { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '3' } },
  ];
  const out = applyJsonPatch(deployment, patch) as typeof deployment & { metadata: { annotations: unknown } };
  assert.deepEqual(out.metadata.annotations, { 'deployment.kubernetes.io/revision': '3' });
  assert.deepEqual(out.spec.template.metadata, { creationTimestamp: null, labels: { app: 'nginx' } });
});

test('failures answer 422 with the fixed message; bad bodies 400; too many operations 413', () => {
  const unapplicable = [
    [{ op: 'remove', path: '/x/zz' }],
    [{ op: 'test', path: '/x/a', value: 2 }],
    [{ op: 'test', path: '/x', value: { arr: [1, 2], a: 1, extra: 5 } }],
    [{ op: 'add', path: '/x/arr/5', value: 9 }],
    [{ op: 'add', path: '/x/arr/-4', value: 0 }],
    [{ op: 'replace', path: '/x/arr/5', value: 9 }],
    [{ op: 'remove', path: '/x/arr/2' }],
    [{ op: 'add', path: '/q/r', value: 9 }],
    [{ op: 'add', path: '/x/a/b', value: 1 }],
    [{ op: 'add', path: '/x/arr/a', value: 1 }],
    [{ op: 'add', path: '', value: {} }],
    [{ op: 'move', from: '/x/zz', path: '/x/q' }],
    [{ op: 'bogus', path: '/x' }],
    [{ op: 'add' }],
    [{ op: 5, path: '/x' }],
    [null],
  ];
  for (const p of unapplicable) rejects(p, 422);
  rejects({ op: 'add' }, 400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  rejects('str', 400, 'json: cannot unmarshal string into Go value of type jsonpatch.Patch');
  rejects([5], 400, 'json: cannot unmarshal number into Go value of type jsonpatch.Operation');
  const many = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/x/a', value: 1 }));
  rejects(many, 413, `Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001`);
  try {
    applyJsonPatch(doc(), [{ op: 'test', path: '/x/a', value: 2 }]);
  } catch (e) {
    assert.equal((e as JsonPatchError).detail, 'testing value /x/a failed: test failed');
    assert.equal((e as JsonPatchError).reason, 'Invalid');
  }
});

test('atomic and non-mutating, also on frozen input', () => {
  const original = deepFreeze(doc());
  const patch = deepFreeze([
    { op: 'add', path: '/x/b', value: { deep: [1] } },
    { op: 'remove', path: '/x/a' },
    { op: 'test', path: '/x/a', value: 1 },
  ]);
  rejects(patch, 422, JSON_PATCH_APPLY_FAILED, original);
  assert.deepEqual(original, doc());
  const out = applyJsonPatch<unknown>(original, patch.slice(0, 2)) as { x: { b: { deep: number[] } } };
  out.x.b.deep.push(2);
  assert.deepEqual(patch[0], { op: 'add', path: '/x/b', value: { deep: [1] } });
});

test('prototype keys never reach Object.prototype', () => {
  const target = { metadata: { annotations: {} as Record<string, string> } };
  rejects([{ op: 'add', path: '/metadata/__proto__/polluted', value: 'yes' }], 422, JSON_PATCH_APPLY_FAILED, target);
  rejects([{ op: 'add', path: '/metadata/annotations/__proto__', value: { polluted: 'yes' } }], 422, JSON_PATCH_APPLY_FAILED, target);
  rejects([{ op: 'add', path: '/metadata/constructor/prototype/polluted', value: 'yes' }], 422, JSON_PATCH_APPLY_FAILED, target);
  rejects([{ op: 'remove', path: '/metadata/toString' }], 422, JSON_PATCH_APPLY_FAILED, target);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  const out = applyJsonPatch(target, [{ op: 'add', path: '/metadata/annotations/constructor', value: 'c' }]) as typeof target;
  assert.equal(Object.getOwnPropertyDescriptor(out.metadata.annotations, 'constructor')?.value, 'c');
});

test('property: add then remove of a fresh key is the identity', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__' && !(k in doc().x)), fc.jsonValue(), (k, v) => {
      const p = `/x/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      assert.deepEqual(applyJsonPatch(doc(), [{ op: 'add', path: p, value: v }, { op: 'remove', path: p }]), doc());
    }),
  );
});
