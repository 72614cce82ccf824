/**
 * Structural validation of conditions in authoring documents. Never throws; returns every problem, each pointing
 * at the exact key, with a message a marketer can act on. Rules are judged by `analyzeRule` (analyze.ts); the
 * evaluator has its own compact validation, and the tests hold the two to the same verdicts, so a rule reported
 * here as an error is exactly a rule the evaluator treats as malformed.
 */
import { pointerSegment, type Problem } from '../model/problems.js';
import { closest, didYouMean } from '../model/suggest.js';
import { analyzeRule, type Expect, type RuleIssue } from './analyze.js';
import { MAX_DEPTH, MAX_REGEX_LENGTH, RULE_KEYS } from './evaluate.js';
import { fieldSuggestions, FIELDS, lookupField, OPERATORS_BY_TYPE, SCOPES, type FieldType } from './fields.js';
import { OPERATORS } from './types.js';

const GROUP_KEYS = ['all', 'any', 'not'] as const;

/** Problems in `cond`, found at JSON pointer `at`. */
export function checkCondition(cond: unknown, at: string): Problem[] {
  const out: Problem[] = [];
  try {
    walk(cond, at, 0, out);
  } catch {
    out.push({ pointer: at, message: 'this condition could not be read; check that it is plain JSON', severity: 'error' });
  }
  return out;
}

/** Every regex source used by `matches` / `not_matches` rules, in document order. */
export function regexSources(cond: unknown): string[] {
  const out: string[] = [];
  visitRules(cond, 0, (r) => {
    if ((r.op === 'matches' || r.op === 'not_matches') && typeof r.value === 'string') out.push(r.value);
  });
  return out;
}

/** Every field name the condition reads, without duplicates (e.g. to know whether it depends on the clock). */
export function conditionFields(cond: unknown): string[] {
  const out = new Set<string>();
  visitRules(cond, 0, (r) => {
    if (typeof r.field === 'string') out.add(r.field);
  });
  return [...out];
}

function visitRules(c: unknown, depth: number, visit: (rule: Record<string, unknown>) => void): void {
  if (depth > MAX_DEPTH || !isObject(c)) return;
  let group = false;
  for (const k of GROUP_KEYS) {
    const v = c[k];
    if (v === undefined) continue;
    group = true;
    if (k === 'not') visitRules(v, depth + 1, visit);
    else if (Array.isArray(v)) for (const item of v) visitRules(item, depth + 1, visit);
  }
  if (!group) visit(c);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(at: string, ...keys: (string | number)[]): string {
  return at + keys.map((k) => '/' + pointerSegment(k)).join('');
}

function walk(node: unknown, at: string, depth: number, out: Problem[]): void {
  const error = (pointer: string, message: string) => out.push({ pointer, message, severity: 'error' });
  if (depth > MAX_DEPTH) {
    error(at, `conditions are nested more than ${MAX_DEPTH} levels deep; flatten some of the groups`);
    return;
  }
  if (!isObject(node)) {
    error(
      at,
      'expected a condition: a rule such as {"field": "url", "op": "contains", "value": "/sale"}, ' +
        `or a group {"all": [...]}, {"any": [...]} or {"not": {...}}; got ${show(node)}`,
    );
    return;
  }
  const groups = GROUP_KEYS.filter((k) => node[k] !== undefined);
  if (groups.length === 0) {
    checkRule(node, at, out);
    return;
  }
  const first = groups[0]!;
  for (const g of groups.slice(1)) {
    error(join(at, g), `a condition can hold only one of "all", "any" or "not", not both "${first}" and "${g}"; put one group inside the other`);
  }
  for (const k of Object.keys(node)) {
    if ((GROUP_KEYS as readonly string[]).includes(k)) continue;
    if (RULE_KEYS.includes(k)) {
      error(join(at, k), `a group ("${first}") cannot also be a rule; move "${k}" and the rest of the rule into the group's list`);
    } else {
      error(join(at, k), `unknown key "${k}" in a group; a group holds only one of "all", "any" or "not"`);
    }
  }
  for (const g of groups) {
    const v = node[g];
    if (g === 'not') {
      if (Array.isArray(v)) {
        error(join(at, g), '"not" takes one condition, not a list; to negate several, wrap them: {"not": {"any": [...]}}');
      } else walk(v, join(at, g), depth + 1, out);
    } else if (!Array.isArray(v)) {
      error(join(at, g), `"${g}" must be a list of conditions, e.g. {"${g}": [{"field": "url", "op": "contains", "value": "/sale"}]}`);
    } else {
      v.forEach((item, i) => walk(item, join(at, g, i), depth + 1, out));
    }
  }
}

function checkRule(rule: Record<string, unknown>, at: string, out: Problem[]): void {
  const { issues } = analyzeRule(rule);
  for (const issue of issues) {
    const keys: (string | number)[] = issue.key ? [issue.key] : [];
    if (issue.index !== undefined) keys.push(issue.index);
    out.push({ pointer: join(at, ...keys), message: message(issue, rule), severity: issue.warning ? 'warning' : 'error' });
  }
}

const TYPE_WORDS: Record<FieldType, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  date: 'a date',
  time: 'a time of day',
  weekday: 'a day of the week',
  list: 'a list',
  any: 'any value',
};

const EXPECT_TEXT: Record<Expect, string> = {
  number: 'needs a number, e.g. 3',
  boolean: 'needs true or false (without quotes)',
  date: 'needs a date written YYYY-MM-DD, e.g. "2024-12-25"',
  time: 'needs a time of day written HH:MM (24-hour), e.g. "09:30"',
  weekday: 'needs a day of the week: "mon", "tue", "wed", "thu", "fri", "sat" or "sun"',
  text: 'needs the text (or number) to look for',
  scalar: 'needs one value (text, a number, true or false); to test several values use "one_of" with a list',
  list: 'needs a list of values, e.g. ["a", "b"]',
  pair: 'needs a list of exactly two values [min, max], e.g. [1, 5] or ["22:00", "02:00"]',
  regex: 'needs a regular expression written as text, e.g. "^/blog/"',
  ordered: 'needs a number, a date ("2024-12-25"), a date-time ("2024-12-25T09:00") or a time ("09:30")',
  chrono: 'needs a date ("2024-12-25"), a date-time ("2024-12-25T09:00"), a time ("09:30") or a timestamp in milliseconds',
  date_or_datetime: 'needs a date ("2024-12-25") or a date-time ("2024-12-25T09:00")',
};

const VALUE_EXAMPLES: Partial<Record<string, string>> = {
  between: ': [min, max], e.g. [1, 5]',
  one_of: ': a list, e.g. ["a", "b"]',
  not_one_of: ': a list, e.g. ["a", "b"]',
  matches: ': a regular expression, e.g. "^/blog/"',
  not_matches: ': a regular expression, e.g. "^/blog/"',
};

function message(issue: RuleIssue, rule: Record<string, unknown>): string {
  const field = typeof rule.field === 'string' ? rule.field : '';
  const op = typeof rule.op === 'string' ? rule.op : '';
  const ref = field ? lookupField(field) : undefined;
  const value = issue.index !== undefined && Array.isArray(rule.value) ? rule.value[issue.index] : rule.value;
  const itemOf = issue.index !== undefined ? `item ${issue.index} of the list` : 'the value';
  switch (issue.code) {
    case 'not_object':
      return 'expected a rule object such as {"field": "url", "op": "contains", "value": "/sale"}';
    case 'missing_field':
      return 'the rule has no "field"; say what to test, e.g. "field": "url"';
    case 'field_not_string':
      return `"field" must be a field name in quotes, e.g. "url"; got ${show(rule.field)}`;
    case 'unknown_field':
      return unknownField(field);
    case 'missing_op':
      return `the rule has no "op"; use one of: ${(ref ? OPERATORS_BY_TYPE[ref.spec.type] : OPERATORS).join(', ')}`;
    case 'unknown_op': {
      if (typeof rule.op !== 'string') return `"op" must be an operator name in quotes, e.g. "equals"; got ${show(rule.op)}`;
      const valid = ref ? OPERATORS_BY_TYPE[ref.spec.type] : OPERATORS;
      const alias = OPERATOR_ALIASES[op.toLowerCase()];
      const guess = alias && (valid as readonly string[]).includes(alias) ? alias : suggest(op, valid);
      return `unknown operator "${op}"${then(guess, `valid operators${ref ? ` for "${field}"` : ''}: ${valid.join(', ')}`)}`;
    }
    case 'op_not_for_field': {
      const type = ref!.spec.type;
      const hint = type === 'list' && (op === 'equals' || op === 'not_equals') ? `; to test membership use "${op === 'equals' ? 'contains' : 'not_contains'}"` : '';
      return `"${op}" does not work on "${field}" (${TYPE_WORDS[type]})${hint}; use one of: ${OPERATORS_BY_TYPE[type].join(', ')}`;
    }
    case 'bad_scope':
      return `"scope" must be "session", "first_session" or "all_time"${typeof rule.scope === 'string' ? didYouMean(rule.scope, SCOPES) : ''}`;
    case 'scope_not_allowed': {
      const scoped = FIELDS.filter((f) => f.scoped).map((f) => f.name);
      return `"${field}" has no scope; remove "scope" (only ${scoped.join(', ')} take one)`;
    }
    case 'bad_case_sensitive':
      return `"caseSensitive" must be true or false (without quotes); got ${show(rule.caseSensitive)}`;
    case 'bad_timezone':
      return typeof rule.timezone === 'string' && rule.timezone !== ''
        ? `unknown time zone "${rule.timezone}"; ${didYouMean(rule.timezone, timeZones()).slice(2) || 'use an IANA name such as "Europe/Paris" or "America/New_York"'}`
        : `"timezone" must be an IANA time zone name such as "Europe/Paris"; got ${show(rule.timezone)}`;
    case 'missing_value':
      return `"${op}" needs a "value"${VALUE_EXAMPLES[op] ?? ''}`;
    case 'value_type':
      return `"${op}" on "${field}" ${EXPECT_TEXT[issue.expect ?? 'scalar']}; ${itemOf} is ${show(value)}`;
    case 'empty_value':
      return `${itemOf} is empty; to test that "${field}" is missing use "op": "unknown"`;
    case 'empty_list':
      return `"${op}" needs at least one value in its list`;
    case 'not_in_values': {
      const values = ref?.spec.values ?? [];
      const what = field === 'channel' ? 'channel' : field === 'device' ? 'device' : `value of "${field}"`;
      const guess = suggest(issue.detail ?? '', values);
      return `"${issue.detail}" is not a ${what}${then(guess, `use one of: ${values.join(', ')}`)}`;
    }
    case 'mixed_kinds':
      return 'both ends of "between" must be the same kind: two numbers, two dates, two date-times or two times';
    case 'range_order': {
      const [min, max] = Array.isArray(rule.value) ? rule.value : [];
      return `"between" takes [min, max] but ${show(min)} is greater than ${show(max)}; swap them`;
    }
    case 'bad_regex':
      return `the regular expression ${show(value)} is invalid: ${regexComplaint(issue.detail ?? '')}`;
    case 'regex_too_long':
      return `the regular expression is longer than ${MAX_REGEX_LENGTH} characters; shorten it`;
    case 'value_unused':
      return `"${op}" takes no value; "value" is ignored`;
    case 'unknown_key':
      return `unknown key "${issue.key}" in a rule${then(closest(issue.key, RULE_KEYS), `a rule takes only ${RULE_KEYS.join(', ')}`)}`;
    case 'regex_slow':
      return 'this regular expression repeats a group that itself repeats (like "(a+)+"); it can be very slow on long text, simplify it';
  }
}

function unknownField(field: string): string {
  for (const f of FIELDS) {
    if (!f.prefix) continue;
    const example = f.name.replace(/<.*>/, EXAMPLE_KEYS[f.prefix] ?? 'name');
    if (field + '.' === f.prefix) return `"${field}" needs a name after a dot: "${f.name}", e.g. "${example}"`;
    if (!field.startsWith(f.prefix)) continue;
    if (f.suffix) {
      return `promotion fields look like "promotion.<promotionId>.seen", ".closed" or ".converted", e.g. "promotion.welcome.seen"${didYouMean(field, fieldSuggestions(field))}`;
    }
    if (field === f.prefix) return `"${f.prefix}" needs a name after the dot, e.g. "${example}"`;
  }
  const suggestion = closest(field, fieldSuggestions(field));
  return suggestion
    ? `unknown field "${field}"; did you mean "${suggestion}"?`
    : `unknown field "${field}"; see docs/conditions.md for the list of fields (e.g. url, path, pageviews, attributes.<name>)`;
}

/** `; did you mean "x"? Rest` or `; rest`. */
function then(guess: string | undefined, rest: string): string {
  return guess ? `; did you mean "${guess}"? ${rest[0]!.toUpperCase()}${rest.slice(1)}` : `; ${rest}`;
}

/** Closest by spelling; failing that, the only candidate that starts with or contains the input. */
function suggest(input: string, candidates: readonly string[]): string | undefined {
  const near = closest(input, candidates);
  if (near || input.length < 3) return near;
  const lower = input.toLowerCase();
  const hits = candidates.filter((c) => c.toLowerCase().startsWith(lower));
  const found = hits.length ? hits : candidates.filter((c) => c.toLowerCase().includes(lower));
  return found.length === 1 ? found[0] : undefined;
}

/** Spellings people bring from other tools. */
const OPERATOR_ALIASES: Record<string, string> = {
  eq: 'equals',
  '=': 'equals',
  '==': 'equals',
  is: 'equals',
  equal: 'equals',
  ne: 'not_equals',
  neq: 'not_equals',
  '!=': 'not_equals',
  is_not: 'not_equals',
  not: 'not_equals',
  includes: 'contains',
  startswith: 'starts_with',
  endswith: 'ends_with',
  regex: 'matches',
  in: 'one_of',
  nin: 'not_one_of',
  not_in: 'not_one_of',
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
  exists: 'known',
  is_set: 'known',
  not_exists: 'unknown',
};

const EXAMPLE_KEYS: Record<string, string> = {
  'query.': 'coupon',
  'attributes.': 'email',
  'variant.': 'hero_test',
  'event.': 'value',
  'promotion.': 'welcome',
};

/** "Invalid regular expression: /(/: Unterminated group" -> "unterminated group". */
function regexComplaint(detail: string): string {
  const m = /^Invalid regular expression: \/[\s\S]*\/[a-z]*: ([\s\S]*)$/.exec(detail);
  const text = m ? m[1]! : detail;
  return text ? text[0]!.toLowerCase() + text.slice(1) : 'the browser cannot read it';
}

let zones: readonly string[] | undefined;
function timeZones(): readonly string[] {
  if (!zones) {
    try {
      zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    } catch {
      zones = [];
    }
  }
  return zones;
}

function show(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(typeof v);
  }
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
