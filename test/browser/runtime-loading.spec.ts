// The script tag as a site owner pastes it: the snippet's queue, a double paste, the globals it leaves, and a
// bundle that cannot be loaded. The real runtime (dist/workflows.js) against bundles compiled in the test.
import { expect, test, type Page } from '@playwright/test';
import { compile, consoleOf, events, expectSegment, pageErrors, ready, recordEvents, serveBundle, workflow } from './helpers/runtime.js';

/** Two workflows waiting on custom events, and one started by every page view. */
const bundle = compile({
  workflows: [
    workflow('on-first', [{ id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'first' }] }, { id: 'tag', kind: 'segment', segment: 'first', action: 'add' }], [['wait', 'then', 'tag']]),
    workflow('on-second', [{ id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'second' }] }, { id: 'tag', kind: 'segment', segment: 'second', action: 'add' }], [['wait', 'then', 'tag']]),
    workflow('on-view', [{ id: 'view', kind: 'if', triggers: [{ on: 'page_view' }] }, { id: 'tag', kind: 'segment', segment: 'viewed', action: 'add' }], [['view', 'then', 'tag']]),
  ],
  segments: ['first', 'second', 'viewed', 'queued'].map((id) => ({ id, name: id, kind: 'manual' })),
});

test('calls queued by the snippet before the script loads are replayed in order', async ({ page }) => {
  const errors = pageErrors(page);
  await serveBundle(page, bundle);
  await recordEvents(page);
  await page.addInitScript(() => {
    // The documented snippet, as a page writes it before the async tag has run.
    const w = ((window as any).workflows = (window as any).workflows || []);
    w.push(['track', 'first']);
    w.push(['segments.add', 'queued']);
    w.push(['track', 'second']);
    (window as any).__queuedType = Array.isArray(w) ? 'array' : typeof w;
  });
  await page.goto('/test/runtime.html');
  expect(await page.evaluate(() => (window as any).__queuedType)).toBe('array');
  expect(await ready(page)).toEqual({ workflows: 3, hash: bundle.hash });
  await expectSegment(page, 'second');
  const order = (await events(page, 'enrolled')).map((e) => e.workflow);
  expect(order.filter((w) => w !== 'on-view')).toEqual(['on-first', 'on-second']);
  expect(await page.evaluate(() => window.workflows!.segments.list())).toEqual(expect.arrayContaining(['first', 'queued', 'second', 'viewed']));
  // After load, push() keeps working as the API.
  await page.evaluate(() => window.workflows!.push(['segments.remove', 'queued']));
  await expectSegment(page, 'queued', false);
  expect(errors).toEqual([]);
});

test('a queued identify is applied before a queued track is evaluated', async ({ page }) => {
  // The usual snippet: who the visitor is, then what they did. A workflow conditioned on the attribute must see it.
  await serveBundle(
    page,
    compile({
      workflows: [
        workflow(
          'pro-signup',
          [
            { id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'signup' }], conditions: { field: 'attributes.plan', op: 'equals', value: 'pro' } },
            { id: 'tag', kind: 'segment', segment: 'pro', action: 'add' },
          ],
          [['wait', 'then', 'tag']],
        ),
      ],
      segments: [{ id: 'pro', name: 'pro', kind: 'manual' }],
    }),
  );
  await recordEvents(page);
  await page.addInitScript(() => {
    const w = ((window as any).workflows = (window as any).workflows || []);
    w.push(['identify', { plan: 'pro' }]);
    w.push(['track', 'signup']);
  });
  await page.goto('/test/runtime.html');
  await ready(page);
  await expectSegment(page, 'pro');
});

test('loading the script twice is harmless: one window.workflows, one bundle fetch, one page view', async ({ page }) => {
  const errors = pageErrors(page);
  await serveBundle(page, bundle);
  await recordEvents(page);
  await page.addInitScript(() => {
    // Count every assignment of window.workflows after the snippet's.
    let value = (window as any).workflows;
    (window as any).__sets = 0;
    Object.defineProperty(window, 'workflows', {
      configurable: true,
      get: () => value,
      set: (v) => ((window as any).__sets++, (value = v)),
    });
  });
  const bundleFetches: string[] = [];
  const scriptRuns: string[] = [];
  page.on('request', (r) => {
    const p = new URL(r.url()).pathname;
    if (p === '/test/bundle-e2e.json') bundleFetches.push(r.url());
    if (p === '/workflows.js') scriptRuns.push(r.url());
  });
  await page.goto('/test/runtime-twice.html');
  expect(await page.locator('script[src="/workflows.js"]').count()).toBe(2);
  expect(await ready(page)).toEqual({ workflows: 3, hash: bundle.hash });
  await expectSegment(page, 'viewed');
  // Let the second copy finish whatever it would do.
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as any).__sets)).toBe(1);
  expect(bundleFetches).toHaveLength(1);
  expect((await events(page, 'enrolled')).map((e) => e.workflow)).toEqual(['on-view']);
  expect(errors).toEqual([]);
});

test('the runtime adds no global but window.workflows (and the documented dataLayer and symbol key)', async ({ page }) => {
  await serveBundle(page, bundle);
  await page.addInitScript(() => {
    (window as any).__before = Reflect.ownKeys(window);
  });
  await page.goto('/test/runtime.html');
  await ready(page);
  await expectSegment(page, 'viewed');
  const added = await page.evaluate(() => {
    const before = new Set<PropertyKey>((window as any).__before);
    return Reflect.ownKeys(window)
      .filter((k) => !before.has(k) && k !== '__before')
      .map(String);
  });
  // dataLayer: the runtime creates it when the page has none (docs/triggers.md, "The data layer"). The symbol is
  // how a second copy of the script finds the first (docs/runtime.md): no page name can meet it.
  expect(added.sort()).toEqual(['Symbol(workflows)', 'dataLayer', 'workflows']);
});

test('a bundle URL that 404s leaves the page working, with one console warning and ready resolving with an error', async ({ page }) => {
  const errors = pageErrors(page);
  const messages = consoleOf(page);
  await page.goto('/test/runtime-404.html');
  const info = (await ready(page)) as { workflows: number; hash: string; error?: string };
  expect(info).toEqual({ workflows: 0, hash: '', error: expect.stringMatching(/bundle-missing\.json.*404/) });
  // The page's own script still works, and API calls resolve without throwing.
  await page.locator('#buy').click();
  await expect(page.locator('#clicks')).toHaveText('1');
  const calls = await page.evaluate(async () => {
    const w = window.workflows!;
    return [await w.track('x'), await w.enroll('nope'), await w.page(), w.segments.has('x'), await w.segments.add('y')];
  });
  expect(calls).toEqual([undefined, false, undefined, false, undefined]);
  const warnings = messages.filter((m) => m.type === 'warning');
  expect(warnings).toHaveLength(1);
  expect(warnings[0]!.text).toContain('[workflows] could not load /test/bundle-missing.json: HTTP 404');
  expect(errors).toEqual([]);
});

for (const [what, body, reason] of [
  ['an HTML error page answered with 200', '<!doctype html><h1>Something went wrong</h1>', /not valid JSON/],
  ['a truncated bundle', JSON.stringify(bundle).slice(0, 120), /JSON/],
  ['a bundle of a later compiled version', JSON.stringify({ ...bundle, version: bundle.version + 1 }), new RegExp(`compiled bundle version ${bundle.version + 1}, this runtime reads version ${bundle.version}`)],
  ['a bundle whose workflows is not a list', JSON.stringify({ ...bundle, workflows: { 'on-view': {} } }), /not a compiled bundle/],
] as const)
  test(`${what}: ready resolves naming the URL and why, one warning, nothing thrown, and the API answers`, async ({ page }) => {
    const errors = pageErrors(page);
    const messages = consoleOf(page);
    await page.addInitScript(() => {
      (window as any).__rejections = [];
      addEventListener('unhandledrejection', (e) => (window as any).__rejections.push(String(e.reason)));
    });
    await page.route('**/test/bundle-e2e.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', body }));
    await page.goto('/test/runtime.html');
    const info = await ready(page);
    expect(info).toEqual({ workflows: 0, hash: '', error: expect.stringMatching(/^could not load \/test\/bundle-e2e\.json: /) });
    expect(info.error).toMatch(reason);
    const calls = await page.evaluate(async () => {
      const w = window.workflows!;
      return [await w.track('first'), await w.enroll('on-first'), await w.identify({ a: 1 }), w.segments.list()];
    });
    expect(calls).toEqual([undefined, false, undefined, []]);
    expect(messages.filter((m) => m.type === 'warning').map((m) => m.text)).toEqual([`[workflows] ${info.error}`]);
    expect(await page.evaluate(() => (window as any).__rejections)).toEqual([]);
    expect(errors).toEqual([]);
  });

test('a script tag injected later by a loader, from a folder of its own and with no attribute, finds its chunks beside it', async ({ page }) => {
  // A tag manager adds the tag after load: the bundle is the default /workflows.json, the chunks live under /cdn/v1/.
  const errors = pageErrors(page);
  const clicked = compile({
    workflows: [workflow('on-click', [{ id: 'click', kind: 'if', triggers: [{ on: 'click', selector: '#buy' }] }, { id: 'tag', kind: 'segment', segment: 'clicked', action: 'add' }], [['click', 'then', 'tag']])],
    segments: [{ id: 'clicked', name: 'clicked', kind: 'manual' }],
  });
  await page.route('**/workflows.json', (route) => route.fulfill({ json: clicked }));
  await page.route('**/cdn/v1/**', (route) => {
    const file = new URL(route.request().url()).pathname.replace('/cdn/v1/', 'dist/');
    return route.fulfill({ path: file, contentType: 'text/javascript' });
  });
  await page.route('**/test/injected.html', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><meta charset="utf-8"><title>Injected</title><button id="buy">Buy</button>
<script>addEventListener('load', () => setTimeout(() => { const s = document.createElement('script'); s.src = '/cdn/v1/workflows.js'; document.head.append(s); }, 50));</script>`,
    }),
  );
  const chunks: string[] = [];
  page.on('request', (r) => r.url().includes('/chunks/') && chunks.push(new URL(r.url()).pathname));
  const sensors = page.waitForResponse('**/cdn/v1/chunks/sensors.js*');
  await page.goto('/test/injected.html');
  expect(await ready(page)).toEqual({ workflows: 1, hash: clicked.hash });
  // A click made while the sensors chunk is still on its way is missed (docs/runtime.md): click once it is watched.
  await sensors;
  await expect(async () => {
    await page.locator('#buy').click();
    expect(await page.evaluate(() => window.workflows!.segments.has('clicked'))).toBe(true);
  }).toPass({ timeout: 5000 });
  expect(chunks).toEqual(['/cdn/v1/chunks/sensors.js']);
  expect(errors).toEqual([]);
});

test('an empty data-workflows attribute loads the default /workflows.json, not the page itself', async ({ page }) => {
  const errors = pageErrors(page);
  await page.route('**/workflows.json', (route) => route.fulfill({ json: bundle }));
  await page.route('**/shop/empty-attribute.html', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>Shop</title><script async src="/workflows.js" data-workflows></script>' }),
  );
  await page.goto('/shop/empty-attribute.html');
  expect(await ready(page)).toEqual({ workflows: 3, hash: bundle.hash });
  await expectSegment(page, 'viewed');
  expect(errors).toEqual([]);
});

test('an idle page runs no timer: once the events are handled and the state written, nothing is left scheduled', async ({ page }) => {
  await serveBundle(page, bundle);
  // Every timer the page sets, by id, until it fires or is cleared (the test's own polling sets none in the page).
  await page.addInitScript(() => {
    const live = new Set<number>();
    const { setTimeout: st, clearTimeout: ct, setInterval: si, clearInterval: ci } = window;
    (window as any).__live = live;
    window.setTimeout = ((fn: () => void, ms?: number, ...a: unknown[]) => {
      const id: number = st(() => (live.delete(id), typeof fn == 'function' && fn(...(a as []))), ms);
      live.add(id);
      return id;
    }) as typeof setTimeout;
    window.clearTimeout = ((id: number) => (live.delete(id), ct(id))) as typeof clearTimeout;
    window.setInterval = ((fn: () => void, ms?: number) => {
      const id = si(fn, ms);
      live.add(id);
      return id;
    }) as typeof setInterval;
    window.clearInterval = ((id: number) => (live.delete(id), ci(id))) as typeof clearInterval;
  });
  await page.goto('/test/runtime.html');
  await ready(page);
  await page.evaluate(() => window.workflows!.track('first'));
  await expectSegment(page, 'first');
  // The write lease ends 5 s after the last change; after that the page must be silent.
  await expect.poll(() => page.evaluate(() => (window as any).__live.size), { timeout: 15_000, intervals: [500] }).toBe(0);
  await page.waitForTimeout(1000);
  expect(await page.evaluate(() => (window as any).__live.size)).toBe(0);
});

test('a bundle preloaded with <link rel="preload" as="fetch" crossorigin> is downloaded once and used', async ({ page }) => {
  // The documented head: the browser fetches the bundle while it downloads the script, and the runtime's own
  // request takes the preloaded response instead of a second download.
  const warnings = consoleOf(page);
  const errors = pageErrors(page);
  await serveBundle(page, bundle);
  await page.route('**/test/preload.html', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><head><meta charset="utf-8"><title>Preload</title>
<link rel="preload" href="/test/bundle-e2e.json" as="fetch" crossorigin>
<script async src="/workflows.js" data-workflows="/test/bundle-e2e.json"></script></head><body><h1>Preload</h1></body></html>`,
    }),
  );
  const fetched: string[] = [];
  page.on('request', (r) => r.url().endsWith('/test/bundle-e2e.json') && fetched.push(r.url()));
  await page.goto('/test/preload.html');
  expect(await ready(page)).toEqual({ workflows: 3, hash: bundle.hash });
  await expectSegment(page, 'viewed');
  expect(fetched).toHaveLength(1);
  // Chromium warns when a preload goes unused (a mode or credentials mismatch with the runtime's fetch).
  await page.waitForTimeout(3500); // the warning comes a few seconds after load
  expect(warnings.filter((m) => /preload/i.test(m.text))).toEqual([]);
  expect(errors).toEqual([]);
});

test.describe('the device a condition sees', () => {
  // One workflow per device value: the segment the visitor lands in names the device the runtime classified.
  const byDevice = compile({
    workflows: ['desktop', 'mobile', 'tablet'].map((device) =>
      workflow(`is-${device}`, [{ id: 'gate', kind: 'if', conditions: { field: 'device', op: 'equals', value: device } }, { id: 'tag', kind: 'segment', segment: device, action: 'add' }], [['gate', 'then', 'tag']]),
    ),
    segments: ['desktop', 'mobile', 'tablet'].map((id) => ({ id, name: id, kind: 'manual' })),
  });
  const MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
  const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
  for (const [name, ua, touch, screen, want] of [
    ['a Mac', MAC, 0, { width: 1440, height: 900 }, 'desktop'],
    ['an iPad asking for the desktop site (Mac user agent, touch points)', MAC, 5, { width: 820, height: 1180 }, 'tablet'],
    ['an iPhone', IPHONE, 5, { width: 390, height: 844 }, 'mobile'],
    ['an iPhone asking for the desktop site (Mac user agent, touch points, a phone screen)', MAC, 5, { width: 390, height: 844 }, 'mobile'],
    ['a desktop browser in a narrow window', MAC, 0, { width: 1440, height: 900 }, 'desktop'],
  ] as const) {
    test(`${name}: ${want}`, async ({ browser }) => {
      const context = await browser.newContext({ userAgent: ua, screen, viewport: name.includes('narrow') ? { width: 380, height: 700 } : screen });
      const page = await context.newPage();
      await page.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'maxTouchPoints', { get: () => n }), touch);
      await serveBundle(page, byDevice);
      await page.goto('/test/runtime.html');
      await ready(page);
      await expectSegment(page, want);
      expect(await page.evaluate(() => window.workflows!.segments.list())).toEqual([want]);
      await context.close();
    });
  }
});

/** The page's data layer: which workflows the runtime enrolled, when there is no API to ask. */
const enrolledInDataLayer = (page: Page) =>
  page.evaluate(() => ((window as any).dataLayer ?? []).filter((e: any) => e.event === 'workflows.enrolled').map((e: any) => e.workflows.workflow));

for (const [name, claim, left] of [
  ['read-only', () => Object.defineProperty(window, 'workflows', { value: { own: 'the page' }, writable: false, configurable: false }), { own: 'the page' }],
  ['getter-only', () => Object.defineProperty(window, 'workflows', { get: () => ({ own: 'the page' }), configurable: true }), { own: 'the page' }],
  // Nothing there yet, but the name cannot be assigned: the assignment itself fails.
  ['read-only and empty', () => Object.defineProperty(window, 'workflows', { value: undefined, writable: false, configurable: false }), undefined],
] as const)
  test(`a page whose window.workflows is ${name} keeps it: nothing thrown, one warning, and the workflows still run`, async ({ page }) => {
    const errors = pageErrors(page);
    const messages = consoleOf(page);
    await serveBundle(page, bundle);
    await page.addInitScript(claim);
    await page.goto('/test/runtime.html');
    // Without the API, the data layer tells that the page view ran.
    await expect.poll(() => enrolledInDataLayer(page)).toEqual(['on-view']);
    expect(await page.evaluate(() => (window as any).workflows)).toEqual(left);
    const warnings = messages.filter((m) => m.type === 'warning').map((m) => m.text);
    expect(warnings).toEqual([expect.stringMatching(/^\[workflows\] cannot set window\.workflows: /)]);
    expect(errors).toEqual([]);
  });

/** A CMS's own workflow module, named as ours and with a `ready` promise of its own. */
function pageOwnWorkflows() {
  const own = { ready: Promise.resolve('cms'), list: ['approve-post'], push: (x: unknown) => x };
  (window as any).workflows = own;
  (window as any).__own = own;
  (window as any).__ownKeys = Reflect.ownKeys(own).map(String);
}

test("a page's own window.workflows with a ready promise is kept, and the workflows run without the API", async ({ page }) => {
  const errors = pageErrors(page);
  const messages = consoleOf(page);
  await serveBundle(page, bundle);
  await page.addInitScript(pageOwnWorkflows);
  await page.goto('/test/runtime.html');
  await expect.poll(() => enrolledInDataLayer(page)).toEqual(['on-view']);
  // The very object the page made, untouched: no key added, none changed, its promise still its own.
  expect(
    await page.evaluate(async () => {
      const w = (window as any).workflows;
      return { same: w === (window as any).__own, keys: Reflect.ownKeys(w).map(String), before: (window as any).__ownKeys, ready: await w.ready };
    }),
  ).toEqual({ same: true, keys: ['ready', 'list', 'push'], before: ['ready', 'list', 'push'], ready: 'cms' });
  const warnings = messages.filter((m) => m.type === 'warning').map((m) => m.text);
  expect(warnings).toEqual(['[workflows] cannot set window.workflows: the page has its own']);
  expect(errors).toEqual([]);
});

test("our script twice on a page with its own window.workflows: one instance, one page view, one warning", async ({ page }) => {
  const errors = pageErrors(page);
  const messages = consoleOf(page);
  await serveBundle(page, bundle);
  await page.addInitScript(pageOwnWorkflows);
  const bundleFetches: string[] = [];
  page.on('request', (r) => new URL(r.url()).pathname === '/test/bundle-e2e.json' && bundleFetches.push(r.url()));
  await page.goto('/test/runtime-twice.html');
  await expect.poll(() => enrolledInDataLayer(page)).toEqual(['on-view']);
  // Let the second copy finish whatever it would do.
  await page.waitForTimeout(300);
  expect(await enrolledInDataLayer(page)).toEqual(['on-view']);
  expect(bundleFetches).toHaveLength(1);
  expect(await page.evaluate(() => (window as any).workflows === (window as any).__own)).toBe(true);
  expect(messages.filter((m) => m.type === 'warning').map((m) => m.text)).toEqual(['[workflows] cannot set window.workflows: the page has its own']);
  expect(errors).toEqual([]);
});

test('an element whose id is "workflows" is not the page\'s global: the API takes the name', async ({ page }) => {
  const messages = consoleOf(page);
  await serveBundle(page, bundle);
  // The browser shows the element as window.workflows until something is assigned to the name.
  await page.route('**/test/element-named-workflows.html', (r) =>
    r.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><section id="workflows">Our workflows</section><script src="/workflows.js" data-workflows="/test/bundle-e2e.json"></script>',
    }),
  );
  await page.goto('/test/element-named-workflows.html');
  expect(await ready(page)).toEqual({ workflows: 3, hash: bundle.hash });
  expect(await page.evaluate(() => document.getElementById('workflows')!.textContent)).toBe('Our workflows');
  expect(messages.filter((m) => m.type === 'warning')).toEqual([]);
});
