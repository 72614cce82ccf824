// A visitor's journey through the real runtime in Chromium: exit intent to a modal promotion (dismissed, then
// converted), single-page-app navigation, a durable delay across pages, debug output and a sticky test variant.
import { expect, test, type Page } from '@playwright/test';
import {
  api,
  compile,
  consoleOf,
  emailModal,
  events,
  expectSegment,
  pageErrors,
  promotion,
  ready,
  recordEvents,
  serveBundle,
  storedState,
  waitForEvent,
  workflow,
} from './helpers/runtime.js';

const manual = (...ids: string[]) => ids.map((id) => ({ id, name: id, kind: 'manual' }));

/** The README's exit offer: exit intent after 2 s on a desktop -> modal -> converted: tag; dismissed: tag. */
function exitOffer(thanks: boolean) {
  return compile({
    workflows: [
      workflow(
        'exit-offer',
        [
          {
            id: 'leaving',
            kind: 'if',
            triggers: [{ on: 'exit_intent', minDwellSeconds: 2 }],
            conditions: { all: [{ field: 'device', op: 'equals', value: 'desktop' }, { field: 'attributes.email', op: 'unknown' }] },
          },
          { id: 'offer', kind: 'promotion', promotion: 'exit-10' },
          { id: 'subscribed', kind: 'segment', segment: 'subscribers', action: 'add' },
          { id: 'declined', kind: 'segment', segment: 'declined', action: 'add' },
        ],
        [
          ['leaving', 'then', 'offer'],
          ['offer', 'converted', 'subscribed'],
          ['offer', 'dismissed', 'declined'],
        ],
      ),
    ],
    promotions: [emailModal('exit-10', thanks)],
    segments: manual('subscribers', 'declined'),
  });
}

/** Moves the pointer into the page, then out through the top edge. */
async function leaveTop(page: Page) {
  await page.mouse.move(300, 200);
  await page.mouse.move(300, -1);
}

/** Opens the page with the exit offer, focuses the search box, and makes the visitor leave after the dwell. */
async function exitIntent(page: Page, thanks: boolean) {
  await page.clock.install();
  await serveBundle(page, exitOffer(thanks));
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await page.locator('#search').focus();
  // Leaving before the minimum dwell is not intent.
  await leaveTop(page);
  await page.waitForTimeout(200);
  await expect(promotion(page, 'exit-10')).toHaveCount(0);
  await page.clock.fastForward(2500);
  await leaveTop(page);
  await expect(promotion(page, 'exit-10')).toHaveCount(1);
  await waitForEvent(page, 'promotion_shown', { promotion: 'exit-10', workflow: 'exit-offer' });
}

test('exit intent shows an accessible modal; Escape dismisses it and focus goes back', async ({ page }) => {
  const errors = pageErrors(page);
  await exitIntent(page, false);
  const host = promotion(page, 'exit-10');
  const shape = await host.evaluate((el) => ({
    open: el.shadowRoot !== null && el.shadowRoot.mode === 'open',
    dialogs: el.shadowRoot?.querySelectorAll('[role="dialog"]').length,
    modal: el.shadowRoot?.querySelector('[role="dialog"]')?.getAttribute('aria-modal'),
    label: el.shadowRoot?.querySelector('[role="dialog"]')?.getAttribute('aria-labelledby'),
  }));
  expect(shape).toEqual({ open: true, dialogs: 1, modal: 'true', label: expect.any(String) });
  await expect(page.getByRole('dialog', { name: 'Before you go: 10% off' })).toBeVisible();
  // Focus moved into the dialog: the document's active element is the host, the shadow root's is the email field.
  await expect
    .poll(() => page.evaluate(() => (document.activeElement as HTMLElement | null)?.shadowRoot?.activeElement?.getAttribute('type') ?? document.activeElement?.id))
    .toBe('email');
  await page.keyboard.press('Escape');
  await expect(host).toHaveCount(0);
  const closed = await waitForEvent(page, 'promotion_closed', { promotion: 'exit-10' });
  expect(closed.workflow).toBe('exit-offer');
  await expectSegment(page, 'declined');
  expect(await api(page, (w) => w.segments.has('subscribers'))).toBe(false);
  expect((await events(page, 'exited'))[0]).toMatchObject({ workflow: 'exit-offer', step: 'declined' });
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');
  expect(await events(page, 'promotion_converted')).toEqual([]);
  expect(errors).toEqual([]);
});

test('submitting the email converts: event, visitor attribute, and the next Segment step', async ({ page }) => {
  const errors = pageErrors(page);
  await exitIntent(page, true);
  const email = page.locator('[data-workflows-promotion="exit-10"] input[type="email"]');
  // An invalid address is not a conversion.
  await email.fill('not an email');
  await page.getByRole('button', { name: 'Send my code' }).click();
  await page.waitForTimeout(200);
  expect(await events(page, 'promotion_converted')).toEqual([]);
  await email.fill('ann@example.com');
  await page.getByRole('button', { name: 'Send my code' }).click();
  const converted = await waitForEvent(page, 'promotion_converted', { promotion: 'exit-10' });
  expect(converted.workflow).toBe('exit-offer');
  await expectSegment(page, 'subscribers');
  expect(await api(page, (w) => w.segments.has('declined'))).toBe(false);
  // The thank-you step is on screen after the conversion.
  await expect(page.getByRole('dialog')).toContainText('STAY10');
  const state = await storedState(page);
  expect(state?.attrs.email).toBe('ann@example.com');
  expect(state?.promos['exit-10']?.converted.all_time).toBe(1);
  expect(errors).toEqual([]);
});

test('SPA navigation: pushState, popstate (back) and workflows.page() are page views', async ({ page }) => {
  const errors = pageErrors(page);
  const view = (id: string, conditions: unknown) =>
    workflow(id, [{ id: 'view', kind: 'if', triggers: [{ on: 'page_view' }], conditions }, { id: 'tag', kind: 'segment', segment: id, action: 'add' }], [['view', 'then', 'tag']]);
  await serveBundle(
    page,
    compile({
      workflows: [
        view('checkout', { field: 'path', op: 'equals', value: '/app/checkout' }),
        view('back-home', { all: [{ field: 'path', op: 'equals', value: '/test/runtime.html' }, { field: 'pageviews', op: 'gte', value: 3 }] }),
        view('api-page', { field: 'pageviews', op: 'gte', value: 4 }),
      ],
      segments: manual('checkout', 'back-home', 'api-page'),
    }),
  );
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await page.waitForTimeout(200);
  expect(await api(page, (w) => w.segments.list())).toEqual([]);
  // A router moves to another view: a page view on a new path.
  await page.evaluate(() => history.pushState({}, '', '/app/checkout'));
  await expectSegment(page, 'checkout');
  expect(await api(page, (w) => w.segments.list())).toEqual(['checkout']);
  // A pushState to the same URL is not a page view, nor is going back to that same URL.
  await page.evaluate(() => history.pushState({ again: 1 }, '', '/app/checkout'));
  await page.goBack();
  expect(new URL(page.url()).pathname).toBe('/app/checkout');
  // Back button again: popstate to the first path, the third page view.
  await page.goBack();
  expect(new URL(page.url()).pathname).toBe('/test/runtime.html');
  await expectSegment(page, 'back-home');
  expect(await api(page, (w) => w.segments.has('api-page'))).toBe(false);
  await api(page, (w) => w.page());
  await expectSegment(page, 'api-page');
  const state = await storedState(page);
  expect(state?.session.pageviews).toBe(4);
  expect(errors).toEqual([]);
});

test('a 30 s Delay survives navigation: the promotion shows on the next page when due', async ({ page }) => {
  const errors = pageErrors(page);
  await page.clock.install();
  await serveBundle(
    page,
    compile({
      workflows: [
        workflow(
          'later',
          [
            { id: 'wait', kind: 'delay', mode: 'duration', duration: { amount: 30, unit: 'seconds' } },
            { id: 'offer', kind: 'promotion', promotion: 'later-bar' },
          ],
          [['wait', 'next', 'offer']],
        ),
      ],
      promotions: [{ id: 'later-bar', name: 'Later', kind: 'slide_in', steps: [{ id: 's', blocks: [{ kind: 'text', text: 'Still here?' }, { kind: 'close' }] }] }],
    }),
  );
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await waitForEvent(page, 'enrolled', { workflow: 'later' });
  const wake = (await storedState(page))?.cursors.find((c) => c.wf === 'later')?.wake;
  expect(wake).toBeGreaterThan(Date.now() - 60_000);
  await page.clock.fastForward(10_000);
  await page.locator('#next').click();
  await page.waitForURL('**/runtime-b.html');
  await ready(page);
  // Not due yet on the second page.
  await page.clock.fastForward(10_000);
  await page.waitForTimeout(200);
  await expect(promotion(page, 'later-bar')).toHaveCount(0);
  await page.clock.fastForward(15_000);
  await expect(promotion(page, 'later-bar')).toHaveCount(1);
  await expect(promotion(page, 'later-bar')).toContainText('Still here?');
  const shown = await waitForEvent(page, 'promotion_shown', { promotion: 'later-bar' });
  expect(shown.at).toBeGreaterThanOrEqual(wake!);
  // Enrolled once, on the first page: the second page resumed the same enrollment.
  expect(await events(page, 'enrolled')).toEqual([]);
  expect(errors).toEqual([]);
});

test('debug mode (?workflows_debug=1) says why a workflow did not start; without it, nothing is logged', async ({ page }) => {
  const bundle = compile({
    workflows: [
      workflow('gated', [{ id: 'gate', kind: 'if', conditions: { field: 'path', op: 'equals', value: '/pricing' } }, { id: 'tag', kind: 'segment', segment: 'gated', action: 'add' }], [['gate', 'then', 'tag']]),
      workflow(
        'on-signup',
        [{ id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'signup' }], conditions: { field: 'attributes.plan', op: 'equals', value: 'pro' } }, { id: 'tag', kind: 'segment', segment: 'gated', action: 'add' }],
        [['wait', 'then', 'tag']],
      ),
    ],
    segments: manual('gated'),
  });
  await serveBundle(page, bundle);
  let log = consoleOf(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await api(page, (w) => w.track('signup'));
  await page.waitForTimeout(200);
  expect(log.filter((m) => m.text.includes('[workflows]'))).toEqual([]);

  await page.goto('/test/runtime.html?workflows_debug=1');
  await ready(page);
  await api(page, (w) => w.track('signup'));
  await expect.poll(() => log.map((m) => m.text).join('\n')).toMatch(/\[workflows\] gated: not started: (.*gate"? not met|not this page)/);
  await expect.poll(() => log.map((m) => m.text).join('\n')).toMatch(/\[workflows\] on-signup: .*conditions not met/);
  expect(await api(page, (w) => w.segments.has('gated'))).toBe(false);
});

test('a multivariate test keeps the visitor in one variant across reloads; variant_assigned is emitted once', async ({ page }) => {
  const errors = pageErrors(page);
  await serveBundle(
    page,
    compile({
      workflows: [
        workflow(
          'hero-test',
          [
            { id: 'split', kind: 'split', test: 'hero', variants: [{ id: 'a', weight: 50 }, { id: 'b', weight: 50 }] },
            { id: 'tag-a', kind: 'segment', segment: 'saw-a', action: 'add' },
            { id: 'tag-b', kind: 'segment', segment: 'saw-b', action: 'add' },
          ],
          [
            ['split', 'a', 'tag-a'],
            ['split', 'b', 'tag-b'],
          ],
          // A new enrollment on every page load, so every load passes the split again.
          { reenroll: { mode: 'page' } },
        ),
      ],
      segments: manual('saw-a', 'saw-b'),
    }),
  );
  await recordEvents(page);
  const taken: string[] = [];
  let assigned = 0;
  for (let load = 0; load < 4; load++) {
    if (load) await page.reload();
    else await page.goto('/test/runtime.html');
    await ready(page);
    const step = await waitForEvent(page, 'step', { workflow: 'hero-test', from: 'split' });
    taken.push(String(step.port));
    assigned += (await events(page, 'variant_assigned')).length;
  }
  expect(new Set(taken).size).toBe(1);
  expect(['a', 'b']).toContain(taken[0]);
  expect(assigned).toBe(1);
  const state = await storedState(page);
  expect(state?.variants.hero).toBe(taken[0]);
  expect(await api(page, (w) => w.segments.list())).toEqual([`saw-${taken[0]}`]);
  expect(errors).toEqual([]);
});

// FIXME(runtime/engine.ts, pageView): the condition context is built before refreshSegments() and reused for
// the start steps, so a start condition on a rule segment entered on this very page view sees the old
// segments ("welcome: not started: gate not met"); the workflow starts one page view late.
test('a start condition sees the rule segments entered on the same page view', async ({ page }) => {
  await serveBundle(
    page,
    compile({
      workflows: [
        workflow(
          'welcome',
          [{ id: 'gate', kind: 'if', conditions: { field: 'segments', op: 'contains', value: 'landed' } }, { id: 'tag', kind: 'segment', segment: 'welcomed', action: 'add' }],
          [['gate', 'then', 'tag']],
        ),
      ],
      segments: [{ id: 'landed', name: 'landed', kind: 'rule', rule: { field: 'pageviews', op: 'gte', value: 1 } }, ...manual('welcomed')],
    }),
  );
  await page.goto('/test/runtime.html');
  await ready(page);
  await expectSegment(page, 'landed');
  await expectSegment(page, 'welcomed');
});

test('a promotion that comes due in a hidden tab waits until the page is in view, and only then counts as seen', async ({ page }) => {
  const errors = pageErrors(page);
  // The tab's visibility, under the test's control (a headless page is always in view).
  await page.addInitScript(() => {
    let hidden = false;
    Object.defineProperty(document, 'hidden', { get: () => hidden, configurable: true });
    Object.defineProperty(document, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible'), configurable: true });
    (window as any).__setHidden = (h: boolean) => ((hidden = h), document.dispatchEvent(new Event('visibilitychange')));
  });
  await serveBundle(
    page,
    compile({
      workflows: [
        workflow('on-go', [{ id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'go' }] }, { id: 'offer', kind: 'promotion', promotion: 'back-bar' }], [['wait', 'then', 'offer']]),
      ],
      promotions: [{ id: 'back-bar', name: 'Back', kind: 'slide_in', steps: [{ id: 's', blocks: [{ kind: 'text', text: 'Welcome back' }, { kind: 'close' }] }] }],
    }),
  );
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await page.evaluate(() => (window as any).__setHidden(true));
  await page.evaluate(() => window.workflows!.track('go'));
  await waitForEvent(page, 'step', { workflow: 'on-go', step: 'offer' });
  await page.waitForTimeout(300);
  await expect(promotion(page, 'back-bar')).toHaveCount(0);
  expect(await events(page, 'promotion_shown')).toEqual([]);
  expect((await storedState(page))?.cursors.find((c) => c.wf === 'on-go')?.shown).toBeUndefined();
  await page.evaluate(() => (window as any).__setHidden(false));
  await expect(promotion(page, 'back-bar')).toContainText('Welcome back');
  await waitForEvent(page, 'promotion_shown', { promotion: 'back-bar', workflow: 'on-go' });
  expect(errors).toEqual([]);
});
