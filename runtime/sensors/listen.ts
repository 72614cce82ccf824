/**
 * Watchers that never throw into the page and undo what they did, and the sensors' shared page listeners: one
 * real listener per key, however many watchers use it; the last one to leave removes it, so no watcher means no
 * listener.
 */
export type H = (e?: any) => void;
export type Err = (e: unknown) => void;
/** Attaches a dispatcher for a key that is not a DOM event; returns how to detach it. */
type Att = (d: H) => () => void;
/** Watches `k`: the event `k` on `t` (default `document`), or whatever `t` attaches when it is a function. */
export type On = (k: string, h: H, t?: EventTarget | Att) => void;

/** Wraps a callback so that it never throws into the page: errors go to `err`. */
export const safe =
  <A extends unknown[]>(f: (...a: A) => unknown, err: Err) =>
  (...a: A): void => {
    try {
      f(...a);
    } catch (x) {
      err(x);
    }
  };

/** Registers an undo with the group being built. */
export type Off = (o: () => void) => void;

/**
 * Runs `build`, reporting what it throws. What it registered with `off` is undone, once, by the returned function,
 * which never throws.
 */
export const group = (err: Err, build: (off: Off) => void): (() => void) => {
  const offs: (() => void)[] = [];
  const off: Off = (o) => offs.push(o);
  try {
    build(off);
  } catch (x) {
    err(x);
  }
  return safe(() => offs.splice(0).forEach((o) => o()), err);
};

// Capture sees events the page stops from bubbling; passive because we never cancel anything.
const O = { capture: true, passive: true };
const R: Record<string, Set<H> & { o?: () => void }> = {};

/**
 * `on` for a group: watches through the shared listener of each key, leaving it with the group's undo. Only the
 * sensors chunk shares: the core's watchers listen to events no other watcher of the core does.
 */
export const shared =
  (err: Err, off: Off): On =>
  (k, h, t: any = document) => {
    const g = safe(h, err);
    let s = R[k];
    if (!s) {
      // The copy: a watcher added while an event is handled must not see that same event.
      const d: H = (e) => [...s!].forEach((f) => f(e));
      s = new Set();
      s.o = typeof t == 'function' ? t(d) : (t.addEventListener(k, d, O), () => t.removeEventListener(k, d, O));
      R[k] = s;
    }
    s.add(g);
    off(() => s!.delete(g) && !s!.size && (delete R[k], s!.o!()));
  };

/**
 * Wraps the method `o[k]`, whatever function is there now (a page's or router's own wrapper included), so that
 * `after` sees each call's arguments; the original still runs first and its result is returned. Throws if `o`
 * cannot be patched (frozen). `off` registers the undo: restore when ours is still in place, else pass through.
 */
export const patch = (o: any, k: string, after: (a: unknown[]) => void, off: Off): void => {
  let on = 1;
  const f = o[k],
    w = function (this: unknown, ...a: unknown[]) {
      const r = f.apply(this, a);
      on && after(a);
      return r;
    };
  o[k] = w;
  if (o[k] != w) throw 0;
  off(() => ((on = 0), o[k] == w && (o[k] = f)));
};

/**
 * An `Att` for an event that does not leave a shadow root (`submit`): the event on `document`, and in each open
 * shadow root the visitor focuses or clicks into, which comes before anything they submit there. A web
 * component's form is then seen like any other; closed roots stay closed.
 */
export const deep =
  (k: string, err: Err): Att =>
  (d) =>
    group(err, (off) => {
      let last: Event;
      const on = shared(err, off),
        roots = new Set<EventTarget>(),
        // A light-DOM form slotted into a component passes through its shadow root and the document: once.
        once = (e: Event) => e != last && d((last = e)),
        // Adding the same listener again does nothing: each root gets one.
        add = (r: EventTarget) => roots.add(r) && r.addEventListener(k, once, O),
        enter = (e: Event) => e.composedPath().forEach((n) => n instanceof ShadowRoot && add(n));
      add(document);
      off(() => roots.forEach((r) => r.removeEventListener(k, once, O)));
      on('focusin', enter);
      on('click', enter);
    });
