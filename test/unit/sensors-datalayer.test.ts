/** watchDataLayer wrapping and the commerceEvent table. */
import { afterEach, describe, expect, it } from 'vitest';
import { commerceEvent, watchDataLayer, type Cart } from '../../runtime/sensors/index.js';

const w = window as any;
afterEach(() => {
  delete w.dataLayer;
});

describe('watchDataLayer', () => {
  it('creates dataLayer when missing', () => {
    const got: unknown[] = [];
    const stop = watchDataLayer((e) => got.push(e), (e) => { throw e; });
    expect(Array.isArray(w.dataLayer)).toBe(true);
    w.dataLayer.push({ event: 'x' });
    expect(got).toEqual([{ event: 'x' }]);
    stop();
  });

  it('replays earlier entries, keeps push behaviour and return value, passes entries raw, and restores', () => {
    const original = function (this: unknown[], ...a: unknown[]) {
      return Array.prototype.push.apply(this, a) * 10; // a page's own push with its own return value
    };
    w.dataLayer = [{ event: 'gtm.js' }, 'not an object', null];
    w.dataLayer.push = original;
    const got: unknown[] = [];
    const errors: unknown[] = [];
    const stop = watchDataLayer((e) => got.push(e), (e) => errors.push(e));
    const entry = { event: 'add_to_cart', ecommerce: { value: 1 } };
    expect(w.dataLayer.push(entry, { b: 2 })).toBe(50);
    expect(w.dataLayer).toHaveLength(5);
    expect(got).toEqual([{ event: 'gtm.js' }, entry, { b: 2 }]);
    expect(got[1]).toBe(entry);
    stop();
    expect(w.dataLayer.push).toBe(original);
    w.dataLayer.push({ c: 3 });
    expect(got).toHaveLength(3);
    expect(errors).toEqual([]);
  });

  it('a listener that throws is reported, and the push still happens', () => {
    w.dataLayer = [];
    const errors: unknown[] = [];
    const stop = watchDataLayer(() => {
      throw new Error('bad');
    }, (e) => errors.push(e));
    expect(() => w.dataLayer.push({ a: 1 })).not.toThrow();
    expect([...w.dataLayer]).toEqual([{ a: 1 }]);
    expect(errors).toHaveLength(1);
    stop();
  });

  it('if the page replaces push after us, unwatching leaves it and stops reporting', () => {
    w.dataLayer = [];
    const got: unknown[] = [];
    const stop = watchDataLayer((e) => got.push(e), () => {});
    const ours = w.dataLayer.push;
    const theirs = function (this: unknown, ...a: unknown[]) {
      return ours.apply(this, a);
    };
    w.dataLayer.push = theirs;
    w.dataLayer.push({ a: 1 });
    stop();
    expect(w.dataLayer.push).toBe(theirs);
    w.dataLayer.push({ a: 2 });
    expect(got).toEqual([{ a: 1 }]);
    expect(w.dataLayer).toHaveLength(2);
  });

  it('a data layer that is not an array is reported, not thrown', () => {
    w.dataLayer = 42;
    const errors: unknown[] = [];
    expect(() => watchDataLayer(() => {}, (e) => errors.push(e))()).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});

describe('commerceEvent', () => {
  const items = [
    { item_id: 'mug', price: 12.5, quantity: 2 },
    { item_id: 'tee', price: '20', quantity: '1' },
  ];
  const cart: Cart = { value: 40, items: 3, currency: 'EUR' };
  const cases: [string, Record<string, unknown>, Cart | undefined, ReturnType<typeof commerceEvent>][] = [
    ['not commerce', { event: 'gtm.click' }, undefined, undefined],
    ['a commerce name without ecommerce', { event: 'purchase' }, undefined, undefined],
    ['ecommerce: null (the GA4 clearing push)', { ecommerce: null }, undefined, undefined],
    ['an unknown event with ecommerce', { event: 'select_promotion', ecommerce: { items } }, undefined, undefined],
    [
      'view_item: no cart change',
      { event: 'view_item', ecommerce: { currency: 'USD', value: 12.5, items: [items[0]] } },
      cart,
      { name: 'view_item', props: { currency: 'USD', value: 12.5, items: 2, item_ids: ['mug'] }, cart: undefined },
    ],
    [
      'add_to_cart without the previous cart: not derivable',
      { event: 'add_to_cart', ecommerce: { currency: 'USD', value: 25, items: [items[0]] } },
      undefined,
      { name: 'add_to_cart', props: { currency: 'USD', value: 25, items: 2, item_ids: ['mug'] }, cart: undefined },
    ],
    [
      'add_to_cart adds to the cart',
      { event: 'add_to_cart', ecommerce: { currency: 'USD', value: 25, items: [items[0]] } },
      cart,
      { name: 'add_to_cart', props: { currency: 'USD', value: 25, items: 2, item_ids: ['mug'] }, cart: { value: 65, items: 5, currency: 'USD' } },
    ],
    [
      'remove_from_cart, value from the items, never below zero',
      { event: 'remove_from_cart', ecommerce: { items } },
      { value: 30, items: 2 },
      { name: 'remove_from_cart', props: { value: 45, currency: undefined, items: 3, item_ids: ['mug', 'tee'] }, cart: { value: 0, items: 0, currency: undefined } },
    ],
    [
      'view_cart carries the whole cart',
      { event: 'view_cart', ecommerce: { currency: 'EUR', value: 45, items } },
      cart,
      { name: 'view_cart', props: { currency: 'EUR', value: 45, items: 3, item_ids: ['mug', 'tee'] }, cart: { value: 45, items: 3, currency: 'EUR' } },
    ],
    [
      'begin_checkout too',
      { event: 'begin_checkout', ecommerce: { value: 45, items } },
      undefined,
      { name: 'begin_checkout', props: { value: 45, currency: undefined, items: 3, item_ids: ['mug', 'tee'] }, cart: { value: 45, items: 3, currency: undefined } },
    ],
    [
      'purchase empties the cart; other ecommerce fields pass through',
      { event: 'purchase', ecommerce: { transaction_id: 'T1', currency: 'EUR', value: 45, tax: 5, items } },
      cart,
      {
        name: 'purchase',
        props: { transaction_id: 'T1', currency: 'EUR', value: 45, tax: 5, items: 3, item_ids: ['mug', 'tee'] },
        cart: { value: 0, items: 0, currency: 'EUR' },
      },
    ],
    [
      "gtag('event', ...) arguments",
      { 0: 'event', 1: 'add_to_cart', 2: { currency: 'USD', items: [{ item_id: 'cap', price: 10 }] }, length: 3 },
      undefined,
      { name: 'add_to_cart', props: { currency: 'USD', value: 10, items: 1, item_ids: ['cap'] }, cart: undefined },
    ],
    [
      'garbage items do not throw',
      { event: 'view_cart', ecommerce: { items: [null, 3, { quantity: 'x' }] } },
      undefined,
      { name: 'view_cart', props: { value: 0, currency: undefined, items: 3, item_ids: [undefined, undefined, undefined] }, cart: { value: 0, items: 3, currency: undefined } },
    ],
  ];
  for (const [name, entry, before, expected] of cases) {
    it(name, () => {
      expect(commerceEvent(entry, before)).toEqual(expected);
    });
  }
});
