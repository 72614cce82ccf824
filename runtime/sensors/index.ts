/**
 * Sensors: the DOM triggers, watched only while some cursor waits on them (see docs/triggers.md).
 * `watch` never throws; what fails is reported to `err` and the watcher then simply does not fire.
 * The script tag does not carry `watch`: it is the sensors chunk (entry.ts), fetched when a cursor first waits
 * on a page trigger. Route changes and the data layer are watched from the start, by the core.
 */
import type { Trigger } from '../../src/model/types.js';
import type { Fire, SensorHost } from '../types.js';
import { deep, group, safe, shared, type Err } from './listen.js';

export { commerceEvent, watchDataLayer, type Cart } from './datalayer.js';
export { watchNavigation } from './navigation.js';
export type { Err };

/**
 * How far down the page's own scroller is, for a scroll event's target: the document, or an element at least half
 * the viewport wide and high (an app shell's `<main>`, when the document itself does not scroll). -1 for the
 * others (carousels, menus, drawers): their scrolling says nothing of how far the visitor has read.
 */
const top = (e: any): number =>
  e == document ? scrollY : e.clientHeight * 2 > innerHeight && e.clientWidth * 2 > innerWidth ? e.scrollTop : -1;

/**
 * `since`: when the step started waiting (default now). The core arms a trigger before this chunk may have
 * arrived; inactivity counts from then, as the other timed kinds count from the page or session start.
 */
export function watch(t: Trigger, fire: Fire, host: SensorHost, err: Err, since = host.now()): () => void {
  let live = 1;
  const now = () => host.now();
  const stop = group(err, (off) => {
    const on = shared(err, off);
    off(() => (live = 0));
    const f = (p?: Record<string, unknown>) => {
      if (live) {
        // Click and form_submitted fire on each occurrence (the executor unwatches); the other kinds once.
        /^[cf]/.test(t.on) || stop();
        fire(p);
      }
    };
    // Re-checked when due, as page start, session start and last activity move: no timer per event.
    const wait = (base: () => number) => {
      const run = safe(() => {
        const l = (t as { seconds: number }).seconds * 1e3 - now() + base();
        l > 0 ? (id = setTimeout(run, l)) : f();
      }, err);
      let id = setTimeout(run);
      off(() => clearTimeout(id));
    };
    switch (t.on) {
      case 'time_on_page': {
        // Only time in view counts: a tab opened in the background, or left for another one, is not being read.
        // `h`: since when the page is hidden (0: shown); `hid`: hidden time since page start `p` ended before it.
        let p = 0,
          hid = 0,
          h = document.hidden ? since : 0;
        const open = () => h && now() - Math.max(h, p);
        on('visibilitychange', () => (document.hidden ? (h = now()) : ((hid += open()), (h = 0))));
        return wait(() => {
          const s = host.pageStart();
          // A route change starts a new page view: what was hidden before it no longer counts.
          s != p && ((p = s), (hid = 0));
          return p + hid + open();
        });
      }
      case 'time_on_site':
        return wait(() => host.sessionStart());
      case 'inactivity': {
        let last = since;
        // A playing video or audio (`timeupdate`, several times a second) is watched, not abandoned.
        for (const k of ['pointermove', 'pointerdown', 'keydown', 'scroll', 'timeupdate']) on(k, () => (last = now()));
        return wait(() => last);
      }
      case 'exit_intent': {
        const x = () => now() - host.pageStart() >= (t.minDwellSeconds ?? 3) * 1e3 && f();
        on('mouseout', (e: MouseEvent) => !e.relatedTarget && e.clientY <= 0 && x());
        if (t.mobile != false && navigator.maxTouchPoints) {
          // Anchor: the lowest point reached, or where an upward move began less than 400 ms ago. `tm`: the
          // finger's last move; a flick's momentum lasts a moment after it, while a page scrolling itself up
          // (a "back to top" button, an anchor link) has no finger on the screen.
          let y = 0,
            at = 0,
            tm = 0;
          on('touchmove', () => (tm = now()));
          on('scroll', (e: Event) => {
            const s = top(e.target),
              n = now();
            s < 0 || (s >= y || n - at > 400 ? ((y = s), (at = n)) : n - tm < 1e3 && y - s >= innerHeight * 0.3 && x());
          });
          on('visibilitychange', () => document.hidden && x());
        }
        return;
      }
      case 'scroll_depth': {
        let p = 0,
          // What scrolls: the document, or the app shell's container once the visitor scrolled it.
          b: any = document.scrollingElement;
        const c = safe(() => {
          p = 0;
          // Share of the scrollable distance covered: 0 at the top, 100 at the bottom; a page that cannot
          // scroll never reaches a depth (the visitor did nothing).
          const r = b.scrollHeight - b.clientHeight;
          r > 0 && (b.scrollTop / r) * 100 >= t.percent && f();
        }, err);
        const h = () => (p ||= requestAnimationFrame(c));
        on('scroll', (e: Event) => (top(e.target) < 0 || (b = (e.target as Document).scrollingElement || e.target), h()));
        off(() => cancelAnimationFrame(p));
        return h();
      }
      case 'click':
        return on('click', (e: Event) => {
          // The path crosses shadow roots, where `closest` would stop.
          const el = e.composedPath().find((n) => (n as Element).matches?.(t.selector)) as Element | undefined;
          el && f({ selector: t.selector, text: el.textContent!.trim().slice(0, 99) });
        });
      case 'element_visible': {
        const th = t.threshold ?? 0.5,
          io = new IntersectionObserver(
            safe((es: IntersectionObserverEntry[]) => es.some((e) => e.isIntersecting && e.intersectionRatio >= th) && f(), err),
            { threshold: th },
          ),
          // Each element is looked at once: does it match, and does it host an open shadow root? Such a root's
          // elements are looked at too, and `m` observes it as it observes the document, whose observer does not see
          // into shadow roots (closed ones cannot be seen at all). Then only what is added is looked at: SPA views,
          // lazy sections, a component rendering into its root. One MutationObserver per waiting trigger, since each
          // looks at what is added for its own selector.
          // A custom element not yet defined (its definition loads after the step started waiting, as a theme's
          // deferred script does) gets its shadow root when it is: looked at again then.
          see = (e: Element) => {
            const r = e.shadowRoot,
              n = e.localName,
              c = window.customElements;
            e.matches(t.selector) && io.observe(e);
            r ? root(r) : n.includes('-') && c && !c.get(n) && c.whenDefined(n).then(safe(() => live && see(e), err), () => {});
          },
          each = (r: ParentNode) => r.querySelectorAll('*').forEach(see),
          // Looked through before it is observed: a selector this browser cannot parse throws here, once, and
          // leaves nothing observing to throw again on every change.
          root = (r: Document | ShadowRoot) => (each(r), m.observe(r, { childList: true, subtree: true })),
          m = new MutationObserver(
            safe((rs: MutationRecord[]) => rs.forEach((r) => r.addedNodes.forEach((n: any) => n.nodeType == 1 && (see(n), each(n)))), err),
          );
        off(() => (io.disconnect(), m.disconnect()));
        return root(document);
      }
      case 'form_submitted':
        return on('submit', (e: Event) => {
          const fm = e.target as HTMLFormElement,
            p: Record<string, unknown> = {};
          if (!t.selector || fm.matches(t.selector)) {
            for (const el of fm.elements as any) {
              const n = el.name;
              // Type, name and autocomplete first: a password, hidden, file or card field's value is never read.
              if (n && !/^(pas|hid|fil|sub|but|res|ima)|cc-|card|cv[cv]/i.test(el.type + n + el.autocomplete) && (el.checked || !/box|rad/.test(el.type)))
                p[n] = el.value;
            }
            f(p);
          }
        }, deep('submit', err));
    }
  });
  return stop;
}

/** Calls `fn` when the page is hidden or unloaded (to flush the transport); it may run twice in a row. */
export const onPageHide = (fn: () => void, err: Err = () => {}): (() => void) =>
  group(err, (off) => {
    const on = shared(err, off);
    on('pagehide', fn, window);
    on('visibilitychange', () => document.hidden && fn());
  });
