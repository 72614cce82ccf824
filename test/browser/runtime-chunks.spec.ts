// What only some pages need comes in lazy chunks (docs/runtime.md, "Lazy chunks"): which chunk a page fetches,
// and when, with the real runtime (dist/workflows.js) in Chromium. Triggers still fire when their chunk arrives
// late, timed ones counting from the page start; a failed import is reported and tried again.
import { expect, test, type Page } from '@playwright/test';
import { api, compile, consoleOf, events, expectSegment, pageErrors, ready, recordEvents, serveBundle, storedState, waitForEvent, workflow } from './helpers/runtime.js';
import { startServer, type TestServer } from './helpers/server.js';

const manual = (...ids: string[]) => ids.map((id) => ({ id, name: id, kind: 'manual' }));

/** Names of the chunks the page requests from now on (`sensors`, `outbox`, ...), in order. */
function chunksOf(page: Page): string[] {
  const out: string[] = [];
  page.on('request', (r) => {
    const m = /\/chunks\/([\w-]+)\.js(\?v=[\w-]{8})?$/.exec(new URL(r.url()).pathname + new URL(r.url()).search);
    if (m) out.push(m[1]!);
  });
  return out;
}

/** Holds the sensors chunk back until `release()` is called. */
async function holdSensors(page: Page): Promise<{ release: () => void; asked: Promise<void> }> {
  let release!: () => void;
  let asked!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const seen = new Promise<void>((r) => (asked = r));
  await page.route('**/chunks/sensors.js*', async (route) => {
    asked();
    await held;
    await route.continue();
  });
  return { release, asked: seen };
}

/** An If/Then that waits for the custom event `arm`, then for `trigger`, then tags `segment`. */
const armed = (id: string, trigger: Record<string, unknown>, segment = id) =>
  workflow(
    id,
    [
      { id: 'arm', kind: 'if', triggers: [{ on: 'event', name: `arm-${id}` }] },
      { id: 'wait', kind: 'if', triggers: [trigger] },
      { id: 'tag', kind: 'segment', segment, action: 'add' },
    ],
    [
      ['arm', 'then', 'wait'],
      ['wait', 'then', 'tag'],
    ],
  );

test('a page whose workflows wait on no page trigger fetches no chunk at all', async ({ page }) => {
  const errors = pageErrors(page);
  const chunks = chunksOf(page);
  await serveBundle(
    page,
    compile({
      workflows: [
        workflow('on-view', [{ id: 'view', kind: 'if', triggers: [{ on: 'page_view' }] }, { id: 'tag', kind: 'segment', segment: 'viewed', action: 'add' }], [['view', 'then', 'tag']]),
        workflow('on-signup', [{ id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'signup' }] }, { id: 'tag', kind: 'segment', segment: 'signed-up', action: 'add' }], [['wait', 'then', 'tag']]),
        // Waits on a page trigger only after an event that never comes.
        armed('never', { on: 'scroll_depth', percent: 50 }),
      ],
      segments: manual('viewed', 'signed-up', 'never'),
    }),
  );
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await api(page, (w) => w.track('signup'));
  await expectSegment(page, 'signed-up');
  await expectSegment(page, 'viewed');
  // The data layer is still mirrored, without the outbox chunk.
  expect(await page.evaluate(() => ((window as any).dataLayer as { event?: string }[]).some((e) => e.event === 'workflows.enrolled'))).toBe(true);
  await page.waitForTimeout(300);
  // No feature chunk either: the bundle has no promotion, no Delay until a time of day, no test, no date field.
  expect(chunks).toEqual([]);
  expect(await events(page, 'error')).toEqual([]);
  expect(errors).toEqual([]);
});

const bar = { id: 'hello', name: 'Hello', kind: 'bar', steps: [{ id: 's', blocks: [{ kind: 'text', text: 'Hello' }] }] };

test('feature chunks: a bundle fetches at start exactly the ones its `needs` lists, and runs with them', async ({ page }) => {
  const errors = pageErrors(page);
  const chunks = chunksOf(page);
  const split = { id: 'split', kind: 'split', variants: [{ id: 'a', weight: 50 }, { id: 'b', weight: 50 }] };
  const bundle = compile({
    workflows: [
      workflow(
        'test-bar',
        [{ id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'go' }] }, split, { id: 'show', kind: 'promotion', promotion: 'hello' }],
        [['wait', 'then', 'split'], ['split', 'a', 'show'], ['split', 'b', 'show']],
      ),
      workflow('at-nine', [{ id: 'wait', kind: 'delay', mode: 'time_of_day', time: '09:00', timezone: 'UTC' }, { id: 'tag', kind: 'segment', segment: 'later', action: 'add' }], [['wait', 'next', 'tag']]),
    ],
    promotions: [bar],
    segments: manual('later'),
  });
  expect(bundle.needs).toEqual(['promotions', 'time', 'variants']);
  await serveBundle(page, bundle);
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  expect([...chunks].sort()).toEqual(['promotions', 'time', 'variants']);
  // The Delay until 09:00 UTC waits for the next 09:00 (the time chunk's reckoning).
  const wake = (await storedState(page))!.cursors.find((c) => c.wf == 'at-nine')!.wake!;
  expect(new Date(wake).toISOString()).toMatch(/T09:00:00\.000Z$/);
  expect(wake - Date.now()).toBeLessThanOrEqual(864e5);
  // The test assigns a variant, and the promotion shows through the renderer, fetched when first needed.
  await api(page, (w) => w.track('go'));
  const assigned = await waitForEvent(page, 'variant_assigned', { workflow: 'test-bar' });
  expect(['a', 'b']).toContain(assigned.variant);
  await waitForEvent(page, 'promotion_shown', { promotion: 'hello', variant: assigned.variant });
  expect(chunks.slice(3)).toEqual(['renderer']);
  expect(await events(page, 'error')).toEqual([]);
  expect(errors).toEqual([]);
});

test('feature chunks: a bundle that needs only promotions fetches only that one; one that fails disables its workflows alone', async ({ page }) => {
  const chunks = chunksOf(page);
  await page.route('**/chunks/promotions.js*', (route) => route.fulfill({ status: 503, body: '' }));
  const bundle = compile({
    workflows: [
      workflow('show', [{ id: 'view', kind: 'if', triggers: [{ on: 'page_view' }] }, { id: 'show', kind: 'promotion', promotion: 'hello' }], [['view', 'then', 'show']]),
      workflow('tag', [{ id: 'view', kind: 'if', triggers: [{ on: 'page_view' }] }, { id: 'tag', kind: 'segment', segment: 'seen', action: 'add' }], [['view', 'then', 'tag']]),
    ],
    promotions: [bar],
    segments: manual('seen'),
  });
  expect(bundle.needs).toEqual(['promotions']);
  await serveBundle(page, bundle);
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await expectSegment(page, 'seen');
  expect(chunks).toEqual(['promotions']);
  const errors = (await events(page, 'error')).map((e) => [e.workflow, e.message]);
  expect(errors).toContainEqual(['show', 'needs the promotions chunk, which did not load']);
  expect(errors).toContainEqual([undefined, expect.stringMatching(/chunks\/promotions\.js/)]);
  expect(await events(page, 'enrolled')).toEqual([expect.objectContaining({ workflow: 'tag' })]);
});

/** Tags `tag` on the page view, then waits for the next visit: a touch that a goal event can be credited to. */
const tagged = (id: string, settings: Record<string, unknown> = {}) =>
  workflow(
    id,
    [{ id: 'view', kind: 'if', triggers: [{ on: 'page_view' }] }, { id: 'tag', kind: 'segment', segment: id, action: 'add' }, { id: 'wait', kind: 'delay', mode: 'next_visit' }],
    [['view', 'then', 'tag'], ['tag', 'next', 'wait']],
    settings,
  );

test('goals chunk: fetched at start only for a bundle with a goal, which it then credits', async ({ page }) => {
  const errors = pageErrors(page);
  const chunks = chunksOf(page);
  const bundle = compile({ workflows: [tagged('buyer', { goal: { event: 'subscribed', windowDays: 7 } })], segments: manual('buyer') });
  expect(bundle.needs).toEqual(['goals']);
  await serveBundle(page, bundle);
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await expectSegment(page, 'buyer');
  expect(chunks).toEqual(['goals']);
  await api(page, (w) => w.track('subscribed', { value: 42 }));
  expect(await waitForEvent(page, 'goal', { workflow: 'buyer' })).toMatchObject({ step: 'tag', goal: 'subscribed', value: 42 });
  expect(await events(page, 'error')).toEqual([]);
  expect(errors).toEqual([]);
});

test('goals chunk: one that fails to load disables only the workflows with a goal', async ({ page }) => {
  const chunks = chunksOf(page);
  await page.route('**/chunks/goals.js*', (route) => route.fulfill({ status: 503, body: '' }));
  const bundle = compile({ workflows: [tagged('buyer', { goal: { event: 'subscribed' } }), tagged('plain')], segments: manual('buyer', 'plain') });
  await serveBundle(page, bundle);
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await expectSegment(page, 'plain');
  expect(chunks).toEqual(['goals']);
  const errors = (await events(page, 'error')).map((e) => [e.workflow, e.message]);
  expect(errors).toContainEqual(['buyer', 'needs the goals chunk, which did not load']);
  expect(errors).toContainEqual([undefined, expect.stringMatching(/chunks\/goals\.js/)]);
  expect(await events(page, 'enrolled')).toEqual([expect.objectContaining({ workflow: 'plain' })]);
  expect(await api(page, (w) => w.segments.has('buyer'))).toBe(false);
});

test('commerce chunk: fetched at start only for a bundle that reads the cart or waits on commerce; else the data layer is left alone', async ({ page }) => {
  const errors = pageErrors(page);
  const chunks = chunksOf(page);
  const addToCart = () => page.evaluate(() => ((window as any).dataLayer ||= []).push({ event: 'add_to_cart', ecommerce: { currency: 'EUR', items: [{ item_id: 'mug', price: 12, quantity: 2 }] } }));
  // No workflow looks at commerce: no chunk, the page's push stays the array's own, no cart is kept.
  await serveBundle(page, compile({ workflows: [tagged('plain')], segments: manual('plain') }));
  await page.goto('/test/runtime.html');
  await ready(page);
  await expectSegment(page, 'plain');
  await addToCart();
  expect(await page.evaluate(() => (window as any).dataLayer.push === Array.prototype.push)).toBe(true);
  expect(chunks).toEqual([]);
  expect((await storedState(page))!.cart).toEqual({ value: 0, items: 0 });
  // A workflow waiting on add_to_cart: the chunk comes at start, keeps the cart and moves the workflow.
  const buyer = workflow('buyer', [{ id: 'wait', kind: 'if', triggers: [{ on: 'commerce', name: 'add_to_cart' }] }, { id: 'tag', kind: 'segment', segment: 'buyer', action: 'add' }], [['wait', 'then', 'tag']]);
  const bundle = compile({ workflows: [buyer], segments: manual('buyer') });
  expect(bundle.needs).toEqual(['commerce']);
  await serveBundle(page, bundle);
  await page.reload();
  await ready(page);
  expect(chunks).toEqual(['commerce']);
  await addToCart();
  await expectSegment(page, 'buyer');
  await expect.poll(async () => (await storedState(page))?.cart).toEqual({ value: 24, items: 2, currency: 'EUR' });
  expect(errors).toEqual([]);
});

/** A rule segment of visitors on the pro plan, and a workflow that tags `welcomed` when one enters it. */
const pros = {
  workflows: [
    workflow('welcome', [{ id: 'wait', kind: 'if', triggers: [{ on: 'segment_entered', segment: 'pros' }] }, { id: 'tag', kind: 'segment', segment: 'welcomed', action: 'add' }], [['wait', 'then', 'tag']]),
    tagged('plain'),
  ],
  segments: [...manual('welcomed', 'plain'), { id: 'pros', name: 'Pros', kind: 'rule', rule: { field: 'attributes.plan', op: 'equals', value: 'pro' } }],
};

test('segments chunk: fetched at start only for a bundle with a rule segment, whose rule it then follows', async ({ page }) => {
  const errors = pageErrors(page);
  const chunks = chunksOf(page);
  const bundle = compile(pros);
  expect(bundle.needs).toEqual(['segments']);
  await serveBundle(page, bundle);
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await api(page, (w) => w.identify({ plan: 'pro' }));
  await expectSegment(page, 'pros');
  await expectSegment(page, 'welcomed');
  expect(chunks).toEqual(['segments']);
  expect(await events(page, 'error')).toEqual([]);
  expect(errors).toEqual([]);
});

test('segments chunk: one that fails to load leaves rule segments as they are; the workflows run', async ({ page }) => {
  const chunks = chunksOf(page);
  await page.route('**/chunks/segments.js*', (route) => route.fulfill({ status: 503, body: '' }));
  await serveBundle(page, compile(pros));
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await expectSegment(page, 'plain');
  await api(page, (w) => w.identify({ plan: 'pro' }));
  expect(chunks).toEqual(['segments']);
  expect((await events(page, 'error')).map((e) => [e.workflow, e.message])).toEqual([[undefined, expect.stringMatching(/chunks\/segments\.js/)]]);
  expect(await api(page, (w) => w.segments.list())).toEqual(['plain']);
});

/** Tags `emailed` on a page view of a session that came from an email; `plain` tags every page view. */
const fromEmail = {
  workflows: [
    workflow(
      'emailed',
      [{ id: 'gate', kind: 'if', conditions: { field: 'channel', op: 'equals', value: 'email' } }, { id: 'tag', kind: 'segment', segment: 'emailed', action: 'add' }],
      [['gate', 'then', 'tag']],
    ),
    tagged('plain'),
  ],
  segments: manual('emailed', 'plain'),
};

test('channel chunk: fetched at start only for a bundle that reads the channel, which it then classifies', async ({ page }) => {
  const errors = pageErrors(page);
  const chunks = chunksOf(page);
  const bundle = compile(fromEmail);
  expect(bundle.needs).toEqual(['channel']);
  await serveBundle(page, bundle);
  await recordEvents(page);
  await page.goto('/test/runtime.html?utm_medium=newsletter');
  await ready(page);
  await expectSegment(page, 'emailed');
  expect(chunks).toEqual(['channel']);
  // What the session recorded is what the channel is classified from.
  expect((await storedState(page))!.session).toMatchObject({ utm: { medium: 'newsletter' }, referrer: '' });
  expect(await events(page, 'error')).toEqual([]);
  expect(errors).toEqual([]);
});

test('channel chunk: one that fails to load disables only the workflows that read the channel', async ({ page }) => {
  const chunks = chunksOf(page);
  await page.route('**/chunks/channel.js*', (route) => route.fulfill({ status: 503, body: '' }));
  await serveBundle(page, compile(fromEmail));
  await recordEvents(page);
  await page.goto('/test/runtime.html?utm_medium=newsletter');
  await ready(page);
  await expectSegment(page, 'plain');
  expect(chunks).toEqual(['channel']);
  const errors = (await events(page, 'error')).map((e) => [e.workflow, e.message]);
  expect(errors).toContainEqual(['emailed', 'needs the channel chunk, which did not load']);
  expect(errors).toContainEqual([undefined, expect.stringMatching(/chunks\/channel\.js/)]);
  expect(await api(page, (w) => w.segments.list())).toEqual(['plain']);
});

/** `holder` holds `held` off while the visitor is in it; `enrolls` enrolls the visitor into the manual `target`. */
const enrolling = () => {
  const tagThenHold = (id: string, settings: Record<string, unknown>) =>
    workflow(id, [{ id: 'tag', kind: 'segment', segment: id, action: 'add' }, { id: 'wait', kind: 'delay', mode: 'next_visit' }], [['tag', 'next', 'wait']], settings);
  return {
    workflows: [
      tagThenHold('holder', { priority: 90, suppress: ['held'] }),
      tagThenHold('held', { priority: 10 }),
      workflow('enrolls', [{ id: 'go', kind: 'enroll', workflow: 'target' }], [], { priority: 50 }),
      workflow('target', [{ id: 'tag', kind: 'segment', segment: 'target', action: 'add' }], [], { enrollment: 'manual' }),
    ],
    segments: manual('holder', 'held', 'target'),
  };
};

test('enrollment chunk: fetched at start only for a bundle with an Enroll step or suppression, which it then runs', async ({ page }) => {
  const errors = pageErrors(page);
  const chunks = chunksOf(page);
  const bundle = compile(enrolling());
  expect(bundle.needs).toEqual(['enrollment']);
  await serveBundle(page, bundle);
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await expectSegment(page, 'target');
  expect(chunks).toEqual(['enrollment']);
  expect((await events(page, 'enrolled')).map((e) => e.workflow)).toEqual(['holder', 'enrolls', 'target']);
  expect(await api(page, (w) => w.segments.list())).toEqual(['holder', 'target']);
  expect(await events(page, 'error')).toEqual([]);
  expect(errors).toEqual([]);
});

test('enrollment chunk: one that fails to load disables only the workflows that need it', async ({ page }) => {
  const chunks = chunksOf(page);
  await page.route('**/chunks/enrollment.js*', (route) => route.fulfill({ status: 503, body: '' }));
  await serveBundle(page, compile(enrolling()));
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await expectSegment(page, 'holder');
  expect(chunks).toEqual(['enrollment']);
  const errors = (await events(page, 'error')).map((e) => [e.workflow, e.message]);
  expect(errors).toContainEqual(['held', 'needs the enrollment chunk, which did not load']);
  expect(errors).toContainEqual(['enrolls', 'needs the enrollment chunk, which did not load']);
  expect(errors).toContainEqual([undefined, expect.stringMatching(/chunks\/enrollment\.js/)]);
  expect((await events(page, 'enrolled')).map((e) => e.workflow)).toEqual(['holder']);
  expect(await api(page, (w) => w.segments.list())).toEqual(['holder']);
});

test('exit intent: the sensors chunk is fetched when the step starts waiting, once, and the trigger fires', async ({ page }) => {
  const errors = pageErrors(page);
  const chunks = chunksOf(page);
  await page.clock.install();
  await serveBundle(
    page,
    compile({
      workflows: [armed('leaving', { on: 'exit_intent', minDwellSeconds: 2 }), armed('clicked', { on: 'click', selector: '#buy' })],
      segments: manual('leaving', 'clicked'),
    }),
  );
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await page.waitForTimeout(200);
  expect(chunks).toEqual([]);
  await api(page, (w) => Promise.all([w.track('arm-leaving'), w.track('arm-clicked')]));
  await expect.poll(() => chunks).toEqual(['sensors']);
  await page.clock.fastForward(2500); // past the dwell, counted from the page start
  // Requested is not yet attached (the chunk still has to arrive and run): leave, and click, until it fired.
  const has = (id: string) => page.evaluate((id) => window.workflows!.segments.has(id), id);
  await expect
    .poll(async () => {
      await page.mouse.move(300, 200);
      await page.mouse.move(300, -1);
      return has('leaving');
    })
    .toBe(true);
  await expect.poll(async () => (await page.locator('#buy').click(), has('clicked'))).toBe(true);
  expect(chunks).toEqual(['sensors']);
  expect(errors).toEqual([]);
});

test('a sensors chunk that arrives late: time on page counts from the page start, and a page already scrolled fires', async ({ page }) => {
  const errors = pageErrors(page);
  await page.clock.install();
  const sensors = await holdSensors(page);
  await serveBundle(
    page,
    compile({
      workflows: [
        workflow('timed', [{ id: 'wait', kind: 'if', triggers: [{ on: 'time_on_page', seconds: 5 }] }, { id: 'tag', kind: 'segment', segment: 'timed', action: 'add' }], [['wait', 'then', 'tag']]),
        armed('deep', { on: 'scroll_depth', percent: 50 }),
      ],
      segments: manual('timed', 'deep'),
    }),
  );
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await sensors.asked;
  // Six seconds pass while the chunk is on its way; the visitor scrolls down a tall page meanwhile.
  await page.clock.fastForward(6000);
  await page.evaluate(() => {
    document.body.style.height = '4000px';
    scrollTo(0, 3000);
  });
  await api(page, (w) => w.track('arm-deep'));
  expect(await api(page, (w) => w.segments.list())).toEqual([]);
  sensors.release();
  // Due already: the trigger fires as soon as the chunk runs, not five seconds after.
  await expect.poll(async () => (await page.clock.runFor(50), api(page, (w) => w.segments.list()))).toEqual(expect.arrayContaining(['timed', 'deep']));
  expect(errors).toEqual([]);
});

test('a sensors chunk that fails to load is reported, and the next trigger armed fetches it again', async ({ page }) => {
  const errors = pageErrors(page);
  const chunks = chunksOf(page);
  let fail = true;
  await page.route('**/chunks/sensors.js*', (route) => (fail ? ((fail = false), route.fulfill({ status: 503, body: '' })) : route.continue()));
  await serveBundle(
    page,
    compile({
      workflows: [armed('first', { on: 'click', selector: '#buy' }), armed('second', { on: 'click', selector: '#buy' })],
      segments: manual('first', 'second'),
    }),
  );
  await recordEvents(page);
  await page.goto('/test/runtime.html');
  await ready(page);
  await api(page, (w) => w.track('arm-first'));
  const error = await waitForEvent(page, 'error');
  expect(error.message).toMatch(/chunks\/sensors\.js/);
  await api(page, (w) => w.track('arm-second'));
  await expect.poll(() => chunks).toEqual(['sensors', 'sensors']);
  // Requested is not yet attached: click until the second watcher fired.
  await expect.poll(async () => (await page.locator('#buy').click(), api(page, (w) => w.segments.has('second')))).toBe(true);
  // The first watcher's import failed: it does not fire on this page.
  expect(await api(page, (w) => w.segments.has('first'))).toBe(false);
  expect(errors).toEqual([]);
});

test('Code handlers registered through the snippet before load and after the actions chunk arrived both run', async ({ page }) => {
  const errors = pageErrors(page);
  const chunks = chunksOf(page);
  const code = (id: string, handler: string) =>
    workflow(
      id,
      [
        { id: 'asked', kind: 'if', triggers: [{ on: 'event', name: id }] },
        { id: 'run', kind: 'code', handler },
        { id: 'next', kind: 'segment', segment: `${id}-next`, action: 'add' },
      ],
      [
        ['asked', 'then', 'run'],
        ['run', 'next', 'next'],
      ],
    );
  await serveBundle(page, compile({ workflows: [code('early', 'queued'), code('late', 'direct')], segments: manual('early-next', 'late-next') }));
  await recordEvents(page);
  await page.addInitScript(() => {
    (window as any).workflows.push(['register', 'queued', (ctx: any) => ctx.segments.add('queued-ran')]);
  });
  await page.goto('/test/runtime.html');
  await ready(page);
  await api(page, (w) => w.track('early'));
  await expectSegment(page, 'early-next');
  await expectSegment(page, 'queued-ran');
  expect(chunks).toEqual(['actions']);
  await page.evaluate(() => window.workflows!.register('direct', (ctx) => ctx.segments.add('direct-ran')));
  await api(page, (w) => w.track('late'));
  await expectSegment(page, 'late-next');
  await expectSegment(page, 'direct-ran');
  expect(chunks).toEqual(['actions']);
  expect(errors).toEqual([]);
});

test.describe('outbox', () => {
  let server: TestServer;
  test.beforeAll(async () => {
    server = await startServer();
  });
  test.afterAll(() => server.close());

  test('a webhook request that failed on one page is sent again by the next, which fetches the outbox chunk for it', async ({ page }) => {
    const errors = pageErrors(page);
    const chunks = chunksOf(page);
    server.answer('/flaky', 503);
    const bundle = compile({
      workflows: [
        workflow(
          'hook',
          [
            { id: 'asked', kind: 'if', triggers: [{ on: 'event', name: 'go' }] },
            { id: 'send', kind: 'webhook', url: `${server.origin}/flaky`, body: { visitor: '{{visitor.id}}' } },
          ],
          [['asked', 'then', 'send']],
        ),
      ],
    });
    await serveBundle(page, bundle);
    await page.goto('/test/runtime.html');
    await ready(page);
    expect(chunks).toEqual([]);
    await api(page, (w) => w.track('go'));
    await expect.poll(() => server.posts('/flaky').length).toBe(1);
    expect([...chunks].sort()).toEqual(['actions', 'outbox']);
    // Left for a retry a second later; the visitor goes on before that. (Unenrolled, so that the next page does
    // not retry the step itself, which would fetch the actions chunk too: only the outbox holds the request.)
    await expect.poll(async () => (await storedState(page))?.outbox.map((i) => i.tries)).toEqual([1]);
    await api(page, (w) => w.unenroll('hook'));
    chunks.length = 0;
    await page.goto('/test/runtime-b.html');
    await ready(page);
    await expect.poll(() => server.posts('/flaky').length).toBe(2);
    const [first, again] = server.posts('/flaky');
    expect(again!.headers['idempotency-key']).toBe(first!.headers['idempotency-key']);
    expect(chunks).toEqual(['outbox']);
    await expect.poll(async () => (await storedState(page))?.outbox).toEqual([]);
    expect(errors).toEqual([]);
  });
});

test.describe('debug', () => {
  const bundle = compile({
    workflows: [workflow('gated', [{ id: 'gate', kind: 'if', conditions: { field: 'path', op: 'equals', value: '/pricing' } }, { id: 'tag', kind: 'segment', segment: 'gated', action: 'add' }], [['gate', 'then', 'tag']])],
    segments: manual('gated'),
  });

  test('workflows.debug(true) lasts for the session: the next page reads it once idle after ready, then prints its earlier lines', async ({ page }) => {
    await serveBundle(page, bundle);
    // When the runtime first touches sessionStorage, and whether its `ready` had resolved by then.
    await page.addInitScript(() => {
      const w = window as any;
      w.__storage = [];
      let readyDone = false;
      let api: unknown;
      Object.defineProperty(window, 'workflows', {
        configurable: true,
        get: () => api,
        set: (v) => {
          api = v;
          if (v && !Array.isArray(v)) v.ready.then(() => (readyDone = true));
        },
      });
      const real = (Object.getOwnPropertyDescriptor(window, 'sessionStorage') ?? Object.getOwnPropertyDescriptor(Window.prototype, 'sessionStorage'))!;
      Object.defineProperty(window, 'sessionStorage', {
        configurable: true,
        get() {
          w.__storage.push(readyDone ? 'after ready' : 'before ready');
          return real.get!.call(window);
        },
      });
    });
    const log = consoleOf(page);
    await page.goto('/test/runtime.html');
    await ready(page);
    await expect.poll(() => page.evaluate(() => (window as any).__storage)).toEqual(['after ready']);
    expect(log.filter((m) => m.text.includes('[workflows]'))).toEqual([]);
    await page.evaluate(() => window.workflows!.debug(true));
    // debug(true) prints this page's own earlier lines at once; count them so the next page's are told apart.
    const gated = () => log.filter((m) => /\[workflows\] gated: not started: (.*gate"? not met|not this page)/.test(m.text)).length;
    await expect.poll(gated).toBe(1);

    await page.goto('/test/runtime-b.html');
    await ready(page);
    // The line logged during the page view, before the flag was read, is printed once it is.
    await expect.poll(gated).toBe(2);
    expect(await page.evaluate(() => (window as any).__storage)).toEqual(['after ready']);
    const printed = log.filter((m) => m.text.includes('gated: not started')).length;
    await page.evaluate(() => window.workflows!.debug(false));
    await page.goto('/test/runtime.html');
    await ready(page);
    await page.waitForTimeout(300);
    expect(log.filter((m) => m.text.includes('gated: not started'))).toHaveLength(printed);
  });
});

test('an outbox chunk that fails while many events wait for it is reported once, and the next event tries again', async ({ page }) => {
  const errors = pageErrors(page);
  const chunks = chunksOf(page);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let fail = true;
  // The first import is held back, then refused; later ones go through.
  await page.route('**/chunks/outbox.js*', async (route) => (fail ? (await held, route.fulfill({ status: 503, body: '' })) : route.continue()));
  await page.route('**/test/collect', (route) => route.fulfill({ status: 200, json: { accepted: 1 } }));
  await serveBundle(page, compile({ workflows: [armed('many', { on: 'event', name: 'never' }), armed('later', { on: 'event', name: 'never' })], segments: manual('many', 'later') }), 'collector');
  await recordEvents(page);
  await page.goto('/test/runtime-collector.html');
  await ready(page);
  await expect.poll(() => chunks).toEqual(['outbox']);
  // Many events while that one import is on its way.
  await api(page, (w) => w.track('arm-many'));
  await api(page, (w) => w.segments.add('many'));
  expect((await events(page)).length).toBeGreaterThanOrEqual(2);
  release();
  const outboxErrors = async () => (await events(page, 'error')).filter((e) => /outbox\.js/.test(String(e.message)));
  await expect.poll(async () => (await outboxErrors()).length).toBe(1);
  await page.waitForTimeout(300);
  expect(await outboxErrors()).toHaveLength(1);
  expect(chunks).toEqual(['outbox']);
  // The next event tries again, and the chunk arrives.
  fail = false;
  await api(page, (w) => w.track('arm-later'));
  await expect.poll(() => chunks).toEqual(['outbox', 'outbox']);
  expect(errors).toEqual([]);
});
