// The sensors on a real page in Chromium: every trigger kind, SPA navigation, the data layer, and no listener
// left behind after unwatching.
import { expect, test, type Page } from '@playwright/test';
import { S, errors, fired, frames, listeners, open, stopAll, watch, type Fired } from './helpers/sensors.js';

test('time_on_page fires once after its seconds', async ({ page }) => {
  await open(page);
  await watch(page, { on: 'time_on_page', seconds: 10 });
  await page.clock.fastForward(8000);
  expect(await fired(page)).toEqual([]);
  await page.clock.fastForward(2500);
  expect((await fired(page)).map((f) => f.on)).toEqual(['time_on_page']);
  await page.clock.fastForward(20000);
  expect(await fired(page)).toHaveLength(1);
  await stopAll(page);
});

test('time_on_site counts from the session start and fires soon when already past', async ({ page }) => {
  await open(page, '?session=120');
  await watch(page, { on: 'time_on_site', seconds: 60 });
  await watch(page, { on: 'time_on_site', seconds: 125 });
  await page.clock.fastForward(100);
  expect((await fired(page)).map((f) => f.id)).toEqual([1]);
  await page.clock.fastForward(5000);
  expect((await fired(page)).map((f) => f.id)).toEqual([1, 2]);
  await stopAll(page);
});

test('exit_intent on desktop: the pointer leaving through the top, only after the minimum dwell', async ({ page }) => {
  await open(page);
  await watch(page, { on: 'exit_intent', minDwellSeconds: 3, mobile: true });
  expect(await listeners(page)).toEqual({ 'document:mouseout': 1 }); // no touch: no mobile signals
  await page.mouse.move(400, 100);
  await page.mouse.move(400, -1);
  expect(await fired(page)).toEqual([]); // a fast move at load is not intent
  await page.mouse.move(400, 100);
  await page.mouse.move(400, 0); // the top edge itself fires no mouseout
  await page.clock.fastForward(3000);
  await page.mouse.move(400, 100);
  await page.mouse.move(-1, 100); // leaving through the side is not intent
  await page.mouse.move(400, 100);
  expect(await fired(page)).toEqual([]);
  await page.mouse.move(400, -1);
  expect((await fired(page)).map((f) => f.on)).toEqual(['exit_intent']);
  expect(await listeners(page)).toEqual({}); // fired once: detached
  await stopAll(page);
});

test.describe('on a phone', () => {
  test.use({ hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 } });

  test('exit_intent: a fast scroll up after scrolling down, and the tab becoming hidden', async ({ page }) => {
    await open(page);
    await page.clock.fastForward(5000); // past the dwell
    await watch(page, { on: 'exit_intent', minDwellSeconds: 3 });
    expect(await listeners(page)).toEqual({ 'document:mouseout': 1, 'document:touchmove': 1, 'document:scroll': 1, 'document:visibilitychange': 1 });
    // The visitor's finger moves the page (a touchmove, then the scroll).
    const scroll = async (y: number) => {
      await page.evaluate((v) => (document.dispatchEvent(new Event('touchmove')), scrollTo(0, v)), y);
      await frames(page);
    };
    await scroll(2000);
    await page.clock.fastForward(2000);
    // Slowly up (one step per second): reading back up is not intent.
    for (const y of [1800, 1600, 1400, 1200]) {
      await scroll(y);
      await page.clock.fastForward(1000);
    }
    expect(await fired(page)).toEqual([]);
    // Fast up: 400 px (more than 30% of 844) in four frames, measured from the first upward scroll event.
    await page.evaluate(async () => {
      for (const y of [1100, 1000, 900, 800, 700]) {
        document.dispatchEvent(new Event('touchmove'));
        scrollTo(0, y);
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      }
    });
    expect((await fired(page)).map((f) => f.on)).toEqual(['exit_intent']);

    await watch(page, { on: 'exit_intent' });
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { value: true, configurable: true });
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect((await fired(page)).map((f) => f.id)).toEqual([1, 2]);
    await stopAll(page);
  });

  test('exit_intent with mobile: false ignores the phone signals', async ({ page }) => {
    await open(page);
    await page.clock.fastForward(5000);
    await watch(page, { on: 'exit_intent', mobile: false });
    expect(await listeners(page)).toEqual({ 'document:mouseout': 1 });
    await stopAll(page);
  });
});

test('scroll_depth fires when the page is scrolled that deep, with one shared passive listener', async ({ page }) => {
  await open(page);
  await watch(page, { on: 'scroll_depth', percent: 50 });
  await watch(page, { on: 'scroll_depth', percent: 90 });
  await frames(page);
  expect(await listeners(page)).toEqual({ 'document:scroll': 1 });
  expect(await fired(page)).toEqual([]);
  await page.mouse.move(200, 200);
  await page.mouse.wheel(0, 1400);
  await page.waitForFunction(() => scrollY > 1000);
  await frames(page);
  expect((await fired(page)).map((f) => f.id)).toEqual([1]);
  await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
  // The scroll event and its animation frame may take a moment on a loaded machine.
  await expect.poll(async () => (await fired(page)).map((f) => f.id)).toEqual([1, 2]);
  expect(await listeners(page)).toEqual({});
  await stopAll(page);
});

test('scroll_depth fires at once on a page already scrolled that deep, never on one too short to scroll', async ({ page }) => {
  await open(page);
  await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
  await watch(page, { on: 'scroll_depth', percent: 100 });
  await frames(page);
  expect((await fired(page)).map((f) => f.on)).toEqual(['scroll_depth']);
  await stopAll(page);
  await open(page, '?short');
  await watch(page, { on: 'scroll_depth', percent: 10 });
  await frames(page);
  expect(await fired(page)).toEqual([]);
  await stopAll(page);
});

test('inactivity: no pointer, key or scroll for its seconds; activity restarts the count', async ({ page }) => {
  await open(page);
  await watch(page, { on: 'inactivity', seconds: 5 });
  await page.clock.fastForward(4000);
  await page.mouse.move(100, 100);
  await page.mouse.move(150, 120);
  await page.clock.fastForward(4000);
  await page.keyboard.press('Shift');
  await page.clock.fastForward(4000);
  expect(await fired(page)).toEqual([]);
  await page.clock.fastForward(1500);
  expect((await fired(page)).map((f) => f.on)).toEqual(['inactivity']);
  expect(await listeners(page)).toEqual({});
  await stopAll(page);
});

test('click: one delegated listener, a click on a nested child of the selector, and inside a shadow root', async ({ page }) => {
  await open(page);
  await watch(page, { on: 'click', selector: '#buy' });
  await watch(page, { on: 'click', selector: '.cta' });
  await watch(page, { on: 'click', selector: '.inner-cta' });
  expect(await listeners(page)).toEqual({ 'document:click': 1 });
  await page.click('#other');
  expect(await fired(page)).toEqual([]);
  await page.click('#buy b');
  await page.click('#buy .label');
  const f = await fired(page);
  expect(f.map((x) => x.id)).toEqual([1, 2, 1, 2]); // each occurrence
  expect(f[0]!.props).toEqual({ selector: '#buy', text: 'Add to cart' });
  await page.locator('shadow-box .inner-cta span').click();
  expect((await fired(page)).at(-1)).toMatchObject({ id: 3, props: { selector: '.inner-cta', text: 'Shadow' } });
  await stopAll(page);
});

test('element_visible: an element added after load, once it is half in view', async ({ page }) => {
  await open(page);
  await watch(page, { on: 'element_visible', selector: '.late', threshold: 0.5 });
  await page.evaluate(() => {
    const el = document.createElement('div');
    el.className = 'late';
    el.style.height = '200px';
    document.getElementById('bottom')!.append(el);
  });
  await frames(page);
  expect(await fired(page)).toEqual([]);
  await page.evaluate(() => document.querySelector('.late')!.scrollIntoView({ block: 'end' }));
  await expect.poll(async () => (await fired(page)).map((f) => f.on)).toEqual(['element_visible']);
  // Fired once: the observers are gone, and another element appearing changes nothing.
  await page.evaluate(() => document.getElementById('bottom')!.append(Object.assign(document.createElement('p'), { className: 'late', textContent: 'x' })));
  await frames(page);
  expect(await fired(page)).toHaveLength(1);
  await stopAll(page);
});

test('element_visible: an element already on the page', async ({ page }) => {
  await open(page);
  await watch(page, { on: 'element_visible', selector: '#buy' });
  await expect.poll(async () => (await fired(page)).length).toBe(1);
  await stopAll(page);
});

/**
 * A web component on the sensors page, after the `shadow-box` near the top (in view): a host with a shadow root
 * of `mode` holding `html`, or with `inner` (another such component) inside it. Returns nothing: the tests find it
 * again by its id.
 */
type Part = { id: string; mode: 'open' | 'closed'; html?: string; inner?: Part };
const component = (page: Page, part: Part) =>
  page.evaluate((p) => {
    const make = (q: Part): HTMLElement => {
      const host = document.createElement('section');
      host.id = q.id;
      const root = host.attachShadow({ mode: q.mode });
      root.innerHTML = q.html ?? '';
      if (q.inner) root.append(make(q.inner));
      (window as any)['__root_' + q.id] = root; // the test's handle, closed roots included
      return host;
    };
    document.getElementById('host')!.after(make(p));
  }, part);
/** Appends `html` to the shadow root of the component `id` (kept by `component`, or `shadow-box`'s own). */
const addToRoot = (page: Page, id: string, html: string) =>
  page.evaluate(
    ([i, h]) => ((window as any)['__root_' + i] ?? document.getElementById(i)!.shadowRoot!).append(document.createRange().createContextualFragment(h)),
    [id, html] as const,
  );
const shown = '<p style="height:40px">';

test('element_visible: an element already inside an open shadow root', async ({ page }) => {
  await open(page);
  // The page's `shadow-box` renders `.inner-cta` in its open shadow root; nothing in the document matches.
  expect(await page.evaluate(() => document.querySelectorAll('.inner-cta').length)).toBe(0);
  await watch(page, { on: 'element_visible', selector: '.inner-cta' });
  await expect.poll(async () => (await fired(page)).map((f) => f.on)).toEqual(['element_visible']);
  // Fired once: the observers are gone, the shadow root's included.
  expect(await listeners(page)).toEqual({});
  await stopAll(page);
});

test('element_visible: an element added later to an open shadow root, and a component added later that renders after a moment', async ({ page }) => {
  await open(page);
  await watch(page, { on: 'element_visible', selector: '.added' });
  await watch(page, { on: 'element_visible', selector: '.rendered' });
  await frames(page);
  // Each watcher observes the document, the shadow root it found, and no element yet.
  expect(await listeners(page)).toEqual({ 'observer:document': 2, 'observer:shadow': 2 });
  expect(await fired(page)).toEqual([]);
  await addToRoot(page, 'host', `${shown}<span class="added">Added</span></p>`);
  await expect.poll(async () => (await fired(page)).map((f) => f.id)).toEqual([1]);
  // A component whose shadow root is attached when it is added and filled a moment later (as Lit renders).
  await component(page, { id: 'later', mode: 'open' });
  await frames(page);
  expect((await fired(page)).map((f) => f.id)).toEqual([1]);
  await addToRoot(page, 'later', `${shown}<b class="rendered">Rendered</b></p>`);
  await expect.poll(async () => (await fired(page)).map((f) => f.id)).toEqual([1, 2]);
  expect(await listeners(page)).toEqual({});
  await stopAll(page);
});

test('element_visible: an element two open shadow roots deep, there at the start or added later', async ({ page }) => {
  await open(page);
  await component(page, { id: 'outer', mode: 'open', inner: { id: 'inner', mode: 'open', html: `${shown}<i class="deep-now">Deep</i></p>` } });
  await watch(page, { on: 'element_visible', selector: '.deep-now' });
  await watch(page, { on: 'element_visible', selector: '.deep-later' });
  await expect.poll(async () => (await fired(page)).map((f) => f.id)).toEqual([1]);
  await addToRoot(page, 'inner', `${shown}<i class="deep-later">Later</i></p>`);
  await expect.poll(async () => (await fired(page)).map((f) => f.id)).toEqual([1, 2]);
  await stopAll(page);
});

/** Puts an element `tag` on the page, not yet defined; `define(tag)` later gives it an open shadow root with `html`. */
const undefinedComponent = (page: Page, tag: string) =>
  page.evaluate((t) => document.getElementById('host')!.after(document.createElement(t)), tag);
const define = (page: Page, tag: string, html: string) =>
  page.evaluate(
    ([t, h]) =>
      customElements.define(
        t,
        class extends HTMLElement {
          constructor() {
            super();
            this.attachShadow({ mode: 'open' }).innerHTML = h;
          }
        },
      ),
    [tag, html] as const,
  );

test('element_visible: a component defined after the step started waiting (a deferred theme script) is looked into then', async ({ page }) => {
  await open(page);
  await undefinedComponent(page, 'late-box');
  await watch(page, { on: 'element_visible', selector: '.late-cta' });
  await frames(page);
  expect(await fired(page)).toEqual([]);
  await define(page, 'late-box', `${shown}<b class="late-cta">Late</b></p>`);
  await expect.poll(async () => (await fired(page)).map((f) => f.on)).toEqual(['element_visible']);
  expect(await listeners(page)).toEqual({});
  // One that stopped waiting first: its definition arriving later leaves nothing observing.
  await undefinedComponent(page, 'later-box');
  await watch(page, { on: 'element_visible', selector: '.later-cta' });
  await frames(page);
  await page.evaluate(`${S}.stopAll()`);
  await define(page, 'later-box', `${shown}<b class="later-cta">Later</b></p>`);
  await frames(page);
  expect(await listeners(page)).toEqual({});
  expect((await fired(page)).map((f) => f.on)).toEqual(['element_visible']);
  await stopAll(page);
});

test('element_visible: an element in a closed shadow root is never seen; the same in an open one is', async ({ page }) => {
  await open(page);
  await component(page, { id: 'closed', mode: 'closed', html: `${shown}<span class="in-closed">Closed</span></p>` });
  await component(page, { id: 'open', mode: 'open', html: `${shown}<span class="in-open">Open</span></p>` });
  await watch(page, { on: 'element_visible', selector: '.in-closed' });
  await watch(page, { on: 'element_visible', selector: '.in-open' });
  await expect.poll(async () => (await fired(page)).map((f) => f.id)).toEqual([2]);
  // Added to the closed root later: still unseen (the page's handle reaches it; the sensors cannot).
  await addToRoot(page, 'closed', `${shown}<span class="in-closed">Closed too</span></p>`);
  await frames(page);
  await page.waitForTimeout(200);
  expect((await fired(page)).map((f) => f.id)).toEqual([2]);
  // The waiting watcher observes only what it can see: the document and the open roots (shadow-box's, #open's).
  expect(await listeners(page)).toEqual({ 'observer:document': 1, 'observer:shadow': 2 });
  await stopAll(page);
});

test('element_visible with a selector this browser cannot parse: reported once, and nothing left observing', async ({ page }) => {
  await open(page);
  // A namespace prefix with no @namespace: every browser refuses it.
  await watch(page, { on: 'element_visible', selector: 'svg|a' });
  for (let i = 0; i < 5; i++) {
    await page.evaluate(() => document.body.append(document.createElement('p')));
    await frames(page);
  }
  expect(await errors(page)).toHaveLength(1);
  expect(await fired(page)).toEqual([]);
  await page.evaluate(`${S}.stopAll()`);
  expect(await listeners(page)).toEqual({});
});

test('form_submitted: field values by name, never passwords, hidden or card fields', async ({ page }) => {
  await open(page);
  await watch(page, { on: 'form_submitted', selector: '#signup' });
  await watch(page, { on: 'form_submitted' });
  expect(await listeners(page)).toEqual({ 'document:submit': 1, 'document:focusin': 1, 'document:click': 1 });
  await page.click('#search button');
  await page.click('#signup button');
  const f = await fired(page);
  expect(f.map((x) => x.id)).toEqual([2, 1, 2]);
  expect(f[0]!.props).toEqual({ q: 'mugs' });
  expect(f[1]!.props).toEqual({ email: 'ann@example.com', first_name: 'Ann', newsletter: 'yes', size: 'M' });
  await stopAll(page);
});

test('onPageHide: the tab becoming hidden', async ({ page }) => {
  await open(page);
  await page.evaluate(`${S}.pageHide()`);
  expect(await listeners(page)).toEqual({ 'window:pagehide': 1, 'document:visibilitychange': 1 });
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { value: true, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  expect(await page.evaluate(`${S}.hides.length`)).toBe(1);
  await stopAll(page);
});

test.describe('watchNavigation', () => {
  const routes = (page: Page) => page.evaluate(`${S}.routes.map((u) => u.replace(location.origin, ''))`) as Promise<string[]>;
  const steps = async (page: Page) => {
    await page.evaluate(`${S}.navigation()`);
    await page.evaluate(() => history.pushState({}, '', '/test/sensors.html?a'));
    await page.evaluate(() => history.pushState({}, '', '/test/sensors.html?a')); // same URL: no route change
    await page.evaluate(() => history.replaceState({}, '', '/test/sensors.html?b'));
    await page.evaluate(() => (location.hash = 'top'));
    await page.goBack(); // popstate to ?b
    await page.waitForFunction(() => location.hash === '');
  };

  test('with the Navigation API', async ({ page }) => {
    await open(page);
    expect(await page.evaluate(() => typeof (window as any).navigation)).toBe('object');
    await steps(page);
    await expect.poll(() => routes(page)).toEqual(['/test/sensors.html?a', '/test/sensors.html?b', '/test/sensors.html?b#top', '/test/sensors.html?b']);
    expect(await errors(page)).toEqual([]);
  });

  test('without it: patched history, popstate and hashchange', async ({ page }) => {
    await open(page, '?nonav');
    const base = '/test/sensors.html?nonav';
    await page.evaluate(`${S}.navigation()`);
    expect(await listeners(page)).toEqual({ 'window:popstate': 1, 'window:hashchange': 1 });
    await page.evaluate((b) => history.pushState({}, '', b + '&a'), base);
    await page.evaluate((b) => history.pushState({}, '', b + '&a'), base);
    await page.evaluate((b) => history.replaceState({}, '', b + '&b'), base);
    await page.evaluate(() => (location.hash = 'top'));
    await page.goBack();
    await expect.poll(() => routes(page)).toEqual([`${base}&a`, `${base}&b`, `${base}&b#top`, `${base}&b`]);
    expect(await errors(page)).toEqual([]);
  });

  test("wraps the page's own pushState wrapper", async ({ page }) => {
    await open(page, '?wrap');
    await page.evaluate(`${S}.navigation()`);
    await page.evaluate(() => history.pushState({ n: 1 }, '', '/test/sensors.html?wrap&x'));
    expect(await page.evaluate(() => [(window as any).__pageWrapperCalls, history.state.n])).toEqual([1, 1]);
    expect(await routes(page)).toEqual(['/test/sensors.html?wrap&x']);
    expect(await errors(page)).toEqual([]);
  });

  test('a frozen history: polls location every second', async ({ page }) => {
    await open(page, '?frozen');
    await page.evaluate(`${S}.navigation()`);
    await page.evaluate(() => history.pushState({}, '', '/test/sensors.html?frozen&x'));
    expect(await routes(page)).toEqual([]);
    await page.clock.fastForward(1000);
    expect(await routes(page)).toEqual(['/test/sensors.html?frozen&x']);
    expect(await errors(page)).toEqual([]);
  });
});

test('watchDataLayer: replays earlier entries, reports pushes and recognises GA4 commerce events', async ({ page }) => {
  await open(page, '?datalayer');
  await page.evaluate(`${S}.dataLayer()`);
  const n = await page.evaluate(() => (window as any).dataLayer.push({ event: 'purchase', ecommerce: { transaction_id: 'T1', value: 30, currency: 'USD', items: [{ item_id: 'mug', quantity: 2, price: 15 }] } }));
  expect(n).toBe(3);
  const pushes = (await page.evaluate(`${S}.pushes`)) as { entry: any; commerce: any }[];
  expect(pushes.map((p) => p.entry.event)).toEqual(['gtm.js', 'view_item', 'purchase']);
  expect(pushes[0]!.commerce).toBeUndefined();
  expect(pushes[1]!.commerce).toMatchObject({ name: 'view_item', props: { value: 30, items: 2, item_ids: ['mug'] } });
  expect(pushes[2]!.commerce).toMatchObject({ name: 'purchase', props: { transaction_id: 'T1' }, cart: { value: 0, items: 0 } });
  await stopAll(page);
  expect(await page.evaluate(() => (window as any).dataLayer.push === Array.prototype.push)).toBe(true);
});

test('a hostile page: patched closest/matches and a throwing addEventListener do not make watch() throw', async ({ page }) => {
  await open(page);
  const result = await page.evaluate(() => {
    const s = (window as any).__sensors;
    Element.prototype.closest = () => {
      throw new Error('closest patched');
    };
    (Element.prototype as any).matches = () => {
      throw new Error('matches patched');
    };
    s.watch({ on: 'click', selector: '#buy' });
    document.getElementById('buy')!.click(); // reported, not thrown
    const add = EventTarget.prototype.addEventListener;
    EventTarget.prototype.addEventListener = () => {
      throw new Error('no listeners here');
    };
    let threw = false;
    try {
      s.watch({ on: 'scroll_depth', percent: 50 });
      s.watch({ on: 'form_submitted' });
      s.navigation();
      s.pageHide();
    } catch {
      threw = true;
    }
    EventTarget.prototype.addEventListener = add;
    return { threw, errors: s.errors.length };
  });
  expect(result.threw).toBe(false);
  expect(result.errors).toBeGreaterThanOrEqual(4);
  await page.evaluate(`${S}.stopAll()`);
  expect(await listeners(page)).toEqual({});
});
