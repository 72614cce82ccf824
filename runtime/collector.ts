/**
 * Collector batching: events go out as `{ "events": [...] }` POSTs through the persisted outbox (key = batch
 * id). Batches leave every 5 s while events wait (no timer otherwise), at 20 events, and on page hide by
 * `sendBeacon`. Part of the outbox chunk: the core creates it, once consent is given, only when the script tag
 * names a collector (`data-collector`), and hands it the events its transport releases (transport.ts).
 */
import type { Outbox } from './outbox.js';
import type { PublicEvent, Store } from './types.js';

export interface CollectorOptions {
  /** The collector's URL. */
  url: string;
  outbox: Pick<Outbox, 'send'>;
  onError: (message: string) => void;
  /** Events waiting for the next batch are kept in `state.pending`, so a page that goes away loses none. */
  store?: Store;
}

export interface Collector {
  /** Events for the next batch, in order. */
  add(events: PublicEvent[]): void;
  /** Sends the pending batch now; `hide`: the page is going away, use sendBeacon. */
  flush(hide?: boolean): void;
}

export function createCollector(o: CollectorOptions): Collector {
  const { url, store } = o;
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
      beacon = hide && navigator.sendBeacon(url, body);
    } catch {}
    // Kept in the outbox even when beaconed (a beacon is never confirmed): if the page stays, the outbox sends
    // it again a minute later, if not the next page does. The collector drops events it has (by id).
    void o.outbox.send({ key, url, method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body, delay: beacon ? 6e4 : 0 });
    // Once in the outbox they no longer wait here. Were the page to go before either write lands, the next page
    // finds them still pending and sends them again (the collector drops ids it has).
    void store?.mutate((s) => void (s.pending = s.pending?.filter((e) => !ids.includes(e.id)))).catch(() => {});
  };

  // One handler for both: `visibilitychange` (bubbles to window) comes first; `pagehide` covers old Safari. Also
  // called when events arrive: a hidden page may be discarded without another event, so what reaches it then (the
  // events of a background tab, or those that waited for this chunk while the visitor switched tabs) goes at once.
  const hide = () => {
    try {
      return document.hidden && (flush(true), 1);
    } catch (x) {
      o.onError('' + x);
    }
  };
  addEventListener('visibilitychange', hide);
  addEventListener('pagehide', hide);
  // Events an earlier page collected but did not hand to the outbox go in the first batch.
  const left = store?.state.pending ?? [];
  if (left.length) (batch = [...left]), hide() || (timer = setTimeout(flush, 5e3));

  return {
    add(events) {
      batch.push(...events);
      // Persist what waits for the batch as it arrives (the store coalesces concurrent writes).
      if (events.length) void store?.mutate((s) => void (s.pending = [...(s.pending ?? []), ...events].slice(-200))).catch(() => {});
      hide() || (batch.length > 19 ? flush() : (timer ||= batch.length && setTimeout(flush, 5e3)));
    },
    flush,
  };
}
