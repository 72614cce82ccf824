// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import type { AuthoringDocument, Workflow, WorkflowNode } from '../../src/model/types.js';
import { nextTime } from '../../runtime/schedule.js';
import { createEngine } from '../../runtime/engine.js';
import * as time from '../../runtime/features/time.js';
import * as promotions from '../../runtime/features/promotions.js';
import * as segments from '../../runtime/features/segments.js';
import * as commerce from '../../runtime/features/commerce.js';
import { harness, memoryStore, names, state } from './engine-harness.js';

const promo = (id: string, kind: 'modal' | 'bar' = 'modal') => ({
  id,
  name: id,
  kind,
  steps: [{ id: 's', blocks: [{ kind: 'heading' as const, text: 'Hi' }, { kind: 'button' as const, text: 'OK', action: 'close' as const }] }],
});

/** A linear workflow: steps joined in order through `ports` (default `next`/`then`). */
function wf(id: string, nodes: WorkflowNode[], edges: [string, string, string][], extra: Partial<Workflow> = {}): Workflow {
  return { id, name: id, status: 'active', start: nodes[0]!.id, nodes, edges: edges.map(([from, port, to]) => ({ from, port, to })), ...extra };
}

function doc(workflows: Workflow[], extra: Partial<AuthoringDocument> = {}): AuthoringDocument {
  return {
    workflows,
    promotions: [promo('p1'), promo('p2'), promo('bar', 'bar')],
    segments: [
      { id: 'leads', name: 'Leads', kind: 'manual' },
      { id: 'big', name: 'Big carts', kind: 'rule', rule: { field: 'cart.value', op: 'gte', value: 100 } },
    ],
    apps: [{ id: 'k', name: 'Klaviyo', provider: 'klaviyo', settings: { companyId: 'ABC123' } }],
    ...extra,
  };
}

const desktopOnly: WorkflowNode = { id: 'gate', kind: 'if', conditions: { field: 'device', op: 'equals', value: 'desktop' } };

describe('enrollment', () => {
  it('starts automatic workflows whose start conditions hold, and only those', async () => {
    const h = harness(doc([wf('a', [desktopOnly, { id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [['gate', 'then', 'tag']])]));
    h.ctx.device = 'mobile';
    await h.engine.pageView();
    await h.settle();
    expect(h.store.state.cursors).toEqual([]);
    expect(h.store.saves).toBe(0); // visitors who do not enter cost no storage write
    h.ctx.device = 'desktop';
    await h.engine.pageView();
    await h.settle();
    expect(h.store.state.segments).toEqual(['leads']);
    expect(names(h)).toEqual(['enrolled', 'step', 'exited']);
    expect(h.store.state.runs.a).toMatchObject({ session: 's1', page: 'page-1' });
  });

  it('skips workflows aimed at other pages without evaluating them, and starts them on their page', async () => {
    const gate: WorkflowNode = { id: 'gate', kind: 'if', conditions: { field: 'url', op: 'matches', value: '^https?://[^/]+/products/shoe-\\d+' } };
    const h = harness(doc([wf('a', [gate, { id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [['gate', 'then', 'tag']])]));
    expect(h.deps.bundle.workflows[0]!.url).toBe('/products/shoe-');
    await h.engine.pageView();
    await h.settle();
    expect(h.store.state.segments).toEqual([]);
    h.ctx.url = 'https://shop.test/Products/Shoe-12?x=1';
    await h.engine.pageView();
    await h.settle();
    expect(h.store.state.segments).toEqual(['leads']);
  });

  it('honours re-enrollment per session, never, per page and after a cooldown', async () => {
    for (const [mode, second, third] of [
      ['session', 0, 1],
      ['never', 0, 0],
      ['page', 0, 1],
    ] as const) {
      const h = harness(doc([wf('a', [{ id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [], { settings: { reenroll: { mode } } })]));
      await h.engine.pageView();
      await h.settle();
      const count = () => h.events.filter((e) => e.name === 'enrolled').length;
      expect(count()).toBe(1);
      await h.engine.pageView(); // same page, same session
      await h.settle();
      expect(count() - 1, mode).toBe(second);
      h.deps.page = () => 'page-2';
      await h.store.mutate((s) => void (s.session.id = 's2'));
      await h.engine.pageView();
      await h.settle();
      expect(count() - 1, mode).toBe(third);
    }
    const h = harness(doc([wf('a', [{ id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [], { settings: { reenroll: { mode: 'cooldown', days: 2 } } })]));
    await h.engine.pageView();
    await h.settle();
    h.clock.now += 86_400_000;
    await h.engine.pageView();
    await h.settle();
    expect(names(h).filter((n) => n === 'enrolled')).toHaveLength(1);
    h.clock.now += 2 * 86_400_000;
    await h.engine.pageView();
    await h.settle();
    expect(names(h).filter((n) => n === 'enrolled')).toHaveLength(2);
  });

  it('starts nothing outside the schedule', async () => {
    // 2026-11-27 12:00 UTC is a Friday.
    const h = harness(doc([wf('a', [{ id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [], { settings: { schedule: { timezone: 'UTC', days: ['mon'] } } })]));
    await h.engine.pageView();
    await h.settle();
    expect(h.store.state.segments).toEqual([]);
    const open = harness(doc([wf('a', [{ id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [], { settings: { schedule: { timezone: 'UTC', days: ['fri'], hours: { from: '11:00', to: '13:00' } } } })]));
    await open.engine.pageView();
    await open.settle();
    expect(open.store.state.segments).toEqual(['leads']);
  });

  it('suppresses other workflows while enrolled in one that asks for it', async () => {
    const waiting: WorkflowNode = { id: 'wait', kind: 'delay', mode: 'duration', duration: { amount: 1, unit: 'days' } };
    const h = harness(
      doc([
        wf('first', [{ id: 'go', kind: 'segment', segment: 'leads', action: 'add' }, waiting], [['go', 'next', 'wait']], { settings: { priority: 90, suppress: 'all' } }),
        wf('second', [{ id: 'tag', kind: 'segment', segment: 'leads', action: 'remove' }], [], { settings: { priority: 10 } }),
      ]),
    );
    await h.engine.pageView();
    await h.settle();
    await h.engine.pageView(); // second would start now if not suppressed
    await h.settle();
    expect(h.events.filter((e) => e.name === 'enrolled').map((e) => e.workflow)).toEqual(['first']);
  });

  it('suppresses only the listed workflows, and not while the suppressing one waits at its start trigger', async () => {
    const trigger: WorkflowNode = { id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'go' }] };
    const hold: WorkflowNode = { id: 'hold', kind: 'delay', mode: 'next_visit' };
    const plain = (id: string, priority: number) => wf(id, [hold], [], { settings: { priority } });
    const h = harness(
      doc([
        wf('waiting', [trigger, hold], [['wait', 'then', 'hold']], { settings: { priority: 90, suppress: 'all' } }),
        wf('listing', [hold], [], { settings: { priority: 80, suppress: ['b'] } }),
        plain('a', 20),
        plain('b', 10),
      ]),
    );
    await h.engine.pageView();
    await h.settle();
    expect(h.events.filter((e) => e.name === 'enrolled').map((e) => e.workflow)).toEqual(['listing', 'a']);
    await h.engine.dispatch({ key: 'event:go' });
    await h.settle();
    await h.engine.pageView();
    await h.settle();
    // `listing` still holds b back.
    expect(h.events.filter((e) => e.name === 'enrolled').map((e) => e.workflow)).toEqual(['listing', 'a', 'waiting']);
  });

  it('enroll() starts a manual workflow once; unenroll() ends it', async () => {
    const h = harness(doc([wf('m', [{ id: 'wait', kind: 'delay', mode: 'next_visit' }], [], { settings: { enrollment: 'manual' } })]));
    await h.engine.pageView();
    expect(h.store.state.cursors).toHaveLength(0);
    expect(await h.engine.enroll('m')).toBe(true);
    expect(await h.engine.enroll('m')).toBe(false);
    expect(await h.engine.enroll('nope')).toBe(false);
    await h.settle();
    expect(h.store.state.cursors).toHaveLength(1);
    expect(await h.engine.unenroll('m')).toBe(true);
    expect(h.store.state.cursors).toHaveLength(0);
    expect(names(h)).toContain('exited');
  });

  it('enroll() of a gated workflow whose gate fails does not count as an enrollment', async () => {
    const h = harness(doc([wf('g', [desktopOnly, { id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [['gate', 'then', 'tag']], { settings: { enrollment: 'manual', reenroll: { mode: 'never' } } })]));
    h.ctx.device = 'mobile';
    await h.engine.enroll('g');
    await h.settle();
    expect(names(h)).toEqual([]);
    expect(h.store.state.runs).toEqual({});
    h.ctx.device = 'desktop';
    await h.engine.enroll('g');
    await h.settle();
    expect(names(h)).toEqual(['enrolled', 'step', 'exited']);
  });

  it('enroll() of a workflow whose start waits for a trigger succeeds when the page view already put the visitor there', async () => {
    const gate: WorkflowNode = { id: 'gate', kind: 'if', triggers: [{ on: 'event', name: 'go' }] };
    const h = harness(doc([wf('w', [gate, { id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [['gate', 'then', 'tag']])]));
    await h.engine.pageView();
    await h.settle();
    expect(h.store.state.cursors).toMatchObject([{ wf: 'w', node: 'gate' }]);
    // Waiting at the start is not enrolled: the call succeeds and leaves the one cursor where it was.
    expect(await h.engine.enroll('w')).toBe(true);
    expect(h.store.state.cursors).toHaveLength(1);
    expect(names(h)).toEqual([]);
    await h.engine.dispatch({ key: 'event:go' });
    await h.settle();
    expect(names(h)).toEqual(['enrolled', 'step', 'exited']);
    expect(h.store.state.segments).toEqual(['leads']);
    // Enrolled and still in it (a waiting step after the gate): false.
    const h2 = harness(doc([wf('v', [gate, { id: 'wait', kind: 'delay', mode: 'next_visit' }], [['gate', 'then', 'wait']])]));
    await h2.engine.pageView();
    await h2.engine.dispatch({ key: 'event:go' });
    await h2.settle();
    expect(h2.store.state.cursors).toMatchObject([{ wf: 'v', node: 'wait', in: true }]);
    expect(await h2.engine.enroll('v')).toBe(false);
  });

  it('Workflow to Enroll starts another workflow and refuses to loop back', async () => {
    const h = harness(
      doc([
        wf('a', [{ id: 'go', kind: 'enroll', workflow: 'b' }], []),
        wf('b', [{ id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [], { settings: { enrollment: 'manual' } }),
      ]),
    );
    await h.engine.pageView();
    await h.settle();
    expect(h.events.filter((e) => e.name === 'enrolled').map((e) => e.workflow)).toEqual(['a', 'b']);
    expect(h.store.state.segments).toEqual(['leads']);
  });
});

describe('If/Then', () => {
  it('waits for a trigger, then passes only when the conditions hold', async () => {
    const h = harness(
      doc([
        wf(
          'exit',
          [
            { id: 'leave', kind: 'if', triggers: [{ on: 'exit_intent' }], conditions: { field: 'cart.value', op: 'gt', value: 0 } },
            { id: 'show', kind: 'promotion', promotion: 'p1' },
          ],
          [['leave', 'then', 'show']],
        ),
      ]),
    );
    await h.engine.pageView();
    await h.settle();
    expect(h.watched).toHaveLength(1);
    expect(h.watched[0]!.trigger).toMatchObject({ on: 'exit_intent', minDwellSeconds: 3 });
    h.watched[0]!.fire();
    await h.settle();
    expect(h.shown).toHaveLength(0); // empty cart
    await h.store.mutate((s) => void (s.cart.value = 30));
    h.watched[0]!.fire();
    await h.settle();
    expect(h.shown).toHaveLength(1);
    expect(h.watched[0]!.active).toBe(false); // the sensor is released once the step passes
    expect(names(h)).toEqual(['enrolled', 'step', 'promotion_shown']);
  });

  it('prefetches the renderer while a cursor waits one step before a promotion, and not otherwise', async () => {
    const waitThenShow = doc([wf('a', [{ id: 'leave', kind: 'if', triggers: [{ on: 'exit_intent' }] }, { id: 'show', kind: 'promotion', promotion: 'p1' }], [['leave', 'then', 'show']])]);
    const h = harness(waitThenShow);
    const renderer = vi.spyOn(h.deps, 'renderer');
    await h.engine.pageView();
    await new Promise((r) => setTimeout(r, 5));
    expect(renderer).toHaveBeenCalledTimes(1);
    const none = harness(doc([wf('b', [{ id: 'leave', kind: 'if', triggers: [{ on: 'exit_intent' }] }, { id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [['leave', 'then', 'tag']])]));
    const idle = vi.spyOn(none.deps, 'renderer');
    await none.engine.pageView();
    await new Promise((r) => setTimeout(r, 5));
    expect(idle).not.toHaveBeenCalled();
  });

  it('matches custom events through the index with property filters', async () => {
    const h = harness(
      doc([
        wf(
          'a',
          [
            { id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'signup', where: { field: 'event.plan', op: 'equals', value: 'pro' } }] },
            { id: 'tag', kind: 'segment', segment: 'leads', action: 'add' },
          ],
          [['wait', 'then', 'tag']],
        ),
      ]),
    );
    await h.engine.pageView();
    await h.settle();
    await h.engine.dispatch({ key: 'event:signup', props: { plan: 'free' } });
    await h.engine.dispatch({ key: 'event:other', props: { plan: 'pro' } });
    expect(h.store.state.segments).toEqual([]);
    await h.engine.dispatch({ key: 'event:signup', props: { plan: 'pro' } });
    await h.settle();
    expect(h.store.state.segments).toEqual(['leads']);
  });

  it('takes the timeout port when the wait window passes, even across page loads', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const d = doc([
        wf(
          'a',
          [
            { id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'never' }], wait: { amount: 10, unit: 'minutes' } },
            { id: 'late', kind: 'segment', segment: 'leads', action: 'add' },
          ],
          [['wait', 'timeout', 'late']],
        ),
      ]);
      const store = memoryStore(state(Date.UTC(2026, 10, 27, 12)));
      const h = harness(d, { store });
      await h.engine.pageView();
      for (let i = 0; i < 20; i++) await Promise.resolve();
      expect(store.state.cursors[0]?.wake).toBe(h.clock.now + 600_000);
      h.engine.stop(); // the visitor leaves
      const next = harness(d, { store }); // a later page, 11 minutes on
      next.clock.now += 660_000;
      await next.engine.pageView();
      for (let i = 0; i < 40; i++) await Promise.resolve();
      expect(store.state.segments).toEqual(['leads']);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('steps', () => {
  it('runs a Delay as a persisted wake-up time that resumes on a later page', async () => {
    const d = doc([
      wf(
        'a',
        [
          { id: 'wait', kind: 'delay', mode: 'duration', duration: { amount: 2, unit: 'hours' } },
          { id: 'tag', kind: 'segment', segment: 'leads', action: 'add' },
        ],
        [['wait', 'next', 'tag']],
      ),
    ]);
    const h = harness(d);
    await h.engine.pageView();
    await h.settle();
    expect(h.store.state.cursors[0]).toMatchObject({ node: 'wait', wake: h.clock.now + 7_200_000 });
    h.engine.stop();
    const later = harness(d, { store: h.store });
    later.clock.now += 7_300_000;
    await later.engine.pageView();
    await later.settle();
    expect(h.store.state.segments).toEqual(['leads']);
    expect(h.store.state.cursors).toEqual([]);
  });

  it('waits for the next visit', async () => {
    const d = doc([wf('a', [{ id: 'wait', kind: 'delay', mode: 'next_visit' }, { id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [['wait', 'next', 'tag']])]);
    const h = harness(d);
    await h.engine.pageView();
    await h.settle();
    await h.engine.pageView();
    await h.settle();
    expect(h.store.state.segments).toEqual([]);
    await h.store.mutate((s) => void (s.sessions = 2));
    await h.engine.pageView();
    await h.settle();
    expect(h.store.state.segments).toEqual(['leads']);
  });

  it('passes converted and dismissed on from a Promotion, with form values as attributes', async () => {
    const h = harness(
      doc([
        wf(
          'a',
          [
            { id: 'show', kind: 'promotion', promotion: 'p1' },
            { id: 'yes', kind: 'segment', segment: 'leads', action: 'add' },
            { id: 'hook', kind: 'webhook', url: 'https://hooks.example.com/lead' },
          ],
          [
            ['show', 'converted', 'yes'],
            ['yes', 'next', 'hook'],
          ],
        ),
      ]),
    );
    await h.engine.pageView();
    await h.settle();
    await h.answer({ outcome: 'converted', values: { email: 'a@b.co' } });
    expect(h.store.state.attrs.email).toBe('a@b.co');
    expect(h.store.state.segments).toEqual(['leads']);
    expect(h.store.state.promos.p1).toMatchObject({ seen: { all_time: 1 }, converted: { all_time: 1, session: 1 } });
    expect((h.calls[0]!.data as any).form).toEqual({ email: 'a@b.co' });
    expect(names(h)).toEqual(['enrolled', 'promotion_shown', 'promotion_converted', 'step', 'step', 'exited']);
  });

  it('shows one interrupting promotion at a time, highest priority first, with a cooldown', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const h = harness(
        doc([wf('low', [{ id: 's', kind: 'promotion', promotion: 'p2' }], [], { settings: { priority: 10 } }), wf('high', [{ id: 's', kind: 'promotion', promotion: 'p1' }], [], { settings: { priority: 90 } })], { site: { promotionCooldownSeconds: 30 } }),
      );
      const flush = async () => {
        for (let i = 0; i < 40; i++) await Promise.resolve();
      };
      await h.engine.pageView();
      await flush();
      expect(h.shown.map((s) => s.id)).toEqual(['p1']);
      h.clock.now += 5000;
      await h.answer({ outcome: 'dismissed' });
      await flush();
      expect(h.shown).toHaveLength(1); // cooldown
      h.clock.now += 30_000;
      vi.advanceTimersByTime(30_000);
      await flush();
      expect(h.shown.map((s) => s.id)).toEqual(['p1', 'p2']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('dismisses a promotion that was on screen when the visitor left', async () => {
    const d = doc([wf('a', [{ id: 's', kind: 'promotion', promotion: 'bar' }, { id: 'no', kind: 'segment', segment: 'leads', action: 'add' }], [['s', 'dismissed', 'no']])]);
    const h = harness(d);
    await h.engine.pageView();
    await h.settle();
    h.engine.stop();
    const next = harness(d, { store: h.store });
    await next.engine.pageView();
    await next.settle();
    expect(h.store.state.segments).toEqual(['leads']);
  });

  it('assigns a sticky variant, reports exposure once and attributes goals to it', async () => {
    const d = doc([
      wf(
        'ab',
        [
          { id: 'split', kind: 'split', variants: [{ id: 'a', weight: 50 }, { id: 'b', weight: 50 }], holdout: 0 },
          { id: 'wait', kind: 'delay', mode: 'next_visit' },
        ],
        [
          ['split', 'a', 'wait'],
          ['split', 'b', 'wait'],
        ],
        { settings: { goal: { event: 'purchase', windowDays: 7 }, reenroll: { mode: 'page' } } },
      ),
    ]);
    const h = harness(d);
    await h.engine.pageView();
    await h.settle();
    const variant = h.store.state.variants['ab/split'];
    expect(['a', 'b']).toContain(variant);
    await h.engine.unenroll('ab');
    h.deps.page = () => 'page-2';
    await h.engine.pageView();
    await h.settle();
    expect(h.store.state.variants['ab/split']).toBe(variant);
    expect(names(h).filter((n) => n === 'variant_assigned')).toHaveLength(1);
    await h.engine.dispatch({ key: 'commerce:purchase', props: { value: 42 } });
    expect(h.events.find((e) => e.name === 'goal')).toMatchObject({ workflow: 'ab', step: 'split', variant, value: 42 });
  });

  it('gives effects idempotency keys and follows ok/failed', async () => {
    const d = doc([
      wf(
        'a',
        [
          { id: 'hook', kind: 'webhook', url: 'https://hooks.example.com/x' },
          { id: 'app', kind: 'app', app: 'k', action: 'subscribe', list: 'L1' },
          { id: 'code', kind: 'code', handler: 'h' },
          { id: 'sorry', kind: 'segment', segment: 'leads', action: 'add' },
        ],
        [
          ['hook', 'ok', 'app'],
          ['app', 'failed', 'code'],
          ['code', 'failed', 'sorry'],
        ],
      ),
    ]);
    const h = harness(d, { effects: { app: false, code: false } });
    await h.engine.pageView();
    await h.settle();
    expect(h.calls.map((c) => c.kind)).toEqual(['webhook', 'app', 'code']);
    const keys = h.calls.map((c) => c.key);
    expect(new Set(keys).size).toBe(3);
    expect(keys[0]).toMatch(/^h\d+-\d+:0$/);
    expect(h.store.state.segments).toEqual(['leads']);
  });

  it('keeps rule-based segments in step with their rules', async () => {
    const h = harness(doc([wf('a', [{ id: 'wait', kind: 'if', triggers: [{ on: 'segment_entered', segment: 'big' }] }, { id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [['wait', 'then', 'tag']])]));
    await h.engine.pageView();
    await h.settle();
    await h.store.mutate((s) => void (s.cart.value = 150));
    await h.engine.refreshSegments();
    await h.settle();
    expect(h.store.state.segments).toEqual(['big', 'leads']);
    await h.store.mutate((s) => void (s.cart.value = 10));
    await h.engine.refreshSegments();
    expect(h.store.state.segments).toEqual(['leads']);
  });

  it('never lets two tabs run the same step twice', async () => {
    const d = doc([wf('a', [{ id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'go' }] }, { id: 'hook', kind: 'webhook', url: 'https://hooks.example.com/x' }], [['wait', 'then', 'hook']])]);
    const first = harness(d);
    const shared = { state: first.store.state, listeners: new Set<() => void>() };
    const tabA = harness(d, { store: memoryStore(first.store.state, shared) });
    const tabB = harness(d, { store: memoryStore(first.store.state, shared) });
    await tabA.engine.pageView();
    await tabA.settle();
    await tabB.engine.pageView();
    await tabB.settle();
    await Promise.all([tabA.engine.dispatch({ key: 'event:go' }), tabB.engine.dispatch({ key: 'event:go' })]);
    await tabA.settle();
    expect(tabA.calls.length + tabB.calls.length).toBe(1);
  });
});

describe('republishing and reset', () => {
  const waitThenTag = (extra: Partial<Workflow> = {}, tagId = 'tag') =>
    wf(
      'a',
      [{ id: 'hello', kind: 'segment', segment: 'leads', action: 'remove' }, { id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'go' }] }, { id: tagId, kind: 'segment', segment: 'leads', action: 'add' }],
      [
        ['hello', 'next', 'wait'],
        ['wait', 'then', tagId],
      ],
      extra,
    );

  it('a new version goes on with enrollments at a step it still has, and ends those at a step it dropped', async () => {
    const v1 = harness(doc([waitThenTag({ version: 1 })]));
    await v1.engine.pageView();
    await v1.settle();
    expect(v1.store.state.cursors.map((c) => [c.node, c.ver])).toEqual([['wait', 1]]);
    // Version 2 keeps the wait step: the enrollment carries on, now on version 2.
    const v2 = harness(doc([waitThenTag({ version: 2 })]), { store: v1.store });
    await v2.engine.pageView();
    await v2.settle();
    expect(v2.store.state.cursors.map((c) => [c.node, c.ver])).toEqual([['wait', 2]]);
    await v2.engine.dispatch({ key: 'event:go' });
    await v2.settle();
    expect(v2.store.state.segments).toEqual(['leads']);
    // Version 3 replaced the step the enrollment waits at: it ends, with the reason.
    const again = harness(doc([waitThenTag({ version: 1 })]));
    await again.engine.pageView();
    await again.settle();
    const v3 = harness(doc([wf('a', [{ id: 'hello', kind: 'segment', segment: 'leads', action: 'remove' }], [], { version: 3 })]), { store: again.store });
    await v3.engine.pageView();
    await v3.settle();
    expect(v3.events.find((e) => e.name == 'exited')).toMatchObject({ workflow: 'a', step: 'wait', reason: 'changed' });
    expect(v3.store.state.cursors.filter((c) => c.node == 'wait')).toEqual([]);
  });

  it('stop() (reset) takes this page’s promotion off the screen and leaves nothing armed', async () => {
    const h = harness(doc([wf('a', [{ id: 'wait', kind: 'if', triggers: [{ on: 'exit_intent' }] }, { id: 'show', kind: 'promotion', promotion: 'p1' }], [['wait', 'then', 'show']])]));
    await h.engine.pageView();
    await h.settle();
    h.watched[0]!.fire();
    await h.settle();
    expect(h.shown.map((r) => r.id)).toEqual(['p1']);
    h.engine.stop();
    await h.settle();
    expect(h.hidden).toEqual(['p1']);
    expect(h.watched.every((w) => !w.active)).toBe(true);
  });
});

describe('feature chunks', () => {
  it('a feature whose chunk did not load disables only the workflows that need it, and rules that read it are not followed', async () => {
    const tag = (segment: string): WorkflowNode => ({ id: 'tag', kind: 'segment', segment, action: 'add' });
    const d = doc(
      [
        wf('promo', [desktopOnly, { id: 'show', kind: 'promotion', promotion: 'bar' }], [['gate', 'then', 'show']]),
        wf('timed', [{ id: 'gate', kind: 'if', conditions: { field: 'time', op: 'between', value: ['00:00', '23:59'] } }, tag('leads')], [['gate', 'then', 'tag']]),
        wf('plain', [desktopOnly, tag('vip')], [['gate', 'then', 'tag']]),
      ],
      {
        segments: [
          { id: 'leads', name: 'Leads', kind: 'manual' },
          { id: 'vip', name: 'VIP', kind: 'manual' },
          { id: 'day', name: 'Daytime', kind: 'rule', rule: { field: 'time', op: 'between', value: ['00:00', '23:59'] } },
          { id: 'big', name: 'Big carts', kind: 'rule', rule: { field: 'cart.value', op: 'gte', value: 100 } },
        ],
      },
    );
    // Ships the rule segments (manual: it never starts here).
    const entered = { id: 'wait', kind: 'if', triggers: [{ on: 'segment_entered', segment: 'day' }, { on: 'segment_entered', segment: 'big' }] } as WorkflowNode;
    d.workflows!.push(wf('watch', [entered, tag('vip')], [['wait', 'then', 'tag']], { settings: { enrollment: 'manual' } }));
    const h = harness(d);
    expect(h.deps.bundle.needs).toEqual(['promotions', 'time', 'segments', 'commerce']);
    h.store.state.segments.push('day'); // a member already: a rule that cannot be read leaves it as it is
    h.store.state.cart = { value: 150, items: 1, lines: [] } as never;
    h.events.length = 0;
    const e = createEngine({ ...h.deps, features: { segments, commerce } });
    expect(h.events.map((x) => [x.workflow, x.message])).toEqual([
      ['promo', 'needs the promotions chunk, which did not load'],
      ['timed', 'needs the time chunk, which did not load'],
    ]);
    await e.pageView();
    await h.settle();
    expect(h.store.state.cursors).toEqual([]);
    expect(h.store.state.segments).toEqual(['day', 'big', 'vip']);
    expect(h.shown).toEqual([]);
    // With the time chunk, only the promotion's workflow stays off.
    const h2 = harness(d);
    const e2 = createEngine({ ...h2.deps, features: { time, segments } });
    await e2.pageView();
    await h2.settle();
    expect(h2.store.state.segments).toEqual(['day', 'vip', 'leads']);
    // Without the segments chunk no rule is followed (members stay, nobody enters); the workflows still run.
    const h3 = harness(d);
    h3.store.state.segments.push('day');
    h3.store.state.cart = { value: 150, items: 1, lines: [] } as never;
    const e3 = createEngine({ ...h3.deps, features: { time, promotions } });
    await e3.pageView();
    await h3.settle();
    expect(h3.store.state.segments).toEqual(['day', 'vip', 'leads']);
  });
});

describe('debug lines', () => {
  it('a page view builds no text for the workflows it skips, unless the line is kept', async () => {
    const gate: WorkflowNode = { id: 'gate', kind: 'if', conditions: { field: 'url', op: 'contains', value: '/never' } };
    const many = Array.from({ length: 50 }, (_, i) => wf(`w${i}`, [gate, { id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [['gate', 'then', 'tag']]));
    const h = harness(doc(many));
    const lines: (string | (() => string))[] = [];
    const e = createEngine({ ...h.deps, log: (m) => void lines.push(m) });
    await e.pageView();
    await h.settle();
    expect(lines).toHaveLength(50);
    expect(lines.every((m) => typeof m == 'function')).toBe(true);
    expect((lines[0] as () => string)()).toBe('w0: not started: not this page');
  });
});

describe('hand-made and damaged bundles', () => {
  const tagOnly = (id: string, extra: Partial<Workflow> = {}) => wf(id, [{ id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [], extra);

  it('a workflow whose needs is not a list is left out alone (it counts as needing everything); the others run', async () => {
    const h = harness(doc([tagOnly('a')]));
    const bundle = structuredClone(h.deps.bundle) as any;
    bundle.workflows.push({ ...bundle.workflows[0], id: 'odd', needs: 'time' });
    const { time: _t, ...features } = h.deps.features!;
    const e = createEngine({ ...h.deps, bundle, features });
    await e.pageView();
    await h.settle();
    expect(h.store.state.segments).toEqual(['leads']);
    expect(h.events.find((x) => x.name == 'error')).toMatchObject({ workflow: 'odd', message: expect.stringContaining('time chunk') });
  });

  it('a scheduled workflow in a bundle that does not list time stops alone when the time chunk is missing', async () => {
    const h = harness(doc([tagOnly('a', { settings: { schedule: { days: ['mon'] } } as Workflow['settings'] }), tagOnly('b')]));
    const bundle = structuredClone(h.deps.bundle) as any;
    for (const w of bundle.workflows) delete w.needs;
    bundle.needs = [];
    const { time: _t, ...features } = h.deps.features!;
    const e = createEngine({ ...h.deps, bundle, features });
    await expect(e.pageView()).resolves.toBeUndefined();
    await h.settle();
    expect(h.store.state.runs.b).toBeDefined();
    expect(h.store.state.runs.a).toBeUndefined();
  });

  it('without the enrollment chunk, only the workflows that need it are left out', async () => {
    const tag: WorkflowNode = { id: 'tag', kind: 'segment', segment: 'leads', action: 'add' };
    const hold: WorkflowNode = { id: 'hold', kind: 'delay', mode: 'next_visit' };
    const d = doc([
      wf('holder', [hold], [], { settings: { priority: 90, suppress: ['held'] } }),
      wf('held', [tag], [], { settings: { priority: 80 } }),
      wf('enrolls', [{ id: 'go', kind: 'enroll', workflow: 'free' }], [], { settings: { priority: 70 } }),
      wf('free', [tag], [], { settings: { priority: 50 } }),
    ]);
    const h = harness(d);
    expect(Object.fromEntries(h.deps.bundle.workflows.map((w) => [w.id, w.needs]))).toMatchObject({ holder: undefined, held: ['enrollment'], enrolls: ['enrollment'], free: undefined });
    const { enrollment: _e, ...features } = h.deps.features!;
    h.events.length = 0;
    const e = createEngine({ ...h.deps, features });
    expect(h.events.map((x) => [x.workflow, x.message])).toEqual(['held', 'enrolls'].map((id) => [id, 'needs the enrollment chunk, which did not load']));
    await e.pageView();
    await h.settle();
    expect(h.events.filter((x) => x.name == 'enrolled').map((x) => x.workflow)).toEqual(['holder', 'free']);
    // A hand-made bundle whose needs leave the chunk out: an Enroll step stops its workflow alone, and suppression
    // is not read (such a bundle must list the chunk where the compiler would).
    const bundle = structuredClone(h.deps.bundle);
    for (const w of bundle.workflows) delete w.needs;
    bundle.needs = [];
    const h2 = harness(d);
    await createEngine({ ...h2.deps, bundle, features }).pageView();
    await h2.settle();
    expect(h2.events.filter((x) => x.name == 'enrolled').map((x) => x.workflow)).toEqual(['holder', 'held', 'enrolls', 'free']);
    expect(h2.events.filter((x) => x.name == 'error').map((x) => x.workflow)).toEqual(['enrolls']);
  });

  it('a bundle of workflows alone (no index, promotions, segments or site) runs what it can', async () => {
    const h = harness(doc([tagOnly('a'), wf('b', [{ id: 'show', kind: 'promotion', promotion: 'p1' }], [])]));
    const { workflows, format, version } = h.deps.bundle;
    const e = createEngine({ ...h.deps, bundle: { format, version, workflows } as typeof h.deps.bundle });
    await expect(e.pageView()).resolves.toBeUndefined();
    await h.settle();
    await expect(e.dispatch({ key: 'event:go' })).resolves.toBeUndefined();
    expect(h.store.state.segments).toEqual(['leads']);
    // A promotion the bundle does not hold is not shown: its step takes `dismissed`, and the workflow ends.
    expect(h.shown).toEqual([]);
    expect(h.events.filter((x) => x.name == 'exited').map((x) => x.workflow)).toEqual(['a', 'b']);
    expect(h.events.filter((x) => x.name == 'error')).toEqual([]);
  });

  it('reset while a promotion shows: the old enrollment reports no outcome and moves nothing', async () => {
    const h = harness(
      doc([
        wf('a', [{ id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'go' }] }, { id: 'show', kind: 'promotion', promotion: 'p1' }], [['wait', 'then', 'show']]),
        wf('b', [{ id: 'w', kind: 'if', triggers: [{ on: 'promotion', outcome: 'closed' }] }, { id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [['w', 'then', 'tag']]),
      ]),
    );
    await h.engine.pageView();
    await h.settle();
    await h.engine.dispatch({ key: 'event:go' });
    await h.settle();
    expect(h.shown).toHaveLength(1);
    // What workflows.reset() does.
    h.engine.stop();
    await h.store.reset();
    await h.engine.pageView();
    await h.settle();
    expect(h.events.map((e) => e.name)).not.toContain('promotion_closed');
    expect(h.store.state.segments).toEqual([]);
  });
});

describe('nextTime', () => {
  it('finds the next wall-clock time in a zone, across DST', () => {
    const now = Date.UTC(2026, 10, 27, 12, 0);
    expect(new Date(nextTime('09:00', 'UTC', now)).toISOString()).toBe('2026-11-28T09:00:00.000Z');
    expect(new Date(nextTime('13:30', 'UTC', now)).toISOString()).toBe('2026-11-27T13:30:00.000Z');
    expect(new Date(nextTime('09:00', 'Asia/Kolkata', now)).toISOString()).toBe('2026-11-28T03:30:00.000Z');
    // New York springs forward on 2026-03-08: 09:00 that day is 13:00 UTC, the day before 14:00 UTC.
    expect(new Date(nextTime('09:00', 'America/New_York', Date.UTC(2026, 2, 7, 15))).toISOString()).toBe('2026-03-08T13:00:00.000Z');
  });
});

describe('under concurrency and slow effects', () => {
  it('flushes the store before an effect leaves the page: webhook, app, code and promotion', async () => {
    const h = harness(
      doc([
        wf(
          'a',
          [
            { id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'go' }] },
            { id: 'hook', kind: 'webhook', url: 'https://hooks.example.com/x' },
            { id: 'show', kind: 'promotion', promotion: 'p1' },
          ],
          [
            ['wait', 'then', 'hook'],
            ['hook', 'ok', 'show'],
          ],
        ),
      ]),
    );
    const seen: [string, number, boolean][] = [];
    h.deps.webhook = async () => (seen.push(['webhook', h.store.flushes, h.store.state.cursors[0]?.fx === h.store.state.cursors[0]?.seq]), true);
    const show = (await h.deps.renderer()).show;
    h.deps.renderer = async () => ({ show: (req) => (seen.push(['promotion', h.store.flushes, !!h.store.state.cursors[0]?.shown]), show(req)), hide: () => {} });
    await h.engine.pageView();
    await h.settle();
    const before = h.store.flushes;
    await h.engine.dispatch({ key: 'event:go' });
    await h.settle();
    expect(seen.map((x) => x[0])).toEqual(['webhook', 'promotion']);
    // Each effect saw one more flush than the one before it, and its claim already in the state flushed.
    expect(seen[0]![1]).toBeGreaterThan(before);
    expect(seen[1]![1]).toBeGreaterThan(seen[0]![1]);
    expect(seen.every((x) => x[2])).toBe(true);
  });

  it('a Code step whose runner cannot be loaded takes failed, unclaimed, and the workflow goes on', async () => {
    const h = harness(
      doc([
        wf(
          'a',
          [
            { id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'go' }] },
            { id: 'run', kind: 'code', handler: 'sync' },
            { id: 'tag', kind: 'segment', segment: 'leads', action: 'add' },
          ],
          [
            ['wait', 'then', 'run'],
            ['run', 'failed', 'tag'],
          ],
        ),
      ]),
    );
    h.deps.prepare = async (kind) => {
      throw new Error(`the ${kind} chunk did not load`);
    };
    await h.engine.pageView();
    await h.settle();
    await h.engine.dispatch({ key: 'event:go' });
    await h.settle();
    expect(h.calls).toEqual([]);
    expect(h.events.find((e) => e.name == 'error')).toMatchObject({ workflow: 'a', step: 'run', message: 'the code chunk did not load' });
    expect(h.store.state.segments).toEqual(['leads']);
  });

  it('does not make an event wait on a slow webhook after the trigger', async () => {
    const h = harness(doc([wf('a', [{ id: 'wait', kind: 'if', triggers: [{ on: 'event', name: 'go' }] }, { id: 'hook', kind: 'webhook', url: 'https://hooks.example.com/x' }], [['wait', 'then', 'hook']])]));
    h.deps.webhook = () => new Promise(() => {}); // never answers
    await h.engine.pageView();
    await h.settle();
    const done = await Promise.race([h.engine.dispatch({ key: 'event:go' }).then(() => 'resolved'), new Promise((r) => setTimeout(() => r('stuck'), 200))]);
    expect(done).toBe('resolved');
  });

  it('credits a goal once when two goal events arrive together', async () => {
    const h = harness(doc([wf('a', [{ id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }, { id: 'wait', kind: 'delay', mode: 'next_visit' }], [['tag', 'next', 'wait']], { settings: { goal: { event: 'purchase', windowDays: 7 } } })]));
    await h.engine.pageView();
    await h.settle();
    await Promise.all([h.engine.dispatch({ key: 'commerce:purchase' }), h.engine.dispatch({ key: 'commerce:purchase' })]);
    expect(h.events.filter((e) => e.name === 'goal')).toHaveLength(1);
  });

  it('an event named like an object property (constructor, __proto__) is an event like any other', async () => {
    const h = harness(doc([wf('a', [{ id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }, { id: 'wait', kind: 'delay', mode: 'next_visit' }], [['tag', 'next', 'wait']], { settings: { goal: { event: 'signup_done', windowDays: 7 } } })]));
    await h.engine.pageView();
    await h.settle();
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) await h.engine.dispatch({ key: `event:${name}` });
    await h.engine.dispatch({ key: 'commerce:constructor' });
    expect(h.events.filter((e) => e.name === 'error')).toEqual([]);
    await h.engine.dispatch({ key: 'event:signup_done' });
    expect(h.events.filter((e) => e.name === 'goal')).toHaveLength(1);
  });

  it('suppresses lower priority workflows on the page view where a gated one enrolls', async () => {
    const gated = wf('first', [desktopOnly, { id: 'wait', kind: 'delay', mode: 'next_visit' }], [['gate', 'then', 'wait']], { settings: { priority: 90, suppress: 'all' } });
    const h = harness(doc([gated, wf('second', [{ id: 'tag', kind: 'segment', segment: 'leads', action: 'add' }], [], { settings: { priority: 10 } })]));
    await h.engine.pageView();
    await h.settle();
    expect(h.events.filter((e) => e.name === 'enrolled').map((e) => e.workflow)).toEqual(['first']);
  });

  it('shows a promotion held by the cooldown once the cooldown ends, whatever else schedules timers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const h = harness(doc([wf('a', [{ id: 's', kind: 'promotion', promotion: 'p1' }], []), wf('b', [{ id: 'later', kind: 'delay', mode: 'duration', duration: { amount: 1, unit: 'hours' } }], [])], { site: { promotionCooldownSeconds: 10 } }));
      await h.store.mutate((s) => void (s.lastPromo = h.clock.now - 5000)); // a promotion 5 s ago on an earlier page
      await h.engine.pageView();
      for (let i = 0; i < 60; i++) await Promise.resolve();
      expect(h.shown).toHaveLength(0);
      h.engine.sync(); // another tab changed something: reschedules
      h.clock.now += 6000;
      vi.advanceTimersByTime(6000);
      for (let i = 0; i < 60; i++) await Promise.resolve();
      expect(h.shown.map((x) => x.id)).toEqual(['p1']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never runs a Code handler twice when its step was started before', async () => {
    const d = doc([wf('a', [{ id: 'run', kind: 'code', handler: 'h' }, { id: 'after', kind: 'segment', segment: 'leads', action: 'add' }], [['run', 'failed', 'after']])]);
    const first = harness(d);
    first.deps.code = () => new Promise(() => {}); // the page goes away while the handler runs
    await first.engine.pageView();
    await first.settle();
    expect(first.store.state.cursors[0]).toMatchObject({ node: 'run', fx: 0 });
    first.engine.stop();
    const next = harness(d, { store: first.store });
    await next.engine.pageView();
    await next.settle();
    expect(next.calls.filter((c) => c.kind === 'code')).toHaveLength(0);
    expect(next.events.find((e) => e.name === 'error')?.message).toMatch(/not run twice/);
    expect(first.store.state.segments).toEqual(['leads']);
  });
});
