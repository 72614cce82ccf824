// @vitest-environment node
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assign, bucket } from '../../src/bucket.js';
import { contentHash, fnv1a32 } from '../../src/hash.js';

const cases = JSON.parse(readFileSync(new URL('../cases/bucketing.json', import.meta.url), 'utf8'));

describe('hashing', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('content hash is 16 hex digits and changes with the input', () => {
    expect(contentHash('x')).toMatch(/^[0-9a-f]{16}$/);
    expect(contentHash('x')).not.toBe(contentHash('y'));
  });
});

describe('bucketing contract (test/cases/bucketing.json)', () => {
  for (const c of cases.bucket) it(`bucket(${c.unit}, ${c.test})`, () => expect(bucket(c.unit, c.test)).toBe(c.bucket));
  for (const c of cases.assign) it(`assign(${c.unit}, ${c.test})`, () => expect(assign(c.unit, c.test, c.variants, c.holdout)).toBe(c.expected));
});

describe('assignment over 100,000 simulated visitors', () => {
  const N = 100_000;
  const variants = [
    { id: 'a', weight: 20 },
    { id: 'b', weight: 30 },
    { id: 'c', weight: 50 },
  ];
  const count = (holdout: number) => {
    const n: Record<string, number> = {};
    for (let i = 0; i < N; i++) {
      const v = assign(`visitor-${i.toString(36)}`, 'wf/test', variants, holdout);
      n[v] = (n[v] ?? 0) + 1;
    }
    return n;
  };

  it('honours weights within 1%', () => {
    const n = count(0);
    for (const v of variants) expect(Math.abs(n[v.id]! / N - v.weight / 100)).toBeLessThan(0.01);
  });

  it('keeps the holdout share and splits the rest by weight', () => {
    const n = count(10);
    expect(Math.abs(n.holdout! / N - 0.1)).toBeLessThan(0.01);
    const tested = N - n.holdout!;
    for (const v of variants) expect(Math.abs(n[v.id]! / tested - v.weight / 100)).toBeLessThan(0.01);
  });

  it('is sticky and independent of the test key', () => {
    expect(assign('v1', 't', variants)).toBe(assign('v1', 't', variants));
    const same = Array.from({ length: 1000 }, (_, i) => assign(`u${i}`, 't1', variants) === assign(`u${i}`, 't2', variants)).filter(Boolean).length;
    // Independent tests agree about as often as chance says (0.2² + 0.3² + 0.5² = 38%).
    expect(same / 1000).toBeGreaterThan(0.3);
    expect(same / 1000).toBeLessThan(0.46);
  });
});
