// The demo store end to end with the real runtime and the demo's published workflows: add to cart, checkout and
// thank-you (GA4 pushes to window.dataLayer drive the runtime's cart), and the journal's client-side routing.
import { expect, test, type Page } from '@playwright/test';
import { promotion, ready, storedState } from './helpers/runtime.js';

type Entry = { event?: string; ecommerce?: Record<string, any> | null };

/** Console errors and warnings and uncaught errors of the page, from now on; a test ends expecting none. */
function problems(page: Page): string[] {
  const out: string[] = [];
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && out.push(`${page.url()}: console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => out.push(`${page.url()}: page error: ${e.message}`));
  return out;
}

/** The GA4 e-commerce pushes on this page so far (the runtime's own `workflows.*` entries left out). */
async function pushes(page: Page, name?: string): Promise<Entry[]> {
  // After a click that navigated, wait for the new page's deferred store.js to have run.
  await page.waitForLoadState('domcontentloaded');
  return page.evaluate(
    (n) => ((window as any).dataLayer as Entry[]).filter((e) => e && e.ecommerce && (!n || e.event === n)),
    name,
  );
}

/** The runtime's persisted cart, polled until it equals `want`. */
async function expectRuntimeCart(page: Page, want: { value: number; items: number; currency?: string }) {
  await expect.poll(async () => (await storedState(page))?.cart, { message: 'the runtime cart' }).toEqual(want);
}

test('an item over $100 fills the cart, crosses the free-shipping threshold, and the purchase on the thank-you page empties it', async ({ page }) => {
  const errors = problems(page);
  await page.goto('/product.html?id=ridgeline-rain-jacket');
  await ready(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ridgeline Rain Jacket');
  expect(await pushes(page, 'view_item')).toEqual([
    {
      event: 'view_item',
      ecommerce: {
        currency: 'USD',
        value: 129,
        items: [{ item_id: 'ridgeline-rain-jacket', item_name: 'Ridgeline Rain Jacket', item_variant: '', price: 129, quantity: 1 }],
      },
    },
  ]);
  await expect(page.locator('[data-cart-count]')).toHaveText('0');

  await page.getByLabel('Size').selectOption('L');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.locator('[data-status]')).toContainText('Added 1 × Ridgeline Rain Jacket');
  await expect(page.locator('[data-cart-count]')).toHaveText('1');
  expect(await pushes(page, 'add_to_cart')).toEqual([
    {
      event: 'add_to_cart',
      ecommerce: {
        currency: 'USD',
        value: 129,
        items: [{ item_id: 'ridgeline-rain-jacket', item_name: 'Ridgeline Rain Jacket', item_variant: 'Lake Blue / L', price: 129, quantity: 1 }],
      },
    },
  ]);
  // The runtime read the push: its cart crossed the threshold and the free-shipping workflow says so.
  await expectRuntimeCart(page, { value: 129, items: 1, currency: 'USD' });
  await expect(promotion(page, 'free-shipping-unlocked')).toContainText('ships free');
  expect((await storedState(page))?.cursors.map((c) => c.wf)).toContain('cart-abandonment-reminder');

  // The cart page lists the line and pushes the whole cart.
  await page.goto('/cart.html');
  const line = page.locator('[data-cart-lines] li');
  await expect(line).toHaveCount(1);
  await expect(line).toContainText('Ridgeline Rain Jacket');
  await expect(line).toContainText('Lake Blue · L');
  await expect(page.locator('[data-shipping]')).toHaveText('Free');
  await expect(page.locator('[data-total]')).toHaveText('$129.00');
  expect((await pushes(page, 'view_cart'))[0]?.ecommerce).toMatchObject({ value: 129, items: [{ item_id: 'ridgeline-rain-jacket', quantity: 1 }] });

  await page.getByRole('link', { name: 'Check out' }).click();
  await expect(page).toHaveURL(/\/checkout\.html$/);
  expect((await pushes(page, 'begin_checkout'))[0]?.ecommerce).toMatchObject({ value: 129 });
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Full name').fill('Ada Lovelace');
  await page.getByLabel('Street address').fill('1 Harbour Road');
  await page.getByLabel('City').fill('Portland');
  await page.getByLabel('Postal code').fill('97201');
  await page.getByRole('button', { name: 'Place order' }).click();

  await expect(page).toHaveURL(/\/thank-you\.html$/);
  await expect(page.getByRole('heading', { name: 'Thank you for your order' })).toBeVisible();
  const [purchase] = await pushes(page, 'purchase');
  expect(purchase?.ecommerce).toMatchObject({
    currency: 'USD',
    value: 129,
    shipping: 0,
    transaction_id: expect.stringMatching(/^HP-\w+$/),
    items: [{ item_id: 'ridgeline-rain-jacket', price: 129, quantity: 1 }],
  });
  await expect(page.locator('[data-order-id]')).toHaveText(purchase!.ecommerce!.transaction_id);
  await expect(page.locator('[data-cart-count]')).toHaveText('0');
  expect(await page.evaluate(() => localStorage.getItem('hp-cart'))).toBeNull();
  await ready(page);
  await expectRuntimeCart(page, { value: 0, items: 0, currency: 'USD' });

  // A reload shows the order again without a second purchase.
  await page.reload();
  await expect(page.locator('[data-order-id]')).toHaveText(purchase!.ecommerce!.transaction_id);
  expect(await pushes(page, 'purchase')).toEqual([]);
  await page.goto('/cart.html');
  await expect(page.getByText('Your cart is empty.')).toBeVisible();
  expect(errors).toEqual([]);
});

test('changing quantities on the cart page pushes add_to_cart and remove_from_cart and keeps the runtime cart in step', async ({ page }) => {
  const errors = problems(page);
  await page.goto('/product.html?id=basecamp-flannel');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Basecamp Flannel');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.locator('[data-cart-count]')).toHaveText('1');
  await page.goto('/cart.html');
  await ready(page);
  await expect(page.locator('[data-shipping]')).toHaveText('$8.00');
  await expect(page.locator('[data-to-free]')).toHaveText('Add $36.00 more for free shipping.');
  await page.getByLabel('Quantity').fill('2');
  await page.getByLabel('Quantity').press('Tab');
  await expect(page.locator('[data-total]')).toHaveText('$128.00');
  await expect(page.locator('[data-cart-count]')).toHaveText('2');
  expect((await pushes(page, 'add_to_cart'))[0]?.ecommerce).toMatchObject({ value: 64, items: [{ item_id: 'basecamp-flannel', quantity: 1 }] });
  await expectRuntimeCart(page, { value: 128, items: 2, currency: 'USD' });
  await page.getByRole('button', { name: 'Remove Basecamp Flannel' }).click();
  await expect(page.getByText('Your cart is empty.')).toBeVisible();
  expect((await pushes(page, 'remove_from_cart'))[0]?.ecommerce).toMatchObject({ value: 128, items: [{ quantity: 2 }] });
  await expectRuntimeCart(page, { value: 0, items: 0, currency: 'USD' });
  expect(errors).toEqual([]);
});

test('the journal routes with pushState and popstate, and the runtime counts each route as a page view', async ({ page }) => {
  const errors = problems(page);
  await page.goto('/app.html');
  await ready(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('The Journal');
  const views = async () => (await storedState(page))?.session.pageviews;
  await expect.poll(views).toBe(1);

  await page.getByRole('link', { name: /Packing for a wet weekend/ }).click();
  await expect(page).toHaveURL(/\/app\.html\?story=wet-weekend$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Packing for a wet weekend');
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
  await expect(page).toHaveTitle(/^Packing for a wet weekend/);
  await expect.poll(views).toBe(2);

  await page.getByRole('link', { name: '← All stories' }).click();
  await page.getByRole('link', { name: /Caring for your rain shell/ }).click();
  await expect(page).toHaveURL(/\?story=shell-care$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Caring for your rain shell');
  await expect.poll(views).toBe(4);

  await page.goBack();
  await expect(page).toHaveURL(/\/app\.html$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('The Journal');
  await expect.poll(views).toBe(5);
  await page.goForward();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Caring for your rain shell');
  await expect.poll(views).toBe(6);

  // Shop the story: the same add_to_cart push, from a view the page drew itself.
  await page.getByRole('button', { name: 'Add to cart Coastline Windbreaker' }).click();
  await expect(page.locator('[data-cart-count]')).toHaveText('1');
  expect((await pushes(page, 'add_to_cart'))[0]?.ecommerce).toMatchObject({ value: 89, items: [{ item_id: 'coastline-windbreaker' }] });
  await expectRuntimeCart(page, { value: 89, items: 1, currency: 'USD' });

  // A reload opens the view the URL names.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Caring for your rain shell');
  expect(errors).toEqual([]);
});

const PAGES = ['/', '/collection.html', '/product.html', '/product.html?id=summit-down-vest', '/cart.html', '/checkout.html', '/thank-you.html', '/app.html', '/app.html?story=shell-care', '/promotions.html'];

test('every store page loads the runtime with no console error, and carries the script tag', async ({ page, request }) => {
  const errors = problems(page);
  // Something in the cart, so the checkout page shows (an empty cart sends it back to the cart page).
  await page.goto('/');
  await page.evaluate(() => localStorage.setItem('hp-cart', JSON.stringify([{ id: 'trailhead-fleece', colour: 'Oat', size: 'S', qty: 1 }])));
  for (const path of PAGES) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(200);
    await ready(page);
    await expect(page.locator('h1:visible')).toHaveCount(1);
    const html = await (await request.get(path)).text();
    expect(html, path).toMatch(/<script async src="\/workflows\.js" data-workflows="\/workflows\.json"( data-collector="[^"]+")?><\/script>/);
  }
  expect(errors).toEqual([]);
});
