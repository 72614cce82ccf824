/**
 * The checker's analysis of one rule: every issue, with what the value should have been, for the messages of
 * check.ts (validator, CLI, editor). Size does not matter here: this never ships in the script-tag core.
 *
 * The evaluator (evaluate.ts) has its own compact validation, and the two must agree: a rule with an error here is
 * exactly a rule the evaluator treats as malformed. They share the low-level readers (numbers, dates, times, time
 * zones, ordered keys, limits); test/unit/conditions*.test.ts checks their verdicts against each other.
 */
import { isIsoDate, isTimeOfDay, isValidTimeZone, MAX_REGEX_LENGTH, RULE_KEYS } from './evaluate.js';
import { num } from './run.js';
import { key, stamp } from './time.js';
import { lookupField, OPERATORS_BY_TYPE, SCOPES, WEEKDAY_NAMES, type FieldRef, type FieldType } from './fields.js';
import { OPERATORS, type Operator } from './types.js';

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

// Kinds of ordered comparison, as evaluate.ts's `key` numbers them.
const K_NONE = 0;
const K_NUMBER = 1;
const K_DAY = 2;
const K_MINUTE = 3;
const K_INSTANT = 4;

/** The positive test of each operator; negative operators are the complement of their positive twin. */
const TESTS: Record<Operator, string> = {
  equals: 'equals',
  not_equals: 'equals',
  contains: 'contains',
  not_contains: 'contains',
  starts_with: 'starts_with',
  ends_with: 'ends_with',
  matches: 'matches',
  not_matches: 'matches',
  one_of: 'one_of',
  not_one_of: 'one_of',
  lt: 'ordered',
  lte: 'ordered',
  gt: 'ordered',
  gte: 'ordered',
  between: 'between',
  before: 'ordered',
  after: 'ordered',
  known: 'known',
  unknown: 'known',
};

/** Validates one rule. Returns every issue found; the evaluator accepts the rule when no issue is an error. */
export function analyzeRule(input: unknown): { issues: RuleIssue[] } {
  const issues: RuleIssue[] = [];
  const o = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : undefined;
  if (!o) return { issues: [{ key: '', code: 'not_object' }] };
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
  const zone = isValidTimeZone(o.timezone) ? o.timezone : 'UTC';
  for (const k of Object.keys(o)) if (!RULE_KEYS.includes(k)) issue(k, 'unknown_key');

  if (!ref || !type || !operator) return { issues };
  const value = o.value;
  const enumValues = ref.spec.values;
  const test = TESTS[operator];
  /** Checks one value for equality-style tests. */
  const scalar = (v: unknown, index?: number): void => {
    const at: Partial<RuleIssue> = index === undefined ? {} : { index };
    let expect: Expect | undefined;
    if (type === 'number') expect = num(v) === undefined ? 'number' : undefined;
    else if (type === 'boolean') expect = typeof v === 'boolean' ? undefined : 'boolean';
    else if (type === 'date') expect = isIsoDate(v) ? undefined : 'date';
    else if (type === 'time') expect = isTimeOfDay(v) ? undefined : 'time';
    else if (type === 'weekday') {
      const ok = typeof v === 'string' && (WEEKDAY_NAMES as readonly string[]).includes(v.toLowerCase());
      expect = ok ? undefined : 'weekday';
    } else if (v === '') {
      issue('value', 'empty_value', at);
      return;
    } else if (typeof v !== 'string' && typeof v !== 'boolean' && num(v) === undefined) expect = 'scalar';
    if (expect) issue('value', 'value_type', { ...at, expect });
    else if (enumValues && typeof v === 'string' && !enumValues.includes(v.toLowerCase())) {
      issue('value', 'not_in_values', { ...at, detail: v });
    }
  };
  const textual = (v: unknown): void => {
    if (v === '') issue('value', 'empty_value');
    else if (typeof v !== 'string' && (typeof v !== 'number' || !Number.isFinite(v))) issue('value', 'value_type', { expect: 'text' });
  };

  if (test === 'known') {
    if (value !== undefined) issue('value', 'value_unused', { warning: true });
  } else if (value === undefined || value === null) {
    issue('', 'missing_value');
  } else if (test === 'equals') {
    scalar(value);
  } else if (test === 'contains') {
    if (type === 'list') scalar(value);
    else textual(value);
  } else if (test === 'starts_with' || test === 'ends_with') {
    textual(value);
  } else if (test === 'matches') {
    if (typeof value !== 'string') issue('value', 'value_type', { expect: 'regex' });
    else if (value === '') issue('value', 'empty_value');
    else if (value.length > MAX_REGEX_LENGTH) issue('value', 'regex_too_long');
    else {
      const compiled = compileRegex(value, o.caseSensitive !== true);
      if (typeof compiled === 'string') issue('value', 'bad_regex', { detail: compiled });
      else if (repeatsARepeat(value)) issue('value', 'regex_slow', { warning: true });
    }
  } else if (test === 'one_of') {
    if (!Array.isArray(value)) issue('value', 'value_type', { expect: 'list' });
    else if (value.length === 0) issue('value', 'empty_list');
    else value.forEach((v, i) => scalar(v, i));
  } else if (test === 'between') {
    if (!Array.isArray(value) || value.length !== 2) issue('value', 'value_type', { expect: 'pair' });
    else {
      const k0 = orderKind(operator, type, value[0]);
      const k1 = orderKind(operator, type, value[1]);
      if (k0 === K_NONE) issue('value', 'value_type', { index: 0, expect: orderExpect(operator, type) });
      if (k1 === K_NONE) issue('value', 'value_type', { index: 1, expect: orderExpect(operator, type) });
      if (k0 !== K_NONE && k1 !== K_NONE) {
        if (k0 !== k1) issue('value', 'mixed_kinds');
        // Times of day may wrap (a window across midnight); other ranges need min <= max, with bounds that have no
        // offset read in the rule's zone (UTC when it has none: the visitor's zone is not known yet).
        else if (k0 !== K_MINUTE && key(value[0], k0, zone)! > key(value[1], k0, zone)!) issue('value', 'range_order');
      }
    }
  } else if (orderKind(operator, type, value) === K_NONE) {
    issue('value', 'value_type', { expect: orderExpect(operator, type) });
  }
  return { issues };
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
  if (type === 'number') return !chrono && num(v) !== undefined ? K_NUMBER : K_NONE;
  if (type === 'time') return isTimeOfDay(v) ? K_MINUTE : K_NONE;
  const written = stamp(v);
  if (written) return type === 'date' || type === 'string' || type === 'any' ? (written[1] ? K_INSTANT : K_DAY) : K_NONE;
  if (type !== 'string' && type !== 'any') return K_NONE;
  if (isTimeOfDay(v)) return K_MINUTE;
  return !chrono && num(v) !== undefined ? K_NUMBER : K_NONE;
}

function orderExpect(op: Operator, type: FieldType): Expect {
  if (type === 'number') return 'number';
  if (type === 'time') return 'time';
  if (type === 'date') return 'date_or_datetime';
  return op === 'before' || op === 'after' ? 'chrono' : 'ordered';
}

/**
 * Whether a regex repeats a group that holds a repeat, like `(a+)+`, also when the inner repeat sits in a nested
 * group (`((a+))+`): such a pattern can backtrack for a very long time. Escapes and character classes are text.
 */
function repeatsARepeat(source: string): boolean {
  const groups: boolean[] = []; // for each open group: whether it holds a repeat
  const markRepeat = () => {
    if (groups.length) groups[groups.length - 1] = true;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
    } else if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
    } else if (c === '(') {
      groups.push(false);
    } else if (c === ')') {
      const inner = groups.pop() ?? false;
      const after = source.slice(i + 1);
      if (inner && /^(?:[+*]|\{\d+,\d*\})/.test(after)) return true;
      if (inner || /^(?:[+*]|\{\d+(?:,\d*)?\})/.test(after)) markRepeat();
    } else if (c === '+' || c === '*' || c === '}') {
      markRepeat();
    }
  }
  return false;
}

const regexes = new Map<string, RegExp | string>();

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
