/**
 * The condition language: a small JSON tree evaluated against a visitor context.
 * Shared by the runtime (If/Then nodes, segment rules, trigger filters), the editor's preview and the CLI.
 */

export type Scope = 'session' | 'first_session' | 'all_time';

export const OPERATORS = [
  'equals',
  'not_equals',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'matches',
  'not_matches',
  'one_of',
  'not_one_of',
  'lt',
  'lte',
  'gt',
  'gte',
  'between',
  'before',
  'after',
  'known',
  'unknown',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** Operators that take no `value`. */
export const UNARY_OPERATORS: readonly Operator[] = ['known', 'unknown'];

/** A leaf test: `field op value`, e.g. `{ "field": "url", "op": "contains", "value": "/sale" }`. */
export interface Rule {
  field: string;
  op: Operator;
  value?: unknown;
  /** For counted fields (page views, sessions, promotion history): which part of the visitor's history counts. */
  scope?: Scope;
  /** Text comparisons ignore case unless this is true. */
  caseSensitive?: boolean;
  /** IANA time zone for date/time/weekday fields; the visitor's own zone when absent. */
  timezone?: string;
}

export interface AllGroup {
  all: Condition[];
}
export interface AnyGroup {
  any: Condition[];
}
export interface NotGroup {
  not: Condition;
}

export type Condition = Rule | AllGroup | AnyGroup | NotGroup;

/** Counters kept per scope. */
export interface Scoped<T = number> {
  session: T;
  first_session: T;
  all_time: T;
}

export interface PromotionHistory {
  seen: Scoped;
  closed: Scoped;
  converted: Scoped;
}

/**
 * Everything a condition can look at. The runtime builds it from the visitor store; tests build it from JSON.
 * All fields are optional so partial contexts (the editor preview, a JSON case) evaluate without throwing:
 * a missing value is "unknown".
 */
export interface EvalContext {
  /** Milliseconds since the epoch, or an ISO string. */
  now?: number | string;
  /** The visitor's IANA time zone; UTC when absent. */
  timezone?: string;
  page?: { url?: string; referrer?: string; title?: string };
  visitor?: {
    id?: string;
    /** True during the visitor's first session. */
    new?: boolean;
    sessions?: number;
    pageviews?: Partial<Scoped>;
    landing_url?: string;
    referrer?: string;
    utm?: Partial<Record<'source' | 'medium' | 'campaign' | 'term' | 'content', string>>;
    channel?: string;
    device?: 'desktop' | 'mobile' | 'tablet';
    first_seen?: number | string;
    last_seen?: number | string;
    attributes?: Record<string, unknown>;
    segments?: string[];
    cart?: { value?: number; items?: number };
    promotions?: Record<string, Partial<{ seen: Partial<Scoped>; closed: Partial<Scoped>; converted: Partial<Scoped> }>>;
    variants?: Record<string, string>;
  };
  /** The event being matched, for trigger filters (`event.<prop>` fields). */
  event?: { name?: string; props?: Record<string, unknown> };
}

/**
 * A condition as the compiler lowers it for the runtime (`lower` in lower.ts, `check` in run.ts): JSON arrays with
 * every visitor-independent decision already taken. The format is described in docs/compiled-conditions.md.
 */
export type LoweredCondition = LoweredRule | LoweredGroup | LoweredMalformed;
/** `['&', ...]` all of its members, `['|', ...]` any of them (three-valued, like `all` and `any`): `['&']` is true. */
export type LoweredGroup = ['&' | '|', ...LoweredCondition[]];
/** A malformed rule: never true, not even under `not`. */
export type LoweredMalformed = [15];
/**
 * `[op, field, value?, zone?]`: `op` packs the test, its negation, case sensitivity and the kind of ordered
 * comparison; `zone` is the rule's time zone, '' for the visitor's own, absent when the rule reads no zone.
 */
export type LoweredRule = [op: number, field: LoweredField, value?: LoweredValue, zone?: string];
/** Where a field is read: a dotted path into the context, or `[path, name]` for a field with a name of yours. */
export type LoweredField = string | [path: string, name: string];
export type LoweredValue = string | number | null | (string | number)[];
