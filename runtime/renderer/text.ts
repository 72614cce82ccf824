/** Pure parts of the renderer: the safe rich-text subset and phone normalisation. No DOM access. */
import { h, type ComponentChildren, type VNode } from 'preact';

/**
 * http(s) addresses and paths on this site only: `javascript:`, `data:` and protocol-relative links are refused.
 * Browsers drop tabs and newlines from a URL and read `\` as `/`, so `/\evil.example` is protocol-relative too.
 */
export const safeHref = (u: string): string | undefined => (/^(https?:\/\/|\/(?![/\\])|[?#])/i.test((u = u.replace(/[\t\n\r]/g, '').trim())) ? u : undefined);

// No "[" inside a link's text or address: an opening that is never closed then stops at the next one instead of
// scanning to the end of the text from every "[" (a long text would freeze the page).
const INLINE = /\*\*(.+?)\*\*|\*(.+?)\*|\[([^[\]]+)\]\(([^)\s[]+)\)/g;

/** `**bold**`, `*italic*`, `[text](href)`: strings and Preact elements, never HTML. An unsafe link keeps its text. */
export function inline(s: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let i = 0;
  for (const m of s.matchAll(INLINE)) {
    const href = m[4] && safeHref(m[4]);
    out.push(
      s.slice(i, m.index),
      m[1] ? h('strong', null, inline(m[1])) : m[2] ? h('em', null, inline(m[2])) : href ? h('a', { href, rel: 'noopener', target: '_blank' }, inline(m[3]!)) : inline(m[3]!),
    );
    i = m.index! + m[0].length;
  }
  out.push(s.slice(i));
  return out;
}

/** Paragraphs (blank lines split them) and `- ` lists. */
export function rich(text: string): VNode[] {
  const out: VNode[] = [];
  let cur: string[] = [];
  let ul = false;
  const end = () => {
    if (cur.length) out.push(ul ? h('ul', null, cur.map((l) => h('li', null, inline(l)))) : h('p', null, inline(cur.join(' '))));
    cur = [];
  };
  for (const l of text.split('\n')) {
    const t = l.trim();
    const li = t.startsWith('- ');
    if (!t || li != ul) end();
    ul = li;
    if (t) cur.push(li ? t.slice(2).trim() : t);
  }
  end();
  return out;
}

const CC: Record<string, string> = { US: '1', CA: '1', GB: '44', FR: '33', DE: '49', AU: '61', NL: '31', ES: '34', IT: '39', BE: '32', CH: '41', AT: '43', IE: '353', PT: '351', SE: '46', DK: '45', NO: '47', PL: '48', NZ: '64', IN: '91', JP: '81', BR: '55', MX: '52' };
/** Lengths of the national number (without the trunk 0) for the dial codes we know well. */
const LEN: Record<string, [number, number]> = { 1: [10, 10], 44: [9, 10], 33: [9, 9], 49: [6, 13], 61: [9, 9], 31: [9, 9], 34: [9, 9], 39: [6, 11] };

/** A phone number in E.164 (`+14155552671`), reading national numbers in `country`; undefined when not plausible. */
export function e164(raw: string, country = 'US'): string | undefined {
  const s = raw.trim();
  if (!s || /[^\d\s().+\-/]/.test(s) || /\d\+|\+.*\+/.test(s)) return;
  let d = s.replace(/\D/g, '');
  if (s.startsWith('00')) d = d.slice(2);
  else if (s[0] != '+') {
    const c = CC[country.toUpperCase()];
    if (!c) return;
    if (c == '1' && d.length == 11 && d[0] == '1') d = d.slice(1);
    d = c + d;
  }
  const cc = Object.keys(LEN).find((c) => d.startsWith(c));
  let n = d.slice(cc?.length ?? 0);
  // A trunk 0 after the country code ("+44 (0)20 ...") is dropped, except in Italy where it is part of the number.
  if (cc && cc != '39') n = n.replace(/^0/, '');
  const r = LEN[cc!];
  if (d[0] == '0' || (r ? n.length < r[0] || n.length > r[1] : d.length < 8 || d.length > 15) || /^(\d)\1+$/.test(n)) return;
  // North American area and exchange codes never start with 0 or 1.
  if (cc == '1' && /^[01]|^\d{3}[01]/.test(n)) return;
  return '+' + (cc ?? '') + n;
}
