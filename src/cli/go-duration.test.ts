import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDuration } from './go-duration.js';

describe('parseGoDuration', () => {
  it('reads the unit pairs Go accepts', () => {
    assert.equal(parseGoDuration('1h'), 3_600_000);
    assert.equal(parseGoDuration('10m'), 600_000);
    assert.equal(parseGoDuration('90s'), 90_000);
    assert.equal(parseGoDuration('1h30m'), 5_400_000);
    assert.equal(parseGoDuration('1.5h'), 5_400_000);
    assert.equal(parseGoDuration('500ms'), 500);
    assert.equal(parseGoDuration('0'), 0);
    assert.equal(parseGoDuration('-2s'), -2000);
  });

  it('rejects what Go rejects', () => {
    for (const bad of ['', '10', '1x', 'h', '1h ', ' 1h', '1hh', '.s', '1.2.3s', '-', 'abc']) assert.equal(parseGoDuration(bad), undefined, bad);
  });
});
