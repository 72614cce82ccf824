/** Sensors in happy-dom: reference counting ("no watcher, no listener, no timer"), firing rules, navigation. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onPageHide, watch, watchNavigation } from '../../runtime/sensors/index.js';
import type { Trigger } from '../../src/model/types.js';

// Live listeners on document and window, counted by wrapping add/removeEventListener.
let live: Map<string, number>;
const restore: (() => void)[] = [];
function countListeners() {
  live = new Map();
  for (const [name, target] of [['document', document], ['window', window]] as const) {
    const add = target.addEventListener;
    const remove = target.removeEventListener;
    target.addEventListener = function (this: EventTarget, type: string, ...rest: any[]) {
      live.set(`${name}:${type}`, (live.get(`${name}:${type}`) ?? 0) + 1);
      return (add as any).call(this, type, ...rest);
    } as any;
    target.removeEventListener = function (this: EventTarget, type: string, ...rest: any[]) {
      live.set(`${name}:${type}`, (live.get(`${name}:${type}`) ?? 0) - 1);
      return (remove as any).call(this, type, ...rest);
    } as any;
    restore.push(() => {
      target.addEventListener = add;
      target.removeEventListener = remove;
    });
  }
}
const listeners = () => Object.fromEntries([...live].filter(([, n]) => n !== 0));

let errors: unknown[];
let t0: number;
const host = { pageStart: () => t0, sessionStart: () => t0 - 60_000, now: () => Date.now() };
const onError = (e: unknown) => errors.push(e);
function w(trigger: Trigger) {
  const fired: (Record<string, unknown> | undefined)[] = [];
  const stop = watch(trigger, (p) => fired.push(p), host, onError);
  restore.push(stop);
  return { fired, stop };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'requestAnimationFrame', 'cancelAnimationFrame'] });
  t0 = Date.now();
  errors = [];
  countListeners();
});
afterEach(() => {
  restore.splice(0).reverse().forEach((r) => r());
  expect(listeners()).toEqual({});
  vi.useRealTimers();
  document.body.innerHTML = '';
  expect(errors).toEqual([]);
});

describe('no watcher, no listener, no timer', () => {
  const kinds: Trigger[] = [
    { on: 'time_on_page', seconds: 5 },
    { on: 'time_on_site', seconds: 500 },
    { on: 'exit_intent', minDwellSeconds: 3 },
    { on: 'scroll_depth', percent: 200 },
    { on: 'inactivity', seconds: 30 },
    { on: 'click', selector: '.a' },
    { on: 'element_visible', selector: '.b' },
    { on: 'form_submitted' },
  ];

  it('attaches one shared listener per event, and removes everything with the last watcher', () => {
    expect(listeners()).toEqual({});
    const first = kinds.map(w);
    const second = kinds.map(w);
    // One real listener per event type whatever the number of watchers (scroll: depth and inactivity share it).
    expect(listeners()).toEqual({
      'document:mouseout': 1,
      'document:scroll': 1,
      'document:pointermove': 1,
      'document:pointerdown': 1,
      'document:keydown': 1,
      'document:click': 1,
      'document:submit': 1,
      'document:focusin': 1, // form_submitted: finding the shadow roots a form may be submitted in
      'document:visibilitychange': 1, // time_on_page: hidden time does not count
      'document:timeupdate': 1, // inactivity: a playing video is activity
    });
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    first.forEach((x) => x.stop());
    expect(Object.keys(listeners())).toHaveLength(10);
    second.forEach((x) => x.stop());
    second.forEach((x) => x.stop()); // idempotent
    expect(listeners()).toEqual({});
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a watcher that fired once is detached on its own', () => {
    const a = w({ on: 'time_on_page', seconds: 2 });
    const b = w({ on: 'inactivity', seconds: 2 });
    vi.advanceTimersByTime(2500);
    expect([a.fired.length, b.fired.length]).toEqual([1, 1]);
    expect(listeners()).toEqual({});
    expect(vi.getTimerCount()).toBe(0);
  });

  it('onPageHide cleans up too', () => {
    const a = onPageHide(() => {});
    expect(listeners()).toEqual({ 'window:pagehide': 1, 'document:visibilitychange': 1 });
    a();
    expect(listeners()).toEqual({});
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('timers', () => {
  it('time_on_page fires once, counting from the page start', () => {
    t0 = Date.now() - 4000; // the page started 4 s ago
    const a = w({ on: 'time_on_page', seconds: 10 });
    vi.advanceTimersByTime(5900);
    expect(a.fired).toEqual([]);
    vi.advanceTimersByTime(200);
    expect(a.fired).toEqual([undefined]);
    vi.advanceTimersByTime(60_000);
    expect(a.fired).toHaveLength(1);
  });

  it('time_on_page follows a page start that moved (SPA route change)', () => {
    const a = w({ on: 'time_on_page', seconds: 10 });
    vi.advanceTimersByTime(8000);
    t0 = Date.now();
    vi.advanceTimersByTime(5000);
    expect(a.fired).toEqual([]);
    vi.advanceTimersByTime(5000);
    expect(a.fired).toHaveLength(1);
  });

  it('time_on_site already past fires soon, not synchronously', () => {
    const a = w({ on: 'time_on_site', seconds: 30 }); // the session began 60 s ago
    expect(a.fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(a.fired).toHaveLength(1);
  });

  it('inactivity restarts on activity without a timer per event', () => {
    const a = w({ on: 'inactivity', seconds: 10 });
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(6000);
      document.dispatchEvent(new Event(['pointermove', 'keydown', 'scroll', 'pointerdown'][i % 4]!));
      expect(vi.getTimerCount()).toBe(1);
    }
    expect(a.fired).toEqual([]);
    vi.advanceTimersByTime(10_000);
    expect(a.fired).toHaveLength(1);
  });
});

describe('page events', () => {
  const out = (clientY: number, relatedTarget: EventTarget | null = null) =>
    document.dispatchEvent(new MouseEvent('mouseout', { clientY, relatedTarget, bubbles: true }));

  it('exit_intent: only through the top, only after the dwell, only once', () => {
    const a = w({ on: 'exit_intent', minDwellSeconds: 3 });
    out(-1);
    expect(a.fired).toEqual([]);
    vi.advanceTimersByTime(3000);
    out(50);
    out(-1, document.body);
    expect(a.fired).toEqual([]);
    out(-1);
    out(-1);
    expect(a.fired).toHaveLength(1);
  });

  it('exit_intent dwell defaults to 3 seconds', () => {
    const a = w({ on: 'exit_intent' });
    vi.advanceTimersByTime(2900);
    out(0);
    expect(a.fired).toEqual([]);
    vi.advanceTimersByTime(100);
    out(0);
    expect(a.fired).toHaveLength(1);
  });

  it('click: closest match of a nested target, on each occurrence, with the text', () => {
    document.body.innerHTML = '<a class="buy" href="#">  Buy <b>now</b>\n </a><p id="x">x</p>';
    const a = w({ on: 'click', selector: '.buy' });
    document.querySelector('b')!.click();
    document.getElementById('x')!.click();
    document.querySelector('b')!.click();
    expect(a.fired).toEqual([
      { selector: '.buy', text: 'Buy now' },
      { selector: '.buy', text: 'Buy now' },
    ]);
  });

  it('a watcher added while a click is handled does not see that click', () => {
    document.body.innerHTML = '<button>b</button>';
    const later: unknown[] = [];
    let stopLater = () => {};
    const stop = watch({ on: 'click', selector: 'button' }, () => {
      stop();
      stopLater = watch({ on: 'click', selector: 'button' }, (p) => later.push(p), host, onError);
    }, host, onError);
    document.querySelector('button')!.click();
    expect(later).toEqual([]);
    document.querySelector('button')!.click();
    expect(later).toHaveLength(1);
    stopLater();
  });

  it('form_submitted: values by name; passwords, hidden, file and card fields never read', () => {
    document.body.innerHTML = `<form id="f">
      <input name="email" value="a@b.co"><input name="pw" type="password" value="x">
      <input name="h" type="hidden" value="x"><input name="cc" autocomplete="cc-number" value="4111">
      <input name="exp" autocomplete="billing cc-exp" value="12/30"><input name="card_cvc" value="123">
      <input name="yes" type="checkbox" value="1" checked><input name="no" type="checkbox" value="1">
      <input name="r" type="radio" value="a"><input name="r" type="radio" value="b" checked>
      <textarea name="note">hi</textarea><button name="go" value="1">Go</button></form><form id="g"></form>`;
    const pw = document.querySelector<HTMLInputElement>('[type=password]')!;
    Object.defineProperty(pw, 'value', { get: () => { throw new Error('password read'); } });
    const a = w({ on: 'form_submitted', selector: '#f' });
    document.getElementById('g')!.dispatchEvent(new Event('submit', { bubbles: true }));
    document.getElementById('f')!.dispatchEvent(new Event('submit', { bubbles: true }));
    expect(a.fired).toEqual([{ email: 'a@b.co', yes: '1', r: 'b', note: 'hi' }]);
  });

  it('scroll_depth on a page too short to scroll never fires: the visitor did not scroll', () => {
    const a = w({ on: 'scroll_depth', percent: 90 });
    vi.advanceTimersByTime(50);
    expect(a.fired).toEqual([]);
  });

  it('onPageHide: pagehide and the tab becoming hidden', () => {
    const calls: string[] = [];
    const stop = onPageHide(() => calls.push('hide'));
    window.dispatchEvent(new Event('pagehide'));
    document.dispatchEvent(new Event('visibilitychange')); // still visible
    Object.defineProperty(document, 'hidden', { value: true, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    delete (document as any).hidden;
    stop();
    window.dispatchEvent(new Event('pagehide'));
    expect(calls).toEqual(['hide', 'hide']);
  });
});

describe('watchNavigation (history patching: happy-dom has no Navigation API)', () => {
  /** The route watcher stays for the page's life (it has no undo): its two listeners are checked, then not counted. */
  const routes = (onRoute: (url: string) => void) => {
    watchNavigation(onRoute, onError);
    expect(listeners()).toEqual({ 'window:popstate': 1, 'window:hashchange': 1 });
    live.clear();
  };

  it('reports each actual URL change once', () => {
    const urls: string[] = [];
    routes((u) => urls.push(new URL(u).pathname + new URL(u).search + new URL(u).hash));
    history.pushState({}, '', '/a');
    history.pushState({}, '', '/a');
    history.replaceState({}, '', '/a?x=1');
    history.replaceState({}, '', '/a?x=1');
    location.hash = 'h';
    window.dispatchEvent(new Event('hashchange'));
    window.dispatchEvent(new Event('popstate'));
    expect(urls).toEqual(['/a', '/a?x=1', '/a?x=1#h']);
  });

  it("wraps the page's own pushState, and keeps its return value and this", () => {
    const h = history as any;
    const calls: unknown[] = [];
    const own = function (this: unknown, ...a: unknown[]) {
      calls.push(this);
      History.prototype.pushState.apply(history, a as any);
      return 'own';
    };
    h.pushState = own;
    const urls: string[] = [];
    routes((u) => urls.push(u));
    expect(history.pushState({}, '', '/own')).toBe('own');
    expect(calls).toEqual([history]);
    expect(urls).toHaveLength(1);
    delete h.pushState;
  });

  it('polls when history cannot be patched, and never throws', () => {
    const h = history as any;
    const desc = Object.getOwnPropertyDescriptor(History.prototype, 'pushState')!;
    // Not writable and the object not extensible: the assignment fails.
    Object.defineProperty(History.prototype, 'pushState', { ...desc, writable: false });
    Object.preventExtensions(h);
    const urls: string[] = [];
    expect(() => routes((u) => urls.push(u))).not.toThrow();
    History.prototype.replaceState.call(history, {}, '', '/polled');
    expect(urls).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(urls).toHaveLength(1);
    Object.defineProperty(History.prototype, 'pushState', desc);
  });
});

describe('a hostile page', () => {
  it('watch() never throws; failures are reported', () => {
    const add = EventTarget.prototype.addEventListener;
    const docAdd = document.addEventListener;
    const boom = () => {
      throw new Error('no');
    };
    document.addEventListener = boom as any;
    EventTarget.prototype.addEventListener = boom as any;
    const got: unknown[] = [];
    let stops: (() => void)[] = [];
    try {
      stops = (['click', 'form_submitted', 'exit_intent', 'inactivity'] as const).map((on) =>
        watch({ on, selector: 'a', seconds: 1 } as Trigger, () => {}, host, (e) => got.push(e)),
      );
    } finally {
      EventTarget.prototype.addEventListener = add;
      document.addEventListener = docAdd;
    }
    expect(got.length).toBeGreaterThanOrEqual(4);
    stops.forEach((s) => expect(s).not.toThrow());
  });

  it('a throwing matches() or fire() is reported, not thrown', () => {
    document.body.innerHTML = '<button>b</button>';
    const matches = Element.prototype.matches;
    (Element.prototype as any).matches = () => {
      throw new Error('patched');
    };
    const got: unknown[] = [];
    const stop = watch({ on: 'click', selector: 'button' }, () => {}, host, (e) => got.push(e));
    expect(() => document.querySelector('button')!.click()).not.toThrow();
    Element.prototype.matches = matches;
    const stop2 = watch({ on: 'click', selector: 'button' }, () => {
      throw new Error('executor bug');
    }, host, (e) => got.push(e));
    expect(() => document.querySelector('button')!.click()).not.toThrow();
    expect(got.map(String)).toEqual(['Error: patched', 'Error: executor bug']);
    stop();
    stop2();
  });
});
