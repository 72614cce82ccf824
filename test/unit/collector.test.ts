// Collector batching (outbox chunk): batches every 5 s, at 20 events, and on page hide; what waits is kept in
// state.pending, and what an earlier page left there goes in the first batch.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCollector } from '../../runtime/collector.js';
import type { PublicEvent, Store } from '../../runtime/types.js';
import { memoryStore, state } from './engine-harness.js';

let n = 0;
const ev = (name: PublicEvent['name'] = 'enrolled'): PublicEvent => ({ id: `ev${++n}`, name, at: 1000 + n, visitor: 'v1', workflow: 'wf' });
const COLLECTOR = 'https://collect.example.com/e';

function setup(store?: Store) {
  const send = vi.fn(async (_item: Record<string, unknown>) => true);
  const onError = vi.fn();
  // Collectors of earlier tests still listen for page hide, with nothing left to send.
  const c = createCollector({ url: COLLECTOR, outbox: { send }, onError, store });
  return { c, send, onError, batches: () => send.mock.calls.map(([i]) => JSON.parse(i.body as string).events.map((e: PublicEvent) => e.id)) };
}

function hide() {
  Object.defineProperty(document, 'hidden', { value: true, configurable: true });
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  Object.defineProperty(document, 'hidden', { value: false, configurable: true });
}

const setBeacon = (value: unknown) => Object.defineProperty(navigator, 'sendBeacon', { value, configurable: true });

beforeEach(() => {
  vi.useFakeTimers();
  setBeacon(() => false); // happy-dom's own would really send
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('collector', () => {
  it('batches events for the collector every 5 s', () => {
    const { c, send } = setup();
    const a = ev('enrolled');
    const b = ev('promotion_shown');
    c.add([a]);
    c.add([b]);
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

  it('sends at once at 20 events', () => {
    const { c, batches } = setup();
    for (let i = 0; i < 21; i++) c.add([ev()]);
    expect(batches()).toHaveLength(1);
    expect(batches()[0]).toHaveLength(20);
    vi.advanceTimersByTime(5000);
    expect(batches().map((b: string[]) => b.length)).toEqual([20, 1]);
  });

  it('attaches no timer while nothing waits', () => {
    const { c, send } = setup();
    c.add([]);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(send).not.toHaveBeenCalled();
  });

  it('on page hide sends the pending batch by sendBeacon and keeps it in the outbox, held back', () => {
    const beacon = vi.fn(() => true);
    setBeacon(beacon);
    const { c, send } = setup();
    const a = ev();
    c.add([a]);
    hide();
    expect(beacon).toHaveBeenCalledWith(COLLECTOR, JSON.stringify({ events: [a] }));
    expect(send).toHaveBeenCalledOnce();
    expect(send.mock.calls[0]![0]).toMatchObject({ key: 'b_' + a.id, delay: 60_000 });
    expect(vi.getTimerCount()).toBe(0);
    hide(); // nothing left to send
    expect(beacon).toHaveBeenCalledOnce();
  });

  it('beacons at once what arrives while the page is hidden (a background tab, or events that waited for the chunk)', () => {
    const beacon = vi.fn(() => true);
    setBeacon(beacon);
    Object.defineProperty(document, 'hidden', { value: true, configurable: true });
    try {
      const { c, send } = setup();
      const a = ev();
      c.add([a]);
      expect(beacon).toHaveBeenCalledWith(COLLECTOR, JSON.stringify({ events: [a] }));
      expect(send.mock.calls[0]![0]).toMatchObject({ key: 'b_' + a.id, delay: 60_000 });
      expect(vi.getTimerCount()).toBe(0);
      // What an earlier page left pending goes the same way when the chunk starts on a hidden page.
      const left = ev();
      const store = memoryStore({ ...state(Date.now()), pending: [left] });
      const late = setup(store);
      expect(late.batches()).toEqual([[left.id]]);
      expect(beacon).toHaveBeenCalledTimes(2);
    } finally {
      Object.defineProperty(document, 'hidden', { value: false, configurable: true });
    }
  });

  it('falls back to the outbox (fetch keepalive) when sendBeacon refuses or is missing', () => {
    setBeacon(() => false);
    const { c, send } = setup();
    c.add([ev()]);
    hide();
    expect(send.mock.calls[0]![0]).toMatchObject({ delay: 0 });
    setBeacon(undefined);
    c.add([ev()]);
    hide();
    expect(send.mock.calls[1]![0]).toMatchObject({ delay: 0 });
  });

  it('keeps waiting events in state.pending until their batch is in the outbox', async () => {
    const store = memoryStore(state(Date.now()));
    const { c } = setup(store);
    const a = ev();
    c.add([a]);
    await vi.waitFor(() => expect(store.state.pending).toEqual([a]));
    vi.advanceTimersByTime(5000);
    await vi.waitFor(() => expect(store.state.pending).toEqual([]));
  });

  it('sends what an earlier page left pending in its first batch', () => {
    const left = [ev(), ev()];
    const { c, batches } = setup(memoryStore({ ...state(Date.now()), pending: left }));
    const a = ev();
    c.add([a]);
    vi.advanceTimersByTime(5000);
    expect(batches()).toEqual([[...left, a].map((e) => e.id)]);
  });
});
