/**
 * The field catalogue: every name a rule's `field` may take, with its value type, scope, a description a marketer
 * understands and where the runtime reads it in the `EvalContext`. One table for the checker, the docs and the
 * editor's field picker. The evaluator (evaluate.ts) ships in the script-tag core, so it keeps its own compact copy
 * of names, types, scopes and values; test/unit/conditions-oracle.test.ts keeps the two identical.
 */
import type { Operator, Scope } from './types.js';

export type FieldType = 'string' | 'number' | 'boolean' | 'date' | 'time' | 'weekday' | 'list' | 'any';

export type FieldGroup = 'page' | 'traffic' | 'visitor' | 'commerce' | 'promotions' | 'tests' | 'time' | 'event';

export interface FieldSpec {
  /** The field name, or for dynamic fields its pattern, e.g. `query.<name>`. */
  name: string;
  /** Dynamic fields: the fixed start of the name, e.g. `query.`; the rest names a parameter, attribute, ... */
  prefix?: string;
  /** Dynamic fields with a fixed ending, e.g. `.seen` for `promotion.<promotionId>.seen`. */
  suffix?: string;
  type: FieldType;
  /** Whether the field takes a `scope` (which part of the visitor's history counts). */
  scoped: boolean;
  defaultScope?: Scope;
  group: FieldGroup;
  /** Short label for pickers. */
  label: string;
  description: string;
  /** Where the value comes from in `EvalContext` (documentation; the evaluator implements it). */
  source: string;
  /** A typical value, for docs and editor placeholders. */
  example: unknown;
  /** The only values the field takes, when it is an enumeration. */
  values?: readonly string[];
}

export const SCOPES: readonly Scope[] = ['session', 'first_session', 'all_time'];

export const CHANNELS = [
  'direct',
  'organic_search',
  'paid_search',
  'social',
  'email',
  'referral',
  'display',
  'affiliate',
  'other',
] as const;
export type Channel = (typeof CHANNELS)[number];

export const DEVICES = ['desktop', 'mobile', 'tablet'] as const;

export const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Which operators make sense for each value type (the editor's operator menu; the validator enforces it). */
export const OPERATORS_BY_TYPE: Record<FieldType, readonly Operator[]> = {
  string: [
    'equals', 'not_equals', 'contains', 'not_contains', 'starts_with', 'ends_with', 'matches', 'not_matches',
    'one_of', 'not_one_of', 'lt', 'lte', 'gt', 'gte', 'between', 'before', 'after', 'known', 'unknown',
  ],
  any: [
    'equals', 'not_equals', 'contains', 'not_contains', 'starts_with', 'ends_with', 'matches', 'not_matches',
    'one_of', 'not_one_of', 'lt', 'lte', 'gt', 'gte', 'between', 'before', 'after', 'known', 'unknown',
  ],
  number: ['equals', 'not_equals', 'one_of', 'not_one_of', 'lt', 'lte', 'gt', 'gte', 'between', 'known', 'unknown'],
  boolean: ['equals', 'not_equals', 'known', 'unknown'],
  date: [
    'equals', 'not_equals', 'one_of', 'not_one_of', 'before', 'after', 'between', 'lt', 'lte', 'gt', 'gte',
    'contains', 'not_contains', 'starts_with', 'ends_with', 'matches', 'not_matches', 'known', 'unknown',
  ],
  time: [
    'equals', 'not_equals', 'one_of', 'not_one_of', 'before', 'after', 'between', 'lt', 'lte', 'gt', 'gte',
    'contains', 'not_contains', 'starts_with', 'ends_with', 'matches', 'not_matches', 'known', 'unknown',
  ],
  weekday: ['equals', 'not_equals', 'one_of', 'not_one_of', 'known', 'unknown'],
  list: ['contains', 'not_contains', 'one_of', 'not_one_of', 'known', 'unknown'],
};

const utm = (part: string, what: string, example: string): FieldSpec => ({
  name: `utm.${part}`,
  type: 'string',
  scoped: false,
  group: 'traffic',
  label: `UTM ${part}`,
  description: `The utm_${part} of the link that started this session (${what}).`,
  source: `visitor.utm.${part}`,
  example,
});

const promotion = (what: 'seen' | 'closed' | 'converted', verb: string): FieldSpec => ({
  name: `promotion.<promotionId>.${what}`,
  prefix: 'promotion.',
  suffix: `.${what}`,
  type: 'number',
  scoped: true,
  defaultScope: 'all_time',
  group: 'promotions',
  label: `Promotion ${what}`,
  description: `How many times the visitor ${verb} this promotion; 0 when never.`,
  source: `visitor.promotions[promotionId].${what}[scope]`,
  example: 0,
});

export const FIELDS: readonly FieldSpec[] = [
  // page
  { name: 'url', type: 'string', scoped: false, group: 'page', label: 'Current URL', description: 'The full address of the page the visitor is on.', source: 'page.url', example: 'https://shop.example/sale?coupon=SPRING' },
  { name: 'path', type: 'string', scoped: false, group: 'page', label: 'Page path', description: 'The part of the current address after the domain, without the query, e.g. /products/shoes.', source: 'page.url (path)', example: '/products/shoes' },
  { name: 'host', type: 'string', scoped: false, group: 'page', label: 'Domain', description: 'The domain of the current page, without the port, e.g. shop.example.', source: 'page.url (hostname)', example: 'shop.example' },
  { name: 'query.<name>', prefix: 'query.', type: 'string', scoped: false, group: 'page', label: 'Query parameter', description: 'A parameter of the current address, e.g. query.coupon for ?coupon=SPRING (names are case-sensitive).', source: 'page.url (search parameter)', example: 'SPRING' },
  { name: 'landing_url', type: 'string', scoped: false, group: 'page', label: 'Landing URL', description: 'The first page the visitor saw in this session.', source: 'visitor.landing_url', example: 'https://shop.example/?utm_source=newsletter' },
  // traffic
  { name: 'referrer', type: 'string', scoped: false, group: 'traffic', label: 'Referring URL', description: 'The address of the site that sent the visitor at the start of this session; unknown for direct visits.', source: 'visitor.referrer', example: 'https://www.google.com/' },
  { name: 'referrer_host', type: 'string', scoped: false, group: 'traffic', label: 'Referring domain', description: 'The domain of the referring URL, e.g. www.google.com.', source: 'visitor.referrer (hostname)', example: 'www.google.com' },
  utm('source', 'who sent the visitor, e.g. newsletter or google', 'newsletter'),
  utm('medium', 'the kind of link, e.g. email or cpc', 'email'),
  utm('campaign', 'the campaign name', 'spring_sale'),
  utm('term', 'the paid search keyword', 'running shoes'),
  utm('content', 'which link or ad variant was clicked', 'hero_button'),
  { name: 'channel', type: 'string', scoped: false, group: 'traffic', label: 'Channel', description: 'Where this session came from, worked out from the referrer and UTM tags.', source: 'visitor.channel', example: 'organic_search', values: CHANNELS },
  // visitor
  { name: 'device', type: 'string', scoped: false, group: 'visitor', label: 'Device', description: 'The kind of device: desktop, mobile or tablet.', source: 'visitor.device', example: 'mobile', values: DEVICES },
  { name: 'new_visitor', type: 'boolean', scoped: false, group: 'visitor', label: 'New visitor', description: 'true during the visitor\'s first session, false when they have been here before.', source: 'visitor.new', example: true },
  { name: 'sessions', type: 'number', scoped: false, group: 'visitor', label: 'Sessions', description: 'How many sessions (visits) the visitor has had, this one included.', source: 'visitor.sessions', example: 3 },
  { name: 'pageviews', type: 'number', scoped: true, defaultScope: 'session', group: 'visitor', label: 'Page views', description: 'How many pages the visitor has viewed, this one included: in this session (default), their first session or all time.', source: 'visitor.pageviews[scope]', example: 5 },
  { name: 'segments', type: 'list', scoped: false, group: 'visitor', label: 'Segments', description: 'The segments the visitor belongs to; use contains, not_contains or one_of with segment ids.', source: 'visitor.segments', example: 'vip' },
  { name: 'attributes.<name>', prefix: 'attributes.', type: 'any', scoped: false, group: 'visitor', label: 'Visitor attribute', description: 'Something known about the visitor, e.g. attributes.email (set with workflows.identify or a form).', source: 'visitor.attributes[name]', example: 'ada@example.com' },
  { name: 'days_since_first_visit', type: 'number', scoped: false, group: 'visitor', label: 'Days since first visit', description: 'Calendar days since the visitor\'s first visit (0 on the first day), in the rule\'s time zone.', source: 'visitor.first_seen, now', example: 7 },
  { name: 'days_since_last_visit', type: 'number', scoped: false, group: 'visitor', label: 'Days since last visit', description: 'Calendar days since the visitor\'s previous visit (0 if it was the same day), in the rule\'s time zone.', source: 'visitor.last_seen, now', example: 30 },
  // commerce
  { name: 'cart.value', type: 'number', scoped: false, group: 'commerce', label: 'Cart value', description: 'The total value of the cart, in the shop\'s currency.', source: 'visitor.cart.value', example: 49.9 },
  { name: 'cart.items', type: 'number', scoped: false, group: 'commerce', label: 'Cart items', description: 'How many items are in the cart.', source: 'visitor.cart.items', example: 2 },
  // promotions
  promotion('seen', 'saw'),
  promotion('closed', 'closed'),
  promotion('converted', 'converted on (e.g. submitted)'),
  // tests
  { name: 'variant.<testKey>', prefix: 'variant.', type: 'string', scoped: false, group: 'tests', label: 'Test variant', description: 'The variant the visitor was assigned in a multivariate test; unknown when not in the test.', source: 'visitor.variants[testKey]', example: 'b' },
  // time
  { name: 'date', type: 'date', scoped: false, group: 'time', label: 'Date', description: 'Today\'s date as YYYY-MM-DD, in the rule\'s time zone.', source: 'now, timezone', example: '2024-12-24' },
  { name: 'time', type: 'time', scoped: false, group: 'time', label: 'Time of day', description: 'The time of day as HH:MM (24-hour), in the rule\'s time zone.', source: 'now, timezone', example: '09:30' },
  { name: 'weekday', type: 'weekday', scoped: false, group: 'time', label: 'Day of the week', description: 'Today\'s day of the week: mon, tue, wed, thu, fri, sat or sun, in the rule\'s time zone.', source: 'now, timezone', example: 'sat', values: WEEKDAY_NAMES },
  // event (trigger filters)
  { name: 'event.name', type: 'string', scoped: false, group: 'event', label: 'Event name', description: 'The name of the event that fired the trigger, e.g. add_to_cart.', source: 'event.name', example: 'add_to_cart' },
  { name: 'event.<prop>', prefix: 'event.', type: 'any', scoped: false, group: 'event', label: 'Event property', description: 'A property of the event that fired the trigger, e.g. event.value.', source: 'event.props[prop]', example: 25 },
];

/** A field name resolved against the catalogue: its spec and, for dynamic fields, the name part. */
export interface FieldRef {
  spec: FieldSpec;
  /** `coupon` in `query.coupon`, `welcome` in `promotion.welcome.seen`. */
  key?: string;
}

const STATIC = new Map<string, FieldSpec>();
const DYNAMIC: FieldSpec[] = [];
for (const f of FIELDS) (f.prefix ? DYNAMIC.push(f) : STATIC.set(f.name, f));

const lookups = new Map<string, FieldRef | null>();

/** Finds a field by name (`url`, `query.coupon`, `promotion.welcome.seen`); undefined when unknown. */
export function lookupField(field: string): FieldRef | undefined {
  const hit = lookups.get(field);
  if (hit !== undefined) return hit ?? undefined;
  let ref: FieldRef | null = null;
  const spec = STATIC.get(field);
  if (spec) ref = { spec };
  else {
    for (const d of DYNAMIC) {
      const prefix = d.prefix!;
      const suffix = d.suffix ?? '';
      if (field.length > prefix.length + suffix.length && field.startsWith(prefix) && field.endsWith(suffix)) {
        ref = { spec: d, key: field.slice(prefix.length, field.length - suffix.length) };
        break;
      }
    }
  }
  if (lookups.size >= 1000) lookups.clear();
  lookups.set(field, ref);
  return ref ?? undefined;
}

/** Names to suggest for a misspelt field: the static names plus each dynamic prefix with the user's own tail. */
export function fieldSuggestions(field: string): string[] {
  const out: string[] = [];
  for (const f of FIELDS) {
    if (!f.prefix) out.push(f.name);
    else {
      const dot = field.indexOf('.');
      const tail = dot >= 0 ? field.slice(dot + 1) : '';
      if (!tail) continue;
      if (f.suffix) {
        const last = tail.lastIndexOf('.');
        out.push(f.prefix + (last >= 0 ? tail.slice(0, last) : tail) + f.suffix);
      } else out.push(f.prefix + tail);
    }
  }
  return out;
}
