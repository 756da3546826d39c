import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mostRecentScheduleTime, parseSchedule, rfc1123z, rfc3339InZone } from './schedule.js';

const at = (s: string) => Date.parse(s);

describe('cron schedules', () => {
  it('runs */1 first at the next whole minute', () => {
    const s = parseSchedule('*/1 * * * *');
    assert.equal(s.next(at('2026-01-01T10:00:30Z')), at('2026-01-01T10:01:00Z'));
    const due = mostRecentScheduleTime(s, at('2026-01-01T10:00:30Z'), at('2026-01-01T10:01:00.100Z'));
    assert.equal(due.scheduled, at('2026-01-01T10:01:00Z'));
  });

  it('nothing is due before the first slot', () => {
    const s = parseSchedule('@hourly');
    assert.deepEqual(mostRecentScheduleTime(s, at('2026-01-01T10:00:00Z'), at('2026-01-01T10:59:59Z')), { tooMany: false });
  });

  it('after three missed hours runs only the latest slot', () => {
    const s = parseSchedule('@hourly');
    const due = mostRecentScheduleTime(s, at('2026-01-01T10:00:00Z'), at('2026-01-01T13:30:00Z'));
    assert.deepEqual(due, { scheduled: at('2026-01-01T13:00:00Z'), tooMany: false });
  });

  it('warns when more than 100 slots were missed but still runs the latest', () => {
    const s = parseSchedule('*/1 * * * *');
    const due = mostRecentScheduleTime(s, at('2026-01-01T00:00:00Z'), at('2026-01-01T02:00:30Z'));
    assert.deepEqual(due, { scheduled: at('2026-01-01T02:00:00Z'), tooMany: true });
  });

  it('follows DST in a named zone', () => {
    const s = parseSchedule('0 9 * * *', 'America/New_York');
    assert.equal(s.next(at('2026-03-07T00:00:00Z')), at('2026-03-07T14:00:00Z'));
    assert.equal(s.next(at('2026-03-08T20:00:00Z')), at('2026-03-09T13:00:00Z'));
    assert.equal(rfc3339InZone(at('2026-03-09T13:00:00Z'), 'America/New_York'), '2026-03-09T09:00:00-04:00');
    assert.equal(rfc3339InZone(at('2026-03-07T14:00:00Z'), 'America/New_York'), '2026-03-07T09:00:00-05:00');
    assert.equal(rfc3339InZone(at('2026-03-07T14:00:00Z'), 'UTC'), '2026-03-07T14:00:00Z');
  });

  it('accepts names, ranges, steps and the macros; rejects what Kubernetes rejects', () => {
    for (const ok of ['0 9 * * MON-FRI', '5-59/15 * * JAN,jul ?', '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@every 90s']) parseSchedule(ok);
    assert.throws(() => parseSchedule('* * * *'), /expected exactly 5 fields, found 4: \[\* \* \* \*\]/);
    assert.throws(() => parseSchedule('0 0 L * *'), /failed to parse int from L/);
    assert.throws(() => parseSchedule('0 0 * * 7'), /end of range \(7\) above maximum \(6\)/);
  });

  it('a day-of-month and day-of-week restriction match either', () => {
    const s = parseSchedule('0 0 13 * FRI');
    // 2026-01-02 is a Friday; the 13th is a Tuesday.
    assert.equal(s.next(at('2026-01-01T00:00:00Z')), at('2026-01-02T00:00:00Z'));
    assert.equal(s.next(at('2026-01-12T00:00:00Z')), at('2026-01-13T00:00:00Z'));
  });

  it('@every ticks at a fixed interval', () => {
    const s = parseSchedule('@every 90s');
    const due = mostRecentScheduleTime(s, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:05:00Z'));
    assert.equal(due.scheduled, at('2026-01-01T00:04:30Z'));
  });

  it('prints MissSchedule times in RFC1123Z', () => {
    assert.equal(rfc1123z(at('2026-01-01T10:01:00Z')), 'Thu, 01 Jan 2026 10:01:00 +0000');
  });
});
