import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdjustableClock, FakeClock, rfc3339, rfc3339Micro, ScaledClock, wallOf } from './clock.js';
import { clockData, parseClockData } from './control.js';

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

describe('AdjustableClock', () => {
  const setup = (rate = 1) => {
    const wall = new FakeClock(0);
    const clock = new AdjustableClock({ rate, start: 1_000_000 }, wallOf(wall));
    return { wall, clock };
  };

  it('runs at its rate from its start time', () => {
    const { wall, clock } = setup(10);
    assert.equal(clock.now(), 1_000_000);
    wall.advance(100);
    assert.equal(clock.now(), 1_001_000);
  });

  it('fires a pending timer sooner after the rate goes up, with no jump in time', () => {
    const { wall, clock } = setup(1);
    const fired: number[] = [];
    clock.after(10_000, () => fired.push(clock.now()));
    wall.advance(2000);
    assert.equal(clock.now(), 1_002_000);
    clock.set({ rate: 10 });
    assert.equal(clock.now(), 1_002_000, 'a rate change never moves time');
    wall.advance(799);
    assert.deepEqual(fired, []);
    wall.advance(1);
    assert.deepEqual(fired, [1_010_000]);
    assert.equal(clock.timers(), 0);
  });

  it('fires a pending timer later after the rate goes down', () => {
    const { wall, clock } = setup(10);
    let fired = false;
    void clock.sleep(10_000).then(() => (fired = true));
    wall.advance(500); // 5 s of cluster time
    clock.set({ rate: 1 });
    wall.advance(4999);
    return Promise.resolve().then(() => {
      assert.equal(fired, false);
      wall.advance(1);
      return Promise.resolve().then(() => assert.equal(fired, true));
    });
  });

  it('stops time and timers while paused, and goes on from there when resumed', () => {
    const { wall, clock } = setup(2);
    const fired: string[] = [];
    clock.after(4000, () => fired.push('a'));
    clock.after(10_000, () => fired.push('b'));
    wall.advance(1000); // 2 s of cluster time
    clock.set({ paused: true });
    const frozen = clock.now();
    assert.equal(frozen, 1_002_000);
    wall.advance(60_000);
    assert.equal(clock.now(), frozen);
    assert.equal(fired.length, 0);
    // Timers armed while paused wait too, except those already due.
    clock.after(1, () => fired.push('c'));
    clock.after(0, () => fired.push('now'));
    wall.advance(10_000);
    assert.deepEqual(fired, ['now']);
    clock.set({ paused: false });
    assert.equal(clock.now(), frozen, 'resuming never jumps');
    wall.advance(1);
    assert.deepEqual(fired, ['now', 'c']);
    wall.advance(999); // 4 s of cluster time in all
    assert.deepEqual(fired, ['now', 'c', 'a']);
    wall.advance(3000);
    assert.deepEqual(fired, ['now', 'c', 'a', 'b']);
  });

  it('cancels, never fires an endless sleep, and tells listeners about changes', () => {
    const { wall, clock } = setup(1);
    let fired = 0;
    clock.after(100, () => fired++).cancel();
    void clock.sleep(Number.POSITIVE_INFINITY).then(() => fired++);
    const seen: string[] = [];
    clock.onChange((s) => seen.push(`${s.rate}/${s.paused}`));
    clock.set({ rate: 5 });
    clock.set({ rate: 5 });
    clock.set({ paused: true });
    wall.advance(1e9);
    assert.equal(fired, 0);
    assert.deepEqual(seen, ['5/false', '5/true']);
    assert.equal(clock.timers(), 1);
    assert.throws(() => clock.set({ rate: 0 }), /greater than 0/);
  });

  it('keeps many timers in order across changes', () => {
    const { wall, clock } = setup(1);
    const fired: number[] = [];
    for (let i = 10; i >= 1; i--) clock.after(i * 1000, () => fired.push(i));
    wall.advance(2500);
    clock.set({ rate: 4 });
    wall.advance(500); // +2 s
    clock.set({ paused: true });
    wall.advance(10_000);
    clock.set({ paused: false, rate: 0.5 });
    wall.advance(2000); // +1 s
    assert.deepEqual(fired, [1, 2, 3, 4, 5]);
    clock.set({ rate: 100 });
    wall.advance(100);
    assert.deepEqual(fired, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('kubeloop-clock ConfigMap data', () => {
  it('parses timeScale and paused, and refuses nonsense', () => {
    assert.deepEqual(parseClockData({ timeScale: '10', paused: 'true' }), { ok: true, settings: { rate: 10, paused: true } });
    assert.deepEqual(parseClockData({ paused: 'False' }), { ok: true, settings: { paused: false } });
    assert.deepEqual(parseClockData({}), { ok: true, settings: {} });
    assert.match((parseClockData({ timeScale: '0' }) as { error: string }).error, /data.timeScale: invalid value "0"/);
    assert.match((parseClockData({ timeScale: 'fast' }) as { error: string }).error, /expected a number/);
    assert.match((parseClockData({ paused: 'maybe' }) as { error: string }).error, /data.paused/);
    assert.deepEqual(clockData({ rate: 2.5, paused: false }), { timeScale: '2.5', paused: 'false' });
  });
});
