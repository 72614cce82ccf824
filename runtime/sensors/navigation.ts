/**
 * SPA route changes: the Navigation API when present, else patched history methods, popstate and hashchange. The
 * core watches for the page's whole life (a reset keeps it), so the watcher has no undo: it never throws into the
 * page, and what fails to attach is reported.
 */
import { patch, safe, type Err } from './listen.js';

export function watchNavigation(onRoute: (url: string) => void, err: Err): void {
  let u = location.href;
  const c = safe(() => u != location.href && onRoute((u = location.href)), err);
  // Listeners of their own: nothing else in the core listens to these events.
  try {
    const n = (window as any).navigation;
    if (n) return n.addEventListener('navigatesuccess', c);
    window.addEventListener('popstate', c);
    window.addEventListener('hashchange', c);
    try {
      for (const k of ['pushState', 'replaceState']) patch(history, k, c, () => {});
    } catch {
      // A frozen history cannot be patched: poll instead.
      setInterval(c, 1e3);
    }
  } catch (x) {
    err(x);
  }
}
