// TEST-ONLY ORACLE: a frozen copy of src/conditions/evaluate.ts as it was before the size rewrite (only the import
// paths changed). test/unit/conditions-oracle.test.ts compares the new evaluator against it. Do not import it from src/.
/**
 * The condition evaluator: a pure function of a condition and a visitor context. It never throws.
 *
 * Logic is three-valued: a rule is true, false, or malformed. A malformed rule (unknown field or operator, a value
 * of the wrong shape, a bad regex, an invalid time zone, ...) is never true, not even under `not`; in a group it
 * behaves like SQL's NULL / Kleene's "unknown": `any` is true if some member is true, `all` is false if some member
 * is false, otherwise the group is malformed too. `evaluate` returns true only for a definite true.
 *
 * Each rule object is analysed once (validated, regex compiled, values normalised) and the result cached in a
 * WeakMap keyed by the rule object; the cache entry is dropped when a top-level property of the rule changes.
 * `analyzeRule` is shared with the checker (`check.ts`) so that "the checker reports an error" and "the evaluator
 * treats the rule as malformed" are the same thing.
 */
import {
  lookupField,
  OPERATORS_BY_TYPE,
  SCOPES,
  WEEKDAY_NAMES,
  type FieldRef,
  type FieldType,
} from '../../src/conditions/fields.js';
import { OPERATORS, type Condition, type EvalContext, type Operator, type Scope } from '../../src/conditions/types.js';

/** Deepest allowed nesting: the root condition is depth 0. */
export const MAX_DEPTH = 32;
/** Longest regex source accepted. */
export const MAX_REGEX_LENGTH = 1000;
/** `matches` on a longer text is malformed (false, also under `not`) rather than risk a slow regex on it. */
export const MAX_MATCH_INPUT = 10_000;

/** The keys a rule may have. */
export const RULE_KEYS: readonly string[] = ['field', 'op', 'value', 'scope', 'caseSensitive', 'timezone'];

type Result = 0 | 1 | 2;
const FALSE = 0;
const TRUE = 1;
const INVALID = 2;

// ---------------------------------------------------------------------------------------------------------------
// Public API

/** True when `condition` holds for `ctx`. Malformed conditions and missing data never throw: they are false. */
export function evaluate(condition: Condition, ctx: EvalContext): boolean {
  try {
    return evalNode(condition, ctx, 0) === TRUE;
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
    const ref = typeof field === 'string' ? lookupField(field) : undefined;
    if (!ref) return undefined;
    const sc = scope && SCOPES.includes(scope) && ref.spec.scoped ? scope : (ref.spec.defaultScope ?? 'all_time');
    const zone = timezone ?? contextZone(ctx);
    if (usesClock(ref) && !formatter(zone)) return undefined;
    const v = readField(ref, ctx, sc, zone, false);
    return v === BAD ? undefined : v;
  } catch {
    return undefined;
  }
}

/** Whether Intl knows this IANA time zone name. */
export function isValidTimeZone(zone: unknown): zone is string {
  return typeof zone === 'string' && zone !== '' && formatter(zone) !== undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Tree

function evalNode(c: unknown, ctx: EvalContext, depth: number): Result {
  if (depth > MAX_DEPTH || typeof c !== 'object' || c === null || Array.isArray(c)) return INVALID;
  const o = c as Record<string, unknown>;
  const all = o.all;
  const any = o.any;
  const not = o.not;
  const groups = (all !== undefined ? 1 : 0) + (any !== undefined ? 1 : 0) + (not !== undefined ? 1 : 0);
  if (groups === 0) return evalRule(o, ctx);
  if (groups > 1) return INVALID;
  for (const k in o) if (k !== 'all' && k !== 'any' && k !== 'not') return INVALID;
  if (not !== undefined) {
    const r = evalNode(not, ctx, depth + 1);
    return r === INVALID ? INVALID : r === TRUE ? FALSE : TRUE;
  }
  const list = all !== undefined ? all : any;
  if (!Array.isArray(list)) return INVALID;
  // all: a false member decides; any: a true member decides. Otherwise a malformed member makes the group malformed.
  const decisive = all !== undefined ? FALSE : TRUE;
  let r: Result = all !== undefined ? TRUE : FALSE;
  for (let i = 0; i < list.length; i++) {
    const x = evalNode(list[i], ctx, depth + 1);
    if (x === decisive) return decisive;
    if (x === INVALID) r = INVALID;
  }
  return r;
}

interface Entry {
  field: unknown;
  op: unknown;
  value: unknown;
  scope: unknown;
  caseSensitive: unknown;
  timezone: unknown;
  rule: CompiledRule | undefined;
}
const entries = new WeakMap<object, Entry>();

function evalRule(o: Record<string, unknown>, ctx: EvalContext): Result {
  let e = entries.get(o);
  if (
    e === undefined ||
    e.field !== o.field ||
    e.op !== o.op ||
    e.value !== o.value ||
    e.scope !== o.scope ||
    e.caseSensitive !== o.caseSensitive ||
    e.timezone !== o.timezone
  ) {
    e = {
      field: o.field,
      op: o.op,
      value: o.value,
      scope: o.scope,
      caseSensitive: o.caseSensitive,
      timezone: o.timezone,
      rule: analyzeRule(o).rule,
    };
    entries.set(o, e);
  }
  return e.rule ? testRule(e.rule, ctx) : INVALID;
}

// ---------------------------------------------------------------------------------------------------------------
// Analysis (shared with the checker)

/** What a value should have been, for the checker's messages. */
export type Expect =
  | 'number'
  | 'boolean'
  | 'date'
  | 'time'
  | 'weekday'
  | 'text'
  | 'scalar'
  | 'list'
  | 'pair'
  | 'regex'
  | 'ordered'
  | 'chrono'
  | 'date_or_datetime';

export type IssueCode =
  | 'not_object'
  | 'missing_field'
  | 'field_not_string'
  | 'unknown_field'
  | 'missing_op'
  | 'unknown_op'
  | 'op_not_for_field'
  | 'bad_scope'
  | 'scope_not_allowed'
  | 'bad_case_sensitive'
  | 'bad_timezone'
  | 'missing_value'
  | 'value_type'
  | 'empty_value'
  | 'empty_list'
  | 'not_in_values'
  | 'mixed_kinds'
  | 'range_order'
  | 'bad_regex'
  | 'regex_too_long'
  | 'unknown_key'
  // warnings
  | 'value_unused'
  | 'regex_slow';

/** One thing wrong with a rule. `key` is the rule key it is about ('' for the rule itself); `index` an item of `value`. */
export interface RuleIssue {
  key: string;
  index?: number;
  code: IssueCode;
  expect?: Expect;
  detail?: string;
  warning?: boolean;
}

// Positive tests; negative operators are the complement of their positive twin.
const T_KNOWN = 0;
const T_EQUALS = 1;
const T_CONTAINS = 2;
const T_STARTS = 3;
const T_ENDS = 4;
const T_MATCHES = 5;
const T_ONE_OF = 6;
const T_LT = 7;
const T_LTE = 8;
const T_GT = 9;
const T_GTE = 10;
const T_BETWEEN = 11;

const TESTS: Record<Operator, [test: number, negated: boolean]> = {
  equals: [T_EQUALS, false],
  not_equals: [T_EQUALS, true],
  contains: [T_CONTAINS, false],
  not_contains: [T_CONTAINS, true],
  starts_with: [T_STARTS, false],
  ends_with: [T_ENDS, false],
  matches: [T_MATCHES, false],
  not_matches: [T_MATCHES, true],
  one_of: [T_ONE_OF, false],
  not_one_of: [T_ONE_OF, true],
  lt: [T_LT, false],
  lte: [T_LTE, false],
  gt: [T_GT, false],
  gte: [T_GTE, false],
  between: [T_BETWEEN, false],
  before: [T_LT, false],
  after: [T_GT, false],
  known: [T_KNOWN, false],
  unknown: [T_KNOWN, true],
};

// Kinds of ordered comparison.
const K_NONE = 0;
const K_NUMBER = 1;
/** Calendar day (days since 1970-01-01). */
const K_DAY = 2;
/** Minute of the day. */
const K_MINUTE = 3;
/** Epoch milliseconds. */
const K_INSTANT = 4;

/** (Internal, exported for the checker.) An expected scalar, normalised once: folded text, and the number / boolean it stands for. */
export interface Expected {
  t: string;
  n: number | undefined;
  b: boolean | undefined;
}

export interface CompiledRule {
  ref: FieldRef;
  test: number;
  neg: boolean;
  scope: Scope;
  fold: boolean;
  zone: string | undefined;
  /** Needs a valid time zone (clock fields, or dates/times being compared). */
  clock: boolean;
  kind: number;
  expected: Expected[];
  /** Raw bounds of an ordered comparison (1 value, or 2 for between). */
  bounds: unknown[];
  boundsZone: string | undefined;
  boundKeys: (number | undefined)[];
  re: RegExp | undefined;
}

/**
 * Validates one rule and prepares it for evaluation. Returns every issue found; `rule` is set only when no issue
 * is an error.
 */
export function analyzeRule(input: unknown): { rule: CompiledRule | undefined; issues: RuleIssue[] } {
  const issues: RuleIssue[] = [];
  const o = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : undefined;
  if (!o) return { rule: undefined, issues: [{ key: '', code: 'not_object' }] };
  const issue = (key: string, code: IssueCode, more?: Partial<RuleIssue>) => issues.push({ key, code, ...more });

  const field = o.field;
  let ref: FieldRef | undefined;
  if (field === undefined) issue('', 'missing_field');
  else if (typeof field !== 'string') issue('field', 'field_not_string');
  else if (!(ref = lookupField(field))) issue('field', 'unknown_field');

  const op = o.op;
  let operator: Operator | undefined;
  if (op === undefined) issue('', 'missing_op');
  else if (typeof op !== 'string' || !(OPERATORS as readonly string[]).includes(op)) issue('op', 'unknown_op');
  else operator = op as Operator;

  const type: FieldType | undefined = ref?.spec.type;
  if (ref && operator && !OPERATORS_BY_TYPE[ref.spec.type].includes(operator)) {
    issue('op', 'op_not_for_field');
    operator = undefined;
  }

  const scope = o.scope;
  if (scope !== undefined) {
    if (typeof scope !== 'string' || !(SCOPES as readonly string[]).includes(scope)) issue('scope', 'bad_scope');
    else if (ref && !ref.spec.scoped) issue('scope', 'scope_not_allowed');
  }
  if (o.caseSensitive !== undefined && typeof o.caseSensitive !== 'boolean') issue('caseSensitive', 'bad_case_sensitive');
  if (o.timezone !== undefined && !isValidTimeZone(o.timezone)) issue('timezone', 'bad_timezone');
  for (const k of Object.keys(o)) if (!RULE_KEYS.includes(k)) issue(k, 'unknown_key');

  const fold = o.caseSensitive !== true;
  const expected: Expected[] = [];
  const bounds: unknown[] = [];
  let kind = K_NONE;
  let re: RegExp | undefined;
  const [test, neg] = operator ? TESTS[operator] : [T_KNOWN, false];

  if (ref && type && operator) {
    const value = o.value;
    const enumValues = ref.spec.values;
    /** Checks one value for equality-style tests and records it. */
    const scalar = (v: unknown, index?: number): void => {
      const at: Partial<RuleIssue> = index === undefined ? {} : { index };
      let expect: Expect | undefined;
      if (type === 'number') expect = numeric(v) === undefined ? 'number' : undefined;
      else if (type === 'boolean') expect = typeof v === 'boolean' ? undefined : 'boolean';
      else if (type === 'date') expect = typeof v === 'string' && dayKey(v) !== undefined ? undefined : 'date';
      else if (type === 'time') expect = typeof v === 'string' && TIME_RE.test(v) ? undefined : 'time';
      else if (type === 'weekday') {
        const ok = typeof v === 'string' && (WEEKDAY_NAMES as readonly string[]).includes(v.toLowerCase());
        expect = ok ? undefined : 'weekday';
      } else if (v === '') {
        issue('value', 'empty_value', at);
        return;
      } else if (typeof v !== 'string' && typeof v !== 'boolean' && numeric(v) === undefined) expect = 'scalar';
      if (expect) {
        issue('value', 'value_type', { ...at, expect });
        return;
      }
      if (enumValues && typeof v === 'string' && !enumValues.includes(v.toLowerCase())) {
        issue('value', 'not_in_values', { ...at, detail: v });
        return;
      }
      // Weekdays, dates and times are lower-case or digits: compare them without case whatever caseSensitive says.
      const always = type === 'weekday' || type === 'date' || type === 'time';
      expected.push(expectedOf(v, fold || always));
    };
    const textual = (v: unknown): void => {
      if (v === '') issue('value', 'empty_value');
      else if (typeof v !== 'string' && (typeof v !== 'number' || !Number.isFinite(v))) issue('value', 'value_type', { expect: 'text' });
      else expected.push(expectedOf(v, fold));
    };

    if (test === T_KNOWN) {
      if (value !== undefined) issue('value', 'value_unused', { warning: true });
    } else if (value === undefined || value === null) {
      issue('', 'missing_value');
    } else if (test === T_EQUALS) {
      scalar(value);
    } else if (test === T_CONTAINS) {
      if (type === 'list') scalar(value);
      else textual(value);
    } else if (test === T_STARTS || test === T_ENDS) {
      textual(value);
    } else if (test === T_MATCHES) {
      if (typeof value !== 'string') issue('value', 'value_type', { expect: 'regex' });
      else if (value === '') issue('value', 'empty_value');
      else if (value.length > MAX_REGEX_LENGTH) issue('value', 'regex_too_long');
      else {
        const compiled = compileRegex(value, fold);
        if (typeof compiled === 'string') issue('value', 'bad_regex', { detail: compiled });
        else {
          re = compiled;
          if (SLOW_REGEX.test(value)) issue('value', 'regex_slow', { warning: true });
        }
      }
    } else if (test === T_ONE_OF) {
      if (!Array.isArray(value)) issue('value', 'value_type', { expect: 'list' });
      else if (value.length === 0) issue('value', 'empty_list');
      else value.forEach((v, i) => scalar(v, i));
    } else if (test === T_BETWEEN) {
      if (!Array.isArray(value) || value.length !== 2) issue('value', 'value_type', { expect: 'pair' });
      else {
        const k0 = orderKind(operator, type, value[0]);
        const k1 = orderKind(operator, type, value[1]);
        if (k0 === K_NONE) issue('value', 'value_type', { index: 0, expect: orderExpect(operator, type) });
        if (k1 === K_NONE) issue('value', 'value_type', { index: 1, expect: orderExpect(operator, type) });
        if (k0 !== K_NONE && k1 !== K_NONE) {
          if (k0 !== k1) issue('value', 'mixed_kinds');
          else if (k0 !== K_MINUTE && keyOf(value[0], k0, 'UTC')! > keyOf(value[1], k0, 'UTC')!) issue('value', 'range_order');
          else {
            kind = k0;
            bounds.push(value[0], value[1]);
          }
        }
      }
    } else {
      const k = orderKind(operator, type, value);
      if (k === K_NONE) issue('value', 'value_type', { expect: orderExpect(operator, type) });
      else {
        kind = k;
        bounds.push(value);
      }
    }
  }

  if (!ref || !operator || issues.some((i) => !i.warning)) return { rule: undefined, issues };
  return {
    rule: {
      ref,
      test,
      neg,
      scope: ref.spec.scoped ? ((scope as Scope | undefined) ?? ref.spec.defaultScope ?? 'all_time') : 'all_time',
      fold,
      zone: o.timezone as string | undefined,
      clock: usesClock(ref) || kind === K_DAY || kind === K_MINUTE || kind === K_INSTANT,
      kind,
      expected,
      bounds,
      boundsZone: undefined,
      boundKeys: [],
      re,
    },
    issues,
  };
}

function expectedOf(v: unknown, fold: boolean): Expected {
  const t = text(v) ?? '';
  return {
    t: fold ? t.toLowerCase() : t,
    n: typeof v === 'boolean' ? undefined : numeric(v),
    b: typeof v === 'boolean' ? v : undefined,
  };
}

/** Which ordered comparison a bound asks for on a field of this type; K_NONE when the value does not fit. */
function orderKind(op: Operator, type: FieldType, v: unknown): number {
  const chrono = op === 'before' || op === 'after';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return K_NONE;
    if (type === 'number') return chrono ? K_NONE : K_NUMBER;
    if (type === 'date') return K_INSTANT;
    if (type === 'string' || type === 'any') return chrono ? K_INSTANT : K_NUMBER;
    return K_NONE;
  }
  if (typeof v !== 'string') return K_NONE;
  if (type === 'number') return !chrono && numeric(v) !== undefined ? K_NUMBER : K_NONE;
  if (type === 'time') return TIME_RE.test(v) ? K_MINUTE : K_NONE;
  if (dayKey(v) !== undefined) return type === 'date' || type === 'string' || type === 'any' ? K_DAY : K_NONE;
  if (parseStamp(v)) return type === 'date' || type === 'string' || type === 'any' ? K_INSTANT : K_NONE;
  if (type !== 'string' && type !== 'any') return K_NONE;
  if (TIME_RE.test(v)) return K_MINUTE;
  return !chrono && numeric(v) !== undefined ? K_NUMBER : K_NONE;
}

function orderExpect(op: Operator, type: FieldType): Expect {
  if (type === 'number') return 'number';
  if (type === 'time') return 'time';
  if (type === 'date') return 'date_or_datetime';
  return op === 'before' || op === 'after' ? 'chrono' : 'ordered';
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation of one rule

function testRule(c: CompiledRule, ctx: EvalContext): Result {
  let zone = 'UTC';
  if (c.clock) {
    zone = c.zone ?? contextZone(ctx);
    if (!formatter(zone)) return INVALID;
  }
  const a = readField(c.ref, ctx, c.scope, zone, c.kind === K_INSTANT && c.ref.spec.type === 'date');
  if (a === BAD) return INVALID;
  const r = isUnknown(a) ? FALSE : (Array.isArray(a) ? testList(c, a) : testValue(c, a, zone));
  if (r === INVALID) return INVALID;
  return (r === TRUE) !== c.neg ? TRUE : FALSE;
}

function isUnknown(a: unknown): boolean {
  return a === undefined || a === null || a === '' || (typeof a === 'number' && a !== a);
}

/** A list value (segments, or an attribute holding a list): membership, or "some item" for text tests. */
function testList(c: CompiledRule, a: unknown[]): Result {
  switch (c.test) {
    case T_KNOWN:
      return TRUE;
    case T_EQUALS:
    case T_CONTAINS:
    case T_ONE_OF:
      for (let i = 0; i < a.length; i++) if (isOneOf(a[i], c.expected, c.fold)) return TRUE;
      return FALSE;
    case T_STARTS:
    case T_ENDS:
    case T_MATCHES: {
      let r: Result = FALSE;
      for (let i = 0; i < a.length; i++) {
        const x = Array.isArray(a[i]) ? FALSE : testValue(c, a[i], 'UTC');
        if (x === TRUE) return TRUE;
        if (x === INVALID) r = INVALID;
      }
      return r;
    }
    default:
      return FALSE;
  }
}

function testValue(c: CompiledRule, a: unknown, zone: string): Result {
  switch (c.test) {
    case T_KNOWN:
      return TRUE;
    case T_EQUALS:
      return equal(a, c.expected[0]!, c.fold) ? TRUE : FALSE;
    case T_ONE_OF:
      return isOneOf(a, c.expected, c.fold) ? TRUE : FALSE;
    case T_CONTAINS:
    case T_STARTS:
    case T_ENDS: {
      let t = text(a);
      if (t === undefined) return FALSE;
      if (c.fold) t = t.toLowerCase();
      const e = c.expected[0]!.t;
      return (c.test === T_CONTAINS ? t.includes(e) : c.test === T_STARTS ? t.startsWith(e) : t.endsWith(e)) ? TRUE : FALSE;
    }
    case T_MATCHES: {
      const t = text(a);
      if (t === undefined) return FALSE;
      if (t.length > MAX_MATCH_INPUT) return INVALID;
      return c.re!.test(t) ? TRUE : FALSE;
    }
    default: {
      if (c.boundsZone !== zone) {
        c.boundKeys = c.bounds.map((b) => keyOf(b, c.kind, zone));
        c.boundsZone = zone;
      }
      const lo = c.boundKeys[0];
      if (lo === undefined) return INVALID;
      const k = keyOf(a, c.kind, zone);
      if (k === undefined) return FALSE;
      switch (c.test) {
        case T_LT:
          return k < lo ? TRUE : FALSE;
        case T_LTE:
          return k <= lo ? TRUE : FALSE;
        case T_GT:
          return k > lo ? TRUE : FALSE;
        case T_GTE:
          return k >= lo ? TRUE : FALSE;
        default: {
          const hi = c.boundKeys[1];
          if (hi === undefined) return INVALID;
          if (lo <= hi) return k >= lo && k <= hi ? TRUE : FALSE;
          // Only times of day wrap (a window across midnight); other reversed ranges are malformed.
          if (c.kind === K_MINUTE) return k >= lo || k <= hi ? TRUE : FALSE;
          return INVALID;
        }
      }
    }
  }
}

function isOneOf(a: unknown, expected: Expected[], fold: boolean): boolean {
  for (let i = 0; i < expected.length; i++) if (equal(a, expected[i]!, fold)) return true;
  return false;
}

/** Equality: booleans strictly, numbers numerically when both sides are numeric, otherwise text (folded). */
function equal(a: unknown, e: Expected, fold: boolean): boolean {
  if (typeof a === 'boolean' && e.b !== undefined) return a === e.b;
  if (e.n !== undefined) {
    const n = numeric(a);
    if (n !== undefined) return n === e.n;
  }
  let t = text(a);
  if (t === undefined) return false;
  if (fold) t = t.toLowerCase();
  return t === e.t;
}

const NUMERIC_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number, or a string that is exactly a decimal number; otherwise undefined. */
function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.length < 64 && NUMERIC_RE.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading fields from the context

/** The clock or time zone could not be read: the rule is malformed for this context. */
const BAD: unique symbol = Symbol('bad');

function own(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null && Object.prototype.hasOwnProperty.call(o, key)
    ? (o as Record<string, unknown>)[key]
    : undefined;
}

/** `key` as an own property; failing that, a dotted path into nested objects (`address.city`). */
function prop(o: unknown, key: string): unknown {
  const v = own(o, key);
  if (v !== undefined || key.indexOf('.') < 0) return v;
  let cur = o;
  for (const part of key.split('.')) {
    cur = own(cur, part);
    if (cur === undefined) return undefined;
  }
  return cur;
}

function usesClock(ref: FieldRef): boolean {
  const n = ref.spec.name;
  return ref.spec.type === 'date' || ref.spec.type === 'time' || ref.spec.type === 'weekday' || n.startsWith('days_since_');
}

/** The context's zone, UTC when absent; '' (invalid) when it is not text. */
function contextZone(ctx: EvalContext): string {
  const z = own(ctx, 'timezone');
  if (z === undefined || z === null || z === '') return 'UTC';
  return typeof z === 'string' ? z : '';
}

/** Now, in epoch ms; undefined when `ctx.now` is present but unreadable. */
function nowOf(ctx: EvalContext): number | undefined {
  const n = own(ctx, 'now');
  if (n === undefined || n === null) return Date.now();
  return timestamp(n);
}

/** A machine timestamp: epoch ms (number or numeric text) or ISO text; no offset means UTC. */
function timestamp(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const n = numeric(v);
  if (n !== undefined) return n;
  return keyOf(v, K_INSTANT, 'UTC');
}

function readField(ref: FieldRef, ctx: EvalContext, scope: Scope, zone: string, nowInstant: boolean): unknown {
  const spec = ref.spec;
  const visitor = own(ctx, 'visitor');
  switch (spec.name) {
    case 'url':
      return own(own(ctx, 'page'), 'url');
    case 'path':
      return urlParts(own(own(ctx, 'page'), 'url'))?.path;
    case 'host':
      return urlParts(own(own(ctx, 'page'), 'url'))?.host;
    case 'query.<name>':
      return urlParts(own(own(ctx, 'page'), 'url'))?.search?.get(ref.key!) ?? undefined;
    case 'landing_url':
      return own(visitor, 'landing_url');
    case 'referrer':
      return own(visitor, 'referrer');
    case 'referrer_host':
      return urlParts(own(visitor, 'referrer'))?.host;
    case 'utm.source':
    case 'utm.medium':
    case 'utm.campaign':
    case 'utm.term':
    case 'utm.content':
      return own(own(visitor, 'utm'), spec.name.slice(4));
    case 'channel':
    case 'device':
    case 'sessions':
    case 'segments':
      return own(visitor, spec.name);
    case 'new_visitor':
      return own(visitor, 'new');
    case 'pageviews':
      return own(own(visitor, 'pageviews'), scope);
    case 'attributes.<name>':
      return prop(own(visitor, 'attributes'), ref.key!);
    case 'cart.value':
      return own(own(visitor, 'cart'), 'value');
    case 'cart.items':
      return own(own(visitor, 'cart'), 'items');
    case 'variant.<testKey>':
      return own(own(visitor, 'variants'), ref.key!);
    case 'event.name':
      return own(own(ctx, 'event'), 'name');
    case 'event.<prop>':
      return prop(own(own(ctx, 'event'), 'props'), ref.key!);
  }
  if (spec.prefix === 'promotion.') {
    // With the history known, a promotion never seen counts 0; without any history the count is unknown.
    const history = own(visitor, 'promotions');
    if (typeof history !== 'object' || history === null) return undefined;
    const n = own(own(own(history, ref.key!), spec.suffix!.slice(1)), scope);
    return n === undefined || n === null ? 0 : n;
  }
  const now = nowOf(ctx);
  if (now === undefined) return BAD;
  if (nowInstant) return now;
  if (spec.name === 'days_since_first_visit' || spec.name === 'days_since_last_visit') {
    const then = timestamp(own(visitor, spec.name === 'days_since_first_visit' ? 'first_seen' : 'last_seen'));
    if (then === undefined) return undefined;
    const a = wallAt(now, zone);
    if (!a) return BAD;
    const today = daysFromCivil(a.y, a.m, a.d);
    const b = wallAt(then, zone);
    return b ? today - daysFromCivil(b.y, b.m, b.d) : undefined;
  }
  const w = wallAt(now, zone);
  if (!w) return BAD;
  if (spec.type === 'date') return `${pad(w.y, 4)}-${pad(w.m, 2)}-${pad(w.d, 2)}`;
  if (spec.type === 'time') return `${pad(w.h, 2)}:${pad(w.mi, 2)}`;
  return WEEKDAY_NAMES[w.wd];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

interface UrlParts {
  path: string | undefined;
  host: string | undefined;
  search: URLSearchParams | undefined;
}
const urls = new Map<string, UrlParts>();
const NO_URL: UrlParts = { path: undefined, host: undefined, search: undefined };

/** Parsed URL pieces, cached for the few URLs a page deals with (current, landing, referrer). */
function urlParts(u: unknown): UrlParts | undefined {
  if (typeof u !== 'string' || u === '') return undefined;
  let p = urls.get(u);
  if (p === undefined) {
    p = parseUrl(u);
    if (urls.size >= 16) urls.delete(urls.keys().next().value!);
    urls.set(u, p);
  }
  return p;
}

function parseUrl(u: string): UrlParts {
  if (u.length > 65_536) return NO_URL;
  let url: URL;
  let relative = false;
  try {
    url = new URL(u);
  } catch {
    if (!u.startsWith('/')) return NO_URL;
    try {
      url = new URL(u, 'http://relative.invalid');
      relative = true;
    } catch {
      return NO_URL;
    }
  }
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep the encoded path when it is not valid percent-encoding
  }
  return { path, host: relative ? undefined : url.hostname || undefined, search: url.searchParams };
}

// ---------------------------------------------------------------------------------------------------------------
// Dates, times and zones

const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** Times read from data may carry seconds. */
const TIME_DATA_RE = /^([01]\d|2[0-3]):([0-5]\d)(?::[0-5]\d(?:\.\d+)?)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const STAMP_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;
const DAY_MS = 86_400_000;

export function isTimeOfDay(v: unknown): boolean {
  return typeof v === 'string' && TIME_RE.test(v);
}

export function isIsoDate(v: unknown): boolean {
  return typeof v === 'string' && dayKey(v) !== undefined;
}

export function isIsoDateTime(v: unknown): boolean {
  return typeof v === 'string' && parseStamp(v) !== undefined;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (no Date quirks for small years). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  return d <= days;
}

/** `YYYY-MM-DD` as a day number; undefined when not a real calendar date. */
function dayKey(s: string): number | undefined {
  const m = DATE_RE.exec(s);
  if (!m) return undefined;
  const y = +m[1]!;
  const mo = +m[2]!;
  const d = +m[3]!;
  return validDate(y, mo, d) ? daysFromCivil(y, mo, d) : undefined;
}

/** An ISO date-time: its wall clock as if UTC (ms) and its offset in minutes when written. */
interface Stamp {
  wall: number;
  offset: number | undefined;
  h: number;
  mi: number;
}

function parseStamp(s: string): Stamp | undefined {
  if (s.length > 40) return undefined;
  const m = STAMP_RE.exec(s);
  if (!m) return undefined;
  const y = +m[1]!;
  const mo = +m[2]!;
  const d = +m[3]!;
  const h = +m[4]!;
  const mi = +m[5]!;
  const sec = m[6] ? +m[6] : 0;
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) return undefined;
  const ms = m[7] ? Math.floor(+`0.${m[7]}` * 1000) : 0;
  let offset: number | undefined;
  const z = m[8];
  if (z) {
    if (z === 'Z' || z === 'z') offset = 0;
    else {
      const digits = z.slice(1).replace(':', '');
      const oh = +digits.slice(0, 2);
      const om = digits.length > 2 ? +digits.slice(2, 4) : 0;
      if (oh > 23 || om > 59 || (digits.length !== 2 && digits.length !== 4)) return undefined;
      offset = (z[0] === '-' ? -1 : 1) * (oh * 60 + om);
    }
  }
  return { wall: daysFromCivil(y, mo, d) * DAY_MS + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms, offset, h, mi };
}

/**
 * The comparison key of a value for an ordered kind, or undefined when the value is not of that kind.
 * Written values without an offset are wall-clock times in `zone`.
 */
function keyOf(v: unknown, kind: number, zone: string): number | undefined {
  if (kind === K_NUMBER) return numeric(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    if (kind === K_INSTANT) return v;
    const w = wallAt(v, zone);
    if (!w) return undefined;
    return kind === K_DAY ? daysFromCivil(w.y, w.m, w.d) : w.h * 60 + w.mi;
  }
  if (typeof v !== 'string') return undefined;
  if (kind === K_MINUTE) {
    const t = TIME_DATA_RE.exec(v);
    if (t) return +t[1]! * 60 + +t[2]!;
  }
  const day = dayKey(v);
  if (day !== undefined) {
    if (kind === K_DAY) return day;
    if (kind === K_INSTANT) return wallToInstant(day * DAY_MS, zone);
    return undefined;
  }
  const st = parseStamp(v);
  if (!st) return undefined;
  if (st.offset === undefined) {
    if (kind === K_DAY) return Math.floor(st.wall / DAY_MS);
    if (kind === K_MINUTE) return st.h * 60 + st.mi;
    return wallToInstant(st.wall, zone);
  }
  const instant = st.wall - st.offset * 60_000;
  if (kind === K_INSTANT) return instant;
  return keyOf(instant, kind, zone);
}

interface Zone {
  format: Intl.DateTimeFormat;
  /** The 15-minute slice of time (epoch ms / 900 000) whose offset is cached below. */
  slice: number;
  offset: number;
}
const zones = new Map<string, Zone | null>();
const SLICE_MS = 900_000;

/** A cached formatter for the zone; undefined when Intl rejects the zone. */
function formatter(zone: string): Zone | undefined {
  let z = zones.get(zone);
  if (z === undefined) {
    if (zone === '' || zone.length > 100) return undefined;
    try {
      const format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      z = { format, slice: NaN, offset: 0 };
    } catch {
      z = null;
    }
    if (zones.size >= 64) zones.delete(zones.keys().next().value!);
    zones.set(zone, z);
  }
  return z ?? undefined;
}

interface Wall {
  y: number;
  m: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  /** 0 = Monday. */
  wd: number;
}
let lastMs = NaN;
let lastZone = '';
let lastWall: Wall | undefined;

/**
 * The wall clock in `zone` at an instant. Intl is asked for the zone's offset once per 15-minute slice (time zone
 * transitions fall on quarter hours), the rest is arithmetic: formatToParts costs microseconds, this runs per event.
 */
function wallAt(ms: number, zone: string): Wall | undefined {
  if (ms === lastMs && zone === lastZone) return lastWall;
  const z = formatter(zone);
  if (!z || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  const slice = Math.floor(ms / SLICE_MS);
  if (slice !== z.slice) {
    const base = Math.floor(ms / 1000) * 1000;
    let y = 0, m = 0, d = 0, h = 0, mi = 0, sec = 0;
    for (const p of z.format.formatToParts(base)) {
      if (p.type === 'year') y = +p.value;
      else if (p.type === 'month') m = +p.value;
      else if (p.type === 'day') d = +p.value;
      else if (p.type === 'hour') h = +p.value % 24;
      else if (p.type === 'minute') mi = +p.value;
      else if (p.type === 'second') sec = +p.value;
    }
    z.offset = daysFromCivil(y, m, d) * DAY_MS + h * 3_600_000 + mi * 60_000 + sec * 1000 - base;
    z.slice = slice;
  }
  const wall = ms + z.offset;
  const days = Math.floor(wall / DAY_MS);
  const inDay = wall - days * DAY_MS;
  const w = civilFromDays(days);
  w.h = Math.floor(inDay / 3_600_000);
  w.mi = Math.floor(inDay / 60_000) % 60;
  w.s = Math.floor(inDay / 1000) % 60;
  lastMs = ms;
  lastZone = zone;
  lastWall = w;
  return w;
}

/** The calendar date of a day number (inverse of daysFromCivil); 1970-01-01 was a Thursday. */
function civilFromDays(days: number): Wall {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d, h: 0, mi: 0, s: 0, wd: (((days + 3) % 7) + 7) % 7 };
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(ms: number, zone: string): number | undefined {
  const base = Math.floor(ms / 1000) * 1000;
  const w = wallAt(base, zone);
  if (!w) return undefined;
  return daysFromCivil(w.y, w.m, w.d) * DAY_MS + w.h * 3_600_000 + w.mi * 60_000 + w.s * 1000 - base;
}

/**
 * The instant a wall-clock time (as if UTC) happens in `zone`. Tries the offsets in force a day before and a day
 * after; in an overlap (clocks going back) the earlier instant wins, in a gap (clocks going forward) the time is
 * read with the earlier offset, so 02:30 on a spring-forward night in New York is 03:30 EDT.
 */
function wallToInstant(wall: number, zone: string): number | undefined {
  if (zone === 'UTC') return wall;
  const before = offsetAt(wall - DAY_MS, zone);
  const after = offsetAt(wall + DAY_MS, zone);
  if (before === undefined || after === undefined) return undefined;
  const a = wall - before;
  if (before === after) return a;
  const b = wall - after;
  const aOk = offsetAt(a, zone) === before;
  const bOk = offsetAt(b, zone) === after;
  if (aOk && bOk) return Math.min(a, b);
  if (bOk) return b;
  return a;
}

// ---------------------------------------------------------------------------------------------------------------
// Regex

const regexes = new Map<string, RegExp | string>();
/** A group that repeats and contains a repeat, e.g. `(a+)+`: can backtrack for a very long time. */
const SLOW_REGEX = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;

/** A compiled regex (cached, case-insensitive when `fold`), or the engine's complaint about the source. */
export function compileRegex(source: string, fold: boolean): RegExp | string {
  const key = (fold ? 'i/' : '/') + source;
  let r = regexes.get(key);
  if (r === undefined) {
    try {
      r = new RegExp(source, fold ? 'i' : '');
    } catch (e) {
      r = String((e as Error)?.message ?? e);
    }
    if (regexes.size >= 256) regexes.delete(regexes.keys().next().value!);
    regexes.set(key, r);
  }
  return r;
}
