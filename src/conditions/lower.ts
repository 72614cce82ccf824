/**
 * Lowering: an authoring condition -> the compact JSON the script-tag core evaluates with `check` (run.ts). The
 * compiler lowers every condition it ships, so that what the runtime does not need to find out on the visitor's
 * page is settled here, once: fields become paths with their scope, operators and flags become a number, values
 * are validated, classified and case-folded, bounds become comparison keys, malformed rules become a constant and
 * `not` is pushed down into the rules. The format is described in docs/compiled-conditions.md.
 *
 * Verdicts are exactly evaluate.ts's: rules are analysed by its `prepare`, and the tests hold
 * `check(lower(c), ctx)` to `evaluate(c, ctx)` on the JSON contract and on random conditions and contexts.
 */
import { MAX_DEPTH, prepare } from './evaluate.js';
import { key, stamp } from './time.js';
import type { LoweredCondition, LoweredRule } from './types.js';

/** A lowered node, or a verdict known now: 0 false, 1 true, 2 malformed. */
type Low = LoweredCondition | 0 | 1 | 2;
/** Verdicts known at compile time, as the runtime reads them: any of none, all of none, a malformed rule. */
const CONSTANTS: LoweredCondition[] = [['|'], ['&'], [15]];

/** Bits of a lowered rule's op, beside the test in bits 0-3 (see run.ts). */
const NEGATED = 16;
const CASE_SENSITIVE = 32;
const KIND = 64;

/** The lowered test of each of evaluate.ts's (its `prepare().t`): equals and one_of share one, contains two. */
const TESTS: Record<number, number> = { 0: 0, 1: 0, 2: 1, 3: 5, 4: 6, 5: 7, 6: 10, 14: 8, 15: 9, 16: 11, 17: 3, 18: 4 };

/** `condition` lowered for `check`. Never throws: what cannot be read (a getter that throws) is malformed. */
export function lower(condition: unknown): LoweredCondition {
  let out: Low;
  try {
    out = node(condition, 0, false);
  } catch {
    out = 2;
  }
  return typeof out == 'number' ? [...CONSTANTS[out]!] : out;
}

/** Mirrors evaluate.ts's `node`, with `neg` the parity of the `not`s above. */
function node(c: any, depth: number, neg: boolean): Low {
  if (depth > MAX_DEPTH || typeof c != 'object' || !c || Array.isArray(c)) return 2;
  const { all, any, not } = c;
  const groups = +(all !== undefined) + +(any !== undefined) + +(not !== undefined);
  if (!groups) return rule(c, neg);
  if (groups > 1 || Object.keys(c).some((k) => k != 'all' && k != 'any' && k != 'not')) return 2;
  // Negation is three-valued (malformed stays malformed), so De Morgan's laws hold: under a `not`, `all` becomes
  // `any` of the negated members and `any` becomes `all`; two `not`s cancel out.
  if (not !== undefined) return node(not, depth + 1, !neg);
  const list = all !== undefined ? all : any;
  if (!Array.isArray(list)) return 2;
  const isAll = (all !== undefined) != neg;
  return group(isAll ? '&' : '|', list.map((m) => node(m, depth + 1, neg)));
}

/**
 * A group, simplified: a member that decides the group (false in `all`, true in `any`) is the verdict, neutral members
 * go, a nested group of the same kind is flattened, one malformed member is enough. All exact in the three-valued
 * logic, whatever the order of the members.
 */
function group(op: '&' | '|', members: Low[]): Low {
  const decides = op == '&' ? 0 : 1;
  const out: LoweredCondition[] = [];
  let malformed = false;
  for (const member of members)
    for (const m of (typeof member != 'number' && member[0] === op ? member.slice(1) : [member]) as Low[]) {
      const verdict = typeof m == 'number' ? m : m.length == 1 ? CONSTANTS.findIndex((k) => k[0] == m[0]) : undefined;
      if (verdict === decides) return decides;
      if (verdict === 2) malformed = true;
      else if (verdict === undefined) out.push(m as LoweredCondition);
    }
  if (malformed) {
    if (!out.length) return 2;
    out.push([15]);
  }
  return !out.length ? ((1 - decides) as 0 | 1) : out.length == 1 ? out[0]! : [op, ...out];
}

/** A rule as `[op, field, value?, zone?]` (see run.ts), or 2 when it is malformed. */
function rule(o: unknown, neg: boolean): Low {
  const c = prepare(o);
  if (!c.f) return 2;
  // contains on a list field (segments) is membership, with numbers compared as numbers (test 2).
  const t = TESTS[c.t]! + +(c.t == 2 && c.f.t == 'L');
  const textual = t < 6 && (t > 0 || c.e.some((e: unknown[]) => e[1] == null));
  let op = t + (c.n ? 1 : 0) * NEGATED + c.k * KIND;
  if (neg) op ^= NEGATED;
  if (textual && !c.i) op += CASE_SENSITIVE;
  const value =
    t == 0
      ? // A value that reads as a number is compared as one (see evaluate.ts's `test`), any other as its folded text.
        values(c.e.map(([s, n]: [string, number?]) => n ?? s))
      : t < 5
        ? c.e[0][0]
        : t == 5
          ? c.value
          : t == 6
            ? null
            : values(c.b.map((u: unknown) => bound(u, c.k)));
  const out: LoweredRule = [op, c.p, value];
  // The zone: the rule's own, or '' for the visitor's when the rule reads the clock or a date or time.
  const zone = c.z ?? (c.c ? '' : undefined);
  if (zone !== undefined) out.push(zone);
  else if (value === null) out.pop();
  return out;
}

/** One value, or the list; -0 written as 0, as JSON would (it compares the same). */
const values = (list: (string | number)[]) => ((list = list.map((u) => (u === 0 ? 0 : u))), list.length == 1 ? list[0]! : list);

/**
 * A bound as its comparison key, except a date-time written without an offset: its instant depends on the zone it
 * is read in, the visitor's when the rule has none, so the runtime reads it.
 */
function bound(u: unknown, k: number): string | number {
  if (typeof u != 'string' || (k == 4 && stamp(u)?.[2] == null)) return u as string | number;
  return key(u, k, 'UTC') ?? u;
}
