import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { nextBackoffRecord, remainingBackoff } from './backoff.js';

function finished(at: number): KubeObject {
  const finishedAt = new Date(at).toISOString().replace('.000Z', 'Z');
  return { metadata: { name: 'p' }, status: { containerStatuses: [{ state: { terminated: { finishedAt } } }] } } as unknown as KubeObject;
}

describe('pod failure backoff', () => {
  it('doubles from 10 s and stops at 10 minutes', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => remainingBackoff({ failuresAfterLastSuccess: n, lastFailureTime: 0 }, 0));
    assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000]);
  });

  it('counts from when the last failure finished', () => {
    assert.equal(remainingBackoff({ failuresAfterLastSuccess: 2, lastFailureTime: 1_000 }, 15_000), 6_000);
    assert.equal(remainingBackoff({ failuresAfterLastSuccess: 1, lastFailureTime: 0 }, 10_000), 0);
    assert.equal(remainingBackoff(undefined, 0), 0);
  });

  it('a success resets the streak; only later failures count', () => {
    let r = nextBackoffRecord(undefined, [], [finished(1_000), finished(2_000)], 5_000);
    assert.deepEqual(r, { failuresAfterLastSuccess: 2, lastFailureTime: 2_000 });
    r = nextBackoffRecord(r, [finished(3_000)], [finished(2_500), finished(4_000)], 5_000);
    assert.deepEqual(r, { failuresAfterLastSuccess: 1, lastFailureTime: 4_000 });
  });
});
