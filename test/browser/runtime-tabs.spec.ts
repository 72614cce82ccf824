// Two tabs of one visitor (two pages of one browser context share IndexedDB, Web Locks and BroadcastChannel):
// a per-session workflow shows its promotion in one tab only, and segments added in one tab reach the other.
import { expect, test } from '@playwright/test';
import { api, compile, events, expectSegment, pageErrors, promotion, ready, recordEvents, serveBundle, waitForEvent, workflow } from './helpers/runtime.js';

const bundle = compile({
  workflows: [
    workflow(
      'once-per-session',
      [
        { id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'go' }] },
        { id: 'offer', kind: 'promotion', promotion: 'tab-offer' },
      ],
      [['wait', 'then', 'offer']],
      { reenroll: { mode: 'session' } },
    ),
  ],
  promotions: [{ id: 'tab-offer', name: 'Tab offer', kind: 'slide_in', steps: [{ id: 's', blocks: [{ kind: 'text', text: 'Hello' }, { kind: 'close', label: 'Not now' }] }] }],
  segments: [{ id: 'vip', name: 'VIP', kind: 'manual' }],
});

test('a reenroll: session workflow shows its promotion in one tab only, even when both tabs hit the trigger', async ({ context }) => {
  await serveBundle(context, bundle);
  await recordEvents(context);
  const a = await context.newPage();
  const b = await context.newPage();
  const errors = [...pageErrors(a), ...pageErrors(b)];
  await Promise.all([a.goto('/test/runtime.html'), b.goto('/test/runtime.html')]);
  await Promise.all([ready(a), ready(b)]);
  // Both tabs see the trigger at (nearly) the same moment.
  await Promise.all([api(a, (w) => w.track('go')), api(b, (w) => w.track('go'))]);
  await expect.poll(async () => (await promotion(a, 'tab-offer').count()) + (await promotion(b, 'tab-offer').count())).toBe(1);
  // ...and it stays that way.
  await a.waitForTimeout(500);
  const [inA, inB] = [await promotion(a, 'tab-offer').count(), await promotion(b, 'tab-offer').count()];
  expect(inA + inB).toBe(1);
  const shown = inA ? a : b;
  const other = inA ? b : a;
  expect([...(await events(a, 'enrolled')), ...(await events(b, 'enrolled'))]).toHaveLength(1);
  await shown.getByRole('button', { name: 'Not now' }).click();
  await waitForEvent(shown, 'promotion_closed', { promotion: 'tab-offer' });
  // Same session: neither tab starts it again, on a new page view or a new trigger.
  await api(other, (w) => w.page());
  await Promise.all([api(a, (w) => w.track('go')), api(b, (w) => w.track('go'))]);
  await a.waitForTimeout(500);
  expect((await promotion(a, 'tab-offer').count()) + (await promotion(b, 'tab-offer').count())).toBe(0);
  expect([...(await events(a, 'promotion_shown')), ...(await events(b, 'promotion_shown'))]).toHaveLength(1);
  expect(errors).toEqual([]);
});

test('a segment added in tab A is visible through segments.has in tab B', async ({ context }) => {
  await serveBundle(context, bundle);
  const a = await context.newPage();
  const b = await context.newPage();
  await a.goto('/test/runtime.html');
  await b.goto('/test/runtime.html');
  await Promise.all([ready(a), ready(b)]);
  expect(await api(b, (w) => w.segments.has('vip'))).toBe(false);
  await api(a, (w) => w.segments.add('vip'));
  expect(await api(a, (w) => w.segments.has('vip'))).toBe(true);
  await expectSegment(b, 'vip', true, 2000);
  await api(b, (w) => w.segments.remove('vip'));
  await expectSegment(a, 'vip', false, 2000);
});
