/**
 * The Preact promotion renderer in Chromium, driven directly through `window.__renderer` (fixtures/renderer.ts)
 * on examples/site/test/renderer.html.
 */
import { expect, test } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { box, host, human, log, offer, open, outcome, panel, show } from './helpers/renderer.js';

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));

test('every kind is placed where it belongs', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 800 });
  // Reduced motion: no entrance animation, so boxes are final at once.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await open(page);
  await show(page, offer());
  expect(await panel(page).evaluate((el) => getComputedStyle(el).animationName)).toBe('none');
  let b = await box(page);
  // Centred in the viewport (less the page's scrollbar).
  const vw = await page.evaluate(() => document.documentElement.clientWidth);
  expect(Math.abs(b.x + b.width / 2 - vw / 2)).toBeLessThan(2);
  expect(Math.abs(b.y + b.height / 2 - 400)).toBeLessThan(2);
  await expect(page.getByRole('dialog', { name: 'Hello friend' })).toBeVisible();
  await page.evaluate(() => (window as any).__renderer.hide('p'));
  await expect(host(page)).toHaveCount(0);
  expect(await outcome(page)).toEqual({ outcome: 'dismissed' });

  for (const position of ['top_left', 'top_right', 'bottom_left', 'bottom_right']) {
    await show(page, offer({ id: position, kind: 'slide_in', placement: { position } }));
    b = await box(page, position);
    expect(position.includes('left') ? b.x : vw - b.x - b.width).toBe(16);
    expect(position.includes('top') ? b.y : 800 - b.y - b.height).toBe(16);
    // Not a modal: no dialog role, the page stays usable.
    await expect(page.locator(`[data-workflows-promotion="${position}"] [role="dialog"]`)).toHaveCount(0);
  }
  for (const position of ['top', 'bottom']) {
    await show(page, offer({ id: 'bar' + position, kind: 'bar', placement: { position } }));
    b = await box(page, 'bar' + position);
    expect([b.x, b.width, position == 'top' ? b.y : 800 - b.y - b.height]).toEqual([0, vw, 0]);
  }
  await show(page, offer({ id: 'full', kind: 'fullscreen' }));
  const wrap = await page.locator('[data-workflows-promotion="full"] .w').boundingBox();
  expect(wrap).toEqual({ x: 0, y: 0, width: vw, height: 800 });
  await expect(page.getByRole('dialog', { name: 'Hello friend' })).toBeVisible();
});

test('inline embeds go before, after or inside the target, and come back after a re-render', async ({ page }) => {
  await open(page);
  for (const insert of ['before', 'after', 'inside']) {
    await show(page, offer({ id: insert, kind: 'inline', placement: { selector: '#slot', insert } }));
    await expect(host(page, insert)).toHaveCount(1);
  }
  const where = () =>
    page.evaluate(() => {
      const s = document.querySelector('#slot')!;
      return [s.previousElementSibling?.getAttribute('data-workflows-promotion'), s.nextElementSibling?.getAttribute('data-workflows-promotion'), s.lastElementChild?.getAttribute('data-workflows-promotion')];
    });
  expect(await where()).toEqual(['before', 'after', 'inside']);
  // A single-page app renders the section again: a new #slot replaces the old one.
  await page.evaluate(() => (document.querySelector('#app')!.innerHTML = '<div id="slot"><p>New content</p></div>'));
  await expect.poll(where).toEqual(['before', 'after', 'inside']);
  // Impressions: inline embeds in view count as seen.
  await page.locator('#after').scrollIntoViewIfNeeded();
  await expect.poll(async () => (await log(page)).filter(([n]) => n == 'seen').length).toBe(3);
  // A target that appears later.
  await show(page, offer({ id: 'later', kind: 'inline', placement: { selector: '#late', insert: 'inside' } }));
  await page.evaluate(() => document.querySelector('main')!.insertAdjacentHTML('afterbegin', '<div id="late"></div>'));
  await expect(page.locator('#late [data-workflows-promotion="later"]')).toHaveCount(1);
});

test('overlay kinds shift nothing (CLS 0); a push bar moves the page down instead', async ({ page }) => {
  await open(page);
  await page.waitForTimeout(300);
  for (const p of [offer({ id: 'm' }), offer({ id: 's', kind: 'slide_in' }), offer({ id: 'b', kind: 'bar', placement: { position: 'top' } }), offer({ id: 'bb', kind: 'bar', placement: { position: 'bottom' } })]) {
    await show(page, p);
  }
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as any).__cls)).toBe(0);
  const y0 = (await page.locator('#start').boundingBox())!.y;
  await show(page, offer({ id: 'push', kind: 'bar', placement: { position: 'top', push: true } }));
  await expect(host(page, 'push')).toHaveCount(1);
  expect(await page.evaluate(() => document.body.firstElementChild?.getAttribute('data-workflows-promotion'))).toBe('push');
  const bar = (await box(page, 'push')).height;
  expect((await page.locator('#start').boundingBox())!.y).toBeCloseTo(y0 + bar, 0);
});

test('a hostile host stylesheet does not reach the promotion', async ({ page }) => {
  await open(page, '?hostile');
  await show(page, offer());
  const dialog = page.getByRole('dialog', { name: 'Hello friend' });
  await expect(dialog).toBeVisible();
  const look = await page.locator('[data-workflows-promotion="p"] button[type="submit"]').evaluate((el) => {
    const s = getComputedStyle(el);
    const w = getComputedStyle(el.closest('.w')!);
    const h = getComputedStyle((el.getRootNode() as ShadowRoot).host);
    return [s.fontSize, s.color, s.display, w.position, w.zIndex, h.display, h.opacity, h.visibility];
  });
  expect(look).toEqual(['16px', 'rgb(255, 255, 255)', 'block', 'fixed', '2147483647', 'block', '1', 'visible']);
  await page.getByRole('button', { name: 'No thanks' }).click();
  expect(await outcome(page)).toEqual({ outcome: 'dismissed' });
});

test('keyboard: focus moves in, is trapped, Escape closes and focus returns', async ({ page }) => {
  await open(page);
  await page.locator('#start').focus();
  await show(page, offer());
  const active = () => page.evaluate(() => (document.activeElement?.shadowRoot?.activeElement as HTMLElement | null)?.textContent || document.activeElement?.shadowRoot?.activeElement?.getAttribute('type') || document.activeElement?.id);
  await expect.poll(active).toBe('email');
  await page.keyboard.press('Tab');
  expect(await active()).toBe('Join');
  await page.keyboard.press('Tab');
  expect(await active()).toBe('No thanks');
  await page.keyboard.press('Tab');
  expect(await active()).toBe('×');
  await page.keyboard.press('Tab');
  expect(await active()).toBe('email');
  await page.keyboard.press('Shift+Tab');
  expect(await active()).toBe('×');
  await page.keyboard.press('Escape');
  await expect(host(page)).toHaveCount(0);
  expect(await active()).toBe('start');
  expect(await outcome(page)).toEqual({ outcome: 'dismissed' });
});

test('forms: inline accessible validation, kept input, values with E.164 phone and consent, then the next step', async ({ page }) => {
  await open(page);
  await show(page, offer({}, [
    { kind: 'heading', text: 'Join' },
    { kind: 'email', required: true, label: 'Email' },
    { kind: 'phone', label: 'Phone', country: 'GB' },
    { kind: 'text_field', name: 'first_name', label: 'First name' },
    { kind: 'select', name: 'size', label: 'Size', options: [{ value: 's', label: 'Small' }, { value: 'm', label: 'Medium' }] },
    { kind: 'checkbox', name: 'vip', label: 'VIP' },
    { kind: 'consent', text: 'I agree to texts. [Terms](/terms)', channel: 'sms', required: true },
    { kind: 'button', text: 'Join', action: 'submit' },
  ]));
  await human(page);
  const email = page.getByLabel('Email');
  await email.fill('not-an-email');
  await page.getByLabel('Phone').fill('12');
  await page.getByLabel('First name').fill('Ann');
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  const described = await email.getAttribute('aria-describedby');
  await expect(page.locator(`[data-workflows-promotion="p"] #${described}`)).toHaveText('Enter a valid email address.');
  await expect(page.getByLabel('Phone')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Please tick this box.')).toBeVisible();
  // Focus goes to the first invalid field; what was typed stays.
  expect(await email.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);
  await expect(page.getByLabel('First name')).toHaveValue('Ann');
  expect(await log(page)).not.toContainEqual(['outcome', expect.anything()]);
  await email.fill('ann@example.com');
  await page.getByLabel('Phone').fill('07911 123456');
  await page.getByLabel('Size').selectOption('m');
  await page.getByLabel('VIP').check();
  await page.locator('[data-workflows-promotion="p"] .ck').last().locator('input').check();
  await page.getByRole('button', { name: 'Join' }).click();
  const o = await outcome(page);
  expect(o).toEqual({
    outcome: 'converted',
    values: { email: 'ann@example.com', phone: '+447911123456', first_name: 'Ann', size: 'm', vip: true, consent_sms: true, consent_sms_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
  });
  // The next step (the coupon) is shown; the promotion stays until closed.
  await expect(page.locator('[data-workflows-promotion="p"] .cp')).toHaveText('WELCOME10');
  expect(await log(page)).toContainEqual(['step', { step: 'thanks' }]);
});

test('duplicate submits are ignored; bots (honeypot, instant scripted submit) are dismissed without values', async ({ page }) => {
  await open(page);
  const one = { id: 'one', name: 'One', kind: 'modal', steps: [{ id: 's', blocks: [{ kind: 'email' }, { kind: 'button', text: 'Go', action: 'submit' }] }] };
  await show(page, one);
  await human(page);
  await page.getByRole('textbox').first().fill('a@b.co');
  await page.evaluate(() => {
    const b = document.querySelector('[data-workflows-promotion="one"]')!.shadowRoot!.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    b.click();
    b.click();
  });
  expect(await outcome(page)).toEqual({ outcome: 'converted', values: { email: 'a@b.co' } });
  expect((await log(page)).filter(([n]) => n == 'outcome')).toHaveLength(1);

  await page.reload();
  await page.waitForFunction(() => (window as any).__renderer);
  await show(page, one);
  // A script fills and submits at once: no trusted input, too fast.
  await page.evaluate(() => {
    const r = document.querySelector('[data-workflows-promotion="one"]')!.shadowRoot!;
    const i = r.querySelector<HTMLInputElement>('input[type="email"]')!;
    i.value = 'bot@spam.io';
    i.dispatchEvent(new Event('input', { bubbles: true }));
    r.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
  });
  expect(await outcome(page)).toEqual({ outcome: 'dismissed' });

  await show(page, one);
  await human(page);
  await page.getByRole('textbox').first().fill('a@b.co');
  await page.evaluate(() => (document.querySelector('[data-workflows-promotion="one"]')!.shadowRoot!.querySelector<HTMLInputElement>('.hp input')!.value = 'http://spam'));
  await page.getByRole('button', { name: 'Go' }).click();
  expect(await outcome(page)).toEqual({ outcome: 'dismissed' });
});

test('coupon: copy with feedback; a pool claims one code per visitor, with a fallback when it fails', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await open(page);
  await show(page, offer({}, [{ kind: 'coupon', code: 'SAVE{{n|5}}' }, { kind: 'button', text: 'Copy code', action: 'copy_coupon' }]));
  await page.getByRole('button', { name: 'Copy code' }).click();
  await expect(page.getByRole('status')).toHaveText('Copied!');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('SAVE{{n|5}}');

  const claims: unknown[] = [];
  await page.route('**/api/coupons/claim', (r) => (claims.push(r.request().postDataJSON()), r.fulfill({ json: { code: 'UNIQUE-1' } })));
  await show(page, offer({ id: 'pool' }, [{ kind: 'coupon', pool: 'spring' }]));
  await expect(page.locator('[data-workflows-promotion="pool"] .cp')).toHaveText('UNIQUE-1');
  expect(claims).toEqual([{ promotion: 'pool', visitor: 'v1' }]);
  await page.evaluate(() => (window as any).__renderer.hide('pool'));
  await show(page, offer({ id: 'pool' }, [{ kind: 'coupon', pool: 'spring' }]));
  await expect(page.locator('[data-workflows-promotion="pool"] .cp')).toHaveText('UNIQUE-1');
  expect(claims).toHaveLength(1);

  await page.route('**/api/coupons/claim', (r) => r.fulfill({ status: 404, body: 'nope' }));
  await show(page, offer({ id: 'pool2' }, [{ kind: 'coupon', pool: 'spring' }]));
  await expect(host(page, 'pool2')).toContainText('no code is available right now');
});

test('an evergreen countdown keeps its deadline across a navigation; a dated one counts to its date', async ({ page }) => {
  await page.clock.install({ time: new Date('2030-01-01T00:00:00Z') });
  await open(page);
  // Paused: on a busy machine seconds pass between showing and reading.
  await page.clock.pauseAt(new Date('2030-01-01T00:00:10Z'));
  const p = offer({ id: 'cd' }, [{ kind: 'countdown', minutes: 10 }, { kind: 'countdown', until: '2030-01-02T01:00:00Z' }]);
  await show(page, p);
  const timers = page.locator('[data-workflows-promotion="cd"] [role="timer"]');
  await expect(timers).toHaveText(['00:10:00', '1d 00:59:50']);
  await page.clock.runFor(125_000);
  await expect(timers.first()).toHaveText('00:07:55');
  await open(page, '?another-page');
  await show(page, p);
  await expect(timers.first()).toHaveText('00:07:55');
  await page.clock.runFor(8 * 60_000);
  await expect(timers.first()).toHaveText('00:00:00');
  // expired: "close" dismisses the promotion.
  await page.clock.resume();
  await show(page, offer({ id: 'cd' }, [{ kind: 'countdown', minutes: 10, expired: 'close' }]));
  await expect(host(page, 'cd')).toHaveCount(0);
  expect(await outcome(page)).toEqual({ outcome: 'dismissed' });
});

test('XSS payloads in text, attributes and links render inert', async ({ page }) => {
  await open(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.evaluate(() => ((window as any).__pwned = 0));
  const x = '<img src=x onerror="window.__pwned=1">';
  await show(
    page,
    offer({}, [
      { kind: 'heading', text: x + '{{name}}' },
      { kind: 'text', text: `${x} [click](javascript:window.__pwned=2) [data](data:text/html,hi) [ok](https://example.com/a) **<script>window.__pwned=3</script>**` },
      { kind: 'button', text: 'Go', action: 'url', url: 'javascript:window.__pwned=4' },
    ]),
    { name: '<svg onload="window.__pwned=5">' },
  );
  const r = host(page);
  await expect(r.locator('h2')).toHaveText(x + '<svg onload="window.__pwned=5">');
  expect(await r.locator('img, script, svg').count()).toBe(0);
  const links = await r.locator('a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.getAttribute('rel')]));
  expect(links).toEqual([['https://example.com/a', 'noopener']]);
  await page.getByRole('button', { name: 'Go' }).click();
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => (window as any).__pwned)).toBe(0);
  expect(errors).toEqual([]);
});

test('teaser: closing folds the promotion into a tab that reopens it; the outcome waits', async ({ page }) => {
  await open(page);
  await show(page, offer({ teaser: { text: 'Get 10% off', position: 'bottom_left' } }));
  await page.getByRole('button', { name: 'No thanks' }).click();
  const tab = page.getByRole('button', { name: 'Get 10% off' });
  await expect(tab).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  expect(await log(page)).not.toContainEqual(['outcome', expect.anything()]);
  await tab.click();
  await expect(page.getByRole('dialog', { name: 'Hello friend' })).toBeVisible();
  await human(page);
  await page.getByLabel('Email').fill('t@example.com');
  await page.getByLabel('Email').press('Enter');
  expect(await outcome(page)).toEqual({ outcome: 'converted', values: { email: 't@example.com' } });

  // A teaser kind starts as the tab; closing the tab dismisses.
  await show(page, offer({ id: 'tz', kind: 'teaser', teaser: { text: 'Psst' } }));
  await expect(page.getByRole('button', { name: 'Psst' })).toBeVisible();
  await page.locator('[data-workflows-promotion="tz"] .x').click();
  await expect(host(page, 'tz')).toHaveCount(0);
  expect(await outcome(page)).toEqual({ outcome: 'dismissed' });
});

test('on phones: mobile overrides, the interstitial-safe preset, and hidden', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await open(page);
  await show(page, offer({ kind: 'fullscreen', mobile: { safe: true } }));
  await expect(page.locator('[data-workflows-promotion="p"] [role="dialog"]')).toHaveCount(0);
  const vw = await page.evaluate(() => document.documentElement.clientWidth);
  const b = await box(page);
  expect([b.x, b.width, Math.round(b.y + b.height)]).toEqual([0, vw, 800]);
  await show(page, offer({ id: 'bar', kind: 'modal', mobile: { kind: 'bar', position: 'bottom' } }));
  const bb = await box(page, 'bar');
  expect([bb.x, bb.width, Math.round(bb.y + bb.height)]).toEqual([0, vw, 800]);
  await show(page, offer({ id: 'hid', mobile: { hidden: true } }));
  expect(await outcome(page)).toEqual({ outcome: 'dismissed' });
  await expect(host(page, 'hid')).toHaveCount(0);
});

for (const [kind, extra] of [
  ['modal', {}],
  ['slide_in', {}],
  ['bar', { placement: { position: 'bottom' } }],
  ['fullscreen', {}],
  ['inline', { placement: { selector: '#slot', insert: 'after' } }],
  ['teaser', { teaser: { text: 'Open offer' } }],
] as const) {
  test(`axe finds no violations: ${kind}`, async ({ page }) => {
    await open(page);
    await show(page, offer({ kind, ...extra }, [
      { kind: 'heading', text: 'Hello' },
      { kind: 'text', text: 'Some *text* and a [link](/x).\n- one\n- two' },
      { kind: 'image', src: '/favicon.svg', alt: 'Logo', width: 32, height: 32 },
      { kind: 'email', required: true, placeholder: 'you@example.com' },
      { kind: 'phone', label: 'Phone' },
      { kind: 'select', name: 'size', options: [{ value: 's', label: 'Small' }] },
      { kind: 'checkbox', name: 'vip', label: 'VIP' },
      { kind: 'consent', text: 'I agree' },
      { kind: 'countdown', minutes: 5 },
      { kind: 'coupon', code: 'X1' },
      { kind: 'spacer' },
      { kind: 'button', text: 'Join', action: 'submit' },
      { kind: 'close' },
    ]));
    await expect(host(page)).toHaveCount(1);
    if (kind == 'teaser') await page.getByRole('button', { name: 'Open offer' }).click();
    // Errors shown too: their colours must pass contrast as well.
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForTimeout(400);
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const r = await (window as any).axe.run({ include: [['[data-workflows-promotion="p"]']] });
      return r.violations.map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
    });
    expect(violations).toEqual([]);
  });
}
