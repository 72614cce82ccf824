/**
 * The condition runtime of the script-tag core: `check(condition, ctx)` evaluates a condition the compiler lowered
 * (lower.ts; the format is in docs/compiled-conditions.md) and never throws. Field names, scopes, operators, value
 * shapes, case folding of the values and the keys of most bounds were settled at compile time, so what ships is a
 * small interpreter and the readers of what only the visitor's page knows: URLs here; the clock, time zones and dates
 * written in attributes in time.ts, passed in by the caller (the `time` chunk). It ships under a byte budget (test/unit/conditions-size.test.ts): dense on purpose.
 *
 * Logic is three-valued, as in evaluate.ts: 1 true, 0 false, 2 malformed (never true, not even under `not`, which
 * lowering pushed into the rules). evaluate.ts reads fields and dates with the helpers exported here, and the tests
 * hold `check(lower(c), ctx)` to `evaluate(c, ctx)`.
 */
import type * as Time from './time.js';
import type { EvalContext, LoweredCondition, LoweredField } from './types.js';

/** The time readers (time.ts), from the `time` chunk in the script-tag core. */
export type TimeReaders = typeof Time;

type R = 0 | 1 | 2;

/**
 * True when the lowered `condition` holds for `ctx`; anything else, a malformed condition included, is false. A rule
 * that reads the clock, a date or a zone (it has a zone) needs the time readers `t`: without them it is false.
 */
export function check(condition: LoweredCondition, ctx: EvalContext, t?: TimeReaders): boolean {
  try {
    return node(condition, ctx, t) == 1;
  } catch {
    return false;
  }
}

function node(c: any, x: any, t?: TimeReaders): R {
  const o = c[0];
  if (o != '&' && o != '|') return rule(c, x, t);
  // all: a false member decides; any: a true member decides. Otherwise a malformed member makes the group malformed.
  const k = +(o == '|') as R;
  let r = (1 - k) as R;
  for (const m of c.slice(1)) {
    const v = node(m, x, t);
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
function rule(r: any, x: any, T?: TimeReaders): R {
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
    // Numbers need no time reader (k 1); dates and times do, and their rules have a zone.
    const key = (u: unknown) => (k > 1 ? T!.key(u, k, z) : num(u));
    const [lo, hi] = [v].flat().map((u) => (typeof u == 'number' ? u : key(u)));
    const w = key(a);
    return lo == null
      ? 2
      : w == null
        ? 0
        : t < 11
          ? +[w < lo, w <= lo, w >= lo, w > lo][t - 7]!
          : lo <= hi!
            ? +(w >= lo && w <= hi!)
            : // Only times of day wrap (a window across midnight); other reversed ranges are malformed.
              k == 3
              ? +(w >= lo || w <= hi!)
              : 2;
  };
  // A test beyond 11 is malformed: lowering writes a malformed rule as [15].
  if (t > 11 || (t == 5 && !regex(r, v, cs)) || (tz != null && !T!.zone((z = tz || T!.zoneOf(x))))) return 2;
  a = read(f, x, z, k, T);
  a =
    T && a === T.BAD
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

export const own = (o: any, k: string): any => (typeof o == 'object' && o && {}.hasOwnProperty.call(o, k) ? o[k] : undefined);

/**
 * The value of a lowered field in `ctx`, BAD when the clock cannot be read; `z` is the zone and `k` the kind of
 * ordered comparison the rule makes (ordered tests on the clock compare the instant itself, see `key`). In a path,
 * `P`, `H` and `Q` are the path, host and a query parameter of a URL, `#` the field's name as a key, `*` the name
 * as a key or else a dotted path (`address.city`), `!` a promotion's counts (0 when the history is known and
 * this promotion is not in it); `~date`, `~time`, `~weekday` read the clock and `~first_seen`, `~last_seen` the
 * calendar days since that visit.
 */
export function read(f: LoweredField, x: unknown, z: string, k = 0, t?: TimeReaders): unknown {
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
  return t!.clock(p, x, z, k);
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
// Numbers and text (shared with evaluate.ts, the checker and time.ts)

/** A finite number, or a string that is exactly a decimal number; otherwise undefined. */
export function num(v: unknown): number | undefined {
  const n = typeof v == 'number' ? v : typeof v == 'string' && v.length < 64 && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v) ? +v : NaN;
  if (isFinite(n)) return n;
}

/** The text of a string, boolean or finite number; undefined for anything else. */
export function text(v: unknown): string | undefined {
  if (typeof v == 'string' || v === !!v || num(v) != null) return '' + v;
}

