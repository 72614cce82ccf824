// @vitest-environment node
// The persisted outbox: persistence before the first attempt, retries with backoff, 4xx vs 5xx, idempotency,
// resume after a reload, leases between tabs, and no timer when there is nothing to send.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOutbox, type OutboxRequest } from '../../runtime/outbox.js';
import type { Store, VisitorState } from '../../runtime/types.js';

/** A store whose "disk" is a JSON string: a new store over the same disk is the next page load. */
function memStore(disk = { json: JSON.stringify({ outbox: [], done: [] }) }) {
  let state = JSON.parse(disk.json) as VisitorState;
  const store = {
    get state() {
      return state;
    },
    backend: 'memory',
    async mutate<T>(fn: (s: VisitorState) => T) {
      const s = JSON.parse(disk.json) as VisitorState;
      const r = fn(s);
      disk.json = JSON.stringify(s);
      state = s;
      return r;
    },
    onChange() {},
    async setPersist() {},
    async reset() {},
  } as unknown as Store;
  return { store, disk, saved: () => JSON.parse(disk.json) as VisitorState };
}

const res = (status: number) => ({ ok: status >= 200 && status < 300, status, type: 'cors' }) as Response;
const req = (key = 'e1:1', extra: Partial<OutboxRequest> = {}): OutboxRequest => ({
  key,
  url: 'https://hooks.example.com/lead',
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: '{"a":1}',
  ...extra,
});

/** A fetch answering from a list of statuses (a number) or errors (`'net'`), recording call times. */
function fakeFetch(...answers: (number | 'net' | 'opaque')[]) {
  const times: number[] = [];
  const fn = vi.fn(async (_url: string, _init?: RequestInit) => {
    times.push(Date.now());
    const a = answers.length > 1 ? answers.shift()! : answers[0]!;
    if (a === 'net') throw new TypeError('Failed to fetch');
    if (a === 'opaque') return { ok: false, status: 0, type: 'opaque' } as Response;
    return res(a);
  });
  return Object.assign(fn, { times });
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  vi.spyOn(Math, 'random').mockReturnValue(0.5); // no jitter: the nominal schedule
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('outbox', () => {
  it('persists the item before the first attempt, sends it with keepalive and no credentials', async () => {
    const { store, saved } = memStore();
    let seen: unknown;
    const fetch = vi.fn(async (_u: string, _i?: RequestInit) => ((seen = saved().outbox.map((i) => i.key)), res(200)));
    const ok = await createOutbox(store, { fetch }).send(req());
    expect(seen).toEqual(['e1:1']);
    expect(ok).toBe(true);
    expect(fetch).toHaveBeenCalledWith('https://hooks.example.com/lead', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"a":1}',
      keepalive: true,
      mode: undefined,
      credentials: 'omit',
    });
    expect(saved().outbox).toEqual([]);
    expect(saved().done).toEqual(['e1:1']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never sends a key twice (idempotency), even when asked twice at once', async () => {
    const { store } = memStore();
    const fetch = fakeFetch(200);
    const box = createOutbox(store, { fetch });
    const [a, b] = await Promise.all([box.send(req('k')), box.send(req('k'))]);
    expect([a, b]).toEqual([true, true]);
    expect(await box.send(req('k'))).toBe(true);
    // A later page: the key is remembered in state.done.
    expect(await createOutbox(store, { fetch }).send(req('k'))).toBe(true);
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('keeps only the newest 200 keys in state.done', async () => {
    const { store, saved } = memStore({ json: JSON.stringify({ outbox: [], done: Array.from({ length: 200 }, (_, i) => `old${i}`) }) });
    await createOutbox(store, { fetch: fakeFetch(200) }).send(req('new'));
    expect(saved().done).toHaveLength(200);
    expect(saved().done[0]).toBe('old1');
    expect(saved().done.at(-1)).toBe('new');
  });

  it.each([400, 401, 403, 404, 410, 422])('gives up at once on %i', async (status) => {
    const { store, saved } = memStore();
    const fetch = fakeFetch(status);
    expect(await createOutbox(store, { fetch }).send(req())).toBe(false);
    expect(fetch).toHaveBeenCalledOnce();
    expect(saved()).toMatchObject({ outbox: [], done: [] });
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([408, 425, 429, 500, 502, 503, 504, 'net'] as const)('retries on %s, then succeeds', async (answer) => {
    const { store, saved } = memStore();
    const fetch = fakeFetch(answer, 200);
    const p = createOutbox(store, { fetch }).send(req());
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(saved().outbox).toMatchObject([{ key: 'e1:1', tries: 1, next: 1_001_000 }]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await p).toBe(true);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(saved().done).toEqual(['e1:1']);
  });

  it('backs off 1 s, 2 s, 4 s, ... capped at 5 min', async () => {
    const { store } = memStore();
    const fetch = fakeFetch(...Array<503>(12).fill(503), 200);
    const p = createOutbox(store, { fetch }).send(req());
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(await p).toBe(true);
    const gaps = fetch.times.slice(1).map((t, i) => t - fetch.times[i]!);
    expect(gaps).toEqual([1e3, 2e3, 4e3, 8e3, 16e3, 32e3, 64e3, 128e3, 256e3, 300e3, 300e3, 300e3]);
  });

  it('jitters the backoff by up to ±25 %', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { store, saved } = memStore();
    createOutbox(store, { fetch: fakeFetch(503) }).send(req());
    await vi.advanceTimersByTimeAsync(0);
    expect(saved().outbox[0]!.next - Date.now()).toBe(750);
  });

  it('gives up when the retry would fall after its ttl', async () => {
    const { store, saved } = memStore();
    const fetch = fakeFetch(503);
    const p = createOutbox(store, { fetch }).send(req('k', { ttl: 5000 }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await p).toBe(false);
    expect(fetch.times.map((t) => t - 1_000_000)).toEqual([0, 1000, 3000]); // the next one (7 s) is past 5 s
    expect(saved().outbox).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('treats an opaque (no-cors) response as sent', async () => {
    const { store } = memStore();
    const fetch = fakeFetch('opaque');
    expect(await createOutbox(store, { fetch }).send(req('m', { mode: 'no-cors' }))).toBe(true);
    expect(fetch.mock.calls[0]![1]).toMatchObject({ mode: 'no-cors', keepalive: true });
  });

  it('does not use keepalive for a body over 60 KB (the browser would refuse the request)', async () => {
    const { store } = memStore();
    const fetch = fakeFetch(200);
    await createOutbox(store, { fetch }).send(req('big', { body: 'x'.repeat(70_000) }));
    expect(fetch.mock.calls[0]![1]).toMatchObject({ keepalive: false });
  });

  it('waits while offline and sends when back online', async () => {
    const { store } = memStore();
    const fetch = fakeFetch(200);
    let online = false;
    const p = createOutbox(store, { fetch, online: () => online }).send(req());
    await vi.advanceTimersByTimeAsync(3000);
    expect(fetch).not.toHaveBeenCalled();
    online = true;
    await vi.advanceTimersByTimeAsync(5000);
    expect(await p).toBe(true);
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('holds the first attempt back by `delay`', async () => {
    const { store, saved } = memStore();
    const fetch = fakeFetch(200);
    const p = createOutbox(store, { fetch }).send(req('d', { delay: 10_000 }));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(fetch).not.toHaveBeenCalled();
    expect(saved().outbox).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await p).toBe(true);
  });

  it('resumes on the next page what the last one left pending, and reports it through onSettled', async () => {
    const { store, disk } = memStore();
    createOutbox(store, { fetch: fakeFetch('net') }).send(req('left'));
    await vi.advanceTimersByTimeAsync(0);
    vi.clearAllTimers(); // the page goes away with the retry pending

    const next = memStore(disk);
    expect(next.saved().outbox).toMatchObject([{ key: 'left', tries: 1 }]);
    const fetch = fakeFetch(200);
    const onSettled = vi.fn();
    createOutbox(next.store, { fetch, onSettled }).resume();
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch).toHaveBeenCalledOnce();
    expect(onSettled).toHaveBeenCalledWith('left', true);
    expect(next.saved()).toMatchObject({ outbox: [], done: ['left'] });
  });

  it('leaves an item another tab is sending alone until its lease runs out', async () => {
    const { store, disk } = memStore();
    let finish!: (r: Response) => void;
    const slow = vi.fn(() => new Promise<Response>((r) => (finish = r)));
    const p = createOutbox(store, { fetch: slow }).send(req('busy'));
    await vi.advanceTimersByTimeAsync(0);

    const other = memStore(disk); // a second tab over the same storage
    const fetch = fakeFetch(200);
    createOutbox(other.store, { fetch }).resume();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fetch).not.toHaveBeenCalled();
    finish(res(200));
    expect(await p).toBe(true);
    expect(other.saved().done).toEqual(['busy']);
  });

  it("gives up at once, and says so once per origin, when the page's Content-Security-Policy refuses the request", async () => {
    // The browser's order: fetch rejects as on a network failure, then the violation report arrives in a task.
    const page = new EventTarget();
    vi.stubGlobal('document', Object.assign(page, { baseURI: 'https://shop.example.com/cart' }));
    const fetch = vi.fn(async (url: string) => {
      setTimeout(() => page.dispatchEvent(Object.assign(new Event('securitypolicyviolation'), { disposition: 'enforce', effectiveDirective: 'connect-src', blockedURI: url })));
      throw new TypeError('Failed to fetch');
    });
    const { store, saved } = memStore();
    const onError = vi.fn();
    const box = createOutbox(store, { fetch, onError });
    const sent = [box.send(req('a')), box.send(req('b'))];
    await vi.advanceTimersByTimeAsync(0);
    expect(await Promise.all(sent)).toEqual([false, false]);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(onError.mock.calls).toEqual([["the page's Content-Security-Policy refused https://hooks.example.com (allow it in connect-src)"]]);
    expect(saved()).toMatchObject({ outbox: [], done: [] });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('retries a failed request no policy refused: reports of report-only policies, of other directives or things, or from before it was sent, do not count', async () => {
    const page = new EventTarget();
    vi.stubGlobal('document', Object.assign(page, { baseURI: 'https://shop.example.com/cart' }));
    const report = (disposition: string, blockedURI: string, effectiveDirective = 'connect-src') =>
      page.dispatchEvent(Object.assign(new Event('securitypolicyviolation'), { disposition, effectiveDirective, blockedURI }));
    // A refusal of the page's own while nothing of ours is out is forgotten: it does not count against a later request.
    report('enforce', 'https://hooks.example.com/lead');
    const fetch = vi.fn(async (url: string) => {
      setTimeout(() => (report('report', url), report('enforce', url, 'img-src'), report('enforce', 'eval'), report('enforce', ''), report('enforce', 'https://cdn.example.com/x.js')));
      throw new TypeError('Failed to fetch');
    });
    const { store, saved } = memStore();
    const onError = vi.fn();
    createOutbox(store, { fetch, onError }).send(req());
    await vi.advanceTimersByTimeAsync(0);
    expect(saved().outbox).toMatchObject([{ key: 'e1:1', tries: 1 }]);
    expect(onError).not.toHaveBeenCalled();
  });

  it('retries, and never rejects, a request whose URL does not parse after some refusal was reported', async () => {
    const page = new EventTarget();
    vi.stubGlobal('document', Object.assign(page, { baseURI: 'https://shop.example.com/cart' }));
    const fetch = vi.fn(async () => {
      setTimeout(() => page.dispatchEvent(Object.assign(new Event('securitypolicyviolation'), { disposition: 'enforce', effectiveDirective: 'connect-src', blockedURI: 'https://x.example.com/' })));
      throw new TypeError('Failed to parse URL');
    });
    const { store, saved } = memStore();
    // A rejection here would be unhandled, and vitest fails the run on one.
    createOutbox(store, { fetch }).send({ ...req(), url: 'http://[bad' });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(saved().outbox).toMatchObject([{ key: 'e1:1', tries: 1 }]);
  });

  it('attaches no timer when there is nothing to send', async () => {
    const { store } = memStore();
    createOutbox(store, { fetch: fakeFetch(200) }).resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves false (never rejects) when the store fails', async () => {
    const { store } = memStore();
    store.mutate = () => Promise.reject(new Error('quota'));
    const fetch = fakeFetch(200);
    expect(await createOutbox(store, { fetch }).send(req())).toBe(false);
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('collector batches in the outbox', () => {
  it('keeps the newest 50 while the collector is down, and never records them in done', async () => {
    const { createOutbox } = await import('../../runtime/outbox.js');
    const { memoryStore, state } = await import('./engine-harness.js');
    const store = memoryStore(state(Date.now()));
    const outbox = createOutbox(store, { fetch: async () => new Response('', { status: 503 }), online: () => false });
    for (let i = 0; i < 60; i++) void outbox.send({ key: `b_${i}`, url: 'https://collect.example.com/', method: 'POST', body: '{}', delay: 6e4 });
    await vi.waitFor(() => expect(store.state.outbox.length).toBe(50));
    expect(store.state.outbox[0]!.key).toBe('b_10');
    expect(store.state.done).toEqual([]);
  });
});

describe('two tabs, one request', () => {
  it('settles the wait of a tab whose item another tab sent', async () => {
    const { createOutbox } = await import('../../runtime/outbox.js');
    const { memoryStore, state } = await import('./engine-harness.js');
    const shared = { state: state(Date.now()), listeners: new Set<() => void>() };
    const storeA = memoryStore(shared.state, shared);
    const storeB = memoryStore(shared.state, shared);
    let answer!: (r: Response) => void;
    const a = createOutbox(storeA, { fetch: () => new Promise<Response>((r) => (answer = r)) });
    const b = createOutbox(storeB, { fetch: async () => new Response('') });
    const item = { key: 'wf:1', url: 'https://hooks.example.com/x', method: 'POST', body: '{}' };
    const sentA = a.send(item);
    await vi.waitFor(() => expect(answer).toBeTypeOf('function'));
    const sentB = b.send(item); // tab B finds the item already queued by tab A and waits for it
    answer(new Response('', { status: 200 }));
    expect(await sentA).toBe(true);
    expect(await sentB).toBe(true);
  });
});
