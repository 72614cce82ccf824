/**
 * The `commerce` chunk: GA4 e-commerce events in `window.dataLayer` keep the visitor's cart and reach the
 * workflows waiting on them. Imported at start when the bundle's `needs` lists `commerce` (a commerce trigger, a
 * condition or rule that reads the cart, a goal named after a commerce event), so a store whose workflows never
 * look at the cart does not download the parsing or watch the data layer.
 */
import { commerceEvent, watchDataLayer } from '../sensors/datalayer.js';
import type { Err } from '../sensors/listen.js';
import type { Store } from '../types.js';

/** Watches the data layer (entries already there first); returns the function that stops watching. */
export function followCommerce(s: Store, dispatch: (key: string, props: Record<string, unknown>) => Promise<unknown>, report: Err): () => void {
  return watchDataLayer((entry) => {
    const ce = commerceEvent(entry, s.state.cart);
    if (!ce) return;
    void (async () => {
      // Recomputed inside the transaction: another tab may have changed the cart meanwhile.
      if (ce.cart) await s.mutate((st) => void (st.cart = commerceEvent(entry, st.cart)?.cart ?? st.cart));
      await dispatch(`commerce:${ce.name}`, ce.props);
    })().catch(report);
  }, report);
}
