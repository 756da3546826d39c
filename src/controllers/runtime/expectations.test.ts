import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../clock/clock.js';
import { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS, UIDTrackingExpectations } from './expectations.js';

describe('ControllerExpectations', () => {
  it('is satisfied without a record, blocks until every expected add and delete is seen', () => {
    const e = new ControllerExpectations(new FakeClock());
    assert.equal(e.satisfied('ns/a'), true);
    e.expectCreations('ns/a', 2);
    assert.equal(e.satisfied('ns/a'), false);
    e.creationObserved('ns/a');
    assert.equal(e.satisfied('ns/a'), false);
    e.creationObserved('ns/a');
    assert.equal(e.satisfied('ns/a'), true);
    // Extra observations drive the count below zero, which still counts as satisfied.
    e.creationObserved('ns/a');
    assert.equal(e.get('ns/a')?.add, -1);
    assert.equal(e.satisfied('ns/a'), true);
  });

  it('expires after five minutes of cluster time', () => {
    const clock = new FakeClock();
    const e = new ControllerExpectations(clock);
    e.expectDeletions('ns/a', 1);
    clock.advance(EXPECTATIONS_TIMEOUT_MS);
    assert.equal(e.satisfied('ns/a'), false);
    clock.advance(1);
    assert.equal(e.satisfied('ns/a'), true);
  });

  it('set replaces, raise/lower adjust, lowering an unknown key does nothing, delete forgets', () => {
    const e = new ControllerExpectations(new FakeClock());
    e.lower('ns/x', 1, 1);
    assert.equal(e.get('ns/x'), undefined);
    e.set('ns/a', 1, 1);
    e.raise('ns/a', 1, 0);
    e.lower('ns/a', 2, 1);
    assert.equal(e.satisfied('ns/a'), true);
    e.expectCreations('ns/a', 3);
    assert.deepEqual({ ...e.get('ns/a'), setAt: 0 }, { add: 3, del: 0, setAt: 0 });
    e.delete('ns/a');
    assert.equal(e.get('ns/a'), undefined);
  });
});

describe('UIDTrackingExpectations', () => {
  it('counts each expected deletion once, ignoring unexpected ones', () => {
    const e = new UIDTrackingExpectations(new FakeClock());
    e.expectDeletions('ns/rs', ['ns/p1', 'ns/p2']);
    assert.equal(e.satisfied('ns/rs'), false);
    // A graceful delete shows up twice: deletionTimestamp set, then the real delete.
    e.deletionObserved('ns/rs', 'ns/p1');
    e.deletionObserved('ns/rs', 'ns/p1');
    e.deletionObserved('ns/rs', 'ns/other');
    assert.equal(e.get('ns/rs')?.del, 1);
    assert.deepEqual([...e.pendingDeletions('ns/rs')], ['ns/p2']);
    e.deletionObserved('ns/rs', 'ns/p2');
    assert.equal(e.satisfied('ns/rs'), true);
  });

  it('tracks creations by count and forgets everything on delete', () => {
    const e = new UIDTrackingExpectations(new FakeClock());
    e.expectCreations('ns/rs', 1);
    assert.equal(e.satisfied('ns/rs'), false);
    e.creationObserved('ns/rs');
    assert.equal(e.satisfied('ns/rs'), true);
    e.expectDeletions('ns/rs', ['ns/p']);
    e.delete('ns/rs');
    assert.equal(e.satisfied('ns/rs'), true);
    assert.equal(e.pendingDeletions('ns/rs').size, 0);
  });
});
