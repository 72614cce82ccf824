/**
 * The condition runtime of the script-tag core: `check(condition, ctx)` evaluates a condition the compiler lowered
 * (lower.ts; the format is in docs/compiled-conditions.md) and never throws. Field names, scopes, operators, value
 * shapes, case folding of the values and the keys of most bounds were settled at compile time, so what ships is a
 * small interpreter and the readers of what only the visitor's page knows: URLs, the clock, time zones, dates
 * written in attributes. It ships under a byte budget (test/unit/conditions-size.test.ts): dense on purpose.
 *
 * Logic is three-valued, as in evaluate.ts: 1 true, 0 false, 2 malformed (never true, not even under `not`, which
 * lowering pushed into the rules). evaluate.ts reads fields and dates with the helpers exported here, and the tests
 * hold `check(lower(c), ctx)` to `evaluate(c, ctx)`.
 */
import type { EvalContext, LoweredCondition, LoweredField } from './types.js';

type R = 0 | 1 | 2;

/** True when the lowered `condition` holds for `ctx`; anything else, a malformed condition included, is false. */
export function check(condition: LoweredCondition, ctx: EvalContext): boolean {
  try {
    return node(condition, ctx) == 1;
  } catch {
    return false;
  }
}

function node(c: any, x: any): R {
  const o = c[0];
  if (o != '&' && o != '|') return rule(c, x);
  // all: a false member decides; any: a true member decides. Otherwise a malformed member makes the group malformed.
  const k = +(o == '|') as R;
  let r = (1 - k) as R;
  for (const m of c.slice(1)) {
    const v = node(m, x);
    if (v == k) return k;
    if (v > 1) r = 2;
  }
  return r;
}

const REGEXES = new WeakMap<object, RegExp | 0>();

/**
 * A rule: `[op, field, value, zone]`. `op` is the test (bits 0-3, see below) + 16 when negated + 32 when text
 * comparisons respect case + 64 x the kind of ordered comparison (see `key`). `zone` is absent when the rule reads
 * no time zone, '' for the visitor's own zone, else the rule's zone.
 */
function rule(r: any, x: any): R {
  const [o, f, v, tz] = r;
  const t = o & 15;
  const cs = o & 32;
  const k = o >> 6;
  let z = 'UTC';
  let a: any;
  /**
   * The tests: 0 equals one of the values, 1 contains, 2 contains on a list field, 3 starts with, 4 ends with,
   * 5 matches, 6 known, 7 lt, 8 lte, 9 gte, 10 gt, 11 between. `item`: `a` is an item of a list.
   */
  const test = (a: unknown, item?: 1): number => {
    const s = text(a);
    // Equality, and contains on an item of a list (membership): a list field (segments) compares numbers as
    // numbers, the items of other lists compare as text.
    if (!t || (item && t < 3)) return +[t > 1 ? (num(v) ?? v) : v].flat().some((e) => (typeof e == 'number' ? num(a) === e : s != null && low(s, cs) === e));
    if (t < 6) return s == null ? 0 : t > 4 ? (s.length > 1e4 ? 2 : +(regex(r, v, cs) as RegExp).test(s)) : +low(s, cs)[t > 3 ? 'endsWith' : t > 2 ? 'startsWith' : 'includes'](v);
    // Bounds are keys already, except date-times without an offset, which are read in the zone.
    const [lo, hi] = [v].flat().map((u) => (typeof u == 'number' ? u : key(u, k, z)));
    const w = key(a, k, z);
    return lo == null
      ? 2
      : w == null
        ? 0
        : t < 11
          ? +(t < 8 ? w < lo : t < 9 ? w <= lo : t < 10 ? w >= lo : w > lo)
          : lo <= hi!
            ? +(w >= lo && w <= hi!)
            : // Only times of day wrap (a window across midnight); other reversed ranges are malformed.
              k == 3
              ? +(w >= lo || w <= hi!)
              : 2;
  };
  // A test beyond 11 is malformed: lowering writes a malformed rule as [15].
  if (t > 11 || (t == 5 && !regex(r, v, cs)) || (tz != null && !zone((z = tz || zoneOf(x))))) return 2;
  a = read(f, x, z, k);
  a =
    a === BAD
      ? 2
      : a == null || a === '' || a !== a
        ? 0
        : t == 6
          ? 1
          : !Array.isArray(a)
            ? test(a)
            : // A list (segments, an attribute holding a list): membership, or "some item" for the text tests.
              k
              ? 0
              : ((a = a.map((u: unknown) => (Array.isArray(u) ? 0 : test(u, 1)))), a.includes(1) ? 1 : a.includes(2) ? 2 : 0);
  return a > 1 ? 2 : ((a ^ ((o >> 4) & 1)) as R);
}

function regex(r: object, v: string, cs: number): RegExp | 0 {
  let e = REGEXES.get(r);
  if (e === undefined) {
    try {
      e = new RegExp(v, cs ? '' : 'i');
    } catch {
      e = 0;
    }
    REGEXES.set(r, e);
  }
  return e;
}

const low = (s: string, cs: number) => (cs ? s : s.toLowerCase());

// ---------------------------------------------------------------------------------------------------------------
// Reading fields from the context (shared with evaluate.ts)

/** The clock or time zone could not be read: the rule is malformed for this context. */
export const BAD = {};
const DAY = 864e5;
const WD = 'sun mon tue wed thu fri sat'.split(' ');

const own = (o: any, k: string): any => (typeof o == 'object' && o && {}.hasOwnProperty.call(o, k) ? o[k] : undefined);

/** The context's zone, UTC when absent; '' (invalid) when it is not text. */
export function zoneOf(x: unknown): string {
  const z = own(x, 'timezone');
  return z == null || z === '' ? 'UTC' : typeof z == 'string' ? z : '';
}

/**
 * The value of a lowered field in `ctx`, BAD when the clock cannot be read; `z` is the zone and `k` the kind of
 * ordered comparison the rule makes (ordered tests on the clock compare the instant itself, see `key`). In a path,
 * `P`, `H` and `Q` are the path, host and a query parameter of a URL, `#` the field's name as a key, `*` the name
 * as a key or else a dotted path (`address.city`), `!` a promotion's counts (0 when the history is known and
 * this promotion is not in it); `~date`, `~time`, `~weekday` read the clock and `~first_seen`, `~last_seen` the
 * calendar days since that visit.
 */
export function read(f: LoweredField, x: unknown, z: string, k = 0): unknown {
  const [p, name] = [f].flat() as [string, string?];
  let o: any = x;
  let u: any;
  let counts;
  if (p[0] != '~') {
    for (const s of p.split('.'))
      o =
        s == '!'
          ? ((counts = o && typeof o == 'object'), own(o, name!))
          : s == '#'
            ? own(o, name!)
            : s == '*'
              ? (u = own(o, name!)) !== undefined
                ? u
                : name!.split('.').reduce(own, o)
              : s < 'a'
                ? (u = url(o)) && (s == 'Q' ? (u.q?.get(name) ?? undefined) : u[s])
                : own(o, s);
    return counts && o == null ? 0 : o;
  }
  o = own(x, 'now');
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

const URLS = new Map<string, any>();

/** Parsed URL pieces (P path, H host, q query), cached for the few URLs a page deals with (current, landing, referrer). */
function url(u: unknown) {
  if (typeof u != 'string' || !u) return;
  let p = URLS.get(u);
  if (!p) {
    if (URLS.size > 15) URLS.clear();
    URLS.set(u, (p = {}));
    // Only a path (starting with '/') is read against a base; it has no host then.
    const r = u[0] == '/';
    if (u.length < 65537)
      try {
        const l = new URL(u, r ? 'http://x.invalid' : undefined);
        p.q = l.searchParams;
        p.H = (!r && l.hostname) || undefined;
        // Keeps the encoded path when it is not valid percent-encoding.
        p.P = l.pathname;
        p.P = decodeURIComponent(p.P);
      } catch {}
  }
  return p;
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers, text, dates, times and zones (shared with evaluate.ts and the checker)

/** A finite number, or a string that is exactly a decimal number; otherwise undefined. */
export function num(v: unknown): number | undefined {
  const n = typeof v == 'number' ? v : typeof v == 'string' && v.length < 64 && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v) ? +v : NaN;
  if (isFinite(n)) return n;
}

/** The text of a string, boolean or finite number; undefined for anything else. */
export function text(v: unknown): string | undefined {
  if (typeof v == 'string' || v === !!v || num(v) != null) return '' + v;
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
