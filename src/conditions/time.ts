/**
 * The time readers of conditions: the clock, dates and times written in attributes, time zones. Only bundles whose
 * lowered conditions read a date, a time, a weekday or days since a visit, or name a time zone, need them (the
 * compiler lists `time` in the bundle's `needs`), so the script-tag core leaves them to the `time` chunk and `check`
 * (run.ts) receives them as its third argument. evaluate.ts, the checker and the lowering use them directly.
 *
 * Nothing here may be shared by identity with run.ts: the chunk holds its own copy of what it imports from there.
 */
import { num, own } from './run.js';

/** The clock or time zone could not be read: the rule is malformed for this context. */
export const BAD = {};
const DAY = 864e5;
const WD = 'sun mon tue wed thu fri sat'.split(' ');

/** The context's zone, UTC when absent; '' (invalid) when it is not text. */
export function zoneOf(x: unknown): string {
  const z = own(x, 'timezone');
  return z == null || z === '' ? 'UTC' : typeof z == 'string' ? z : '';
}

/**
 * The clock field `p` (`~date`, `~time`, `~weekday`, `~first_seen`, `~last_seen`) of a context, read in zone `z`;
 * `k` is the kind of ordered comparison the rule makes (see `read` in run.ts), BAD when the clock cannot be read.
 */
export function clock(p: string, x: unknown, z: string, k = 0): unknown {
  let o: any = own(x, 'now');
  const now = o == null ? Date.now() : stampMs(o);
  if (now == null) return BAD;
  const w = wall(now, z);
  if (k > 3 || (k > 1 && w != null)) return now;
  if (p.includes('_')) {
    // Days since a visit: calendar days between two instants, in the zone.
    const then = stampMs(own(own(x, 'visitor'), p.slice(1)));
    const a = then == null ? then : wall(then, z);
    return then == null ? undefined : w == null ? BAD : a == null ? a : dayMinute(w, 2)! - dayMinute(a, 2)!;
  }
  if (w == null) return BAD;
  o = new Date(w);
  return p == '~weekday' ? WD[o.getUTCDay()] : o.toISOString().slice(...(p == '~date' ? [0, 10] : [11, 16]));
}

/** A machine timestamp: epoch ms (number or numeric text) or ISO text; no offset means UTC. */
const stampMs = (v: unknown) => (typeof v == 'string' ? num(v) : undefined) ?? key(v, 4, 'UTC');

/** `HH:MM`, 24-hour, with optional seconds and fraction. */
export const TIME = /^([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d(\.\d+)?)?$/;

/** A date or date-time: wall clock as if UTC (ms), whether a time is written, its offset (minutes) if any. */
export type Stamp = [wall: number, time: boolean, offset: number | undefined];

/** Parses a written date (`YYYY-MM-DD`) or date-time; undefined when malformed or not a real date. */
export function stamp(s: string): Stamp | undefined {
  const m = /^(\d{4}-\d\d-\d\d)([Tt ]([01]\d|2[0-3]):([0-5]\d)(:([0-5]\d)(\.\d{1,9})?)?([Zz]|([+-])([01]\d|2[0-3])(:?([0-5]\d))?)?)?$/.exec(s);
  if (!m) return;
  const [, d, T, h = 0, mi = 0, , sc = 0, f = 0, z, sign, oh = 0, , om = 0] = m;
  const t = Date.parse(d!);
  if (new Date(t).getUTCDate() == +d!.slice(8))
    return [t + +h * 36e5 + +mi * 6e4 + +sc * 1e3 + Math.floor(+('0' + f) * 1e3), !!T, z ? (sign == '-' ? -1 : 1) * (+oh * 60 + +om) : undefined];
}

/**
 * The comparison key of a value for an ordered kind (1 number, 2 day number, 3 minute of the day, 4 epoch ms), or
 * undefined when the value is not of that kind. Written values without an offset are wall-clock times in `z`.
 */
export function key(v: unknown, k: number, z: string): number | undefined {
  if (k == 1 || (k == 4 && typeof v == 'number')) return num(v);
  if (typeof v == 'number') return dayMinute(wall(v, z), k);
  if (typeof v != 'string') return;
  const m = k == 3 && TIME.exec(v);
  if (m) return +m[1]! * 60 + +m[2]!;
  const p = stamp(v);
  return p && (p[2] != null ? key(p[0] - p[2] * 6e4, k, z) : k == 4 ? local(p[0], z) : p[1] || k == 2 ? dayMinute(p[0], k) : undefined);
}

/** The day number (k = 2) or minute of the day of a wall-clock time. */
function dayMinute(w: number | undefined, k: number): number | undefined {
  if (w == null) return;
  const d = Math.floor(w / DAY);
  return k == 2 ? d : Math.floor((w - d * DAY) / 6e4);
}

const ZONES = new Map<unknown, any>();

/** The zone's formatter and last offset read (see `offset`); falsy when Intl rejects the zone. */
export function zone(z: unknown) {
  let c = ZONES.get(z);
  // Intl rejects '' and names it does not know; other types are no zone names.
  if (c === undefined && typeof z == 'string') {
    const n = 'numeric';
    try {
      c = { f: new Intl.DateTimeFormat('en-US', { timeZone: z, hourCycle: 'h23', year: n, month: n, day: n, hour: n, minute: n, second: n }) };
    } catch {
      c = null;
    }
    if (ZONES.size > 63) ZONES.clear();
    ZONES.set(z, c);
  }
  return c;
}

/**
 * The zone's offset from UTC (ms) at an instant. Intl is asked once per 15-minute slice of time (zone transitions
 * fall on quarter hours), the rest is arithmetic: formatToParts costs microseconds and this runs on every event.
 * Instants past ±8.63e15 ms are unreadable (so that the wall clock stays inside the Date range).
 */
function offset(ms: number, z: string): number | undefined {
  const c = zone(z);
  const s = Math.floor(ms / 9e5);
  if (c && Math.abs(ms) <= 8.63e15) {
    if (s !== c.s) {
      // Before 1589 Intl counts in the Julian calendar; every zone then kept its first (local mean time) offset.
      const b = Math.max(Math.floor(ms / 1e3) * 1e3, -1.2e13);
      const p: any = {};
      for (const x of c.f.formatToParts(b)) p[x.type] = +x.value;
      c.o = Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second) - b;
      c.s = s;
    }
    return c.o;
  }
}

/** The wall clock (ms, as if UTC) in zone `z` at an instant. */
function wall(ms: number, z: string): number | undefined {
  const o = offset(ms, z);
  if (o != null) return ms + o;
}

/**
 * The instant a wall-clock time (as if UTC) happens in `z`. Tries the offsets in force a day before and a day after;
 * in an overlap (clocks going back) the earlier instant wins, in a gap (clocks going forward) the time is read with
 * the earlier offset, so 02:30 on a spring-forward night in New York is 03:30 EDT.
 */
function local(w: number, z: string): number | undefined {
  if (z == 'UTC') return w;
  const o = offset(w - DAY, z);
  const p = offset(w + DAY, z);
  if (o == null || p == null) return;
  const a = w - o;
  const b = w - p;
  const A = o == p || offset(a, z) == o;
  const B = o != p && offset(b, z) == p;
  return A && B ? Math.min(a, b) : B ? b : a;
}
