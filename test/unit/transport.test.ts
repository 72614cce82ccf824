// The transport: dataLayer pushes, consent gating, and the hand-over of released events to the collector.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createTransport } from '../../runtime/transport.js';
import type { PublicEvent } from '../../runtime/types.js';

let n = 0;
const ev = (name: PublicEvent['name'] = 'enrolled'): PublicEvent => ({ id: `ev${++n}`, name, at: 1000 + n, visitor: 'v1', workflow: 'wf' });

function setup(opts: { collect?: boolean; consent?: () => boolean } = {}) {
  const collect = vi.fn((_events: PublicEvent[]) => {});
  const onError = vi.fn();
  const t = createTransport(opts.consent ?? (() => true), onError, opts.collect === false ? undefined : collect);
  return { t, collect, onError, collected: () => collect.mock.calls.flatMap(([events]) => events.map((e) => e.id)) };
}

beforeEach(() => {
  delete window.dataLayer;
});

describe('transport', () => {
  it('pushes each event to dataLayer and hands it to the collector, in order', () => {
    const { t, collect } = setup();
    const a = ev('enrolled');
    const b = ev('promotion_shown');
    t.emit(a);
    t.emit(b);
    expect(window.dataLayer).toEqual([
      { event: 'workflows.enrolled', workflows: a },
      { event: 'workflows.promotion_shown', workflows: b },
    ]);
    expect(collect.mock.calls).toEqual([[[a]], [[b]]]);
  });

  it('keeps dataLayer entries pushed by the page', () => {
    window.dataLayer = [{ event: 'gtm.js' }];
    setup().t.emit(ev());
    expect(window.dataLayer).toHaveLength(2);
  });

  it('without a collector, events only reach dataLayer', () => {
    const { t, collect } = setup({ collect: false });
    t.emit(ev());
    expect(window.dataLayer).toHaveLength(1);
    expect(collect).not.toHaveBeenCalled();
  });

  it('lets nothing leave the page without consent, then releases everything in order, at once', () => {
    let consent = false;
    const { t, collect } = setup({ consent: () => consent });
    const events = [ev(), ev(), ev()];
    events.forEach((e) => t.emit(e));
    expect(window.dataLayer).toBeUndefined();
    expect(collect).not.toHaveBeenCalled();
    consent = true;
    t.release();
    expect(window.dataLayer!.map((d: any) => d.workflows.id)).toEqual(events.map((e) => e.id));
    expect(collect.mock.calls).toEqual([[events]]);
    t.release(); // nothing left
    expect(collect).toHaveBeenCalledOnce();
  });

  it('reports a dataLayer that throws once, and goes on to the collector', () => {
    window.dataLayer = { push: () => { throw new Error('gtm broke'); } } as any;
    const { t, onError, collected } = setup();
    const events = [ev(), ev()];
    expect(() => events.forEach((e) => t.emit(e))).not.toThrow();
    expect(onError.mock.calls).toEqual([['dataLayer: Error: gtm broke']]);
    expect(collected()).toEqual(events.map((e) => e.id));
  });

  it('does not loop when the report of a throwing dataLayer is itself emitted', () => {
    window.dataLayer = { push: () => { throw new Error('gtm broke'); } } as any;
    const collect = vi.fn();
    // As in the runtime: the report becomes an `error` event through the same transport.
    const t = createTransport(() => true, (message) => t.emit({ ...ev('error'), message }), collect);
    t.emit(ev());
    expect(collect.mock.calls.flat(2).map((e: PublicEvent) => e.name).sort()).toEqual(['enrolled', 'error']);
  });

  it('holds at most 500 events while waiting for consent (the oldest go)', () => {
    let consent = false;
    const { t } = setup({ consent: () => consent, collect: false });
    const first = ev();
    t.emit(first);
    for (let i = 0; i < 500; i++) t.emit(ev());
    consent = true;
    t.release();
    expect(window.dataLayer).toHaveLength(500);
    expect((window.dataLayer![0] as any).workflows.id).not.toBe(first.id);
  });
});
