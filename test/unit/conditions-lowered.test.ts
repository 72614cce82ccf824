// @vitest-environment node
// Lowered conditions (src/conditions/lower.ts) and the runtime's `check` (src/conditions/run.ts): the documented
// format, what the runtime reads and when, and that it never throws. That their verdicts are evaluate's is held by
// conditions.test.ts and conditions-oracle.test.ts (every contract case and property goes through `agree`).
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import casesJson from '../cases/conditions.json';
import { evaluate } from '../../src/conditions/evaluate.js';
import { lower } from '../../src/conditions/lower.js';
import { check } from '../../src/index.js';
import type { Condition, EvalContext, LoweredCondition } from '../../src/conditions/types.js';
import { agree } from './lowered-agree.js';

const cases = casesJson as unknown as { name: string; context: EvalContext; condition: Condition; expected: boolean }[];

describe('the documented format', () => {
  const doc = readFileSync(new URL('../../docs/compiled-conditions.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Examples'), doc.indexOf('## Changing the format'));
  const examples = [...section.matchAll(/^\| `(.+)` \| `(.+)` \|$/gm)].map((m) => m.slice(1, 3).map((s) => JSON.parse(s!.replace(/\\\|/g, '|'))));

  it('has examples', () => expect(examples.length).toBeGreaterThanOrEqual(15));

  it.each(examples.map(([written, lowered]) => [JSON.stringify(written), written, lowered]))('%s', (_name, written, lowered) => {
    expect(lower(written)).toEqual(lowered);
  });
});

describe('lower', () => {
  const url = { field: 'url', op: 'contains', value: 'sale' };
  const bad = { field: 'pageview', op: 'gt', value: 3 };

  it('pushes not into the rules, as their negation', () => {
    expect(lower({ not: url })).toEqual([17, 'page.url', 'sale']);
    expect(lower({ not: { not: url } })).toEqual(lower(url));
    expect(lower({ not: { all: [url, { field: 'device', op: 'not_equals', value: 'mobile' }] } })).toEqual(['|', [17, 'page.url', 'sale'], [0, 'visitor.device', 'mobile']]);
  });

  it('keeps malformed rules malformed under not, and groups three-valued', () => {
    expect(lower(bad)).toEqual([15]);
    expect(lower({ not: bad })).toEqual([15]);
    expect(lower({ not: { all: [bad, url] } })).toEqual(['|', [17, 'page.url', 'sale'], [15]]);
    // A member that decides the group makes it constant; one that cannot change it goes.
    expect(lower({ any: [bad, { all: [] }] })).toEqual(['&']);
    expect(lower({ all: [bad, { any: [] }] })).toEqual(['|']);
    expect(lower({ all: [url, { all: [] }] })).toEqual([1, 'page.url', 'sale']);
    expect(lower({ all: [bad, { all: [bad, bad] }] })).toEqual([15]);
    expect(lower({ all: [url, { all: [bad, { field: 'url', op: 'known' }] }] })).toEqual(['&', [1, 'page.url', 'sale'], [6, 'page.url'], [15]]);
  });

  it('gives malformed for what evaluate finds malformed whatever the context: shapes, depth, unreadable objects', () => {
    let deep: unknown = url;
    for (let i = 0; i < 33; i++) deep = { not: deep };
    const hostile = new Proxy({}, { get: () => { throw new Error('no'); } });
    for (const c of [null, 3, 'url', [], { all: {} }, { all: [], any: [] }, { not: url, extra: 1 }, deep, hostile]) expect(lower(c)).toEqual([15]);
  });

  it('is JSON, and smaller than the conditions as written', () => {
    let written = 0;
    let lowered = 0;
    for (const c of cases) {
      const out = JSON.stringify(lower(c.condition));
      expect(JSON.parse(out)).toEqual(lower(c.condition));
      if (c.name.startsWith('malformed')) continue;
      written += JSON.stringify(c.condition).length;
      lowered += out.length;
    }
    expect(lowered / written).toBeLessThan(0.65);
  });
});

describe('check', () => {
  const RealRegExp = RegExp;
  afterEach(() => void (globalThis.RegExp = RealRegExp));

  it('reads the context time zone only for rules that read the visitor zone', () => {
    let reads = 0;
    const ctx = Object.defineProperty({ now: Date.UTC(2024, 5, 14, 12), page: { url: 'https://shop.example/sale' } }, 'timezone', {
      enumerable: true,
      get: () => (reads++, 'Asia/Tokyo'),
    }) as EvalContext;
    const run = (c: Condition) => check(lower(c), ctx);
    expect(run({ all: [{ field: 'url', op: 'contains', value: 'sale' }, { field: 'attributes.plan', op: 'unknown' }] })).toBe(true);
    expect(run({ field: 'time', op: 'gte', value: '20:00', timezone: 'UTC' })).toBe(false);
    expect(reads).toBe(0);
    expect(run({ field: 'time', op: 'gte', value: '20:00' })).toBe(true); // 21:00 in Tokyo
    expect(reads).toBe(1);
  });

  it('compiles a rule’s regular expression once, however often it runs', () => {
    let made = 0;
    const rule = lower({ field: 'path', op: 'matches', value: '^/blog/\\d+$' });
    globalThis.RegExp = new Proxy(RealRegExp, { construct: (target, args) => (made++, Reflect.construct(target, args)) });
    for (const path of ['/blog/1', '/blog/x', '/BLOG/22']) check(rule, { page: { url: `https://shop.example${path}` } });
    globalThis.RegExp = RealRegExp;
    expect(made).toBe(1);
    expect(check(rule, { page: { url: 'https://shop.example/BLOG/22' } })).toBe(true);
  });

  it('treats a test it does not know as malformed', () => {
    const ctx: EvalContext = { page: { url: 'https://shop.example/' } };
    expect(check([12, 'page.url', 'x'], ctx)).toBe(false);
    expect(check([28, 'page.url', 'x'], ctx)).toBe(false);
    expect(check(['|', [12, 'page.url'], ['&']], ctx)).toBe(true);
    expect(check(['&', [12, 'page.url'], ['&']], ctx)).toBe(false);
  });

  it('is false, never throwing, on conditions as written (a bundle of the previous format) and on anything else', () => {
    for (const c of cases) expect(check(c.condition as unknown as LoweredCondition, c.context)).toBe(false);
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (c, ctx) => {
        expect(typeof check(c as LoweredCondition, ctx as EvalContext)).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with evaluate on rules read in the zone, across a DST change, in the rule or the visitor zone', () => {
    const night = { field: 'date', op: 'between', value: ['2024-03-10T01:30', '2024-03-10T03:30'] };
    const zones = ['America/New_York', 'Europe/Paris', 'UTC', 'Australia/Lord_Howe'];
    for (const timezone of zones)
      for (let minutes = -240; minutes <= 240; minutes += 15) {
        const ctx: EvalContext = { now: Date.UTC(2024, 2, 10, 7) + minutes * 6e4, timezone };
        agree(night, ctx);
        for (const zone of zones) agree({ ...night, timezone: zone }, ctx);
        agree({ field: 'time', op: 'between', value: ['01:00', '03:00'] }, ctx);
      }
  });

  it('agrees with evaluate on every contract case, whatever the context', () => {
    const contexts = cases.map((c) => c.context);
    for (const c of cases) for (const ctx of contexts.slice(0, 40)) expect(check(lower(c.condition), ctx), c.name).toBe(evaluate(c.condition, ctx));
  });
});
