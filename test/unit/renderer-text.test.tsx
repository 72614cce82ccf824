/** The renderer's pure parts: the safe rich-text subset and E.164 phone normalisation. */
import { render } from 'preact';
import { describe, expect, it } from 'vitest';
import { e164, rich, safeHref } from '../../runtime/renderer/text.js';

const html = (text: string) => {
  const div = document.createElement('div');
  render(rich(text), div);
  return div.innerHTML;
};

describe('rich text', () => {
  it('renders bold, italic, links and lists as elements', () => {
    expect(html('Get **10% off** *today*.')).toBe('<p>Get <strong>10% off</strong> <em>today</em>.</p>');
    expect(html('See [terms](https://example.com/t) or [faq](/faq)')).toBe(
      '<p>See <a href="https://example.com/t" rel="noopener" target="_blank">terms</a> or <a href="/faq" rel="noopener" target="_blank">faq</a></p>',
    );
    expect(html('Intro\n- one\n- **two**\n\nEnd\nline')).toBe('<p>Intro</p><ul><li>one</li><li><strong>two</strong></li></ul><p>End line</p>');
  });

  it('keeps HTML as text and drops unsafe links', () => {
    expect(html('<img src=x onerror=alert(1)>')).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
    expect(html('[x](javascript:alert(1)) [y](data:text/html,hi) [z](//evil.com)')).toBe('<p>x) y z</p>');
    expect(safeHref(' JavaScript:alert(1)')).toBeUndefined();
    expect(safeHref('#top')).toBe('#top');
  });

  it('refuses paths that browsers read as another site', () => {
    // URL parsers treat "\\" as "/" and drop tabs and newlines: each of these goes to https://evil.example/.
    for (const u of ['/\\evil.example', '/\t/evil.example', '/\n/evil.example', '\t//evil.example']) expect(safeHref(u), JSON.stringify(u)).toBeUndefined();
    expect(html('[x](/\\evil.example)')).toBe('<p>x</p>');
    expect(safeHref('/sale?q=a\\b')).toBe('/sale?q=a\\b');
  });

  it('reads huge texts in linear time', () => {
    // Unclosed link openings made every "[" scan to the end of the text: 80,000 characters froze the page ~2 s.
    const t = performance.now();
    for (const s of ['['.repeat(1e5), '[a]('.repeat(25e3), '[a](/'.repeat(2e4) + ' ', '**a*'.repeat(25e3)]) rich(s);
    // A complexity guard, not a timing: quadratic took 12.6 s on these strings, linear takes tens of ms; 2 s leaves room for any noise.
    expect(performance.now() - t).toBeLessThan(2000);
  });
});

describe('e164', () => {
  it('normalises national and international numbers', () => {
    expect(e164('(415) 555-2671')).toBe('+14155552671');
    expect(e164('1 415 555 2671', 'CA')).toBe('+14155552671');
    expect(e164('07911 123456', 'GB')).toBe('+447911123456');
    expect(e164('+44 (0)20 7946 0958', 'US')).toBe('+442079460958');
    expect(e164('06 12 34 56 78', 'FR')).toBe('+33612345678');
    expect(e164('0151 23456789', 'DE')).toBe('+4915123456789');
    expect(e164('0412 345 678', 'AU')).toBe('+61412345678');
    expect(e164('06 12345678', 'NL')).toBe('+31612345678');
    expect(e164('612 34 56 78', 'ES')).toBe('+34612345678');
    expect(e164('06 1234 5678', 'IT')).toBe('+390612345678');
    expect(e164('0049 30 123456', 'FR')).toBe('+4930123456');
    expect(e164('+353 85 123 4567')).toBe('+353851234567');
  });

  it('rejects obviously invalid numbers', () => {
    for (const bad of ['', '12', 'call me', '555-CALL-NOW', '(015) 555-2671', '415 055 2671', '0000000000', '+1 415 555 26711', '+0 123 456 789', '1+2', '07911 123456 999 999']) {
      expect(e164(bad, bad.startsWith('079') ? 'GB' : 'US'), bad).toBeUndefined();
    }
    expect(e164('612345678', 'ZZ')).toBeUndefined();
  });
});
