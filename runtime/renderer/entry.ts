/**
 * The promotion renderer chunk (`dist/chunks/renderer.js`), loaded with import() on the first promotion.
 * This is the minimal built-in renderer: plain DOM in an open shadow root, text set with textContent (never
 * HTML), modal kinds as keyboard-operable dialogs. The Preact renderer with every block and kind replaces it.
 */
import type { Block, Promotion } from '../../src/model/types.js';
import { fill } from '../../src/template.js';
import type { PromotionOutcome, PromotionRenderer, ShowRequest } from '../types.js';

const MODAL = ['modal', 'fullscreen'];
const CSS = `:host{all:initial}*{box-sizing:border-box;font:16px/1.4 system-ui,sans-serif}
.w{position:fixed;z-index:2147483647;display:flex;align-items:center;justify-content:center}
.m{inset:0;background:rgba(0,0,0,.5)}.s{right:16px;bottom:16px}.b{left:0;right:0;top:0}
.p{background:var(--bg,#fff);color:var(--fg,#111);border-radius:var(--r,8px);padding:24px;max-width:480px;width:100%;position:relative;box-shadow:0 8px 32px rgba(0,0,0,.3)}
.b .p{max-width:none;border-radius:0;padding:12px 48px}
h2{font-size:22px;font-weight:700;margin:0 0 8px}p{margin:0 0 12px}
input,button{display:block;width:100%;margin:8px 0;padding:10px;border-radius:6px;border:1px solid #888}
button{background:var(--ac,#1a56db);color:var(--at,#fff);border:0;cursor:pointer;font-weight:600}
button.x{position:absolute;top:4px;right:4px;width:auto;background:none;color:inherit;font-size:20px;padding:4px 10px;margin:0}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}`;

export function createRenderer(): PromotionRenderer {
  const open = new Map<string, () => void>();
  return {
    hide: (id) => open.get(id)?.(),
    show: (req) => new Promise<PromotionOutcome>((resolve) => render(req, resolve, open)),
  };
}

function render(req: ShowRequest, resolve: (o: PromotionOutcome) => void, open: Map<string, () => void>): void {
  const p = req.promotion as Omit<Promotion, 'id' | 'name'>;
  const host = document.createElement('div');
  host.setAttribute('data-workflows-promotion', req.id);
  const root = host.attachShadow({ mode: 'open' });
  const t = p.theme ?? {};
  for (const [k, v] of [['--bg', t.background], ['--fg', t.text], ['--ac', t.accent], ['--at', t.accentText], ['--r', t.radius === undefined ? undefined : `${t.radius}px`]]) {
    if (v) host.style.setProperty(k!, String(v));
  }
  const modal = MODAL.includes(p.kind);
  const wrap = el('div', `w ${modal ? 'm' : p.kind === 'bar' ? 'b' : 's'}`);
  const panel = el('div', 'p');
  if (modal) {
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-modal', 'true');
  }
  wrap.append(panel);
  try {
    // A constructed sheet is not an inline style: a CSP whose style-src lacks 'unsafe-inline' still allows it.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(el('style', '', CSS));
  }
  root.append(wrap);
  const before = document.activeElement as HTMLElement | null;
  const values: Record<string, unknown> = {};
  let step = 0;
  let done = false;

  const finish = (outcome: PromotionOutcome['outcome']) => {
    if (done) return;
    done = true;
    host.remove();
    document.removeEventListener('keydown', keys, true);
    open.delete(req.id);
    try {
      before?.focus?.();
    } catch {
      // The element that had focus may be gone.
    }
    resolve({ outcome, ...(Object.keys(values).length ? { values } : {}) });
  };
  open.set(req.id, () => finish('dismissed'));

  const keys = (e: KeyboardEvent) => {
    if (e.key === 'Escape') return finish('dismissed');
    if (e.key !== 'Tab' || !modal) return;
    // Keep focus inside the dialog.
    const items = [...panel.querySelectorAll<HTMLElement>('button,input')];
    const i = items.indexOf(root.activeElement as HTMLElement);
    const next = items[(i + (e.shiftKey ? -1 : 1) + items.length) % items.length];
    e.preventDefault();
    next?.focus();
  };
  document.addEventListener('keydown', keys, true);
  if (modal) wrap.addEventListener('click', (e) => e.target === wrap && finish('dismissed'));

  const show = () => {
    panel.replaceChildren();
    const close = el('button', 'x', '×');
    close.setAttribute('aria-label', 'Close');
    close.onclick = () => finish('dismissed');
    panel.append(close);
    const inputs: HTMLInputElement[] = [];
    for (const b of p.steps[step]?.blocks ?? []) panel.append(...block(b, inputs));
    const heading = panel.querySelector('h2');
    if (heading && modal) {
      heading.id = 'wf-h';
      panel.setAttribute('aria-labelledby', 'wf-h');
    }
    (panel.querySelector<HTMLElement>('input,button:not(.x)') ?? close).focus();
  };

  function block(b: Block, inputs: HTMLInputElement[]): Node[] {
    const text = (s: string) => fill(s, { ...req.attributes, attributes: req.attributes });
    switch (b.kind) {
      case 'heading':
        return [el('h2', '', text(b.text))];
      case 'text':
        return [el('p', '', text(b.text))];
      case 'email':
      case 'phone':
      case 'text_field': {
        const input = el('input') as HTMLInputElement;
        input.type = b.kind === 'email' ? 'email' : b.kind === 'phone' ? 'tel' : 'text';
        input.name = b.name ?? b.kind;
        input.required = Boolean(b.required);
        input.placeholder = b.placeholder ?? '';
        input.setAttribute('aria-label', b.label ?? b.placeholder ?? input.name);
        inputs.push(input);
        return [input];
      }
      case 'coupon':
        return [el('p', '', b.code ?? '')];
      case 'close':
        return [button(b.label ?? 'No thanks', () => finish('dismissed'))];
      case 'button':
        return [
          button(text(b.text), () => {
            if (b.action === 'close') return finish('dismissed');
            if (b.action === 'url') {
              if (b.converts) finish('converted');
              return void (location.href = b.url!);
            }
            if (b.action === 'copy_coupon') return void navigator.clipboard?.writeText(panel.querySelector('p:last-of-type')?.textContent ?? '').catch(() => {});
            if (b.action === 'submit') {
              const bad = inputs.find((i) => !i.checkValidity());
              if (bad) return bad.focus();
              for (const i of inputs) values[i.name] = i.value;
            }
            if (step + 1 < p.steps.length && b.action !== 'submit') {
              step++;
              return show();
            }
            if (b.action === 'submit' && step + 1 < p.steps.length) {
              // A lead was captured: show the next step (e.g. the coupon) and count the conversion now.
              step++;
              show();
              return resolve({ outcome: 'converted', values });
            }
            finish(b.action === 'submit' || b.converts ? 'converted' : 'dismissed');
          }),
        ];
      default:
        return [];
    }
  }

  // In the document first: focus() on an element that is not connected does nothing.
  document.body.append(host);
  show();
  req.report('seen');
}

function el(tag: string, cls = '', text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(label: string, onClick: () => void): HTMLElement {
  const b = el('button', '', label);
  b.onclick = onClick;
  return b;
}
