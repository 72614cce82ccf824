/** `window.dataLayer`: every entry, and the GA4 e-commerce events among them. */
import type { CommerceEvent } from '../../src/model/types.js';
import { group, patch, safe, type Err } from './listen.js';

type Obj = Record<string, any>;
export interface Cart {
  value: number;
  items: number;
  currency?: string;
}

/** Replays the entries already there, then reports each push. */
export function watchDataLayer(onPush: (entry: Record<string, unknown>) => void, err: Err): () => void {
  const each = safe((e: unknown) => e && typeof e == 'object' && onPush(e as Obj), err);
  return group(err, (off) => {
    const w = window as any,
      dl = (w.dataLayer ||= []);
    dl.forEach(each);
    patch(dl, 'push', (a) => a.forEach(each), off);
  });
}

/**
 * The GA4 commerce event in a data-layer entry (`{ event, ecommerce }`, or gtag's `['event', name, params]`).
 * `cart`, the visitor's cart before it, lets add/remove derive the new cart; view_cart and begin_checkout
 * carry the whole cart, and purchase empties it.
 */
export function commerceEvent(
  entry: Obj,
  cart?: Cart,
): { name: CommerceEvent; props: Record<string, unknown>; cart?: Cart } | undefined {
  const [name, ec] = entry[0] == 'event' ? [entry[1], entry[2]] : [entry.event, entry.ecommerce];
  if (!ec || !/^(view_item|(add_to|remove_from|view)_cart|begin_checkout|purchase)$/.test(name)) return;
  const items: Obj[] = Array.isArray(ec.items) ? ec.items : [],
    currency = ec.currency,
    // add/remove change the cart they are given; the others start from empty (purchase adds nothing).
    b = /_[tf]/.test(name) ? cart : { value: 0, items: 0 },
    m = name == 'purchase' ? 0 : name[0] == 'r' ? -1 : 1;
  let n = 0,
    v = 0;
  for (const i of items) {
    const q = +i?.quantity || 1;
    n += q;
    v += (+i?.price || 0) * q;
  }
  v = +ec.value || v;
  return {
    name,
    props: { ...ec, value: v, currency, items: n, item_ids: items.map((i) => i?.item_id) },
    cart:
      name != 'view_item' && b
        ? { value: Math.max(0, b.value + m * v), items: Math.max(0, b.items + m * n), currency: currency ?? b.currency }
        : undefined,
  };
}
