import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../clock/clock.js';
import { Backoff } from './backoff.js';
import { goDuration, goStringSlice } from './go-format.js';
import { PodIPAllocator } from './node/identity.js';
import { Random } from './random.js';
import { TimerWheel } from './timer-wheel.js';

test('Go duration and slice formatting', () => {
  assert.deepEqual(
    [0, 12, 999, 1000, 1234, 10_000, 59_500, 60_000, 80_000, 160_000, 300_000, 3_600_000, 3_723_400].map(goDuration),
    ['0s', '12ms', '999ms', '1s', '1.234s', '10s', '59.5s', '1m0s', '1m20s', '2m40s', '5m0s', '1h0m0s', '1h2m3.4s'],
  );
  assert.equal(goStringSlice(['a', 'b']), '[a b]');
});

test('backoff doubles from 10 s to 300 s and forgets keys idle for twice the cap', () => {
  const b = new Backoff();
  let now = 0;
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    b.next('k', now, now);
    delays.push(b.get('k'));
    assert.equal(b.inBackOffSinceUpdate('k', now + b.get('k') - 1), true);
    assert.equal(b.inBackOffSinceUpdate('k', now + b.get('k')), false);
    now += b.get('k');
  }
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  b.next('k', now + 600_001, now + 600_001);
  assert.equal(b.get('k'), 10_000);
  // Crash-loop form: measured from the exit time.
  const c = new Backoff();
  assert.equal(c.inBackOffSince('x', 1000, 1000), false);
  c.next('x', 1000, 1000);
  assert.equal(c.inBackOffSince('x', 2000, 11_999), true);
  assert.equal(c.inBackOffSince('x', 2000, 12_000), false);
});

test('the timer wheel runs tasks in time order, batches same-time work and runs the late lane last', async () => {
  const clock = new FakeClock();
  const wheel = new TimerWheel(clock);
  const order: string[] = [];
  wheel.after(20, () => order.push('b'));
  wheel.afterLate(10, () => order.push('late'));
  wheel.after(10, () => order.push('a'));
  const cancelled = wheel.after(15, () => order.push('never'));
  cancelled.cancel();
  await Promise.resolve();
  clock.advance(10);
  assert.deepEqual(order, ['a', 'late']);
  await Promise.resolve();
  clock.advance(10);
  assert.deepEqual(order, ['a', 'late', 'b']);
  assert.equal(clock.timers(), 0);
});

test('seeded randomness repeats; pod IPs go round the range and skip ones in use', () => {
  assert.equal(new Random(42).hex(16), new Random(42).hex(16));
  assert.notEqual(new Random(42).hex(16), new Random(43).hex(16));
  const ips = new PodIPAllocator('10.244.3.0/24');
  assert.equal(ips.allocate(), '10.244.3.2');
  ips.reserve('10.244.3.3');
  assert.equal(ips.allocate(), '10.244.3.4');
  ips.release('10.244.3.2');
  const seen = new Set<string>();
  for (let i = 0; i < 251; i++) seen.add(ips.allocate() ?? 'none');
  assert.equal(seen.has('none'), false);
  assert.equal(ips.allocate(), undefined, 'all 253 addresses in use');
});
