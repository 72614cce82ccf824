/**
 * The promotion renderer chunk (`dist/chunks/renderer.js`), loaded with import() on the first promotion: Preact
 * in an open shadow root under `[data-workflows-promotion="<id>"]`. Text is filled with visitor attributes and
 * rendered as Preact elements, never as HTML. Nothing thrown here may reach the host page.
 */
import { h, options, render, type ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Block, Promotion } from '../../src/model/types.js';
import { fill } from '../../src/template.js';
import type { PromotionOutcome, PromotionRenderer, ShowRequest } from '../types.js';
import { CSS } from './css.js';
import { e164, rich, safeHref } from './text.js';

type Outcome = PromotionOutcome['outcome'];
type B<K> = Extract<Block, { kind: K }>;
type Field = B<'email' | 'phone' | 'text_field' | 'checkbox' | 'select' | 'consent'>;

/** Submits sooner than this after showing, with no trusted input from the visitor, are bots. */
const MIN_MS = 1500;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const FIELDS = ['email', 'phone', 'text_field', 'checkbox', 'select', 'consent'];
/** Watched on the window, capturing: before the page's own listeners. */
const WATCH = ['keydown', 'focusin'];

let oops = (_: unknown) => {};
const guard = (f: () => void) => {
  try {
    f();
  } catch (e) {
    oops(e);
  }
};
// This chunk bundles its own Preact, so these hooks see only our trees: every handler, queued re-render and
// effect runs guarded.
options.debounceRendering = (f) => void Promise.resolve().then(() => guard(f));
(options as { requestAnimationFrame?: (f: () => void) => void }).requestAnimationFrame = (f) => setTimeout(() => guard(f));
const prev = options.vnode;
options.vnode = (v) => {
  const p = v.props as Record<string, any>;
  for (const k in p) if (k[0] == 'o' && k[1] == 'n' && typeof p[k] == 'function') p[k] = ((f) => (e: Event) => guard(() => f(e)))(p[k]);
  prev?.(v);
};

const ls = (k: string, v?: string): string | null | undefined => {
  try {
    return v == null ? localStorage.getItem(k) : void localStorage.setItem(k, v);
  } catch {
    return null;
  }
};

export function createRenderer(): PromotionRenderer {
  const open = new Map<string, () => void>();
  return {
    hide: (id) => open.get(id)?.(),
    show: (req) =>
      new Promise<PromotionOutcome>((res) => {
        oops = (e) => {
          try {
            req.error?.(e);
          } catch {}
        };
        open.get(req.id)?.();
        try {
          mount(req, res, open);
        } catch (e) {
          oops(e);
          res({ outcome: 'dismissed' });
        }
      }),
  };
}

function mount(req: ShowRequest, res: (o: PromotionOutcome) => void, open: Map<string, () => void>): void {
  const p = req.promotion as Omit<Promotion, 'id'>;
  let phone = false;
  try {
    phone = matchMedia('(max-width: 640px)').matches;
  } catch {}
  const mob = (phone && p.mobile) || {};
  if (mob.hidden) return res({ outcome: 'dismissed' });
  let kind = mob.kind ?? p.kind;
  let pos: string | undefined = mob.position ?? p.placement?.position;
  // Google's interstitial guidance: on phones nothing covers the content; a bottom sheet instead.
  if (mob.safe && (kind == 'modal' || kind == 'fullscreen')) (kind = 'slide_in'), (pos = 'bottom');
  const modal = kind == 'modal' || kind == 'fullscreen';
  const tpos = (kind == 'teaser' && pos) || p.teaser?.position || 'bottom_left';
  if (kind == 'teaser') pos = tpos.includes('left') ? 'bottom_left' : 'bottom_right';
  const teaser = kind == 'teaser' || !!p.teaser;
  const push = kind == 'bar' && p.placement?.push;
  const sel = kind == 'inline' && p.placement?.selector;
  const ins = p.placement?.insert;
  const k = { modal: 'm', fullscreen: 'f', bar: 'b', inline: 'i' }[kind as string] ?? 's';
  const cls = `w ${k} ${k == 'b' ? pos ?? 'top' : k == 's' ? pos ?? 'bottom_right' : ''}${push ? ' pu' : ''}`;

  const host = document.createElement('div');
  host.setAttribute('data-workflows-promotion', req.id);
  if (push) host.setAttribute('data-push', pos == 'bottom' ? 'bottom' : 'top');
  const root = host.attachShadow({ mode: 'open' });
  let sheet = false;
  try {
    // A constructed sheet is not an inline style: a CSP whose style-src lacks 'unsafe-inline' still allows it.
    const s = new CSSStyleSheet();
    s.replaceSync(CSS);
    root.adoptedStyleSheets = [s];
    sheet = true;
  } catch {}
  const t = p.theme ?? {};
  const px = (n: number | undefined, d: number) => (n ?? d) + 'px';
  const vars = { bg: t.background ?? '#fff', fg: t.text ?? '#1f2937', ac: t.accent ?? '#1a56db', at: t.accentText ?? '#fff', ff: t.font ?? 'system-ui,-apple-system,Segoe UI,Roboto,sans-serif', r: px(t.radius, 8), sp: px(t.spacing, 24), w: px(t.width, 480) };
  for (const [k, v] of Object.entries(vars)) host.style.setProperty('--wf-' + k, v);

  const before = document.activeElement as HTMLElement | null;
  const data = { ...req.attributes, attributes: req.attributes };
  const T = (s: string) => fill(s, data);
  const vals: Record<string, unknown> = {};
  const out: Record<string, unknown> = {};
  const sent: boolean[] = [];
  let errs: Record<string, string> = {};
  let step = 0;
  let col = kind == 'teaser';
  let note = '';
  let code = '';
  let settled = false;
  let gone = false;
  let seen = false;
  let human = false;
  let tg: Element | null = null;
  let moves = 0;
  const shown = Date.now();

  const settle = (o: Outcome) => {
    if (settled) return;
    settled = true;
    res({ outcome: o, ...(Object.keys(out).length ? { values: { ...out } } : {}) });
  };
  const finish = (o: Outcome) => {
    if (gone) return;
    gone = true;
    settle(o);
    const had = document.activeElement == host;
    guard(() => render(null, root));
    host.remove();
    mo?.disconnect();
    io?.disconnect();
    for (const t of WATCH) removeEventListener(t, key, true);
    open.delete(req.id);
    if (had) guard(() => before?.focus());
  };
  open.set(req.id, () => finish('dismissed'));
  const seenOnce = () => {
    if (!seen && host.isConnected) (seen = true), req.report('seen');
  };
  const focusIn = () => root.querySelector<HTMLElement>(col ? '.t button' : 'input:not([tabindex="-1"]),select,button:not(.x)')?.focus();
  /** Close: a promotion with a teaser folds into its tab and its outcome waits; otherwise it is dismissed. */
  const close = () => {
    if (!teaser) return finish('dismissed');
    const had = document.activeElement == host;
    col = true;
    draw();
    if (had) focusIn();
  };
  const go = (i: number) => {
    if (!p.steps[i]) return finish(settled ? 'dismissed' : 'converted');
    step = i;
    errs = {};
    draw();
    req.report('step', { step: p.steps[i]!.id });
    if (modal) focusIn();
  };
  const copy = async () => {
    let ok = false;
    try {
      await navigator.clipboard.writeText(code);
      ok = true;
    } catch {
      // No clipboard permission (or not a secure page): select the code and use the older copy command.
      const c = root.querySelector('.cp');
      if (c) getSelection()?.selectAllChildren(c), (ok = document.execCommand('copy'));
    }
    note = ok ? 'Copied!' : 'Select the code to copy it';
    draw();
    setTimeout(() => ((note = ''), draw()), 3e3);
  };
  const act = (b: B<'button'>) => {
    const a = b.action;
    if (a == 'close') return close();
    if (a == 'url') {
      const u = safeHref(T(b.url ?? ''));
      finish(b.converts ? 'converted' : 'dismissed');
      if (u) location.href = u;
      return;
    }
    if (b.converts) settle('converted');
    if (a == 'copy_coupon') void copy();
    else if (a == 'next') go(step + 1);
  };
  const submit = () => {
    if (sent[step] || gone) return;
    // Bots: the honeypot field is filled, or the form went in at once with no real key, pointer or input event.
    if ((root.querySelector<HTMLInputElement>('.hp input')?.value || (Date.now() - shown < MIN_MS && !human))) return finish('dismissed');
    errs = {};
    const got: Record<string, unknown> = {};
    for (const b of p.steps[step]!.blocks as Field[]) {
      if (!FIELDS.includes(b.kind)) continue;
      const n = b.name ?? b.kind;
      let v = vals[n];
      if (b.kind == 'checkbox' || b.kind == 'consent') {
        if (b.required && !v) errs[n] = 'Please tick this box.';
        else if (b.kind == 'checkbox') got[n] = !!v;
        else if (v) {
          const c = 'consent_' + (b.channel ?? 'email');
          got[c] = true;
          got[c + '_at'] = new Date().toISOString();
        }
        continue;
      }
      v = String(v ?? '').trim();
      if (!v) {
        if (b.required) errs[n] = 'Please fill in this field.';
      } else if (b.kind == 'email' && !EMAIL.test(v as string)) errs[n] = 'Enter a valid email address.';
      else if (b.kind == 'phone' && !(v = e164(v as string, b.country))) errs[n] = 'Enter a valid phone number.';
      else got[n] = v;
    }
    if (Object.keys(errs).length) {
      draw();
      return root.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    }
    sent[step] = true;
    Object.assign(out, got);
    // A lead was captured: count the conversion now and show the next step (e.g. the coupon) if there is one.
    settle('converted');
    if (p.steps[step + 1]) go(step + 1);
    else finish('converted');
  };

  const Coupon = ({ b }: { b: B<'coupon'> }) => {
    const k = 'workflows:coupon:' + req.id;
    const [c, setC] = useState(b.code ?? ls(k) ?? '');
    const [bad, setBad] = useState(false);
    useEffect(() => {
      if (!c && b.pool)
        fetch('/api/coupons/claim', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ promotion: req.id, visitor: req.visitor }) })
          .then((r) => r.json())
          .then((j) => {
            const v = j && (typeof j.code == 'string' || typeof j.code == 'number') && String(j.code);
            if (!v) throw 0;
            ls(k, v);
            setC(v);
          })
          .catch(() => setBad(true));
    }, []);
    code = c;
    return c ? h('p', { class: 'cp' }, c) : h('p', null, bad ? 'Sorry, no code is available right now. Please try again later.' : 'Getting your code…');
  };

  const Countdown = ({ b }: { b: B<'countdown'> }) => {
    const [end] = useState(() => {
      if (b.until) return Date.parse(b.until);
      const k = 'workflows:countdown:' + req.id;
      let d = Number(ls(k));
      if (!d) ls(k, String((d = Date.now() + (b.minutes ?? 0) * 6e4)));
      return d;
    });
    const [, tick] = useState(0);
    useEffect(() => {
      const i = setInterval(() => tick((n) => n + 1), 1e3);
      return () => clearInterval(i);
    }, []);
    const s = Math.max(0, Math.ceil((end - Date.now()) / 1e3)) || 0;
    if (!s && b.expired) {
      if (b.expired == 'close') setTimeout(() => finish('dismissed'));
      return null;
    }
    const z = (n: number) => String(n).padStart(2, '0');
    const d = (s / 86400) | 0;
    return h('p', { class: 'cd', role: 'timer', 'aria-label': 'Time left' }, `${d ? d + 'd ' : ''}${z(((s / 3600) | 0) % 24)}:${z(((s / 60) | 0) % 60)}:${z(s % 60)}`);
  };

  const block = (b: Block, i: number): ComponentChildren => {
    switch (b.kind) {
      case 'heading':
        return h(`h${b.level ?? 2}`, { id: i == hd ? 'h' : undefined }, T(b.text));
      case 'text':
        return rich(T(b.text));
      case 'image':
        return h('img', { src: b.src, alt: b.alt, width: b.width, height: b.height });
      case 'button':
        return h('button', { type: b.action == 'submit' ? 'submit' : 'button', class: b.action == 'close' ? 'sec' : undefined, onClick: b.action == 'submit' ? undefined : () => act(b) }, T(b.text));
      case 'close':
        return h('button', { type: 'button', class: 'sec', onClick: close }, b.label ? T(b.label) : 'No thanks');
      case 'coupon':
        return h(Coupon, { b });
      case 'countdown':
        return h(Countdown, { b });
      case 'spacer':
        return h('div', { style: { height: (b.size ?? 16) + 'px' } });
    }
    const n = b.name ?? b.kind;
    const id = 'f' + i;
    const e = errs[n];
    const box = b.kind == 'checkbox' || b.kind == 'consent';
    const a = {
      id,
      name: n,
      required: b.required,
      'aria-invalid': e ? 'true' : undefined,
      'aria-describedby': e ? id + 'e' : undefined,
      onInput: (ev: Event) => (vals[n] = (ev.target as HTMLInputElement)[box ? 'checked' : 'value']),
    };
    const err = e && h('p', { id: id + 'e', class: 'er' }, e);
    if (box) return [h('label', { class: 'ck' }, h('input', { ...a, type: 'checkbox', checked: !!vals[n] }), b.kind == 'checkbox' ? T(b.label) : h('span', null, rich(T(b.text)))), err];
    const label = 'label' in b && b.label ? T(b.label) : undefined;
    const ph = 'placeholder' in b && b.placeholder ? T(b.placeholder) : undefined;
    return [
      label && h('label', { for: id }, label),
      b.kind == 'select'
        ? h('select', { ...a, value: vals[n] ?? '', 'aria-label': label ? undefined : n }, h('option', { value: '' }, ''), b.options.map((o) => h('option', { value: o.value }, T(o.label))))
        : h('input', { ...a, type: b.kind == 'email' ? 'email' : b.kind == 'phone' ? 'tel' : 'text', autocomplete: b.kind == 'email' ? 'email' : b.kind == 'phone' ? 'tel' : undefined, placeholder: ph, value: vals[n] ?? '', 'aria-label': label ? undefined : ph ?? n }),
      err,
    ];
  };

  let hd = -1;
  const view = () => {
    const blocks = p.steps[step]?.blocks ?? [];
    hd = blocks.findIndex((b) => b.kind == 'heading');
    const x = h('button', { type: 'button', class: 'x', 'aria-label': 'Close', onClick: col ? () => finish('dismissed') : close }, '×');
    return [
      sheet ? null : h('style', null, CSS),
      col
        ? h('div', { class: 'w t ' + tpos, role: 'region', 'aria-label': p.name || 'Offer' }, h('button', { type: 'button', onClick: () => ((col = false), draw(), focusIn()) }, T(p.teaser?.text ?? p.name ?? 'Open')), x)
        : h(
            'div',
            { class: cls, onClick: kind == 'modal' ? (e: Event) => e.target == e.currentTarget && close() : undefined },
            h(
              'div',
              { class: 'p', role: modal ? 'dialog' : 'region', 'aria-modal': modal ? 'true' : undefined, 'aria-labelledby': hd < 0 ? undefined : 'h', 'aria-label': hd < 0 ? p.name || 'Offer' : undefined },
              x,
              h(
                'form',
                { noValidate: true, onSubmit: (e: Event) => (e.preventDefault(), submit()) },
                blocks.map(block),
                h('div', { class: 'hp', 'aria-hidden': 'true' }, h('input', { tabIndex: -1, name: 'website', autocomplete: 'off', 'aria-label': 'Website' })),
                h('p', { class: 'nt', role: 'status' }, note),
              ),
            ),
          ),
    ];
  };
  const draw = () => guard(() => !gone && render(view(), root));

  const key = (e: Event) =>
    guard(() => {
      const inside = e.composedPath().includes(host);
      const { key: k, shiftKey: back } = e as KeyboardEvent;
      // Focus, and the keys that move it or close us, stop here when inside: a page's focus trap would pull focus
      // back out of the dialog, and its Escape handler could keep the key to itself.
      if (inside && (e.type == 'focusin' || k == 'Tab' || k == 'Escape')) e.stopPropagation();
      if (e.type != 'keydown') return;
      // A key pressed inside is a visitor's: scripts cannot make trusted key events (focus events they can).
      if (inside && e.isTrusted) human = true;
      if (col || gone || !(modal || inside)) return;
      if (k == 'Escape') return close();
      if (k != 'Tab' || !modal) return;
      // Keep focus inside the dialog: wrap at both ends.
      const f = [...root.querySelectorAll<HTMLElement>('a[href],button,input:not([tabindex="-1"]),select')];
      const i = f.indexOf(root.activeElement as HTMLElement);
      if (i < 0 || i == (back ? 0 : f.length - 1)) {
        e.preventDefault();
        f[back ? f.length - 1 : 0]?.focus();
      }
    });
  for (const t of WATCH) addEventListener(t, key, true);
  // Other keys reach the page's capturing listeners (the runtime's inactivity sensor among them) but not its
  // shortcuts, which listen as keys bubble and would take our host, a div, for where the visitor is not typing.
  for (const t of ['keydown', 'keyup', 'keypress']) root.addEventListener(t, (e) => e.stopPropagation());
  for (const k of ['pointerdown', 'input']) root.addEventListener(k, (e) => e.isTrusted && (human = true), true);

  // Inline embeds: placed at the selector, and placed again when a single-page app re-renders the target.
  const place = () =>
    guard(() => {
      if (!sel) {
        const b = document.body ?? document.documentElement;
        if (push) return pos != 'bottom' ? b.prepend(host) : b.append(host);
        b.append(host);
        // The top layer: a page's transform or filter on the body (which would make our fixed overlay fixed to the
        // body, not the viewport), its overflow and its elements with the highest z-index, even ones added later,
        // cannot move, clip or cover an overlay there. Not over a modal dialog of the page's: that makes everything
        // else inert, so we would hide it and not respond; below it, we work once it closes. (Every browser with
        // popovers knows :modal.)
        if (!host.showPopover || document.querySelector(':modal')) return;
        host.setAttribute('popover', 'manual');
        return host.showPopover();
      }
      let n: Element | null = null;
      try {
        n = document.querySelector(sel);
      } catch {}
      if (!n || (n == tg && host.isConnected) || moves++ > 100) return;
      tg = n;
      if (ins == 'before') n.before(host);
      else if (ins == 'after') n.after(host);
      else n.append(host);
    });
  const mo = sel ? new MutationObserver(place) : null;
  mo?.observe(document.documentElement, { childList: true, subtree: true });
  // An inline embed counts as seen when it scrolls into view; overlays as soon as they are on the page.
  const io = sel ? new IntersectionObserver((es) => es.some((e) => e.isIntersecting) && guard(seenOnce)) : null;
  draw();
  place();
  // Without constructed stylesheets our styles are a <style> element, which a CSP without 'unsafe-inline' in
  // style-src refuses (it gets no sheet): no promotion rather than an unstyled one in the page's flow.
  if (!sheet && host.isConnected && !root.querySelector('style')?.sheet) {
    oops(Error("promotion not shown: this page's Content-Security-Policy (style-src) refuses the inline <style> this browser needs"));
    return finish('dismissed');
  }
  if (io) io.observe(host);
  else seenOnce();
  if (modal && !col) focusIn();
}
