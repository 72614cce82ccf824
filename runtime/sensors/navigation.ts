/** SPA route changes: the Navigation API when present, else patched history methods, popstate and hashchange. */
import { group, patch, safe, type Err } from './listen.js';

export function watchNavigation(onRoute: (url: string) => void, err: Err): () => void {
  let u = location.href;
  const c = safe(() => u != location.href && onRoute((u = location.href)), err);
  return group(err, (off) => {
    // Listeners of their own (nothing else in the core listens to these events), a function for each, as a
    // shared listener would be.
    const on = (t: EventTarget, k: string, f = () => c()) => (t.addEventListener(k, f), off(() => t.removeEventListener(k, f)));
    const n = (window as any).navigation;
    if (n) return on(n, 'navigatesuccess');
    on(window, 'popstate');
    on(window, 'hashchange');
    try {
      patch(history, 'pushState', c, off);
      patch(history, 'replaceState', c, off);
    } catch {
      // A frozen history cannot be patched: poll instead.
      const i = setInterval(c, 1e3);
      off(() => clearInterval(i));
    }
  });
}
