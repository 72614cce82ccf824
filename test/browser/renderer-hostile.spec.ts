/**
 * The promotion renderer on host pages that fight embedded widgets: CSS that moves or covers fixed elements,
 * focus traps and key handlers, narrow (zoomed) viewports, a strict CSP. What renderer.spec.ts already covers
 * (page CSS reaching into the shadow root, XSS in texts) is not repeated here.
 */
import { expect, test, type Page } from '@playwright/test';
import { box, host, offer, open, show } from './helpers/renderer.js';

const overlays = [offer(), offer({ id: 's', kind: 'slide_in' }), offer({ id: 'b', kind: 'bar' })];

for (const css of ['body { transform: scale(0.5); overflow: hidden }', 'body { filter: saturate(1) }']) {
  test(`overlays stay on the viewport under \`${css}\`, above what the page adds later`, async ({ page }) => {
    await page.setViewportSize({ width: 800, height: 600 });
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await open(page);
    // A transform or filter on the body makes it the containing block of position:fixed descendants.
    await page.addStyleTag({ content: css });
    await page.evaluate(() => scrollTo(0, 500));
    for (const p of overlays) await show(page, p);
    const vw = await page.evaluate(() => document.documentElement.clientWidth);
    const m = await box(page);
    expect([m.x + m.width / 2, m.y + m.height / 2, m.width].map(Math.round)).toEqual([vw / 2, 300, 480]);
    const s = await box(page, 's');
    expect([vw - s.x - s.width, 600 - s.y - s.height]).toEqual([16, 16]);
    expect(await box(page, 'b')).toMatchObject({ x: 0, y: 0, width: vw });

    // A header with the highest z-index, added after the promotions showed (a late theme script, a chat widget).
    await page.evaluate(() => {
      const h = document.body.appendChild(document.createElement('header'));
      h.style.cssText = 'position:fixed;top:0;left:0;right:0;height:120px;background:red;z-index:2147483647';
    });
    for (const id of ['p', 'b']) {
      const x = (await host(page, id).locator('.x').boundingBox())!;
      expect(await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.getAttribute('data-workflows-promotion'), [x.x + x.width / 2, x.y + x.height / 2])).toBe(id);
    }
    // The slide-in is not modal: the page around it still takes clicks.
    await page.evaluate(() => {
      document.body.lastElementChild!.remove();
      for (const id of ['p', 'b']) (window as any).__renderer.hide(id);
      document.querySelector('#start')!.addEventListener('click', () => ((window as any).__clicked = true));
    });
    await page.locator('#start').click({ timeout: 2000 });
    expect(await page.evaluate(() => (window as any).__clicked)).toBe(true);
  });
}

test('a modal dialog the page has open stays above the promotion and usable; the promotion works once it closes', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await open(page);
  await page.evaluate(() => {
    const d = document.body.appendChild(document.createElement('dialog'));
    d.innerHTML = '<p>Your cart</p><button id="shut" type="button">Close cart</button>';
    d.querySelector('button')!.onclick = () => d.close();
    d.showModal();
  });
  const dialog = (await page.locator('dialog').boundingBox())!;
  const before = await page.screenshot({ clip: dialog });
  await show(page, offer());
  await expect(page.getByRole('dialog', { name: 'Hello friend' })).toBeAttached();
  // The page's dialog makes the rest of the page inert: on top of it, the promotion would hide it and not respond.
  expect((await page.screenshot({ clip: dialog })).equals(before)).toBe(true);
  await page.getByRole('button', { name: 'Close cart' }).click({ timeout: 2000 });
  await page.getByRole('button', { name: 'No thanks' }).click({ timeout: 2000 });
  await expect(host(page)).toHaveCount(0);
});

test('without the Popover API, overlays fall back to their z-index, with no error', async ({ page }) => {
  await open(page);
  await page.evaluate(() => delete (HTMLElement.prototype as any).showPopover);
  await show(page, offer());
  await expect(page.getByRole('dialog', { name: 'Hello friend' })).toBeVisible();
  expect(await host(page).evaluate((h) => [h.getAttribute('popover'), getComputedStyle(h.shadowRoot!.querySelector('.w')!).zIndex])).toEqual([null, '2147483647']);
  expect(await page.evaluate(() => (window as any).__log)).toEqual([['seen', null]]);
});

/** The focused element, looking into a promotion's shadow root: its text, its type, or the page element's id. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const a = document.activeElement;
    const i = a?.shadowRoot?.activeElement as HTMLElement | null | undefined;
    return i ? i.textContent || i.getAttribute('type') : a?.id;
  });

test('keyboard: the page’s own focus trap, key shortcuts and Escape handler do not take the dialog’s keys', async ({ page }) => {
  await open(page);
  await page.evaluate(() => {
    const main = document.querySelector('main')!;
    main.insertAdjacentHTML('afterbegin', '<input id="search" aria-label="Search">');
    const start = document.querySelector<HTMLElement>('#start')!;
    // A capturing key listener that only watches, as the runtime's inactivity sensor does: it still sees keys.
    (window as any).__keys = 0;
    document.addEventListener('keydown', () => (window as any).__keys++, true);
    // A drawer's focus trap as focus-trap libraries do it: capturing focusin and Tab on the document.
    document.addEventListener('focusin', (e) => main.contains(e.target as Node) || (e.stopImmediatePropagation(), start.focus()), true);
    document.addEventListener('keydown', (e) => e.key == 'Tab' && !main.contains(e.target as Node) && (e.preventDefault(), start.focus()), true);
    // The page's own Escape handler, which keeps the key to itself.
    document.addEventListener('keydown', (e) => e.key == 'Escape' && e.stopImmediatePropagation(), true);
    // A "/" shortcut to the search box, skipped while typing in a field (the event's target is our host, a div).
    document.addEventListener('keydown', (e) => e.key == '/' && !(e.target instanceof HTMLInputElement) && (e.preventDefault(), document.getElementById('search')!.focus()));
    start.focus();
  });
  await show(page, offer());
  await expect.poll(() => focused(page)).toBe('email');
  await page.keyboard.type('a/b@example.com');
  expect(await focused(page)).toBe('email');
  await expect(page.getByLabel('Email')).toHaveValue('a/b@example.com');
  expect(await page.evaluate(() => (window as any).__keys)).toBeGreaterThanOrEqual(15);
  for (const name of ['Join', 'No thanks', '×', 'email']) {
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe(name);
  }
  await page.keyboard.press('Shift+Tab');
  expect(await focused(page)).toBe('×');
  await page.keyboard.press('Escape');
  await expect(host(page)).toHaveCount(0);
  expect(await focused(page)).toBe('start');
});

// 320 CSS px is the width WCAG's reflow criterion asks for: a 1280 px window zoomed to 400% (or a small phone).
for (const [kind, extra] of [
  ['modal', {}],
  ['slide_in', {}],
  ['bar', {}],
  ['fullscreen', {}],
  ['inline', { placement: { selector: '#slot' } }],
  ['teaser', { teaser: { text: 'Open ' + 'W'.repeat(200) } }],
] as const) {
  test(`at 320 px wide, long unbroken words wrap and the close button stays on screen: ${kind}`, async ({ page }) => {
    await page.setViewportSize({ width: 320, height: 480 });
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await open(page);
    const long = 'W'.repeat(200);
    await show(page, offer({ kind, ...extra }, [
      { kind: 'heading', text: 'Hello ' + long },
      { kind: 'text', text: 'See https://example.com/' + long },
      { kind: 'coupon', code: 'C' + long },
      { kind: 'button', text: 'Join ' + long, action: 'submit' },
    ]));
    const x = (await host(page).locator('.x').boundingBox())!;
    expect(x.x).toBeGreaterThanOrEqual(0);
    expect(x.x + x.width).toBeLessThanOrEqual(320);
    // Nothing wider than its box: no text cut off at the edge or left behind a sideways scroll.
    const wide = await host(page).evaluate((h) =>
      [...h.shadowRoot!.querySelectorAll(':not(.hp, .hp *)')].filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).display != 'inline').map((e) => e.tagName + '.' + e.className),
    );
    expect(wide).toEqual([]);
  });
}

test.describe('strict CSP (style-src without unsafe-inline)', () => {
  const CSP = "default-src 'self'; style-src 'self'";
  /** A page served with the CSP; `before` runs first (from a same-origin script, as the CSP asks). */
  async function strict(page: Page, before = ''): Promise<string[]> {
    const refused: string[] = [];
    page.on('console', (m) => /Content Security Policy/.test(m.text()) && refused.push(m.text()));
    await page.route('**/test/strict.js', (r) => r.fulfill({ contentType: 'text/javascript', body: before }));
    await page.route('**/test/strict.html', (r) =>
      r.fulfill({
        contentType: 'text/html',
        headers: { 'Content-Security-Policy': CSP },
        body: '<!doctype html><html lang="en"><head><title>Strict</title><script src="/test/strict.js"></script><script src="/test/renderer.js"></script></head><body><main><div id="slot"></div></main></body></html>',
      }),
    );
    await page.goto('/test/strict.html');
    await page.waitForFunction(() => (window as any).__renderer);
    return refused;
  }

  test('every kind renders styled, inline sizes and the theme included, with nothing refused', async ({ page }) => {
    const refused = await strict(page);
    const blocks = [{ kind: 'heading', text: 'Hi' }, { kind: 'spacer', size: 40 }, { kind: 'close' }];
    const kinds = { modal: 'fixed', slide_in: 'fixed', bar: 'fixed', fullscreen: 'fixed', inline: 'relative', teaser: 'fixed' };
    for (const kind of Object.keys(kinds)) {
      await show(page, offer({ id: kind, kind, theme: { background: '#fdf6e3' }, placement: { selector: '#slot' }, teaser: { text: 'Tab' } }, blocks));
      await expect(host(page, kind)).toHaveCount(1);
    }
    const looks = await page.evaluate((ids) =>
      ids.map((id) => {
        const r = document.querySelector(`[data-workflows-promotion="${id}"]`)!.shadowRoot!;
        return [getComputedStyle(r.querySelector('.w')!).position, getComputedStyle(r.querySelector('.p,.t button')!).backgroundColor, r.querySelector<HTMLElement>('.p > form > div')?.offsetHeight];
      }),
      Object.keys(kinds),
    );
    expect(looks).toEqual(Object.values(kinds).map((position, i) => (i == 5 ? [position, 'rgb(26, 86, 219)', undefined] : [position, 'rgb(253, 246, 227)', 40])));
    expect(refused).toEqual([]);
  });

  test('where constructed stylesheets are missing, the refused <style> dismisses the promotion with a clear error', async ({ page }) => {
    // As in browsers before constructed stylesheets (Safari before 16.4): the renderer falls back to a <style>.
    const refused = await strict(page, 'window.CSSStyleSheet = function () { throw new TypeError("Illegal constructor") };');
    await show(page, offer());
    await expect.poll(() => page.evaluate(() => (window as any).__log)).toContainEqual(['outcome', { outcome: 'dismissed' }]);
    expect(refused).toHaveLength(1);
    await expect(host(page)).toHaveCount(0);
    // Not seen (no impression of an unstyled promotion), and the reason is said.
    expect(await page.evaluate(() => (window as any).__log)).toEqual([
      ['error', expect.stringMatching(/Content-Security-Policy.*style-src/)],
      ['outcome', { outcome: 'dismissed' }],
    ]);
  });
});
