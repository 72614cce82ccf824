// The sensors on the page shapes real stores have: a scrolling container, content that arrives late, web
// components with shadow roots, iframes at the top, video, hidden tabs.
import { expect, test, type Page } from '@playwright/test';
import { S, errors, fired, frames, open, watch } from './helpers/sensors.js';

const ons = async (page: Page) => (await fired(page)).map((f) => f.on);

test.describe('scroll', () => {
  const scrollMain = (page: Page, y: number) =>
    page.evaluate((v) => new Promise((r) => {
      document.querySelector('main')!.scrollTop = v;
      requestAnimationFrame(() => requestAnimationFrame(r));
    }), y);

  test('scroll_depth on an app shell that scrolls inside <main>; a menu scrolled to its end is not depth', async ({ page }) => {
    await open(page, '?container');
    await page.evaluate(() => {
      const c = document.createElement('div');
      c.id = 'menu';
      c.style.cssText = 'overflow-y:auto;width:300px;height:100px';
      c.innerHTML = '<div style="height:900px"></div>';
      document.querySelector('main')!.prepend(c);
    });
    await watch(page, { on: 'scroll_depth', percent: 50 });
    await page.evaluate(() => (document.getElementById('menu')!.scrollTop = 9999));
    await frames(page);
    expect(await fired(page)).toEqual([]);
    await page.mouse.move(200, 300);
    await page.mouse.wheel(0, 2500);
    await page.waitForFunction(() => document.querySelector('main')!.scrollTop > 2000);
    await expect.poll(() => ons(page)).toEqual(['scroll_depth']);
    expect(await errors(page)).toEqual([]);
  });

  test('scroll_depth on a page that grows as the visitor scrolls (infinite scroll)', async ({ page }) => {
    await open(page);
    // The page appends a screenful of products (after a fetch) whenever the visitor nears the bottom.
    await page.evaluate(() => {
      const bottom = document.getElementById('bottom')!;
      let more = 3;
      new IntersectionObserver((es) => es[0]!.isIntersecting && more-- > 0 && setTimeout(() => bottom.before(Object.assign(document.createElement('div'), { style: 'height:3000px' })), 50)).observe(bottom);
    });
    await watch(page, { on: 'scroll_depth', percent: 90 });
    await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight * 0.6));
    await frames(page);
    expect(await fired(page)).toEqual([]);
    // The visitor keeps going to the bottom, as the page grows (a few times here) until it has no more to show.
    await expect(async () => {
      await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
      await frames(page);
      expect(await ons(page)).toEqual(['scroll_depth']);
    }).toPass({ timeout: 10_000 });
  });

  test.describe('on a phone', () => {
    test.use({ hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 } });

    test('exit_intent: a fast scroll up inside an app shell', async ({ page }) => {
      await open(page, '?container');
      await page.clock.fastForward(5000);
      await watch(page, { on: 'exit_intent' });
      await scrollMain(page, 2000);
      await page.clock.fastForward(1000);
      await page.evaluate(() => document.dispatchEvent(new Event('touchmove'))); // the finger flicks
      for (const y of [1900, 1800, 1700, 1600, 1500]) await scrollMain(page, y);
      expect(await ons(page)).toEqual(['exit_intent']);
    });

    /** Exit intent watched after the dwell, with the visitor 2,500 px down the page for 2 s. */
    async function exitWatchedDeepInPage(page: Page) {
      await open(page);
      await page.clock.fastForward(5000);
      await watch(page, { on: 'exit_intent' });
      await page.evaluate(() => scrollTo(0, 2500));
      await frames(page);
      await page.clock.fastForward(2000);
    }

    test('exit_intent: a "back to top" button scrolling the page up smoothly is not a flick', async ({ page }) => {
      await exitWatchedDeepInPage(page);
      await page.evaluate(() => scrollTo({ top: 0, behavior: 'smooth' }));
      await page.waitForFunction(() => scrollY == 0);
      await frames(page);
      expect(await fired(page)).toEqual([]);
    });

    test('exit_intent: a fast drag up with the finger (the browser\'s own touch events)', async ({ page }) => {
      await exitWatchedDeepInPage(page);
      const cdp = await page.context().newCDPSession(page);
      // The finger moves down the screen: the page moves up, about 550 px in a few frames.
      const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', y: number) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type == 'touchEnd' ? [] : [{ x: 200, y }] });
      await touch('touchStart', 150);
      for (let y = 200; y <= 700; y += 50) await touch('touchMove', y);
      await touch('touchEnd', 700);
      await expect.poll(() => ons(page)).toEqual(['exit_intent']);
    });
  });
});

test("form_submitted: a web component's form in an open shadow root, and a form slotted into one, once each", async ({ page }) => {
  await open(page);
  await watch(page, { on: 'form_submitted' });
  await page.evaluate(() => {
    const form = '<form onsubmit="event.preventDefault()"><input name="email" value="a@b.co"><button>Go</button></form>';
    const inner = document.createElement('newsletter-box');
    inner.attachShadow({ mode: 'open' }).innerHTML = form;
    const slotted = document.createElement('slot-box');
    slotted.innerHTML = form.replace('a@b.co', 'c@d.co');
    slotted.attachShadow({ mode: 'open' }).innerHTML = '<div><slot></slot></div>';
    document.body.prepend(inner, slotted);
  });
  await page.locator('newsletter-box button').click();
  await page.locator('slot-box button').click();
  await expect.poll(async () => (await fired(page)).map((f) => f.props)).toEqual([{ email: 'a@b.co' }, { email: 'c@d.co' }]);
  await page.evaluate(`${S}.stopAll()`);
  expect(await page.evaluate(`${S}.listeners()`)).toEqual({});
  expect(await errors(page)).toEqual([]);
});

test('exit_intent: the pointer leaving through an iframe across the top (another site, its own process)', async ({ page }) => {
  await open(page);
  await page.evaluate(() => {
    const f = document.createElement('iframe');
    f.src = location.href.replace('127.0.0.1', 'localhost').replace(/\?.*/, '?short');
    f.style.cssText = 'position:fixed;top:0;left:0;width:100%;height:60px;border:0';
    document.body.append(f);
    return new Promise((r) => (f.onload = r));
  });
  await watch(page, { on: 'exit_intent' });
  await page.clock.fastForward(5000);
  await page.mouse.move(400, 300);
  await page.mouse.move(400, 30, { steps: 5 }); // into the iframe: not leaving
  expect(await fired(page)).toEqual([]);
  await page.mouse.move(400, -1);
  expect(await ons(page)).toEqual(['exit_intent']);
});

test('click and form_submitted on what a single-page app renders after the trigger was armed', async ({ page }) => {
  await open(page);
  await watch(page, { on: 'click', selector: '.add-to-cart' });
  await watch(page, { on: 'form_submitted', selector: '.subscribe' });
  await page.evaluate(() => {
    const view = document.createElement('section');
    view.innerHTML = `<button class="add-to-cart">Add</button>
      <form class="subscribe" id="enter"><input name="email" value="a@b.co"></form>
      <form class="subscribe" id="scripted"><input name="email" value="c@d.co"></form>
      <form class="subscribe" id="fetched"><input name="email" value="e@f.co"><button>Join</button></form>
      <form class="subscribe" id="required"><input name="email" required><button>Join</button></form>
      <form class="subscribe" id="plain" target="sink"><input name="email" value="g@h.co"></form><iframe name="sink" hidden></iframe>`;
    // Every form here is sent by the page itself, with fetch.
    view.addEventListener('submit', (e) => e.preventDefault());
    document.body.prepend(view);
  });
  await page.click('.add-to-cart');
  await page.press('#enter input', 'Enter');
  await page.evaluate(() => (document.getElementById('scripted') as HTMLFormElement).requestSubmit());
  await page.click('#fetched button');
  await page.click('#required button'); // the browser refuses it: no submission
  await page.evaluate(() => (document.getElementById('plain') as HTMLFormElement).submit()); // no submit event at all
  const f = await fired(page);
  expect(f.map((x) => [x.on, x.props?.email ?? x.props?.text])).toEqual([
    ['click', 'Add'],
    ['form_submitted', 'a@b.co'],
    ['form_submitted', 'c@d.co'],
    ['form_submitted', 'e@f.co'],
  ]);
  expect(await errors(page)).toEqual([]);
});

test('inactivity: typing in a field is activity, and so is a video playing', async ({ page }) => {
  await open(page);
  await watch(page, { on: 'inactivity', seconds: 5 });
  await page.click('#signup [name=first_name]');
  for (let i = 0; i < 4; i++) {
    await page.clock.fastForward(3000);
    await page.keyboard.type('x');
  }
  expect(await fired(page)).toEqual([]);
  await page.clock.fastForward(5500);
  expect(await ons(page)).toEqual(['inactivity']);

  // A product video: the visitor watches, without touching mouse or keyboard.
  await page.evaluate(async () => {
    const c = Object.assign(document.createElement('canvas'), { width: 8, height: 8 });
    const v = Object.assign(document.createElement('video'), { muted: true, srcObject: c.captureStream(10) });
    setInterval(() => c.getContext('2d')!.fillRect(0, 0, Math.random() * 8, 8), 50);
    document.body.prepend(v);
    await v.play();
  });
  await watch(page, { on: 'inactivity', seconds: 2 });
  for (let i = 0; i < 8; i++) {
    await page.clock.fastForward(500);
    await page.waitForTimeout(300); // the video's own clock is real time
  }
  expect(await ons(page)).toEqual(['inactivity']);
  await page.evaluate(() => document.querySelector('video')!.pause());
  await page.clock.fastForward(2500);
  expect(await ons(page)).toEqual(['inactivity', 'inactivity']);
});

test.describe('a hidden tab', () => {
  const show = (page: Page, hidden: boolean) =>
    page.evaluate((h) => {
      Object.defineProperty(document, 'hidden', { value: h, configurable: true });
      Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);

  test('time_on_page counts only the time the page is in view', async ({ page }) => {
    await open(page);
    await watch(page, { on: 'time_on_page', seconds: 10 });
    await page.clock.fastForward(4000);
    await show(page, false); // shown while shown: nothing changes
    await show(page, true);
    await page.clock.fastForward(60_000);
    expect(await fired(page)).toEqual([]);
    await show(page, false);
    await page.clock.fastForward(5000);
    expect(await fired(page)).toEqual([]);
    await page.clock.fastForward(1500);
    expect(await ons(page)).toEqual(['time_on_page']);
    expect(await errors(page)).toEqual([]);
  });

  test('time_on_page in a tab opened in the background counts from when it is first shown', async ({ page }) => {
    await open(page);
    await show(page, true);
    await watch(page, { on: 'time_on_page', seconds: 10 });
    await page.clock.fastForward(30_000);
    expect(await fired(page)).toEqual([]);
    await show(page, false);
    await page.clock.fastForward(9000);
    expect(await fired(page)).toEqual([]);
    await page.clock.fastForward(1500);
    expect(await ons(page)).toEqual(['time_on_page']);
  });
});
