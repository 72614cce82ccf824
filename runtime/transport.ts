/**
 * Where public events go besides `on()` listeners: each one to `window.dataLayer` as
 * `{ event: 'workflows.<name>', workflows: <event> }` and, when a collector is configured, to `collect` (the
 * collector's batching lives in the outbox chunk, see collector.ts). Until `consent()` is true nothing leaves
 * the page: events wait in memory (the newest 500) and are released in order.
 */
import type { PublicEvent } from './types.js';

export interface Transport {
  emit(event: PublicEvent): void;
  /** Call when consent is given: releases the events held until then (the next `emit` does it too). */
  release(): void;
}

declare global {
  interface Window {
    dataLayer?: unknown[];
  }
}

/**
 * `consent` says whether events may leave the page now; `onError` receives what failed; `collect`, absent without
 * a collector, receives the released events, in order.
 */
export function createTransport(consent: () => boolean, onError: (message: string) => void, collect?: (events: PublicEvent[]) => void): Transport {
  let held: PublicEvent[] = [];
  // A data layer that throws is reported once: the report is an event too, which would throw again.
  let broken = 0;

  const release = () => {
    if (!consent()) return;
    const out = held;
    held = [];
    for (const e of out)
      try {
        (window.dataLayer ||= []).push({ event: 'workflows.' + e.name, workflows: e });
      } catch (x) {
        broken++ || onError('dataLayer: ' + x);
      }
    if (out.length) collect?.(out);
  };

  return {
    emit(e) {
      // Bounded while consent is pending: the oldest go first.
      held.push(e) > 500 && held.shift();
      release();
    },
    release,
  };
}
