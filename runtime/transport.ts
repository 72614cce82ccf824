/**
 * Analytics transport: each public event goes to `window.dataLayer` and, when a collector is configured, into
 * a batch POSTed as `{ "events": [...] }` through the persisted outbox (key = batch id). Batches leave every
 * 5 s while events wait (no timer otherwise), at 20 events, and on page hide by `sendBeacon`. Until
 * `consent()` is true nothing leaves the page: events wait in memory and are released in order.
 */
import type { Outbox } from './outbox.js';
import type { PublicEvent, Store } from './types.js';

export interface TransportOptions {
  /** Collector URL; without it events only reach `dataLayer`. */
  collector?: string;
  outbox: Pick<Outbox, 'send'>;
  consent: () => boolean;
  onError: (message: string) => void;
  /** Events waiting for the next batch are kept in `state.pending`, so a page that goes away loses none. */
  store?: Store;
  now?: () => number;
}

export interface Transport {
  emit(event: PublicEvent): void;
  /** Call when consent is given: releases the events held until then (the next `emit` does it too). */
  release(): void;
  /** Sends the pending batch now; `hide`: the page is going away, use sendBeacon. */
  flush(hide?: boolean): void;
}

declare global {
  interface Window {
    dataLayer?: unknown[];
  }
}

export function createTransport(o: TransportOptions): Transport {
  const url = o.collector;
  let held: PublicEvent[] = [];
  let batch: PublicEvent[] = [];
  let timer: any;

  const flush = (hide?: boolean) => {
    clearTimeout(timer);
    timer = 0;
    if (!batch.length) return;
    const body = JSON.stringify({ events: batch });
    // The first event's id names the batch: unique, and the same on every retry.
    const key = 'b_' + batch[0]!.id;
    let beacon: unknown;
    const ids = batch.map((e) => e.id);
    batch = [];
    try {
      // A string goes as text/plain: no CORS preflight. The collector reads the body as JSON.
      beacon = hide && navigator.sendBeacon(url!, body);
    } catch {}
    // Kept in the outbox even when beaconed (a beacon is never confirmed): if the page stays, the outbox sends
    // it again a minute later, if not the next page does. The collector drops events it has (by id).
    void o.outbox.send({ key, url: url!, method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body, delay: beacon ? 6e4 : 0 });
    // Once in the outbox they no longer wait here. Were the page to go before either write lands, the next page
    // finds them still pending and sends them again (the collector drops ids it has).
    void o.store?.mutate((s) => void (s.pending = s.pending?.filter((e) => !ids.includes(e.id)))).catch(() => {});
  };

  const release = () => {
    if (!o.consent()) return;
    for (const e of held) {
      try {
        (window.dataLayer ||= []).push({ event: 'workflows.' + e.name, workflows: e });
      } catch (x) {
        o.onError('dataLayer: ' + x);
      }
      url && batch.push(e);
    }
    // Persist what waits for the batch as it arrives (the store coalesces concurrent writes).
    const add = url ? held : [];
    if (add.length) void o.store?.mutate((s) => void (s.pending = [...(s.pending ?? []), ...add].slice(-200))).catch(() => {});
    held = [];
    batch.length > 19 ? flush() : (timer ||= batch.length && setTimeout(flush, 5e3));
  };

  // One handler for both: `visibilitychange` (bubbles to window) comes first; `pagehide` covers old Safari.
  const hide = () => {
    try {
      document.hidden && flush(true);
    } catch (x) {
      o.onError('' + x);
    }
  };
  if (url) addEventListener('visibilitychange', hide), addEventListener('pagehide', hide);
  // Events an earlier page collected but did not hand to the outbox go in the first batch.
  const left = url && o.consent() ? o.store?.state.pending ?? [] : [];
  if (left.length) (batch = [...left]), (timer = setTimeout(flush, 5e3));

  return {
    emit(e) {
      // Bounded while consent is pending: the oldest go first.
      held.push(e) > 500 && held.shift();
      release();
    },
    release,
    flush,
  };
}
