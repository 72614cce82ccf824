/**
 * The runtime under the Content-Security-Policies real stores send, and served from another origin (a CDN): a
 * nonce-based strict policy, Trusted Types enforced, a style policy without 'self', a connect-src that refuses a
 * webhook's host, and the script, its chunks and the bundle on another origin with and without CORS. One bundle
 * throughout: a click trigger (the `sensors` chunk) showing a promotion (`promotions` and `renderer`), a webhook,
 * and an inline Code step (docs/runtime.md#content-security-policy says what each directive must allow).
 */
import { expect, test, type Page } from '@playwright/test';
import { CSP_BLOCKED, TT_BLOCKED } from '../../runtime/actions/code.js';
import { api, compile, consoleOf, events, expectSegment, pageErrors, promotion, ready, recordEvents, storedState, waitForEvent, workflow } from './helpers/runtime.js';
import { startServer, type TestServer } from './helpers/server.js';

declare global {
  interface Window {
    __csp: { directive: string; blocked: string }[];
  }
}

let site: TestServer;
let cdn: TestServer;
test.beforeAll(async () => {
  // Two origins: the store, and another port of 127.0.0.1 (another origin) as a CDN or a webhook's host.
  site = await startServer();
  cdn = await startServer();
});
test.afterAll(async () => {
  await site.close();
  await cdn.close();
});

const NONCE = 'r4nd0mN0nce';
const manual = (...ids: string[]) => ids.map((id) => ({ id, name: id, kind: 'manual' }));

/** The bundle of every case; the webhook goes to `hookOrigin` (which the bundle allows). */
function bundleFor(hookOrigin: string) {
  return compile({
    workflows: [
      workflow(
        'promo',
        [
          { id: 'clicked', kind: 'if', triggers: [{ on: 'click', selector: '#go' }] },
          { id: 'offer', kind: 'promotion', promotion: 'offer' },
          { id: 'yes', kind: 'segment', segment: 'converted', action: 'add' },
          { id: 'no', kind: 'segment', segment: 'dismissed', action: 'add' },
        ],
        [
          ['clicked', 'then', 'offer'],
          ['offer', 'converted', 'yes'],
          ['offer', 'dismissed', 'no'],
        ],
      ),
      workflow(
        'hook',
        [
          { id: 'asked', kind: 'if', triggers: [{ on: 'event', name: 'hook' }] },
          { id: 'send', kind: 'webhook', url: `${hookOrigin}/hook`, body: { visitor: '{{visitor.id}}' } },
          { id: 'ok', kind: 'segment', segment: 'hook-ok', action: 'add' },
          { id: 'failed', kind: 'segment', segment: 'hook-failed', action: 'add' },
        ],
        [
          ['asked', 'then', 'send'],
          ['send', 'ok', 'ok'],
          ['send', 'failed', 'failed'],
        ],
      ),
      workflow(
        'inline',
        [
          { id: 'asked', kind: 'if', triggers: [{ on: 'event', name: 'inline' }] },
          { id: 'run', kind: 'code', code: "ctx.segments.add('inline-ran')" },
          { id: 'failed', kind: 'segment', segment: 'inline-failed', action: 'add' },
        ],
        [
          ['asked', 'then', 'run'],
          ['run', 'failed', 'failed'],
        ],
      ),
    ],
    promotions: [
      {
        id: 'offer',
        name: 'Offer',
        kind: 'modal',
        theme: { background: '#fdf6e3' },
        steps: [
          {
            id: 's',
            blocks: [
              { kind: 'heading', text: 'Policy page' },
              { kind: 'email', required: true, placeholder: 'you@example.com' },
              { kind: 'button', text: 'Send my code', action: 'submit' },
              { kind: 'close', label: 'No thanks' },
            ],
          },
        ],
      },
    ],
    segments: manual('converted', 'dismissed', 'hook-ok', 'hook-failed', 'inline-ran', 'inline-failed'),
  });
}

interface Served {
  /** The page's Content-Security-Policy; none when absent. */
  csp?: string;
  /** Origin of `workflows.js`, its chunks and the bundle: the page's own by default. */
  from?: TestServer;
  /** Where the webhook goes: the page's own origin by default. */
  hook?: TestServer;
}

/**
 * Serves a store page (no inline script or style; the script tag carries the nonce) under `csp` and opens it,
 * recording public events, uncaught errors, the console, every policy violation and every chunk requested.
 */
async function open(page: Page, name: string, { csp, from = site, hook = site }: Served = {}) {
  const bundle = bundleFor(hook.origin);
  from.bundle(name, bundle);
  const path = `/test/csp-${name}.html`;
  const base = from == site ? '' : from.origin;
  site.page(
    path,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${name}</title>
<script async nonce="${NONCE}" src="${base}/workflows.js" data-workflows="${base}/test/bundle-${name}.json"></script></head>
<body><h1>Store</h1><button id="go" type="button">Show me</button></body></html>`,
  );
  site.headers(path, csp ? { 'Content-Security-Policy': csp } : {});
  const seen = { errors: pageErrors(page), console: consoleOf(page), chunks: [] as string[] };
  page.on('request', (r) => /\/chunks\//.test(r.url()) && seen.chunks.push(r.url().replace(/\?.*/, '')));
  await recordEvents(page);
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
    // When a click listener is first added: the click trigger is watched once the sensors chunk has arrived.
    const add = EventTarget.prototype.addEventListener;
    EventTarget.prototype.addEventListener = function (this: EventTarget, type: string, ...rest: any[]) {
      if (type == 'click') (window as any).__clickWatched = true;
      return add.call(this, type, ...(rest as [any, any]));
    };
  });
  await page.goto(site.origin + path);
  return { bundle, ...seen };
}

const violations = (page: Page) => page.evaluate(() => window.__csp);
/** Clicks the page's button once the click trigger is watched: a click while the sensors chunk is on its way is missed (docs/runtime.md). */
async function clickGo(page: Page) {
  await page.waitForFunction(() => (window as any).__clickWatched);
  await page.click('#go');
}
const chunkNames = (urls: string[]) => [...new Set(urls.map((u) => u.replace(/^.*\/chunks\/|\.js$/g, '')))].sort();

for (const [name, label, csp] of [
  ['nonce-strict', "Google's strict nonce policy", `script-src 'nonce-${NONCE}' 'strict-dynamic' https: 'unsafe-inline'; object-src 'none'; base-uri 'none'`],
  ['nonce-only', "a nonce policy without 'strict-dynamic'", `default-src 'self'; script-src 'nonce-${NONCE}'`],
] as const)
  test(`${label}: the chunks load through import(), the promotion works by keyboard, inline code says why not`, async ({ page }) => {
    const seen = await open(page, name, { csp });
    expect(await ready(page)).toEqual({ workflows: 3, hash: seen.bundle.hash });
    await clickGo(page);
    // The dialog takes focus on its first field; the visitor types, tabs to the button and submits with Enter.
    await expect(page.getByRole('dialog', { name: 'Policy page' })).toBeVisible();
    await page.keyboard.type('ann@example.com');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Send my code' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expectSegment(page, 'converted');
    await waitForEvent(page, 'promotion_converted', { promotion: 'offer' });

    await api(page, (w) => w.track('hook'));
    await expectSegment(page, 'hook-ok');
    const visitor = (await events(page))[0]!.visitor;
    expect(site.posts('/hook').filter((r) => JSON.parse(r.body).visitor == visitor)).toHaveLength(1);

    await api(page, (w) => w.track('inline'));
    await expectSegment(page, 'inline-failed');
    expect((await events(page, 'error')).map((e) => e.message)).toEqual([CSP_BLOCKED]);
    // import() inherits the script tag's nonce: every chunk loaded; the one violation is the inline code's eval.
    expect(chunkNames(seen.chunks)).toEqual(['actions', 'outbox', 'promotions', 'renderer', 'sensors']);
    expect(await violations(page)).toEqual([{ directive: 'script-src', blocked: 'eval' }]);
    expect(seen.errors).toEqual([]);
  });

for (const [name, label, scriptSrc, reason] of [
  ['tt-eval', "with 'unsafe-eval'", "script-src 'self' 'unsafe-eval'", TT_BLOCKED],
  // Both refuse it; the EvalError names the missing 'unsafe-eval' (and with it added, Trusted Types would say no).
  ['tt', 'without it', "script-src 'self'", CSP_BLOCKED],
] as const)
  test(`Trusted Types enforced (${label}): no sink of ours but the inline Code step's Function, which fails with the reason`, async ({ page }) => {
    const csp = `${scriptSrc}; require-trusted-types-for 'script'; trusted-types 'none'`;
    const seen = await open(page, name, { csp });
    await ready(page);
    await clickGo(page);
    await expect(page.getByRole('dialog', { name: 'Policy page' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expectSegment(page, 'dismissed');
    await api(page, (w) => w.track('hook'));
    await expectSegment(page, 'hook-ok');

    await api(page, (w) => w.track('inline'));
    await expectSegment(page, 'inline-failed');
    expect(await api(page, (w) => w.segments.has('inline-ran'))).toBe(false);
    expect((await events(page, 'error')).map((e) => e.message)).toEqual([reason]);
    expect(await violations(page)).toEqual([{ directive: 'require-trusted-types-for', blocked: 'trusted-types-sink' }]);
    expect(chunkNames(seen.chunks)).toEqual(['actions', 'outbox', 'promotions', 'renderer', 'sensors']);
    expect(seen.errors).toEqual([]);
  });

test("a style policy without 'self' or 'unsafe-inline': the promotion is styled by its constructed stylesheet", async ({ page }) => {
  const csp = `default-src 'self'; style-src 'nonce-${NONCE}'`;
  await open(page, 'style', { csp });
  await ready(page);
  await clickGo(page);
  const host = promotion(page, 'offer');
  await expect(page.getByRole('dialog', { name: 'Policy page' })).toBeVisible();
  const look = await host.evaluate((el) => {
    const panel = el.shadowRoot!.querySelector('[role="dialog"]')!;
    return { sheets: el.shadowRoot!.adoptedStyleSheets.length, styles: el.shadowRoot!.querySelectorAll('style').length, position: getComputedStyle(panel.parentElement!).position, background: getComputedStyle(panel).backgroundColor };
  });
  expect(look).toEqual({ sheets: 1, styles: 0, position: 'fixed', background: 'rgb(253, 246, 227)' });
  await page.getByRole('button', { name: 'No thanks' }).click();
  await expectSegment(page, 'dismissed');
  expect(await violations(page)).toEqual([]);
});

test("connect-src 'self' and a webhook to another allowed origin: failed port, the policy named, no retry", async ({ page }) => {
  const seen = await open(page, 'connect', { csp: "connect-src 'self'", hook: cdn });
  await ready(page);
  await api(page, (w) => w.track('hook'));
  await expectSegment(page, 'hook-failed');
  await waitForEvent(page, 'webhook_failed', { workflow: 'hook' });
  expect((await events(page, 'error')).map((e) => e.message)).toEqual([`the page's Content-Security-Policy refused ${cdn.origin} (allow it in connect-src)`]);
  // Given up at once: nothing left in the outbox to retry, on this page or the next, and one attempt only (a
  // retry would have come after 1 s).
  expect((await storedState(page))!.outbox).toEqual([]);
  await page.waitForTimeout(1500);
  expect(await violations(page)).toEqual([{ directive: 'connect-src', blocked: `${cdn.origin}/hook` }]);
  expect(cdn.posts('/hook')).toEqual([]);
  expect(seen.errors).toEqual([]);
});

test.describe('served from another origin (a CDN)', () => {
  const CORS = { 'Access-Control-Allow-Origin': '*' };
  test.afterEach(() => {
    cdn.headers('/chunks/', {});
    cdn.headers('/test/', {});
  });

  test('with Access-Control-Allow-Origin on the chunks and the bundle, under a policy that allows the CDN, all works', async ({ page }) => {
    cdn.headers('/chunks/', CORS);
    cdn.headers('/test/', CORS);
    const csp = `default-src 'self'; script-src 'self' ${cdn.origin}; connect-src 'self' ${cdn.origin}`;
    const seen = await open(page, 'cdn-cors', { csp, from: cdn });
    expect(await ready(page)).toEqual({ workflows: 3, hash: seen.bundle.hash });
    await clickGo(page);
    await expect(page.getByRole('dialog', { name: 'Policy page' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expectSegment(page, 'dismissed');
    await api(page, (w) => w.track('hook'));
    await expectSegment(page, 'hook-ok');
    expect(seen.chunks.every((u) => u.startsWith(cdn.origin + '/chunks/'))).toBe(true);
    expect(chunkNames(seen.chunks)).toEqual(['actions', 'outbox', 'promotions', 'renderer', 'sensors']);
    expect(await events(page, 'error')).toEqual([]);
    expect(await violations(page)).toEqual([]);
    expect(seen.errors).toEqual([]);
  });

  // The browser's own message is all a script is told ("Failed to fetch"); the cause is in the console beside ours.
  test('without it, the bundle does not load: said once, the browser naming the cause, and nothing thrown', async ({ page }) => {
    const seen = await open(page, 'cdn-bare', { from: cdn });
    const info = await ready(page);
    expect(info).toEqual({ workflows: 0, hash: '', error: `could not load ${cdn.origin}/test/bundle-cdn-bare.json: Failed to fetch` });
    await api(page, (w) => w.track('hook'));
    const ours = seen.console.filter((m) => m.text.startsWith('[workflows]') && m.type != 'info');
    expect(ours).toEqual([{ type: 'warning', text: `[workflows] ${info.error}` }]);
    expect(seen.console.some((m) => m.type == 'error' && m.text.includes('Access-Control-Allow-Origin'))).toBe(true);
    expect(seen.chunks).toEqual([]);
    expect(seen.errors).toEqual([]);
  });

  test('with it on the bundle only, each chunk that fails is reported with its URL; the rest runs', async ({ page }) => {
    cdn.headers('/test/', CORS);
    const seen = await open(page, 'cdn-chunks', { from: cdn });
    expect((await ready(page)).workflows).toBe(3);
    const url = (name: string) => expect.stringMatching(new RegExp(`^Failed to fetch dynamically imported module: ${cdn.origin}/chunks/${name}\\.js\\?v=\\S*$`));
    // The promotion's workflow is left out on this page; the webhook's step takes `failed`.
    expect((await events(page, 'error')).map((e) => e.message)).toEqual([url('promotions'), 'needs the promotions chunk, which did not load']);
    await api(page, (w) => w.track('hook'));
    await expectSegment(page, 'hook-failed');
    const error = await waitForEvent(page, 'error', { workflow: 'hook' });
    expect(error.message).toEqual(url('actions'));
    // Events, segments and the API go on without the chunks.
    await api(page, (w) => w.segments.add('converted'));
    await expectSegment(page, 'converted');
    expect(seen.errors).toEqual([]);
  });
});
