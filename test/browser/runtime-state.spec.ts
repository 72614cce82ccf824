// A visitor record that the runtime cannot read as it is, found in IndexedDB when the page loads: damaged by hand
// or by a page's own code, or reshaped by a newer runtime. The visitor keeps what can be read and the page runs; a
// record nothing can be made of is replaced by a fresh visitor. Never a page that runs nothing from then on.
import { expect, test, type Page } from '@playwright/test';
import { compile, consoleOf, expectSegment, pageErrors, ready, seedState, storedState, workflow } from './helpers/runtime.js';

const bundle = compile({
  workflows: [
    workflow('on-view', [{ id: 'view', kind: 'if', triggers: [{ on: 'page_view' }] }, { id: 'tag', kind: 'segment', segment: 'viewed', action: 'add' }], [['view', 'then', 'tag']]),
    workflow('on-signup', [{ id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'signup' }] }, { id: 'tag', kind: 'segment', segment: 'signed-up', action: 'add' }], [['wait', 'then', 'tag']]),
  ],
  segments: ['viewed', 'signed-up'].map((id) => ({ id, name: id, kind: 'manual' })),
});

const ID = 'V1StGXR8_Z5jdHi6B-myT';

/** Loads the runtime page in debug mode over the seeded record; returns its debug lines. */
async function open(page: Page) {
  await page.route('**/test/bundle-e2e.json', (route) => route.fulfill({ json: bundle }));
  const lines = consoleOf(page);
  await page.goto('/test/runtime.html?workflows_debug=1');
  return lines;
}

/** The page works for this visitor: the page view ran, an event moves a workflow on, and the next page loads it. */
async function works(page: Page) {
  expect(await ready(page)).toEqual({ workflows: 2, hash: bundle.hash });
  await expectSegment(page, 'viewed');
  await page.evaluate(() => window.workflows!.track('signup'));
  await expectSegment(page, 'signed-up');
  const stored = await storedState(page);
  await page.reload();
  expect(await ready(page)).toEqual({ workflows: 2, hash: bundle.hash });
  expect(await page.evaluate(() => window.workflows!.segments.list().sort())).toEqual(['signed-up', 'viewed']);
  return stored!;
}

test('fields of the wrong type are emptied, the rest of the visitor is kept, and debug says which', async ({ page }) => {
  const errors = pageErrors(page);
  await seedState(page, JSON.stringify({ v: 1, id: ID, first: 5, attrs: { plan: 'pro' }, session: null, pageviews: null, segments: 'viewed', cursors: {}, runs: null, promos: [] }));
  const lines = await open(page);
  const stored = await works(page);
  expect(stored).toMatchObject({ id: ID, first: 5, attrs: { plan: 'pro' }, sessions: 1 });
  const said = lines.map((l) => l.text).filter((t) => t.startsWith('[workflows] storage:'));
  expect(said).toEqual(['session', 'pageviews', 'segments', 'promos', 'cursors', 'runs'].map((k) => `[workflows] storage: bad ${k} replaced`));
  expect(errors).toEqual([]);
});

test('a newer runtime’s record with a field this one cannot read: segments.list and has answer, nothing throws', async ({ page }) => {
  const errors = pageErrors(page);
  await seedState(page, JSON.stringify({ v: 99, id: ID, segments: { viewed: true }, session: 'elsewhere' }));
  await open(page);
  expect(await ready(page)).toEqual({ workflows: 2, hash: bundle.hash });
  await expectSegment(page, 'viewed');
  expect(await page.evaluate(() => [window.workflows!.segments.list(), window.workflows!.segments.has('viewed')])).toEqual([['viewed'], true]);
  expect((await storedState(page))?.id).toBe(ID);
  expect(errors).toEqual([]);
});

test('a record damaged inside a field: enrollments that are not one are dropped, and a record the page view cannot count starts afresh', async ({ page }) => {
  const errors = pageErrors(page);
  // Right types at the top, wrong inside: an enrollment that is null, a promotion's history that is not an object.
  await seedState(page, JSON.stringify({ v: 1, id: ID, sessions: 3, last: 1, cursors: [null], promos: { p: null } }));
  const lines = await open(page);
  await works(page);
  expect(lines.map((l) => l.text)).toContainEqual(expect.stringMatching(/^\[workflows\] storage: bad state replaced \(TypeError/));
  // A new visitor: nothing of the damaged record could be counted on.
  expect((await storedState(page))?.id).not.toBe(ID);
  expect(errors).toEqual([]);
});

test('enrollments that are not one are dropped alone: the visitor and its other enrollments are kept', async ({ page }) => {
  await seedState(page, JSON.stringify({ v: 1, id: ID, attrs: { plan: 'pro' }, cursors: [null, 7, { id: 'c1', wf: 'on-signup', ver: bundle.workflows[1]!.version, node: 'wait', seq: 0, at: 1 }] }));
  await open(page);
  expect(await ready(page)).toEqual({ workflows: 2, hash: bundle.hash });
  await page.evaluate(() => window.workflows!.track('signup'));
  await expectSegment(page, 'signed-up');
  expect(await storedState(page)).toMatchObject({ id: ID, attrs: { plan: 'pro' } });
});
