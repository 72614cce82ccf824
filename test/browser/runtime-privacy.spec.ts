// What leaves the visitor's browser, and when: nothing before consent when consent is required (no storage, no
// dataLayer, no collector), then everything; and collector batches with unique ids, the last one beaconed when
// the visitor navigates away.
import { expect, test, type Page } from '@playwright/test';
import type { PublicEvent } from '../../runtime/types.js';
import { api, compile, events, expectSegment, pageErrors, ready, recordEvents, serveBundle, storedState, waitForEvent, workflow } from './helpers/runtime.js';
import { startServer, type TestServer } from './helpers/server.js';

const bundle = compile({
  workflows: [
    // Starts on every page load (a non-If start enrolls at once): enrolled, step, exited.
    workflow('welcome', [{ id: 'tag', kind: 'segment', segment: 'seen', action: 'add' }], [], { reenroll: { mode: 'page' } }),
    workflow('on-ping', [{ id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'ping' }] }, { id: 'tag', kind: 'segment', segment: 'pinged', action: 'add' }], [['wait', 'then', 'tag']], {
      reenroll: { mode: 'page' },
    }),
  ],
  segments: ['seen', 'pinged'].map((id) => ({ id, name: id, kind: 'manual' })),
});

/** Names of the storage places the page's origin uses right now. */
const storage = (page: Page) =>
  page.evaluate(async () => ({
    indexedDB: (await indexedDB.databases()).map((d) => d.name),
    localStorage: Object.keys(localStorage),
    sessionStorage: Object.keys(sessionStorage),
    cookie: document.cookie,
  }));
const dataLayerEvents = (page: Page) =>
  page.evaluate(() => (((window as any).dataLayer ?? []) as { event?: string }[]).map((e) => e.event).filter((e) => String(e).startsWith('workflows.')));

test('with data-consent="required" nothing is stored or sent before consent(true); after it, state persists and events flow', async ({ page }) => {
  const errors = pageErrors(page);
  await page.clock.install();
  await serveBundle(page, bundle);
  await recordEvents(page);
  const collected: PublicEvent[][] = [];
  const outgoing: string[] = [];
  page.on('request', (r) => {
    const p = new URL(r.url()).pathname;
    if (!/\.(html|js|json)$/.test(p)) outgoing.push(`${r.method()} ${p}`);
  });
  await page.route('**/test/runtime-collect', async (route) => {
    collected.push(JSON.parse(route.request().postData() ?? '{}').events);
    await route.fulfill({ status: 204 });
  });
  await page.goto('/test/runtime-consent.html');
  await ready(page);
  // The runtime works in memory meanwhile: the workflow ran and listeners were told.
  await expectSegment(page, 'seen');
  await waitForEvent(page, 'exited', { workflow: 'welcome' });
  await api(page, (w) => w.track('ping'));
  await expectSegment(page, 'pinged');
  await page.clock.fastForward(10_000);
  await page.waitForTimeout(300);
  expect(await storage(page)).toEqual({ indexedDB: [], localStorage: [], sessionStorage: [], cookie: '' });
  expect(await dataLayerEvents(page)).toEqual([]);
  expect(outgoing).toEqual([]);
  expect(collected).toEqual([]);

  const before = await events(page);
  await api(page, (w) => w.consent(true));
  // Stored now, with the answer.
  const state = await storedState(page);
  expect(state).toMatchObject({ id: before[0]!.visitor, consent: true, segments: ['seen', 'pinged'] });
  expect(await storage(page)).toMatchObject({ indexedDB: ['workflows'], localStorage: [] });
  // The events held until now reach the dataLayer, in order...
  expect(await dataLayerEvents(page)).toEqual(before.map((e) => `workflows.${e.name}`));
  // ...and the collector, in one batch.
  await page.clock.fastForward(5_500);
  await expect.poll(() => collected.length).toBe(1);
  expect(collected[0]!.map((e) => e.id)).toEqual(before.map((e) => e.id));
  expect(outgoing).toEqual(['POST /test/runtime-collect']);
  // Events after consent flow at once.
  await api(page, (w) => w.segments.remove('seen'));
  await api(page, (w) => w.enroll('welcome'));
  await page.clock.fastForward(5_500);
  await expect.poll(() => collected.length).toBe(2);
  expect(collected[1]!.map((e) => e.name)).toContain('enrolled');

  // Next page: before the page's consent call nothing is written; the call adopts the stored visitor.
  await page.reload();
  await ready(page);
  await expectSegment(page, 'seen');
  const stored = await storedState(page);
  expect(stored?.pageviews.all_time).toBe(state!.pageviews.all_time);
  await api(page, (w) => w.consent(true));
  const adopted = await storedState(page);
  expect(adopted?.id).toBe(state!.id);
  expect(await api(page, (w) => w.segments.has('pinged'))).toBe(true);
  expect(errors).toEqual([]);
});

test.describe('collector', () => {
  let server: TestServer;
  test.beforeAll(async () => {
    server = await startServer();
    server.bundle('collector', bundle);
  });
  test.afterAll(() => server.close());

  test('events are batched to data-collector with unique ids; the pending batch is beaconed on navigation away', async ({ page }) => {
    const errors = pageErrors(page);
    await page.clock.install();
    await recordEvents(page);
    const batches = () => server.posts('/test/collect').map((r) => ({ type: r.headers['content-type'], key: r.headers['idempotency-key'], events: JSON.parse(r.body).events as PublicEvent[] }));
    await page.goto(`${server.origin}/test/runtime-collector.html`);
    await ready(page);
    await waitForEvent(page, 'exited', { workflow: 'welcome' });
    // One batch 5 s after the first event, not one request per event.
    await page.waitForTimeout(300);
    expect(batches()).toEqual([]);
    await page.clock.fastForward(5_500);
    await expect.poll(() => batches().length).toBe(1);
    const [first] = batches();
    const emitted = await events(page);
    expect(first!.events.map((e) => e.id)).toEqual(emitted.map((e) => e.id));
    expect(first!.type).toBe('application/json');
    expect(first!.key).toBe(`b_${first!.events[0]!.id}`);
    for (const e of first!.events) expect(e).toMatchObject({ id: expect.any(String), name: expect.any(String), at: expect.any(Number), visitor: emitted[0]!.visitor });

    // More events, then the visitor leaves before the batch is due.
    await api(page, (w) => w.track('ping'));
    await waitForEvent(page, 'exited', { workflow: 'on-ping' });
    const pending = (await events(page)).slice(emitted.length);
    expect(pending.length).toBeGreaterThan(0);
    await page.locator('#next').click();
    await page.waitForURL('**/runtime-collector.html?page=2');
    await expect.poll(() => batches().length).toBeGreaterThanOrEqual(2);
    const beacon = batches()[1]!;
    // sendBeacon sends a string as text/plain (no preflight) and cannot set headers.
    expect(beacon.type).toMatch(/^text\/plain/);
    expect(beacon.events.map((e) => e.id)).toEqual(pending.map((e) => e.id));
    const ids = batches().flatMap((b) => b.events.map((e) => e.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(errors).toEqual([]);
  });

  test('a batch beaconed when the tab is hidden stays in the outbox and is sent again a minute later with its key', async ({ page }) => {
    const errors = pageErrors(page);
    await page.clock.install();
    await recordEvents(page);
    const batches = () => server.posts('/test/collect').map((r) => ({ type: r.headers['content-type'], key: r.headers['idempotency-key'], events: JSON.parse(r.body).events as PublicEvent[] }));
    await page.goto(`${server.origin}/test/runtime-collector.html?hidden`);
    await ready(page);
    await waitForEvent(page, 'exited', { workflow: 'welcome' });
    const emitted = await events(page);
    // The visitor switches tabs: the page is hidden (and stays alive).
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    });
    await expect.poll(() => batches().filter((b) => b.events[0]!.visitor === emitted[0]!.visitor).length).toBe(1);
    const mine = () => batches().filter((b) => b.events[0]!.visitor === emitted[0]!.visitor);
    expect(mine()[0]!.type).toMatch(/^text\/plain/);
    await expect.poll(async () => (await storedState(page))?.outbox.map((i) => i.key)).toEqual([`b_${emitted[0]!.id}`]);
    // A beacon is never confirmed: the outbox sends the same batch again a minute later, under the same key.
    await page.clock.fastForward(61_000);
    await expect.poll(() => mine().length).toBe(2);
    expect(mine()[1]).toMatchObject({ type: 'application/json', key: `b_${emitted[0]!.id}` });
    expect(mine()[1]!.events).toEqual(mine()[0]!.events);
    await expect.poll(async () => (await storedState(page))?.outbox).toEqual([]);
    expect(errors).toEqual([]);
  });

  // Events are kept in the visitor state (`pending`) from the moment they are emitted until the outbox holds
  // their batch, so a navigation that cuts the outbox write short loses nothing: the next page sends them again.
  test('the copy of a batch beaconed on navigation is sent again by the next page', async ({ page }) => {
    await page.clock.install();
    await recordEvents(page);
    await page.goto(`${server.origin}/test/runtime-collector.html?nav`);
    await ready(page);
    await waitForEvent(page, 'exited', { workflow: 'welcome' });
    const first = (await events(page))[0]!;
    await page.locator('#next').click();
    await page.waitForURL('**/runtime-collector.html?page=2');
    await ready(page);
    const kept = await storedState(page);
    expect([...(kept?.outbox.map((i) => i.key) ?? []), ...((kept as any)?.pending ?? []).map((e: any) => `b_${e.id}`)]).toContain(`b_${first.id}`);
    await page.clock.fastForward(61_000);
    await expect.poll(() => server.posts('/test/collect').filter((r) => r.headers['idempotency-key'] === `b_${first.id}`).length).toBe(1);
  });
});
