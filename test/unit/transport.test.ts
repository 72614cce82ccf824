// The analytics transport: dataLayer pushes, collector batches (5 s, 20 events, page hide), consent gating.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTransport } from '../../runtime/transport.js';
import type { PublicEvent } from '../../runtime/types.js';

let n = 0;
const ev = (name: PublicEvent['name'] = 'enrolled'): PublicEvent => ({ id: `ev${++n}`, name, at: 1000 + n, visitor: 'v1', workflow: 'wf' });
const COLLECTOR = 'https://collect.example.com/e';

function setup(opts: { collector?: string; consent?: () => boolean } = {}) {
  const send = vi.fn(async (_item: Record<string, unknown>) => true);
  const onError = vi.fn();
  const t = createTransport({ collector: 'collector' in opts ? opts.collector : COLLECTOR, outbox: { send }, consent: opts.consent ?? (() => true), onError });
  return { t, send, onError, batches: () => send.mock.calls.map(([i]) => JSON.parse(i.body as string).events.map((e: PublicEvent) => e.id)) };
}

function hide() {
  Object.defineProperty(document, 'hidden', { value: true, configurable: true });
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  Object.defineProperty(document, 'hidden', { value: false, configurable: true });
}

const setBeacon = (value: unknown) => Object.defineProperty(navigator, 'sendBeacon', { value, configurable: true });

beforeEach(() => {
  vi.useFakeTimers();
  delete window.dataLayer;
  setBeacon(() => false); // happy-dom's own would really send
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('transport', () => {
  it('pushes each event to dataLayer and batches it for the collector every 5 s', async () => {
    const { t, send } = setup();
    const a = ev('enrolled');
    const b = ev('promotion_shown');
    t.emit(a);
    t.emit(b);
    expect(window.dataLayer).toEqual([
      { event: 'workflows.enrolled', workflows: a },
      { event: 'workflows.promotion_shown', workflows: b },
    ]);
    vi.advanceTimersByTime(4999);
    expect(send).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(send).toHaveBeenCalledOnce();
    expect(send.mock.calls[0]![0]).toEqual({
      key: 'b_' + a.id,
      url: COLLECTOR,
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'b_' + a.id },
      body: JSON.stringify({ events: [a, b] }),
      delay: 0,
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps dataLayer entries pushed by the page', () => {
    window.dataLayer = [{ event: 'gtm.js' }];
    setup().t.emit(ev());
    expect(window.dataLayer).toHaveLength(2);
  });

  it('sends at once at 20 events', () => {
    const { t, batches } = setup();
    for (let i = 0; i < 21; i++) t.emit(ev());
    expect(batches()).toHaveLength(1);
    expect(batches()[0]).toHaveLength(20);
    vi.advanceTimersByTime(5000);
    expect(batches().map((b: string[]) => b.length)).toEqual([20, 1]);
  });

  it('attaches no timer while nothing waits, and none without a collector', () => {
    setup();
    expect(vi.getTimerCount()).toBe(0);
    const { t, send } = setup({ collector: undefined });
    t.emit(ev());
    expect(window.dataLayer).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(send).not.toHaveBeenCalled();
  });

  it('lets nothing leave the page without consent, then releases everything in order', () => {
    let consent = false;
    const { t, send, batches } = setup({ consent: () => consent });
    const events = [ev(), ev(), ev()];
    events.forEach((e) => t.emit(e));
    vi.advanceTimersByTime(10_000);
    hide();
    expect(window.dataLayer).toBeUndefined();
    expect(send).not.toHaveBeenCalled();
    consent = true;
    t.release();
    expect(window.dataLayer!.map((d: any) => d.workflows.id)).toEqual(events.map((e) => e.id));
    vi.advanceTimersByTime(5000);
    expect(batches()).toEqual([events.map((e) => e.id)]);
  });

  it('on page hide sends the pending batch by sendBeacon and keeps it in the outbox, held back', () => {
    const beacon = vi.fn(() => true);
    setBeacon(beacon);
    const { t, send } = setup();
    const a = ev();
    t.emit(a);
    hide();
    expect(beacon).toHaveBeenCalledWith(COLLECTOR, JSON.stringify({ events: [a] }));
    expect(send).toHaveBeenCalledOnce();
    expect(send.mock.calls[0]![0]).toMatchObject({ key: 'b_' + a.id, delay: 60_000 });
    expect(vi.getTimerCount()).toBe(0);
    hide(); // nothing left to send
    expect(beacon).toHaveBeenCalledOnce();
  });

  it('falls back to the outbox (fetch keepalive) when sendBeacon refuses or is missing', () => {
    setBeacon(() => false);
    const { t, send } = setup();
    t.emit(ev());
    hide();
    expect(send.mock.calls[0]![0]).toMatchObject({ delay: 0 });
    setBeacon(undefined);
    t.emit(ev());
    hide();
    expect(send.mock.calls[1]![0]).toMatchObject({ delay: 0 });
  });

  it('reports a dataLayer that throws and goes on', () => {
    window.dataLayer = { push: () => { throw new Error('gtm broke'); } } as any;
    const { t, onError, batches } = setup();
    expect(() => t.emit(ev())).not.toThrow();
    expect(onError).toHaveBeenCalledWith('dataLayer: Error: gtm broke');
    vi.advanceTimersByTime(5000);
    expect(batches()).toHaveLength(1);
  });

  it('holds at most 500 events while waiting for consent (the oldest go)', () => {
    let consent = false;
    const { t } = setup({ consent: () => consent, collector: undefined });
    const first = ev();
    t.emit(first);
    for (let i = 0; i < 500; i++) t.emit(ev());
    consent = true;
    t.release();
    expect(window.dataLayer).toHaveLength(500);
    expect((window.dataLayer![0] as any).workflows.id).not.toBe(first.id);
  });
});
