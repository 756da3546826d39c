import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock, rfc3339, rfc3339Micro, ScaledClock } from './clock.js';

describe('FakeClock', () => {
  it('fires due timers in time order and skips cancelled ones', () => {
    const c = new FakeClock(0);
    const fired: string[] = [];
    c.after(300, () => fired.push('c'));
    c.after(100, () => fired.push('a'));
    const t = c.after(200, () => fired.push('x'));
    t.cancel();
    c.after(100, () => c.after(50, () => fired.push('b')));
    c.advance(1000);
    assert.deepEqual(fired, ['a', 'b', 'c']);
    assert.equal(c.now(), 1000);
  });
});

describe('time formatting', () => {
  it('renders metav1.Time and MicroTime', () => {
    assert.equal(rfc3339(Date.parse('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05Z');
    assert.equal(rfc3339Micro(Date.parse('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05.678000Z');
  });
});

describe('ScaledClock', () => {
  it('runs faster than wall time', async () => {
    const c = new ScaledClock(100);
    const t0 = c.now();
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(c.now() - t0 >= 1000);
  });
});
