// GA4 e-commerce pushes to window.dataLayer drive the visitor's cart, rule segments, workflows waiting on a
// segment, and goal attribution, through the real runtime in Chromium.
import { expect, test, type Page } from '@playwright/test';
import { api, compile, events, expectSegment, pageErrors, ready, recordEvents, serveBundle, storedState, waitForEvent, workflow } from './helpers/runtime.js';

const bundle = compile({
  workflows: [
    workflow(
      'big-cart-offer',
      [
        { id: 'entered', kind: 'if', triggers: [{ on: 'segment_entered', segment: 'big-cart' }] },
        { id: 'tag', kind: 'segment', segment: 'offered', action: 'add' },
      ],
      [['entered', 'then', 'tag']],
      { goal: { event: 'purchase', windowDays: 7 } },
    ),
    // Has the same goal but never touched the visitor: no credit.
    workflow(
      'bystander',
      [{ id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'never' }] }, { id: 'tag', kind: 'segment', segment: 'offered', action: 'add' }],
      [['wait', 'then', 'tag']],
      { goal: { event: 'purchase' } },
    ),
  ],
  segments: [
    { id: 'big-cart', name: 'Big cart', kind: 'rule', rule: { field: 'cart.value', op: 'gte', value: 100 } },
    { id: 'offered', name: 'Offered', kind: 'manual' },
  ],
});

const item = (id: string, price: number, quantity = 1) => ({ item_id: id, item_name: id, price, quantity });

test('add_to_cart pushes fill cart.value, enter a rule segment and move a workflow waiting on it; purchase credits its goal', async ({ page }) => {
  const errors = pageErrors(page);
  await serveBundle(page, bundle);
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  // 50 EUR: not a big cart yet.
  await page.evaluate((i) => (window as any).dataLayer.push({ event: 'add_to_cart', ecommerce: { value: 50, currency: 'EUR', items: [i] } }), item('mug', 25, 2));
  await expect.poll(async () => (await storedState(page))?.cart).toEqual({ value: 50, items: 2, currency: 'EUR' });
  expect(await api(page, (w) => w.segments.has('big-cart'))).toBe(false);
  // The page's push still returns what Array.prototype.push returns.
  const length = await page.evaluate((i) => {
    const dl = (window as any).dataLayer;
    const before = dl.length;
    return [dl.push({ event: 'add_to_cart', ecommerce: { value: 120, currency: 'EUR', items: [i] } }), before + 1];
  }, item('tent', 120));
  expect(length[0]).toBe(length[1]);
  await expectSegment(page, 'big-cart');
  await expectSegment(page, 'offered');
  expect((await storedState(page))?.cart).toEqual({ value: 170, items: 3, currency: 'EUR' });
  expect((await events(page, 'enrolled')).map((e) => e.workflow)).toEqual(['big-cart-offer']);

  await page.evaluate(
    (items) => (window as any).dataLayer.push({ event: 'purchase', ecommerce: { transaction_id: 'T-1', value: 170, currency: 'EUR', items } }),
    [item('mug', 25, 2), item('tent', 120)],
  );
  const goal = await waitForEvent(page, 'goal', { workflow: 'big-cart-offer' });
  expect(goal).toMatchObject({ goal: 'purchase', value: 170, step: expect.any(String) });
  expect((await events(page, 'goal')).map((e) => e.workflow)).toEqual(['big-cart-offer']);
  // A purchase empties the cart: the rule segment is left.
  await expectSegment(page, 'big-cart', false);
  expect((await storedState(page))?.cart).toMatchObject({ value: 0, items: 0 });
  // The goal is credited once.
  await page.evaluate(() => (window as any).dataLayer.push({ event: 'purchase', ecommerce: { transaction_id: 'T-2', value: 10, currency: 'EUR', items: [] } }));
  await page.waitForTimeout(300);
  expect(await events(page, 'goal')).toHaveLength(1);
  expect(errors).toEqual([]);
});

/** A page whose data layer holds a GTM entry and a gtag add_to_cart (130 USD) before our script runs. */
async function preloaded(page: Page) {
  await serveBundle(page, bundle);
  await page.addInitScript(() => {
    const dl = ((window as any).dataLayer = (window as any).dataLayer || []);
    dl.push({ event: 'gtm.js' });
    // gtag('event', 'add_to_cart', {...}) pushes its arguments object.
    (function gtag(..._a: unknown[]) {
      dl.push(arguments);
    })('event', 'add_to_cart', { value: 130, currency: 'USD', items: [{ item_id: 'stove', price: 130, quantity: 1 }] });
  });
  await page.goto('/test/runtime.html');
  await ready(page);
}

test('commerce entries pushed before the script loaded are read too (gtag form included)', async ({ page }) => {
  await preloaded(page);
  await expect.poll(async () => (await storedState(page))?.cart).toEqual({ value: 130, items: 1, currency: 'USD' });
});

// FIXME(runtime/engine.ts, refreshSegments): the segments to change are computed outside the transaction and
// toggled inside it, so the commerce handler's refresh and the page view's refresh (both saw the new cart
// before either wrote) add big-cart, then remove it again. Set membership to the rule's value instead.
test('a cart filled before the script loaded puts the visitor in the rule segment', async ({ page }) => {
  await preloaded(page);
  await expectSegment(page, 'big-cart');
});
