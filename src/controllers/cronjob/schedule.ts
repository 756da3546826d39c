// Cron schedules as the CronJob controller evaluates them. The syntax is checked first with the API
// server's own check (croner accepts more than Kubernetes does: seconds, L, W, #); croner then computes run
// times in the schedule's zone, `@every <duration>` is a fixed interval croner does not know.
import { Cron } from 'croner';
import { cronScheduleError, isKnownTimeZone } from '../../api/kinds/cron-schedule.js';
import { parseGoDuration } from '../../cli/go-duration.js';

export interface Schedule {
  /** The first run strictly after `ms`; undefined when there is none. */
  next(ms: number): number | undefined;
  /** The latest run at or before `ms`; undefined when there is none. */
  latestAtOrBefore(ms: number): number | undefined;
  /** The zone run times are computed in, for the scheduled-timestamp annotation. */
  zone: string;
}

/** Splits off a legacy `TZ=zone` / `CRON_TZ=zone` prefix. */
export function splitZonePrefix(schedule: string): { zone?: string; rest: string } {
  const m = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(schedule.trim());
  return m ? { zone: m[1] as string, rest: m[2] as string } : { rest: schedule.trim() };
}

function everySchedule(ms: number, zone: string): Schedule {
  // robfig's constant-delay schedules tick at least once a second and on whole seconds.
  const step = Math.max(1000, Math.floor(ms / 1000) * 1000);
  return {
    zone,
    next: (t) => Math.floor(t / 1000) * 1000 + step,
    latestAtOrBefore: () => undefined,
  };
}

/** Parses `schedule` (with `timeZone` taking the place of a prefix zone); throws an Error whose message is the
 * parser's complaint. */
export function parseSchedule(schedule: string, timeZone?: string | null): Schedule {
  const err = cronScheduleError(schedule);
  if (err) throw new Error(err);
  const { zone: prefixZone, rest } = splitZonePrefix(schedule);
  const zone = timeZone ?? prefixZone ?? 'UTC';
  if (!isKnownTimeZone(zone)) throw new Error(`unknown time zone ${zone}`);
  if (rest.startsWith('@every ')) return everySchedule(parseGoDuration(rest.slice('@every '.length)) ?? 0, zone);
  const cron = new Cron(rest, { mode: '5-part', timezone: zone, paused: true, legacyMode: true });
  return {
    zone,
    next: (t) => cron.nextRun(new Date(t))?.getTime(),
    latestAtOrBefore: (t) => cron.previousRuns(1, new Date(t + 1))[0]?.getTime(),
  };
}

export interface DueTime {
  /** The most recent slot that has not been run, if any is due. */
  scheduled?: number;
  /** More than 100 slots were missed (only the latest is run). */
  tooMany: boolean;
}

/** The one slot to run now: the latest unmet slot after `earliest` (older missed slots are dropped). */
export function mostRecentScheduleTime(sched: Schedule, earliest: number, now: number): DueTime {
  const t1 = sched.next(earliest);
  if (t1 === undefined || t1 > now) return { tooMany: false };
  const t2 = sched.next(t1);
  if (t2 === undefined || t2 > now) return { scheduled: t1, tooMany: false };
  const gap = t2 - t1;
  const missed = Math.floor((now - t1) / gap) + 1;
  let latest = sched.latestAtOrBefore(now);
  if (latest === undefined || latest < t1) {
    // Fixed-interval schedules: the slots are t1 + k * gap.
    latest = t1 + (missed - 1) * gap;
    while (latest + gap <= now) latest += gap;
  }
  return { scheduled: latest, tooMany: missed > 100 };
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** The wall-clock fields of `ms` in `zone` and the zone's offset there, in minutes east of UTC. */
function zoned(ms: number, zone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number; offset: number } {
  const whole = Math.floor(ms / 1000) * 1000;
  if (zone === 'UTC') {
    const t = new Date(whole);
    return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes(), s: t.getUTCSeconds(), offset: 0 };
  }
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(whole));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const f = { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
  const offset = Math.round((Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, f.s) - whole) / 60_000);
  return { ...f, offset };
}

/** RFC 3339 with the zone's offset (`Z` for UTC), as Go prints a time.Time in a location. */
export function rfc3339InZone(ms: number, zone: string): string {
  const z = zoned(ms, zone);
  const date = `${z.y}-${pad(z.mo)}-${pad(z.d)}T${pad(z.h)}:${pad(z.mi)}:${pad(z.s)}`;
  if (zone === 'UTC') return `${date}Z`;
  const sign = z.offset < 0 ? '-' : '+';
  const abs = Math.abs(z.offset);
  return `${date}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's RFC1123Z layout in UTC (`Mon, 02 Jan 2006 15:04:05 +0000`), as the MissSchedule event prints it. */
export function rfc1123z(ms: number): string {
  const t = new Date(Math.floor(ms / 1000) * 1000);
  return `${DAYS[t.getUTCDay()]}, ${pad(t.getUTCDate())} ${MONTHS[t.getUTCMonth()]} ${t.getUTCFullYear()} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} +0000`;
}
