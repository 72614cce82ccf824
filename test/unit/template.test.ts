// @vitest-environment node
// Placeholder filling: paths, bare attribute names, fallbacks, hostile values, no prototype access.
import { describe, expect, it } from 'vitest';
import { fill, fillJson, get } from '../../src/template.js';

const data = {
  visitor: { id: 'v1', email: 'ann@example.com', first_name: 'Ann' },
  attributes: { first_name: 'Ann', plan: 'pro', empty: '', zero: 0, off: false, tags: ['a', 'b'] },
  form: { email: 'form@example.com', message: 'He said "hi" </script><script>alert(1)</script>' },
  workflow: { id: 'wf_1', step: 'send' },
  page: { url: 'https://shop.example/p?a=1&b=2', title: 'Shoes' },
  top: 'top level',
};

describe('fill', () => {
  it.each([
    ['{{visitor.email}}', 'ann@example.com'],
    ['{{ form.email }}', 'form@example.com'],
    ['{{workflow.id}}/{{workflow.step}}', 'wf_1/send'],
    ['{{page.url}}', 'https://shop.example/p?a=1&b=2'],
    ['Hi {{first_name}}!', 'Hi Ann!'],
    ['{{top}}', 'top level'],
    ['{{plan | free}}', 'pro'],
    ['Hi {{last_name | friend}}!', 'Hi friend!'],
    ['Hi {{ last_name |  dear friend  }}!', 'Hi dear friend!'],
    ['{{empty | none}}', 'none'],
    ['{{zero | none}}', '0'],
    ['{{off | none}}', 'false'],
    ['{{tags}}', '["a","b"]'],
    ['{{missing}}', ''],
    ['{{visitor.missing.deep}}', ''],
    ['no placeholders', 'no placeholders'],
    ['{{ not closed', '{{ not closed'],
  ])('%s -> %s', (text, out) => {
    expect(fill(text, data)).toBe(out);
  });

  it('never reaches the prototype chain', () => {
    expect(fill('{{__proto__}}|{{constructor}}|{{constructor.name}}|{{visitor.__proto__.toString}}', data)).toBe('|||');
    expect(fill('{{toString | none}}', data)).toBe('none');
    expect(fill('{{hasOwnProperty}}', {})).toBe('');
    expect(get({}, '__proto__')).toBeUndefined();
  });

  it('does not evaluate anything and inserts values verbatim', () => {
    expect(fill('{{form.message}}', data)).toBe('He said "hi" </script><script>alert(1)</script>');
    expect(fill('{{x}}', { x: '{{visitor.email}}' })).toBe('{{visitor.email}}'); // no second pass
    expect(fill('{{x}}', { x: '${1+1}' })).toBe('${1+1}');
  });

  it('escapes values (and fallbacks) with the encoder, not the template text', () => {
    expect(fill('https://h.example/{{form.email}}?q={{page.url}}&n={{nope | a b}}', data, encodeURIComponent)).toBe(
      'https://h.example/form%40example.com?q=https%3A%2F%2Fshop.example%2Fp%3Fa%3D1%26b%3D2&n=a%20b',
    );
  });
});

describe('fillJson', () => {
  it('fills strings at any depth and keeps other values', () => {
    const body = { email: '{{visitor.email}}', list: ['{{plan}}', 3, true, null], nested: { n: 1, msg: '{{form.message}}' } };
    expect(fillJson(body, data)).toEqual({
      email: 'ann@example.com',
      list: ['pro', 3, true, null],
      nested: { n: 1, msg: data.form.message },
    });
    expect(body.email).toBe('{{visitor.email}}'); // the node is not changed
  });

  it('stays valid JSON whatever the values hold', () => {
    const hostile = { q: '"quoted" \\ back\nslash', s: '</script>', u: '\u2028\u0000' };
    const text = JSON.stringify(fillJson({ a: '{{q}}', b: '{{s}}', c: '{{u}}', d: 'x{{q}}y' }, hostile));
    expect(JSON.parse(text)).toEqual({ a: hostile.q, b: hostile.s, c: hostile.u, d: `x${hostile.q}y` });
  });

  it('keeps a "__proto__" key as data', () => {
    const body = JSON.parse('{"__proto__": {"polluted": "{{plan}}"}, "ok": 1}');
    const out = fillJson(body, data) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":"pro"},"ok":1}');
    expect(({} as any).polluted).toBeUndefined();
  });

  it('handles scalars', () => {
    expect(fillJson('{{plan}}', data)).toBe('pro');
    expect(fillJson(5, data)).toBe(5);
  });
});

describe('fill on hostile text', () => {
  it('stays linear on many unclosed placeholders with a fallback (no scan to the end from each)', () => {
    const text = '{{a|'.repeat(30_000);
    const t = performance.now();
    expect(fill(text, {})).toBe(text);
    // A complexity guard, not a timing: quadratic took 7 s here, linear takes milliseconds; 2 s leaves room for noise.
    expect(performance.now() - t).toBeLessThan(2000);
  });
});
