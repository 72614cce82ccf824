/**
 * The persisted outbox: every request that leaves the page (webhooks, apps, collector batches) is written to
 * `state.outbox` before its first attempt and removed once it settles, so a navigation or a crash never loses
 * it: `resume()` on the next page load retries what is left. A key in `state.done` is never sent again.
 */
import { createCollector } from './collector.js';
import type { OutboxItem, Store } from './types.js';

/** What to send: `ttl` (ms, default 24 h) bounds the retries; `delay` (ms) holds the first attempt back. */
export type OutboxRequest = Omit<OutboxItem, 'tries' | 'next' | 'until'> & { ttl?: number; delay?: number };

export interface OutboxOptions {
  /** `window.fetch` by default (any function of that shape, e.g. a test double). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  now?: () => number;
  /** When it returns false, attempts wait (and back off) without touching the network. */
  online?: () => boolean;
  /** Settlement of an item no `send()` of this page waits for (one resumed from an earlier page). */
  onSettled?: (key: string, ok: boolean) => void;
  /** Why requests were given up at once: told once per origin the page's Content-Security-Policy refuses. */
  onError?: (message: string) => void;
}

export interface Outbox {
  /** Resolves true when the endpoint accepted it (or did before: same key), false when it gave up. Never rejects. */
  send(item: OutboxRequest): Promise<boolean>;
  /** Retries what earlier pages left pending. */
  resume(): void;
}

/** An attempt holds its item this long (ms): another tab, or the next page, does not send it meanwhile. */
const LEASE = 6e4;

export function createOutbox(store: Store, o: OutboxOptions = {}): Outbox {
  const now = o.now || Date.now;
  const waits = new Map<string, (ok: boolean) => void>();
  // What the page's Content-Security-Policy refused (`connect-src`) while a request of ours was out: the URLs (or
  // origins) its violation reports name, forgotten when none is out, so the page's own refusals neither pile up nor
  // count against us; and the origins already reported (once each: a collector's batches would report their own
  // refusal again).
  const refused = new Set<string>();
  const told = new Set<string>();
  let out = 0;
  try {
    document.addEventListener('securitypolicyviolation', (e) => out && e.disposition == 'enforce' && e.effectiveDirective == 'connect-src' && refused.add(e.blockedURI));
  } catch {}
  let timer: any;

  const settle = (k: string, ok: boolean) => {
    const w = waits.get(k);
    waits.delete(k);
    w ? w(ok) : o.onSettled?.(k, ok);
  };

  const attempt = async (i: OutboxItem) => {
    let r = 0; // 0 failed, 1 ok, 2 retry
    out++;
    if (now() < i.until)
      try {
        if (o.online?.() == false) throw 0;
        const res = await (o.fetch || fetch)(i.url, {
          method: i.method,
          headers: i.headers,
          body: i.body,
          // Over 64 KB a keepalive request is refused outright.
          keepalive: !(i.body!?.length > 6e4),
          mode: i.mode,
          credentials: 'omit',
        });
        const s = res.status;
        // Status 0: an opaque no-cors response, as good as it gets.
        r = res.ok || !s ? 1 : s == 408 || s == 425 || s == 429 || s > 499 ? 2 : 0;
      } catch {
        // A request the policy refused fails as a network error does, and no retry would get through: only the
        // violation report, which follows in a task of its own, tells them apart.
        // (A report names the URL, or only its origin after a redirect.)
        await new Promise((go) => setTimeout(go));
        let u: URL | undefined;
        try {
          // As fetch resolved it; a URL that does not parse is no refusal of the policy's.
          u = refused.size ? new URL(i.url, document.baseURI) : undefined;
        } catch {}
        if (!u || !(refused.has(u.href) || refused.has(u.origin))) r = 2;
        else if (!told.has(u.origin)) told.add(u.origin), o.onError?.(`the page's Content-Security-Policy refused ${u.origin} (allow it in connect-src)`);
      }
    --out || refused.clear();
    const again = await store
      .mutate((s) => {
        s.outbox = s.outbox.filter((x) => x.key != i.key);
        // Collector batches (`b_…`) are deduplicated by event id at the collector: keeping them out of `done` keeps
        // the room there for webhook and app keys, which must never be sent twice.
        if (r == 1 && !i.key.startsWith('b_')) s.done = [...s.done, i.key].slice(-200);
        // 1 s, 2 s, 4 s ... up to 5 min, ±25 % so that many visitors do not retry in step.
        const next = now() + Math.min(1e3 * 2 ** i.tries, 3e5) * (0.75 + Math.random() / 2);
        return r > 1 && next < i.until && s.outbox.push({ ...i, tries: i.tries + 1, next });
      })
      .catch(() => 0);
    if (!again) settle(i.key, r == 1);
    plan();
  };

  // Claims every due item in one transaction, so that two tabs never send the same one at once.
  const run = () =>
    store.state.outbox.some((i) => i.next <= now())
      ? store
          .mutate((s) => s.outbox.filter((i) => i.next <= now() && (i.next = now() + LEASE)))
          .then((due) => (due.forEach(attempt), plan()), () => {})
      : plan();

  // One timer, for the earliest item; none when the outbox is empty.
  const plan = () => {
    clearTimeout(timer);
    const next = store.state.outbox.map((i) => i.next);
    timer = next.length && setTimeout(run, Math.min(...next) - now());
  };

  // Another tab may send (and settle) an item this tab is waiting on: settle our wait when its key is gone.
  store.onChange(() => {
    for (const k of [...waits.keys()]) if (!store.state.outbox.some((x) => x.key == k)) settle(k, store.state.done.includes(k));
    plan();
  });

  return {
    send({ ttl, delay, ...q }) {
      const k = q.key;
      return new Promise<boolean>((res) => {
        const w = waits.get(k);
        waits.set(k, (ok) => (w?.(ok), res(ok)));
        const t = now();
        const i: OutboxItem = { ...q, tries: 0, next: t + (delay || LEASE), until: t + (ttl || 864e5) };
        store
          .mutate((s) => {
            if (s.done.includes(k)) return 1;
            if (s.outbox.some((x) => x.key == k)) return 2;
            // While a collector is down its batches pile up: keep the newest 50, not a day's worth in every write.
            const batches = s.outbox.filter((x) => x.key.startsWith('b_'));
            if (k.startsWith('b_') && batches.length >= 50) s.outbox.splice(s.outbox.indexOf(batches[0]!), 1);
            s.outbox.push(i);
            return 0;
          })
          .then(
            (n) => (n == 1 ? settle(k, true) : n || delay ? plan() : attempt(i)),
            () => settle(k, false),
          );
      });
    },
    resume: run,
  };
}

// The outbox chunk (`dist/chunks/outbox.js`) is built from this file; collector batching, its main client, rides along.
export { createCollector };

/**
 * What the script tag starts when it first needs the chunk: the outbox, resuming what earlier pages left, and
 * batching for the collector at `url`, when there is one.
 */
export function startDelivery(store: Store, url: string | null | undefined, onError: (e: unknown) => void) {
  const outbox = createOutbox(store, { onError });
  outbox.resume();
  return { outbox, collector: url ? createCollector({ url, outbox, store, onError }) : undefined };
}
