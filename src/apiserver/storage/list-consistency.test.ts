import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allKinds } from '../../api/kinds/index.js';
import { ApiError } from '../../api/errors.js';
import { Registry } from '../../api/registry.js';
import type { KubeObject } from '../../api/types.js';
import { FakeClock } from '../../clock/clock.js';
import { MemoryStore } from '../../store/memory.js';
import { ResourceStorage } from './generic.js';
import { validateListOptions, waitForRevision } from './list-consistency.js';

async function setup(historyEvents?: number) {
  const store = new MemoryStore(historyEvents ? { historyEvents } : {});
  const registry = new Registry([...allKinds]);
  const s = new ResourceStorage(store, registry, new FakeClock(Date.parse('2026-03-01T00:00:00Z')));
  await s.create(registry.kind('', 'Namespace')!, undefined, { metadata: { name: 'default' } });
  const cms = registry.kind('', 'ConfigMap')!;
  const cm = (name: string, v: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v } });
  return { s, store, cms, cm };
}

function rejects(fn: () => unknown, code: number, reason: string, message?: RegExp): ApiError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, code, err.message);
    assert.equal(err.reason, reason);
    if (message) assert.match(err.message, message);
    return err;
  }
  throw new Error('expected an error');
}

const names = (r: { entries: Array<{ object: KubeObject }> }) => r.entries.map((e) => `${e.object.metadata.name}=${(e.object.data as { v: string }).v}`);

describe('list consistency', () => {
  it('later pages of a paged list read the snapshot of the first page', async () => {
    const { s, cms, cm } = await setup();
    for (const n of ['a', 'b', 'c', 'd', 'e']) await s.create(cms, 'default', cm(n, '1'));
    const first = s.list(cms, 'default', { limit: 2 });
    assert.deepEqual(names(first), ['a=1', 'b=1']);
    // Changes after the first page: one modified, one deleted, one created, all after the continue key.
    await s.update(cms, 'default', 'c', cm('c', '2'));
    await s.delete(cms, 'default', 'd');
    await s.create(cms, 'default', cm('cc', '1'));
    const second = s.list(cms, 'default', { limit: 2, continue: first.continue as string });
    assert.deepEqual(names(second), ['c=1', 'd=1']);
    assert.equal(second.revision, first.revision);
    assert.equal(second.remainingItemCount, 1);
    const third = s.list(cms, 'default', { limit: 2, continue: second.continue as string });
    assert.deepEqual(names(third), ['e=1']);
    assert.equal(third.continue, undefined);
    // A new list sees the changes.
    assert.deepEqual(names(s.list(cms, 'default')), ['a=1', 'b=1', 'c=2', 'cc=1', 'e=1']);
  });

  it('resourceVersionMatch=Exact lists an older revision, 410 once it left the history', async () => {
    const { s, cms, cm } = await setup(5);
    await s.create(cms, 'default', cm('a', '1'));
    const at = s.list(cms, 'default').revision;
    await s.update(cms, 'default', 'a', cm('a', '2'));
    await s.create(cms, 'default', cm('b', '1'));
    assert.deepEqual(names(s.list(cms, 'default', { resourceVersion: String(at), resourceVersionMatch: 'Exact' })), ['a=1']);
    assert.equal(s.list(cms, 'default', { resourceVersion: String(at), resourceVersionMatch: 'Exact' }).revision, at);
    // NotOlderThan (or no match) serves the latest state.
    assert.deepEqual(names(s.list(cms, 'default', { resourceVersion: String(at), resourceVersionMatch: 'NotOlderThan' })), ['a=2', 'b=1']);
    for (let i = 0; i < 6; i++) await s.create(cms, 'default', cm(`x${i}`, '1'));
    rejects(() => s.list(cms, 'default', { resourceVersion: String(at), resourceVersionMatch: 'Exact' }), 410, 'Expired', /^The resourceVersion for the provided list is too old\.$/);
  });

  it('a continue token older than the history is 410 with a token that goes on from the latest state', async () => {
    const { s, cms, cm } = await setup(5);
    for (const n of ['a', 'b', 'c']) await s.create(cms, 'default', cm(n, '1'));
    const first = s.list(cms, 'default', { limit: 1 });
    for (let i = 0; i < 6; i++) await s.update(cms, 'default', 'c', cm('c', String(i + 2)));
    const err = rejects(() => s.list(cms, 'default', { limit: 1, continue: first.continue as string }), 410, 'Expired', /continue parameter is too old to display a consistent list result/);
    const token = (err.status.metadata as { continue?: string }).continue as string;
    assert.ok(token);
    const next = s.list(cms, 'default', { limit: 5, continue: token });
    assert.deepEqual(names(next), ['b=1', 'c=7']);
  });

  it('refuses a resourceVersion together with a continue token', async () => {
    const { s, cms, cm } = await setup();
    for (const n of ['a', 'b']) await s.create(cms, 'default', cm(n, '1'));
    const first = s.list(cms, 'default', { limit: 1 });
    rejects(() => s.list(cms, 'default', { limit: 1, continue: first.continue as string, resourceVersion: '5' }), 400, 'BadRequest', /^specifying resource version is not allowed when using continue$/);
  });

  it('validates list options as kube-apiserver does (422 on ListOptions.meta.k8s.io)', () => {
    const err = rejects(() => validateListOptions({ resourceVersionMatch: 'Exact' }), 422, 'Invalid');
    assert.equal(err.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    assert.match(rejects(() => validateListOptions({ resourceVersion: '0', resourceVersionMatch: 'Exact' }), 422, 'Invalid').message, /resourceVersionMatch "exact" is forbidden for resourceVersion "0"/);
    assert.match(rejects(() => validateListOptions({ resourceVersion: '3', resourceVersionMatch: 'Newest' }), 422, 'Invalid').message, /Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""/);
    assert.match(rejects(() => validateListOptions({ resourceVersion: '3', resourceVersionMatch: 'Exact', continue: 'x' }), 422, 'Invalid').message, /forbidden when continue is provided/);
    assert.match(rejects(() => validateListOptions({ sendInitialEvents: 'true' }), 422, 'Invalid').message, /sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list/);
    validateListOptions({ resourceVersion: '3', resourceVersionMatch: 'NotOlderThan' });
  });

  it('waits for a resourceVersion the store has not reached, then answers 504 Too large resource version', async () => {
    const { store, s, cms, cm } = await setup();
    const now = store.revision();
    const later = waitForRevision(store, now + 1, 2000);
    await s.create(cms, 'default', cm('a', '1'));
    await later;
    await assert.rejects(waitForRevision(store, now + 100, 30), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 504);
      assert.equal(err.reason, 'Timeout');
      assert.equal(err.message, `Timeout: Too large resource version: ${now + 100}, current: ${now + 1}`);
      assert.deepEqual(err.status.details?.causes, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);
      return true;
    });
  });
});
