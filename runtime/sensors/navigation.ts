/** SPA route changes: the Navigation API when present, else patched history methods, popstate and hashchange. */
import { group, patch, safe, type Err } from './listen.js';

export function watchNavigation(onRoute: (url: string) => void, err: Err): () => void {
  let u = location.href;
  const c = safe(() => u != location.href && onRoute((u = location.href)), err);
  return group(err, (on, off) => {
    const n = (window as any).navigation;
    if (n) return on('navigatesuccess', c, n);
    on('popstate', c, window);
    on('hashchange', c, window);
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
