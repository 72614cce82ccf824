// The condition language: the JSON contract (test/cases/conditions.json), the checker's problems, and properties.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import casesJson from '../cases/conditions.json';
import { checkCondition, conditionFields, regexSources } from '../../src/conditions/check.js';
import { evaluate, OPS, resolveField } from '../../src/conditions/evaluate.js';
import { FIELDS, lookupField, OPERATORS_BY_TYPE, SCOPES } from '../../src/conditions/fields.js';
import { OPERATORS, type Condition, type EvalContext } from '../../src/conditions/types.js';
import { agree } from './lowered-agree.js';

interface Case {
  name: string;
  context: EvalContext;
  condition: Condition;
  expected: boolean;
}
const cases = casesJson as unknown as Case[];

describe('conditions.json contract', () => {
  it('has enough cases, with unique names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(evaluate(c.condition, c.context)).toBe(c.expected);
    // A second evaluation goes through the analysed-rule cache and must agree.
    expect(evaluate(c.condition, c.context)).toBe(c.expected);
    // The runtime's lowered form, and its `not`, give the same verdicts.
    expect(agree(c.condition, c.context)).toBe(c.expected);
  });

  it('covers every operator and every field family', () => {
    const ops = new Set<string>();
    const fields = new Set<string>();
    const visit = (c: unknown, depth = 0): void => {
      if (typeof c !== 'object' || c === null || depth > 40) return;
      const o = c as Record<string, unknown>;
      for (const k of ['all', 'any']) if (Array.isArray(o[k])) (o[k] as unknown[]).forEach((x) => visit(x, depth + 1));
      if (o.not) visit(o.not, depth + 1);
      if (typeof o.op === 'string') ops.add(o.op);
      if (typeof o.field === 'string') {
        const ref = lookupField(o.field);
        if (ref) fields.add(ref.spec.name);
      }
    };
    cases.forEach((c) => visit(c.condition));
    expect([...OPERATORS].filter((op) => !ops.has(op))).toEqual([]);
    expect(FIELDS.map((f) => f.name).filter((f) => !fields.has(f))).toEqual([]);
  });
});

describe('checkCondition', () => {
  const at = '/workflows/0/nodes/2/conditions';
  const problems = (cond: unknown) => checkCondition(cond, at);

  it('accepts the well-formed conditions of the contract', () => {
    const wellFormed = cases.filter((c) => !c.name.includes('malformed') && !/^nesting 33/.test(c.name));
    for (const c of wellFormed) {
      const errors = problems(c.condition).filter((p) => p.severity === 'error');
      expect(errors, c.name).toEqual([]);
    }
  });

  it('finds at least one error in every malformed case', () => {
    for (const c of cases.filter((x) => x.name.startsWith('malformed'))) {
      expect(problems(c.condition).some((p) => p.severity === 'error'), c.name).toBe(true);
    }
  });

  it('suggests the closest field name at the field key', () => {
    expect(problems({ all: [{ field: 'url', op: 'known' }, { field: 'pageview', op: 'gt', value: 3 }] })).toEqual([
      {
        pointer: `${at}/all/1/field`,
        message: 'unknown field "pageview"; did you mean "pageviews"?',
        severity: 'error',
      },
    ]);
    expect(problems({ field: 'attribute.email', op: 'known' })[0]!.message).toBe(
      'unknown field "attribute.email"; did you mean "attributes.email"?',
    );
    expect(problems({ field: 'query.', op: 'known' })[0]!.message).toContain('e.g. "query.coupon"');
    expect(problems({ field: 'promotion.welcome.viewed', op: 'known' })[0]!.message).toContain('.seen');
  });

  it('lists valid operators and recognises common spellings', () => {
    const [p] = problems({ field: 'sessions', op: 'eq', value: 3 });
    expect(p!.pointer).toBe(`${at}/op`);
    expect(p!.message).toMatch(/^unknown operator "eq"; did you mean "equals"\? Valid operators for "sessions": equals, /);
    expect(problems({ field: 'url', op: 'regex', value: 'x' })[0]!.message).toContain('did you mean "matches"?');
    expect(problems({ field: 'url' })[0]).toMatchObject({ pointer: at, message: expect.stringContaining('no "op"') });
  });

  it('refuses operators that do not fit the field', () => {
    const [p] = problems({ field: 'segments', op: 'equals', value: 'vip' });
    expect(p).toMatchObject({ pointer: `${at}/op`, severity: 'error' });
    expect(p!.message).toContain('use "contains"');
    expect(problems({ field: 'sessions', op: 'starts_with', value: '1' })[0]!.message).toContain('a number');
  });

  it('reports a missing value and values of the wrong shape, at the exact item', () => {
    expect(problems({ field: 'url', op: 'equals' })[0]).toMatchObject({ pointer: at, message: '"equals" needs a "value"' });
    expect(problems({ field: 'sessions', op: 'between', value: [1] })[0]).toMatchObject({
      pointer: `${at}/value`,
      message: expect.stringContaining('exactly two values'),
    });
    expect(problems({ field: 'sessions', op: 'between', value: [1, 'x'] })[0]!.pointer).toBe(`${at}/value/1`);
    expect(problems({ field: 'url', op: 'one_of', value: 'a' })[0]!.message).toContain('a list of values');
    expect(problems({ field: 'cart.value', op: 'gt', value: 'lots' })[0]!.message).toBe(
      '"gt" on "cart.value" needs a number, e.g. 3; the value is "lots"',
    );
    expect(problems({ field: 'time', op: 'between', value: ['9:00', '17:00'] })).toEqual([
      expect.objectContaining({ pointer: `${at}/value/0`, message: expect.stringContaining('HH:MM') }),
    ]);
    expect(problems({ field: 'date', op: 'equals', value: '14/06/2024' })[0]!.message).toContain('YYYY-MM-DD');
    expect(problems({ field: 'sessions', op: 'between', value: [5, 1] })[0]!.message).toContain('swap them');
    expect(problems({ field: 'url', op: 'contains', value: '' })[0]!.message).toContain('"op": "unknown"');
    expect(problems({ field: 'channel', op: 'one_of', value: ['email', 'organic'] })[0]).toMatchObject({
      pointer: `${at}/value/1`,
      message: expect.stringContaining('did you mean "organic_search"?'),
    });
  });

  it('explains an invalid regex', () => {
    const [p] = problems({ field: 'url', op: 'matches', value: '(sale' });
    expect(p!.pointer).toBe(`${at}/value`);
    expect(p!.message).toMatch(/^the regular expression "\(sale" is invalid: .+/);
    expect(p!.message).not.toContain('Invalid regular expression: /');
    expect(problems({ field: 'url', op: 'matches', value: '(a+)+$' })[0]!.severity).toBe('warning');
  });

  it('warns about a repeat inside a repeated group, however deeply the group is nested', () => {
    const slow = (value: string) => problems({ field: 'url', op: 'matches', value }).some((p) => /repeats a group that itself repeats/.test(p.message));
    for (const value of ['((a+))+$', '(?:(a+))+$', '(x(a*)y)*', '(a(b(c+)))+', '((a+)|b)*z']) expect(slow(value), value).toBe(true);
    // Brackets and parentheses that are text, not groups, and repeats side by side, are fine.
    for (const value of ['[(a+)]+', '\\(a+\\)+', '(a+)(b)+', '([(]+)', '^/(en|fr)/checkout']) expect(slow(value), value).toBe(false);
  });

  it('checks scope, caseSensitive and timezone', () => {
    expect(problems({ field: 'url', op: 'known', scope: 'session' })[0]).toMatchObject({
      pointer: `${at}/scope`,
      message: expect.stringContaining('"url" has no scope'),
    });
    expect(problems({ field: 'pageviews', op: 'gt', value: 1, scope: 'sesion' })[0]!.message).toContain('did you mean "session"?');
    expect(problems({ field: 'url', op: 'contains', value: 'a', caseSensitive: 'no' })[0]!.pointer).toBe(`${at}/caseSensitive`);
    expect(problems({ field: 'time', op: 'known', timezone: 'Europe/Pari' })[0]).toMatchObject({
      pointer: `${at}/timezone`,
      message: 'unknown time zone "Europe/Pari"; did you mean "Europe/Paris"?',
    });
  });

  it('checks group shapes and nesting depth', () => {
    expect(problems({ all: [], any: [] })[0]!.pointer).toBe(`${at}/any`);
    expect(problems({ not: [] })[0]!.message).toContain('"not" takes one condition');
    expect(problems({ all: {} })[0]!.message).toContain('must be a list');
    expect(problems({ all: [], field: 'url' })[0]!.pointer).toBe(`${at}/field`);
    expect(problems(7)[0]!.message).toContain('expected a condition');
    let deep: unknown = { field: 'url', op: 'known' };
    for (let i = 0; i < 33; i++) deep = { not: deep };
    const [p] = problems(deep);
    expect(p!.message).toContain('nested more than 32 levels');
    expect(p!.pointer).toBe(at + '/not'.repeat(33));
  });

  it('escapes pointer segments and returns every problem', () => {
    const found = problems({ any: [{ field: 'nope', op: 'nah' }, { field: 'url', op: 'equals', value: 1, 'a/b': 1 }, 3] });
    expect(found.map((p) => p.pointer)).toEqual([`${at}/any/0/field`, `${at}/any/0/op`, `${at}/any/1/a~1b`, `${at}/any/2`]);
  });

  it('lists regex sources and fields', () => {
    const cond = { all: [{ field: 'url', op: 'matches', value: '^/a' }, { not: { field: 'path', op: 'not_matches', value: 'b$' } }] };
    expect(regexSources(cond)).toEqual(['^/a', 'b$']);
    expect(conditionFields(cond)).toEqual(['url', 'path']);
  });
});

describe('field catalogue', () => {
  it('describes every field and allows only known operators', () => {
    for (const f of FIELDS) {
      expect(f.description.length, f.name).toBeGreaterThan(10);
      expect(f.scoped, f.name).toBe(f.defaultScope !== undefined);
      expect(OPERATORS_BY_TYPE[f.type].every((op) => OPERATORS.includes(op))).toBe(true);
    }
  });

  it('resolves every field from a full context', () => {
    const ctx: EvalContext = {
      now: '2024-06-14T15:30:00Z',
      timezone: 'UTC',
      page: { url: 'https://shop.example/p?x=1' },
      visitor: {
        new: true,
        sessions: 1,
        pageviews: { session: 1, first_session: 1, all_time: 1 },
        landing_url: 'https://shop.example/',
        referrer: 'https://ref.example/',
        utm: { source: 's', medium: 'm', campaign: 'c', term: 't', content: 'o' },
        channel: 'referral',
        device: 'desktop',
        first_seen: '2024-06-01T00:00:00Z',
        last_seen: '2024-06-10T00:00:00Z',
        attributes: { a: 1 },
        segments: ['s'],
        cart: { value: 1, items: 1 },
        promotions: {},
        variants: { t: 'a' },
      },
      event: { name: 'e', props: { p: 1 } },
    };
    const names: Record<string, string> = { 'query.<name>': 'query.x', 'attributes.<name>': 'attributes.a', 'variant.<testKey>': 'variant.t', 'event.<prop>': 'event.p' };
    for (const f of FIELDS) {
      const name = names[f.name] ?? f.name.replace('<promotionId>', 'welcome');
      for (const scope of f.scoped ? SCOPES : [undefined]) {
        expect(resolveField(name, ctx, scope), name).not.toBeUndefined();
      }
    }
    expect(resolveField('date', ctx)).toBe('2024-06-14');
    expect(resolveField('time', ctx, undefined, 'Asia/Tokyo')).toBe('00:30');
    expect(resolveField('weekday', ctx)).toBe('fri');
    expect(resolveField('nope', ctx)).toBeUndefined();
  });

  it('reads date, time and weekday like Intl does, in any zone, across DST changes', () => {
    const zones = ['UTC', 'America/New_York', 'Europe/Paris', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns', 'Pacific/Kiritimati'];
    const transitions = [Date.UTC(2024, 2, 10, 7), Date.UTC(2024, 10, 3, 6), Date.UTC(2024, 2, 31, 1), Date.UTC(2024, 9, 27, 1), Date.UTC(2024, 3, 6, 15)];
    const instant = fc.oneof(
      fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
      fc.tuple(fc.constantFrom(...transitions), fc.integer({ min: -120_000, max: 120_000 })).map(([t, d]) => t + d),
    );
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), (ms, timeZone) => {
        const ctx: EvalContext = { now: ms, timezone: timeZone };
        const date = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
        const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
        const weekday = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' }).format(ms).toLowerCase();
        expect([resolveField('date', ctx), resolveField('time', ctx), resolveField('weekday', ctx)]).toEqual([date, time, weekday]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('evaluator details', () => {
  it('knows exactly the operators of the language', () => {
    expect([...OPS].sort()).toEqual([...OPERATORS].sort());
  });

  it('puts between bounds without an offset in order in the rule time zone', () => {
    // 15:30Z and 15:00 in New York (19:00Z): in order there, though 15:30 > 15:00 read in UTC.
    const rule = { field: 'date', op: 'between', value: ['2024-06-14T15:30:00Z', '2024-06-14T15:00'], timezone: 'America/New_York' };
    expect(checkCondition(rule, '')).toEqual([]);
    expect(agree(rule, { now: '2024-06-14T17:00:00Z' })).toBe(true);
    expect(agree(rule, { now: '2024-06-14T19:01:00Z' })).toBe(false);
    // The other way round, they are reversed in New York: the checker reports it and the rule is malformed.
    const reversed = { ...rule, value: ['2024-06-14T15:00', '2024-06-14T15:30:00Z'] };
    expect(checkCondition(reversed, '').map((p) => p.message)).toEqual([expect.stringContaining('swap them')]);
    expect([evaluate(reversed as Condition, { now: '2024-06-14T17:00:00Z' }), evaluate({ not: reversed } as Condition, {})]).toEqual([false, false]);
    expect(agree(reversed, { now: '2024-06-14T17:00:00Z' })).toBe(false);
  });

  it('reads old instants in the Gregorian calendar with the zone’s local mean time', () => {
    expect(resolveField('date', { now: Date.UTC(1500, 0, 1, 12), timezone: 'UTC' })).toBe('1500-01-01');
    expect(resolveField('time', { now: Date.UTC(1500, 0, 1, 12), timezone: 'America/New_York' })).toBe('07:03');
    expect(resolveField('days_since_first_visit', { now: '2024-01-01T00:00:00Z', visitor: { first_seen: '0001-01-01T00:00:00Z' } })).toBe(
      Math.round((Date.UTC(2024, 0, 1) - Date.parse('0001-01-01T00:00:00Z')) / 86_400_000),
    );
  });

  it('never throws, whatever the rule object does', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('no'); }, ownKeys: () => { throw new Error('no'); } });
    expect(evaluate(hostile as Condition, {})).toBe(false);
    expect(evaluate({ all: [{ field: 'url', op: 'known' }, hostile] } as Condition, { page: { url: 'x' } })).toBe(false);
    // Lowering cannot read it either: the whole condition is malformed, false under `not` too.
    expect(agree(hostile, {})).toBe(false);
    expect(agree({ all: [{ field: 'url', op: 'known' }, hostile] }, { page: { url: 'x' } })).toBe(false);
    expect(resolveField('url', hostile as EvalContext)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

const fieldNames = FIELDS.map((f) =>
  f.name.replace('<name>', 'coupon').replace('<promotionId>', 'welcome').replace('<testKey>', 'hero').replace('<prop>', 'value'),
);
const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 50 }),
  fc.boolean(),
  fc.constantFrom('2024-06-14', '2024-06-14T10:00', '2024-06-14T10:00:00Z', '09:30', '22:00', 'fri', 'email', 'mobile', '(', '^a', '', '3'),
);
const ruleArb = fc.record(
  {
    field: fc.oneof(fc.constantFrom(...fieldNames), fc.string({ maxLength: 8 })),
    op: fc.oneof(fc.constantFrom(...OPERATORS), fc.string({ maxLength: 5 })),
    value: fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.constant(null)),
    scope: fc.constantFrom(...SCOPES, 'forever'),
    caseSensitive: fc.oneof(fc.boolean(), fc.constant('yes')),
    timezone: fc.constantFrom('UTC', 'Europe/Paris', 'America/New_York', 'Nowhere/Land', ''),
  },
  { requiredKeys: ['field', 'op'] },
);
/** Rules that are mostly well-formed: an operator the field takes and a value of the right kind. */
const VALUES: Record<string, fc.Arbitrary<unknown>> = {
  number: fc.integer({ min: -2, max: 30 }),
  boolean: fc.boolean(),
  date: fc.constantFrom('2024-06-13', '2024-06-14', '2024-06-15', '2024-03-10'),
  datetime: fc.constantFrom('2024-06-14T15:00', '2024-06-14T15:30:00Z', '2024-06-14T17:31:00+02:00', 1718379000000),
  time: fc.constantFrom('00:00', '09:00', '15:30', '17:30', '22:00', '02:00'),
  weekday: fc.constantFrom('mon', 'fri', 'sat', 'SUN'),
  text: fc.constantFrom('a', 'sale', 'vip', 'A', 'shop', '3', 'email', 'x'),
  regex: fc.constantFrom('^https', 'sale$', '[0-9]+', 'v.p', 'A'),
};
const plausibleRule = fc
  .constantFrom(...FIELDS)
  .chain((f) => fc.tuple(fc.constant(f), fc.constantFrom(...OPERATORS_BY_TYPE[f.type])))
  .chain(([f, op]) => {
    const one =
      f.values !== undefined
        ? fc.constantFrom(...f.values)
        : f.type === 'string' || f.type === 'any' || f.type === 'list'
          ? fc.oneof(VALUES.text!, VALUES.number!)
          : VALUES[f.type]!;
    const ordered =
      f.type === 'number' ? VALUES.number! : f.type === 'time' ? VALUES.time! : f.type === 'date' ? fc.oneof(VALUES.date!, VALUES.datetime!) : fc.oneof(VALUES.number!, VALUES.date!, VALUES.time!);
    const value: fc.Arbitrary<unknown> =
      op === 'known' || op === 'unknown'
        ? fc.constant(undefined)
        : op === 'one_of' || op === 'not_one_of'
          ? fc.array(one, { minLength: 1, maxLength: 3 })
          : op === 'matches' || op === 'not_matches'
            ? VALUES.regex!
            : op === 'between'
              ? fc.tuple(ordered, ordered)
              : ['lt', 'lte', 'gt', 'gte', 'before', 'after'].includes(op)
                ? ordered
                : ['contains', 'not_contains', 'starts_with', 'ends_with'].includes(op) && f.type !== 'list'
                  ? VALUES.text!
                  : one;
    return fc.record(
      {
        field: fc.constant(fieldNames[FIELDS.indexOf(f)]!),
        op: fc.constant(op),
        value,
        scope: f.scoped ? fc.constantFrom(...SCOPES) : fc.constant(undefined),
        caseSensitive: fc.boolean(),
        timezone: fc.constantFrom('UTC', 'Asia/Tokyo', 'America/New_York'),
      },
      { requiredKeys: ['field', 'op'] },
    );
  })
  .map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);
const anyRule = fc.oneof(ruleArb, plausibleRule);

const conditionArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    anyRule,
    fc.record({ all: fc.array(tie('cond'), { maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('cond'), { maxLength: 3 }) }),
    fc.record({ not: tie('cond') }),
  ),
})).cond;
const contextArb: fc.Arbitrary<EvalContext> = fc.record(
  {
    now: fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom('2024-03-10T07:30:00Z', 'garbage')),
    timezone: fc.constantFrom('UTC', 'Asia/Kolkata', 'America/New_York', 'Bad/Zone'),
    page: fc.record({ url: fc.constantFrom('https://shop.example/sale?coupon=A', '/cart', 'not a url', '') }, { requiredKeys: [] }),
    visitor: fc.record(
      {
        sessions: fc.integer({ min: 0, max: 10 }),
        pageviews: fc.record({ session: fc.nat(9), all_time: fc.nat(99) }, { requiredKeys: [] }),
        segments: fc.array(fc.constantFrom('vip', 'new', 'VIP')),
        channel: fc.constantFrom('email', 'direct'),
        attributes: fc.dictionary(fc.constantFrom('coupon', 'email', 'a'), fc.jsonValue({ maxDepth: 2 })),
        promotions: fc.constant({ welcome: { seen: { all_time: 2 } } }),
        first_seen: fc.constantFrom('2024-01-01T00:00:00Z', 1_700_000_000_000, 'x'),
      },
      { requiredKeys: [] },
    ),
    event: fc.record({ name: fc.string(), props: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<EvalContext>;

describe('properties', () => {
  it('never throws on arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (cond, ctx) => {
        expect(typeof evaluate(cond as Condition, ctx as EvalContext)).toBe('boolean');
        expect(Array.isArray(checkCondition(cond, ''))).toBe(true);
        agree(cond, ctx);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (cond, ctx) => {
        expect(typeof evaluate(cond as unknown as Condition, ctx as unknown as EvalContext)).toBe('boolean');
        expect(Array.isArray(checkCondition(cond, '/c'))).toBe(true);
        agree(cond, ctx);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on random conditions and contexts', () => {
    fc.assert(
      fc.property(conditionArb, contextArb, (cond, ctx) => {
        expect(typeof evaluate(cond as Condition, ctx)).toBe('boolean');
        for (const p of checkCondition(cond, '/c')) expect(p.pointer.startsWith('/c')).toBe(true);
        agree(cond, ctx);
      }),
      { numRuns: 1000 },
    );
  });

  it('a rule the checker rejects is false, and so is its negation; an accepted rule is exactly one of the two', () => {
    const sane: EvalContext = {
      now: '2024-06-14T15:30:00Z',
      timezone: 'Europe/Paris',
      page: { url: 'https://shop.example/sale?coupon=A' },
      visitor: { sessions: 3, segments: ['vip'], attributes: { coupon: 'A' }, promotions: {} },
      event: { name: 'x', props: { value: 3 } },
    };
    fc.assert(
      fc.property(anyRule, (rule) => {
        const errors = checkCondition(rule, '').filter((p) => p.severity === 'error');
        const yes = agree(rule, sane);
        const no = evaluate({ not: rule } as Condition, sane);
        if (errors.length) expect([yes, no]).toEqual([false, false]);
        else expect(yes).toBe(!no);
      }),
      { numRuns: 3000 },
    );
  });

  it('negative operators are the complement of their positive twins on well-formed rules', () => {
    const twins = [
      ['equals', 'not_equals'],
      ['contains', 'not_contains'],
      ['matches', 'not_matches'],
      ['one_of', 'not_one_of'],
      ['known', 'unknown'],
    ] as const;
    fc.assert(
      fc.property(anyRule, contextArb, fc.constantFrom(...twins), (rule, ctx, [pos, neg]) => {
        const a = { ...rule, op: pos } as Condition;
        const b = { ...rule, op: neg } as Condition;
        if (checkCondition(a, '').some((p) => p.severity === 'error')) return;
        const x = agree(a, ctx);
        const y = agree(b, ctx);
        // Both false only when the context makes the rule unusable (bad clock or zone, huge text).
        expect(x && y).toBe(false);
        if (x === y) expect(evaluate({ not: a }, ctx)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
