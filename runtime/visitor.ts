/**
 * Visitor bookkeeping: pure functions over `VisitorState` (sessions, page views, device) and the
 * condition context built from it. No storage here: callers run them inside `store.mutate`.
 * The rules are documented in docs/runtime-state.md.
 */
import type { EvalContext } from '../src/conditions/types.js';
import type { VisitorState } from './types.js';

export type Device = 'desktop' | 'mobile' | 'tablet';

/** The URL `u`; undefined when it does not parse. */
const parse = (u: string) => {
  try {
    return new URL(u);
  } catch {}
};

/** Host without `www.`; '' when the URL does not parse. */
export const host = (u: string) => parse(u)?.hostname.replace(/^www\./, '') ?? '';

export const param = (u: string, k: string) => parse(u)?.searchParams.get(k);

/** Whether activity at `now` still belongs to the current session (30 minutes at most since the last). */
const alive = (s: VisitorState, now: number) => s.session.id && now - s.last <= 18e5;

/** Counts a page view, first starting a session when there is none or the last one timed out. */
export function pageView(s: VisitorState, { url, referrer, now }: { url: string; referrer: string; now: number }): void {
  if (!alive(s, now)) {
    if (s.sessions++) s.prev = s.last;
    if (host(referrer) == host(url)) referrer = '';
    const utm: Record<string, string> = {};
    const q = parse(url)?.searchParams;
    for (const k of ['source', 'medium', 'campaign', 'term', 'content']) {
      const v = q?.get('utm_' + k);
      if (v) utm[k] = v;
    }
    // The id only has to differ from this visitor's other sessions (re-enrollment policies compare it).
    // No channel: it follows from the landing URL and the referrer, and is classified only when a condition reads
    // it (the `channel` chunk), so that the tables stay out of the script tag.
    s.session = { id: now.toString(36), start: now, pageviews: 0, landing: url, referrer, utm };
    // Session-scoped promotion counters start again with the session.
    for (const r of Object.values(s.promos)) r.seen.session = r.closed.session = r.converted.session = 0;
  }
  s.session.pageviews++;
  s.pageviews.all_time++;
  if (s.sessions < 2) s.pageviews.first_session++;
  s.last = now;
}

/** Activity without a page view extends a live session; false (nothing changed) once it timed out. */
export const touch = (s: VisitorState, now: number): boolean => !!alive(s, now) && !!(s.last = now);

/**
 * `width`: the screen's short side in CSS px (`Math.min(screen.width, screen.height)`); `mobile`:
 * `navigator.userAgentData?.mobile`; `touch`: `navigator.maxTouchPoints` (iPadOS says it is a Mac).
 */
export const deviceOf = (ua: string, width: number, mobile?: boolean, touch = 0): Device =>
  mobile
    ? 'mobile'
    : /iPad|Tablet|Kindle|Silk|Android(?!.*Mobi)/i.test(ua)
      ? 'tablet'
      : // A phone UA on a screen whose short side is 600 px or more is a tablet (Android's sw600dp rule). An iPad or
        // an iPhone asking for desktop sites says Mac, with touch points: its screen tells which it is.
        /Mobi|iPhone|Android/i.test(ua) || (/Macintosh/.test(ua) && touch > 1)
        ? width < 600
          ? 'mobile'
          : 'tablet'
        : 'desktop';

/**
 * The condition context for the current page (and event) from the visitor state. `tz` gives the visitor's time zone
 * when a condition reads it: in the browser, reading it loads the time-zone data (~25 ms in a fresh page).
 */
export function contextOf(
  s: VisitorState,
  page: { url: string; referrer?: string; title?: string },
  now: number,
  device: string,
  tz: () => string,
  event?: { name: string; props?: Record<string, unknown> },
  channelOf?: (url: string, referrer: string) => string,
): EvalContext {
  const x = s.session;
  return {
    now,
    get timezone() {
      return tz();
    },
    page,
    visitor: {
      id: s.id,
      new: s.sessions < 2,
      sessions: s.sessions,
      pageviews: { ...s.pageviews, session: x.pageviews },
      landing_url: x.landing,
      referrer: x.referrer,
      utm: x.utm,
      // Classified when read, from the session's landing URL and referrer: unknown without the `channel` chunk.
      get channel() {
        return channelOf?.(x.landing, x.referrer);
      },
      device: device as Device,
      first_seen: s.first,
      last_seen: s.prev,
      attributes: s.attrs,
      segments: s.segments,
      cart: s.cart,
      promotions: s.promos,
      variants: s.variants,
    },
    event,
  };
}
