// @vitest-environment node
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requiredRuns, urlPrefilter } from '../../src/compile/prefilter.js';

describe('urlPrefilter', () => {
  it('takes the longest safe literal of URL and path rules in an all group', () => {
    expect(urlPrefilter({ all: [{ field: 'device', op: 'equals', value: 'desktop' }, { field: 'path', op: 'starts_with', value: '/Sale/Shoes' }] })).toBe('/sale/shoes');
    expect(urlPrefilter({ field: 'url', op: 'matches', value: '^https?://[^/]+/products/item-102' })).toBe('/products/item-102');
    expect(urlPrefilter({ field: 'url', op: 'contains', value: 'utm_source=news letter' })).toBe('utm_source');
  });
  it('gives none when the URL is not required', () => {
    expect(urlPrefilter({ any: [{ field: 'path', op: 'contains', value: '/sale' }, { field: 'device', op: 'equals', value: 'mobile' }] })).toBeUndefined();
    expect(urlPrefilter({ not: { field: 'path', op: 'contains', value: '/sale' } })).toBeUndefined();
    expect(urlPrefilter({ field: 'path', op: 'not_contains', value: '/checkout' })).toBeUndefined();
    expect(urlPrefilter({ field: 'url', op: 'matches', value: 'cart|checkout' })).toBeUndefined();
    expect(urlPrefilter({ field: 'path', op: 'contains', value: '/a' })).toBeUndefined();
  });
  it('only keeps what every match must contain', () => {
    expect(requiredRuns('^/products?/(shoes|boots)/x+y*z{2}')).toEqual(['/product', '/', '/x']);
    expect(requiredRuns('a\\.b\\d\\/c')).toEqual(['a.b', '/c']);
  });
  it('is a necessary condition: any URL the regex matches contains the literal', () => {
    const pieces = fc.constantFrom('/shop', 'item-', '42', 'x', '\\.', '[0-9]+', '(a|b)', 's?', '.*', '/', 'ab+', 'c{1,2}');
    fc.assert(
      fc.property(fc.array(pieces, { minLength: 1, maxLength: 6 }), fc.array(fc.constantFrom('/shop', 'item-', '42', 'x', '.', '7', 'a', 'b', 's', '/', 'c', 'cc', 'abb'), { maxLength: 10 }), (parts, words) => {
        const source = parts.join('');
        const text = words.join('');
        const lit = urlPrefilter({ field: 'path', op: 'matches', value: source });
        if (lit && new RegExp(source, 'i').test(text)) expect(text.toLowerCase()).toContain(lit);
      }),
      { numRuns: 3000 },
    );
  });
});
