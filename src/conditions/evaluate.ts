/**
 * The evaluator of authoring conditions: `evaluate(condition, ctx)` is a pure function that never throws. It is the
 * public one (the editor's preview, the CLI, npm users); the script-tag core runs conditions the compiler lowered
 * (lower.ts) with the small `check` of run.ts instead, whose readers of fields, numbers, dates and zones this file
 * shares. It validates rules its own compact way (the checker's analysis with messages, analyze.ts, never ships);
 * the tests hold the three to the same verdicts (test/unit/conditions*.test.ts).
 *
 * Logic is three-valued: 1 true, 0 false, 2 malformed. A malformed rule (unknown field or operator, a value of the
 * wrong shape, a bad regex or time zone, an unknown key) is never true, not even under `not`; in a group it acts
 * like SQL's NULL: `any` is true if a member is true, `all` false if a member is false, else the group is malformed.
 * Each rule object is analysed once, then cached in a WeakMap until one of its keys changes.
 */
import { num, read, text } from './run.js';
import * as time from './time.js';
import { BAD, key, stamp, TIME, zone, zoneOf } from './time.js';
import type { Condition, EvalContext, LoweredField, Scope } from './types.js';

/** Deepest allowed nesting: the root condition is depth 0. */
export const MAX_DEPTH = 32;
/** Longest regex source accepted. */
export const MAX_REGEX_LENGTH = 1000;
/** `matches` on a longer text is malformed (false, also under `not`) rather than risk a slow regex on it. */
export const MAX_MATCH_INPUT = 10_000;
/** The keys a rule may have. */
export const RULE_KEYS: readonly string[] = ['field', 'op', 'value', 'scope', 'caseSensitive', 'timezone'];
const SCOPES: unknown[] = ['session', 'first_session', 'all_time'];
/**
 * The operators, ordered so that the index i gives the test: below 10, pairs of a test (i >> 1) and its negation
 * (odd i); `before` and `after` are `lt` and `gt` (i >> 1 again); from `lte` on, the test is i itself.
 * Tests: 0 equals, 1 one_of, 2 contains, 3 matches, 4 known, 5 lt, 6 gt, 14 lte, 15 gte, 16 between, 17 starts_with,
 * 18 ends_with.
 */
export const OPS = 'equals not_equals one_of not_one_of contains not_contains matches not_matches known unknown lt before gt after lte gte between starts_with ends_with'.split(' ');
/**
 * Per field type (S string, N number, B boolean, D date, T time, W weekday, L list, A any): the operators it takes
 * (bit i: OPS[i]), the value classes (see `cls`) its equality tests take, and the kind of ordered comparison each
 * value class asks for. S and A: all operators, all classes, and ORD[1] for `before` / `after`, ORD[0] otherwise.
 */
const TYPES: Record<string, [number?, string?, string?]> = { N: [120591, 'ni', '1000010'], B: [771, 'b'], W: [783, 'tdsix'], L: [828], D: [, 'd', '4002400'], T: [, 't', '0030000'] };
const ORD = ['1032410', '4032400'];

type R = 0 | 1 | 2;
/** A field: type letter, name (`seen`/`closed`/`converted` for promotions), key of a dynamic field, path. */
export interface Field {
  t: string;
  n: string;
  k: string;
  /** Where it is read in the context: a path as run.ts's `read` takes it, `$` standing for the scope. */
  p: string;
  /** Default scope of the scoped fields. */
  d?: Scope;
  /** The only values an enumeration takes. */
  e?: string[];
}

const WD = 'mon tue wed thu fri sat sun'.split(' ');
/**
 * Field -> type letter and path. A word in capitals sets the type of the names after it; a name without `=path` is
 * read at `visitor.<name>`. Paths are run.ts's (see `read` there), with `$` for the scope.
 */
const TY: Record<string, string[]> = Object.create(null);
let ty = '';
for (const w of 'Surl=page.url path=page.url.P host=page.url.H query.=page.url.Q landing_url referrer referrer_host=visitor.referrer.H utm.source utm.medium utm.campaign utm.term utm.content channel device event.name=event.name variant.=visitor.variants.# Nsessions pageviews=visitor.pageviews.$ days_since_first_visit=~first_seen days_since_last_visit=~last_seen cart.value cart.items promotion.=visitor.promotions.! Bnew_visitor=visitor.new Lsegments Ddate=~date Ttime=~time Wweekday=~weekday Aattributes.=visitor.attributes.* event.=event.props.*'.split(' ')) {
  const [n, p] = w.slice(w < 'a' ? ((ty = w[0]!), 1) : 0).split('=');
  TY[n!] = [ty, p ?? 'visitor.' + n];
}

/**
 * Where a field is read, as run.ts's `read` takes it: its path with the scope put in (a promotion's counts are read
 * at `!.<count>.<scope>` below the promotion), and the field's name of yours beside it.
 */
export function fieldPath({ n, k, p }: Field, scope?: Scope): LoweredField {
  p = p.replace('$', scope!).replace('!', '!.' + n + '.' + scope);
  return k ? [p, k] : p;
}

/** Finds a field by name (`url`, `query.coupon`, `promotion.welcome.seen`); undefined when unknown. (Internal.) */
export function fieldOf(f: string): Field | undefined {
  const [, a, b, c, d, w]: any = (f != 'event.name' &&
    /^(query\.|attributes\.|variant\.|event\.)(.+)|^(promotion\.)(.+)\.(seen|closed|converted)$/s.exec(f)) || [, f.slice(-1) != '.' && f, ''];
  const t = TY[a || c];
  const n = w || a;
  if (t)
    return {
      t: t[0]!,
      n,
      k: b ?? d,
      p: t[1]!,
      // The only scoped fields: page views (this session by default) and promotion counts (all time).
      d: n == 'pageviews' ? 'session' : w && 'all_time',
      e: n == 'channel' ? 'direct organic_search paid_search social email referral display affiliate other'.split(' ') : n == 'device' ? ['desktop', 'mobile', 'tablet'] : t[0] == 'W' ? WD : undefined,
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Public API

/** True when `condition` holds for `ctx`. Malformed conditions and missing data never throw: they are false. */
export function evaluate(condition: Condition, ctx: EvalContext): boolean {
  try {
    return node(condition, ctx, 0) == 1;
  } catch {
    return false;
  }
}

/**
 * The value a field has in `ctx` (undefined when unknown, the field does not exist, or the time zone / clock is
 * invalid). `scope` defaults to the field's default; `timezone` to `ctx.timezone`, then UTC.
 */
export function resolveField(field: string, ctx: EvalContext, scope?: Scope, timezone?: string): unknown {
  try {
    const f = typeof field == 'string' ? fieldOf(field) : undefined;
    const z = timezone ?? zoneOf(ctx);
    if (!f || (f.p[0] == '~' && !zone(z))) return;
    const v = read(fieldPath(f, (f.d && SCOPES.includes(scope) && scope) || f.d), ctx, z, 0, time);
    return v === BAD ? undefined : v;
  } catch {
    return;
  }
}

/** Whether Intl knows this IANA time zone name. */
export const isValidTimeZone = (z: unknown): z is string => !!zone(z);

// ---------------------------------------------------------------------------------------------------------------
// Tree and rules

const GROUPS = ['all', 'any', 'not'];

function node(c: any, x: any, d: number): R {
  if (d > 32 || typeof c != 'object' || !c || Array.isArray(c)) return 2;
  const { all, any, not } = c;
  let k: any = all !== undefined;
  let l = k ? all : any !== undefined ? any : not;
  let r: any = +k + +(any !== undefined) + +(not !== undefined);
  if (!r) return rule(c, x);
  if (r > 1) return 2;
  // Own keys only: a page may have added enumerable properties to Object.prototype.
  for (k of Object.keys(c)) if (!GROUPS.includes(k)) return 2;
  if (not !== undefined) return ((r = node(l, x, d + 1)) ^ +(r < 2)) as R;
  if (!Array.isArray(l)) return 2;
  // all: a false member decides; any: a true member decides. Otherwise a malformed member makes the group malformed.
  k = +(all === undefined);
  r = 1 - k;
  for (l of l) {
    if ((l = node(l, x, d + 1)) == k) return k;
    if (l > 1) r = 2;
  }
  return r;
}

const RULES = new WeakMap<object, any>();

function rule(o: any, x: any): R {
  let c = RULES.get(o);
  let z = 'UTC';
  if (!c || c.field !== o.field || c.op !== o.op || c.value !== o.value || c.scope !== o.scope || c.caseSensitive !== o.caseSensitive || c.timezone !== o.timezone)
    RULES.set(o, (c = prepare(o)));
  if (!c.f || (c.c && !zone((z = c.z ?? zoneOf(x))))) return 2;
  const t = c.t;
  let a: any = read(c.p, x, z, c.k, time);
  a =
    a === BAD
      ? 2
      : a == null || a === '' || a !== a
        ? 0
        : t == 4
          ? 1
          : !Array.isArray(a)
            ? test(c, a, z)
            : // A list (segments, an attribute holding a list): membership, or "some item" for the text tests.
              t > 4 && t < 17
              ? 0
              : ((a = a.map((u: unknown) => (Array.isArray(u) ? 0 : test(c, u, 'UTC', 1)))), a.includes(1) ? 1 : a.includes(2) ? 2 : 0);
  return a > 1 ? 2 : ((a ^ c.n) as R);
}

/**
 * The class of a value, for validation: n finite number, b boolean, t time `HH:MM`, d date, s date-time, i numeric
 * text, x other text, - anything else (empty text too).
 */
function cls(v: unknown, p?: any): string {
  return typeof v == 'number'
    ? isFinite(v)
      ? 'n'
      : '-'
    : v === !!v
      ? 'b'
      : typeof v != 'string' || !v
        ? '-'
        : isTimeOfDay(v)
          ? 't'
          : (p = stamp(v))
            ? p[1]
              ? 's'
              : 'd'
            : num(v) != null
              ? 'i'
              : 'x';
}

/**
 * Analyses a rule: the values it was analysed for (to notice a change) and, when it is well-formed, what evaluating
 * needs: `f` field, `p` where it is read (scope included), `t` test, `n` negated, `i` ignore case, `z` zone, `c` needs
 * a zone, `k` kind of ordered comparison (1 number, 2 day number, 3 minute of the day, 4 epoch ms), `e` expected
 * values as [text, number], `b` bounds, `r` regex. lower.ts lowers rules from it.
 */
export function prepare(o: any): any {
  const { field, op, value: v, scope, caseSensitive: cs, timezone: tz } = o;
  const f = typeof field == 'string' && fieldOf(field);
  const i = OPS.indexOf(op);
  const y = f && f.t;
  const t = i < 14 ? i >> 1 : i;
  const fold = cs !== true;
  const [mask = 524287, ones = 'nbtdsix', ords = ORD[+(i == 11 || i == 13)]!] = TYPES[y as string] ?? [];
  const e: any[] = [];
  // One value for equality tests: its text (weekdays compare without case whatever caseSensitive says) and number.
  const one = (u: any) =>
    ones.includes(cls(u)) && !(f && f.e && typeof u == 'string' && !f.e.includes(u.toLowerCase())) && e.push([low(text(u)!, fold || y == 'W'), num(u)]);
  // The kind of ordered comparison a bound asks for on this field; 0 when it does not fit.
  const ord = (u: unknown): number => +ords['nbtdsix'.indexOf(cls(u))]! || 0;
  let k = 0;
  let b;
  let r;
  const ok =
    f &&
    // An unknown op has index -1, and `>> -1` shifts by 31: a bit no mask has.
    (mask >> i) & 1 &&
    (scope === undefined || (f.d && SCOPES.includes(scope))) &&
    (cs === undefined || cs === !!cs) &&
    (tz === undefined || zone(tz)) &&
    Object.keys(o).every((k) => RULE_KEYS.includes(k)) &&
    (t == 4 ||
      (v != null &&
        (t == 0 || (t == 2 && y == 'L')
          ? one(v)
          : t == 1
            ? Array.isArray(v) && v.length && v.every(one)
            : t == 2 || t > 16
              ? 'ntdsix'.includes(cls(v)) && e.push([low(text(v)!, fold)])
              : t == 3
                ? typeof v == 'string' && v && v.length < 1001 && (r = regex(v, fold))
                : t == 16
                  ? Array.isArray(v) &&
                    v.length == 2 &&
                    (k = ord(v[0])) &&
                    k == ord(v[1]) &&
                    // Times of day may wrap; other bounds need min <= max, read in the rule's zone when they have no offset.
                    (k == 3 || !(key(v[0], k, tz ?? 'UTC')! > key(v[1], k, tz ?? 'UTC')!)) &&
                    (b = v)
                  : (k = ord(v)) && (b = [v]))));
  return Object.assign(
    { field, op, value: v, scope, caseSensitive: cs, timezone: tz },
    ok && { f, p: fieldPath(f, scope ?? f.d), t, n: i < 10 && i & 1, i: fold, z: tz, c: f.p[0] == '~' || k > 1, k, e, b, r },
  );
}

const low = (s: string, fold: unknown) => (fold ? s.toLowerCase() : s);

function regex(v: string, fold: boolean): RegExp | undefined {
  try {
    return new RegExp(v, fold ? 'i' : '');
  } catch {
    return;
  }
}

function test(c: any, a: unknown, z: string, l?: number): number {
  const t = c.t;
  let s: any;
  let m: any;
  if (t < 2 || (t == 2 && l)) {
    s = text(a);
    s = s == null ? s : low(s, c.i);
    // Numbers numerically when both sides are numeric, otherwise text (folded); booleans are their text.
    for (const [e, n] of c.e) if (n != null && (m ??= num(a)) != null ? m === n : s === e) return 1;
    return 0;
  }
  if (t < 4 || t > 16)
    return (s = text(a)) == null ? 0 : t == 3 ? (s.length > 1e4 ? 2 : +c.r.test(s)) : +low(s, c.i)[t == 2 ? 'includes' : t == 17 ? 'startsWith' : 'endsWith'](c.e[0][0]);
  if (c.z_ !== z) (c.bk = c.b.map((u: unknown) => key(u, c.k, z))), (c.z_ = z);
  const [lo, hi] = c.bk;
  const v = key(a, c.k, z);
  return lo == null
    ? 2
    : v == null
      ? 0
      : t < 16
        ? +(t == 5 ? v < lo : t == 6 ? v > lo : t == 14 ? v <= lo : v >= lo)
        : lo <= hi
          ? +(v >= lo && v <= hi)
          : // Only times of day wrap (a window across midnight); other reversed ranges are malformed.
            c.k == 3
            ? +(v >= lo || v <= hi)
            : 2;
}

// ---------------------------------------------------------------------------------------------------------------
// Dates, times and zones

/** `HH:MM`, 24-hour. */
export const isTimeOfDay = (v: unknown): boolean => typeof v == 'string' && v.length == 5 && TIME.test(v);
/** A real calendar date `YYYY-MM-DD`. */
export const isIsoDate = (v: unknown): boolean => cls(v) == 'd';
/** An ISO date-time (`YYYY-MM-DDTHH:MM`, optional seconds, fraction and offset). */
export const isIsoDateTime = (v: unknown): boolean => cls(v) == 's';
