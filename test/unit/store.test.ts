/** The visitor store: backends and their fallback, consent, migrations, corrupt data, serialization, cross-tab. */
import { readFileSync } from 'node:fs';
import { IDBFactory } from 'fake-indexeddb';
import { createStore, get, set } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MIGRATIONS, freshState, openStore } from '../../runtime/store.js';
import { STATE_VERSION, type Store, type VisitorState } from '../../runtime/types.js';

const idb = () => createStore('workflows', 'state');
const stored = async (name: string) => {
  const j = await get(name, idb());
  return j == null ? j : JSON.parse(j as string);
};
const lsKey = (name: string) => `workflows:${name}`;
let n = 0;
/** A store name of its own per test, so stores of earlier tests never hear this one's broadcasts. */
const uniq = () => `t${++n}-${Math.random().toString(36).slice(2)}`;
const quota = () => new DOMException('full', 'QuotaExceededError');
const inc = (s: VisitorState) => (s.attrs.n = ((s.attrs.n as number) || 0) + 1);

beforeEach(() => {
  vi.stubGlobal('indexedDB', new IDBFactory());
  localStorage.clear();
  // Node's BroadcastChannel would keep the test worker alive; unref it.
  const Native = globalThis.BroadcastChannel;
  vi.stubGlobal(
    'BroadcastChannel',
    class extends Native {
      constructor(name: string) {
        super(name);
        (this as unknown as { unref?: () => void }).unref?.();
      }
    },
  );
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('freshState', () => {
  it('has every field of VisitorState, empty', () => {
    const s = freshState('abc', 1000);
    expect(s).toEqual({
      v: STATE_VERSION,
      id: 'abc',
      first: 1000,
      last: 1000,
      sessions: 0,
      session: { id: '', start: 1000, pageviews: 0, landing: '', referrer: '', utm: {}, channel: '' },
      pageviews: { all_time: 0, first_session: 0 },
      attrs: {},
      segments: [],
      promos: {},
      variants: {},
      cursors: [],
      runs: {},
      touches: {},
      cart: { value: 0, items: 0 },
      done: [],
      outbox: [],
      promoData: {},
    });
  });
});

describe('IndexedDB backend', () => {
  it('creates a visitor with a nanoid, persists it at once and finds it again', async () => {
    const name = uniq();
    const a = await openStore({ persist: true, name });
    expect(a.backend).toBe('indexeddb');
    expect(a.state.id).toMatch(/^[\w-]{21}$/);
    expect((await stored(name)).id).toBe(a.state.id);
    await a.mutate(inc);
    const b = await openStore({ persist: true, name });
    expect(b.state.id).toBe(a.state.id);
    expect(b.state.attrs.n).toBe(1);
    expect(localStorage.length).toBe(0);
  });

  it('keeps the whole state under one key as JSON', async () => {
    const name = uniq();
    const s = await openStore({ persist: true, name });
    await s.mutate((x) => x.segments.push('vip'));
    expect(typeof (await get(name, idb()))).toBe('string');
    expect((await stored(name)).segments).toEqual(['vip']);
  });

  it('resolves mutate with what fn returned and keeps state for synchronous reads', async () => {
    const s = await openStore({ persist: true, name: uniq() });
    await expect(s.mutate((x) => (x.attrs.a = 'b'))).resolves.toBe('b');
    expect(s.state.attrs.a).toBe('b');
  });

  it('reloads the freshest stored state inside mutate', async () => {
    const name = uniq();
    const s = await openStore({ persist: true, name });
    // Another tab wrote without our knowing.
    await set(name, JSON.stringify({ ...s.state, attrs: { n: 41 } }), idb());
    await s.mutate(inc);
    expect(s.state.attrs.n).toBe(42);
  });
});

describe('fallback', () => {
  it('uses localStorage when indexedDB.open throws', async () => {
    const log = vi.fn();
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    const name = uniq();
    const s = await openStore({ persist: true, name, log });
    expect(s.backend).toBe('localstorage');
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^storage: indexeddb failed \(.*SecurityError.*\), using localstorage$/));
    await s.mutate(inc);
    expect(JSON.parse(localStorage.getItem(lsKey(name))!).attrs.n).toBe(1);
  });

  it('uses localStorage when indexedDB is missing', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const s = await openStore({ persist: true, name: uniq() });
    expect(s.backend).toBe('localstorage');
  });

  it('uses localStorage when the open request fails (Firefox private mode)', async () => {
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      const req = { error: new DOMException('private', 'InvalidStateError') } as unknown as IDBOpenDBRequest;
      queueMicrotask(() => (req.onerror as () => void)());
      return req;
    });
    const s = await openStore({ persist: true, name: uniq() });
    expect(s.backend).toBe('localstorage');
  });

  it('steps down on a failed write (quota), keeps working, and stays on localStorage on the next page', async () => {
    const name = uniq();
    const log = vi.fn();
    const s = await openStore({ persist: true, name, log });
    await s.mutate(inc);
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw quota();
    });
    await expect(s.mutate(inc)).resolves.toBe(2);
    expect(s.backend).toBe('localstorage');
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^storage: indexeddb failed \(.*QuotaExceededError.*\), using localstorage$/));
    expect(JSON.parse(localStorage.getItem(lsKey(name))!).attrs.n).toBe(2);
    await s.mutate(inc);
    put.mockRestore();
    // IndexedDB's older copy is gone: the next page, finding nothing there, reads the newer one from localStorage.
    expect(await stored(name)).toBeUndefined();
    const next = await openStore({ persist: true, name });
    expect(next.backend).toBe('localstorage');
    expect(next.state.attrs.n).toBe(3);
    expect(next.state.id).toBe(s.state.id);
  });

  it('reads localStorage with IndexedDB empty only when the database was there before this page', async () => {
    const getItem = vi.spyOn(localStorage, 'getItem');
    // A new visitor: this page creates the database, so no earlier page can have fallen back from it.
    const first = await openStore({ persist: true, name: uniq() });
    expect(first.backend).toBe('indexeddb');
    expect(getItem).not.toHaveBeenCalled();
    // The database is there but holds no visitor under this name: an earlier page may have left one in localStorage.
    const name = uniq();
    localStorage.setItem(lsKey(name), JSON.stringify({ ...freshState('left-there', 1), attrs: { n: 7 } }));
    const next = await openStore({ persist: true, name });
    expect(getItem).toHaveBeenCalledWith(lsKey(name));
    expect(next.state.id).toBe('left-there');
    expect(next.backend).toBe('localstorage');
  });

  it('falls back to memory when no storage works, and keeps working', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const broken = () => {
      throw new DOMException('denied', 'SecurityError');
    };
    vi.stubGlobal('localStorage', { getItem: broken, setItem: broken, removeItem: broken });
    const log = vi.fn();
    const s = await openStore({ persist: true, name: uniq(), log });
    expect(s.backend).toBe('memory');
    expect(log.mock.calls.map((c) => c[0])).toEqual([
      expect.stringMatching(/^storage: indexeddb failed \(.*\), using localstorage$/),
      expect.stringMatching(/^storage: localstorage failed \(.*\), using memory$/),
    ]);
    for (let i = 0; i < 5; i++) await s.mutate(inc);
    expect(s.state.attrs.n).toBe(5);
  });

  it('steps down to memory when a localStorage write fails', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const name = uniq();
    const data = new Map<string, string>();
    let full = false;
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => {
        if (full) throw quota();
        data.set(k, v);
      },
    });
    const s = await openStore({ persist: true, name });
    expect(s.backend).toBe('localstorage');
    full = true;
    await s.mutate(inc);
    expect(s.backend).toBe('memory');
    await s.mutate(inc);
    expect(s.state.attrs.n).toBe(2);
  });
});

describe('consent (persist: false)', () => {
  it('writes nothing anywhere and does not even open IndexedDB', async () => {
    const name = uniq();
    const s = await openStore({ persist: false, name });
    expect(s.backend).toBe('memory');
    for (let i = 0; i < 3; i++) await s.mutate(inc);
    await s.reset();
    await s.mutate(inc);
    expect(s.state.attrs.n).toBe(1);
    expect(await indexedDB.databases()).toEqual([]);
    expect(localStorage.length).toBe(0);
  });

  it('setPersist(true) writes the current state from then on', async () => {
    const name = uniq();
    const s = await openStore({ persist: false, name });
    await s.mutate(inc);
    const id = s.state.id;
    await s.setPersist(true);
    expect(s.backend).toBe('indexeddb');
    expect(await stored(name)).toMatchObject({ id, attrs: { n: 1 } });
    await s.mutate(inc);
    expect((await stored(name)).attrs.n).toBe(2);
  });

  it('setPersist(true) adopts a visitor stored before consent was asked, and tells listeners', async () => {
    const name = uniq();
    const before = await openStore({ persist: true, name });
    await before.mutate(inc);
    const s = await openStore({ persist: false, name });
    const changed = vi.fn();
    s.onChange(changed);
    expect(s.state.id).not.toBe(before.state.id);
    await s.setPersist(true);
    expect(s.state.id).toBe(before.state.id);
    expect(s.state.attrs.n).toBe(1);
    expect(changed).toHaveBeenCalledTimes(1);
  });

  it('setPersist(false) stops writing and erases what was stored (consent withdrawn)', async () => {
    const name = uniq();
    const s = await openStore({ persist: true, name });
    await s.mutate(inc);
    await s.setPersist(false);
    expect(s.backend).toBe('memory');
    await s.mutate(inc);
    expect(s.state.attrs.n).toBe(2);
    expect(await stored(name)).toBeUndefined();
  });
});

describe('versions, corrupt and foreign data', () => {
  const v0 = { visitorId: 'old-visitor', first: 5, attrs: { plan: 'pro' }, segments: { vip: true, churned: false } };

  it('MIGRATIONS steps a v0 shape up to v1', () => {
    expect(MIGRATIONS).toHaveLength(STATE_VERSION);
    expect(MIGRATIONS[0]!(v0)).toEqual({ v: 1, id: 'old-visitor', first: 5, attrs: { plan: 'pro' }, segments: ['vip'] });
  });

  it('opens a stored v0 state migrated, with every other field filled', async () => {
    const name = uniq();
    await set(name, JSON.stringify(v0), idb());
    const s = await openStore({ persist: true, name });
    expect(s.state).toMatchObject({ v: STATE_VERSION, id: 'old-visitor', first: 5, attrs: { plan: 'pro' }, segments: ['vip'] });
    expect(Object.keys(s.state).sort()).toEqual(Object.keys(freshState('x', 0)).sort());
    await s.mutate(inc);
    expect(await stored(name)).toMatchObject({ v: STATE_VERSION, id: 'old-visitor', attrs: { plan: 'pro', n: 1 } });
  });

  it('migrates a v0 missing optional fields', async () => {
    const name = uniq();
    localStorage.setItem(lsKey(name), JSON.stringify({ visitorId: 'bare' }));
    vi.stubGlobal('indexedDB', undefined);
    const s = await openStore({ persist: true, name });
    expect(s.state).toMatchObject({ id: 'bare', segments: [], attrs: {} });
    expect(typeof s.state.first).toBe('number');
  });

  it.each([
    ['not JSON', '{"v":1,'],
    ['JSON null', 'null'],
    ['a number', '42'],
    ['a foreign object', '{"hello":"world"}'],
    ['a state without an id', '{"v":1,"sessions":3}'],
    ['an unknown old version', '{"v":-1,"id":"x"}'],
  ])('replaces %s by a fresh state, and says so', async (_, raw) => {
    const name = uniq();
    await set(name, raw, idb());
    const log = vi.fn();
    const s = await openStore({ persist: true, name, log });
    expect(s.state.id).toMatch(/^[\w-]{21}$/);
    expect(s.state.sessions).toBe(0);
    expect(log).toHaveBeenCalledWith('storage: bad state replaced');
    expect((await stored(name)).id).toBe(s.state.id);
  });

  it('replaces a corrupt value met inside mutate by this tab’s state, not a new visitor', async () => {
    const name = uniq();
    const s = await openStore({ persist: true, name });
    const id = s.state.id;
    await set(name, '<garbage>', idb());
    await s.mutate(inc);
    expect(s.state.id).toBe(id);
    expect((await stored(name)).attrs.n).toBe(1);
  });

  it('keeps a state written by a newer runtime as it is', async () => {
    const name = uniq();
    const newer = { ...freshState('future', 1), v: STATE_VERSION + 1, extra: [1] };
    await set(name, JSON.stringify(newer), idb());
    const s = await openStore({ persist: true, name });
    expect(s.state).toMatchObject({ id: 'future', v: STATE_VERSION + 1, extra: [1] });
  });

  it('empties top-level fields of the wrong type (damaged, or from a newer runtime), keeps the rest, and says which', async () => {
    const name = uniq();
    const damaged = { v: STATE_VERSION, id: 'damaged', user: 'u-1', attrs: { plan: 'pro' }, segments: 'vip', session: null, pageviews: null, cursors: {}, runs: null, promos: [], outbox: 'x' };
    await set(name, JSON.stringify(damaged), idb());
    const log = vi.fn();
    const s = await openStore({ persist: true, name, log });
    const fresh = freshState('damaged', 0);
    expect(s.state).toMatchObject({ id: 'damaged', user: 'u-1', attrs: { plan: 'pro' }, segments: [], cursors: [], runs: {}, promos: {}, outbox: [], pageviews: fresh.pageviews });
    expect(s.state.session).toMatchObject({ id: '', pageviews: 0, utm: {} });
    const said = log.mock.calls.map(([m]) => m).filter((m) => /^storage: bad/.test(m));
    expect(said).toEqual(['session', 'pageviews', 'segments', 'promos', 'cursors', 'runs', 'outbox'].map((k) => `storage: bad ${k} replaced`));
    await s.mutate(inc);
    expect(await stored(name)).toMatchObject({ id: 'damaged', segments: [], cursors: [], attrs: { plan: 'pro', n: 1 } });
  });

  it('empties the fields of a newer runtime’s state that this one cannot read, keeping the others as they are', async () => {
    const name = uniq();
    await set(name, JSON.stringify({ ...freshState('future', 1), v: STATE_VERSION + 1, segments: { vip: true }, extra: [1] }), idb());
    const s = await openStore({ persist: true, name });
    expect(s.state).toMatchObject({ id: 'future', v: STATE_VERSION + 1, segments: [], extra: [1] });
  });

  it('fills top-level fields missing from a current-version state', async () => {
    const name = uniq();
    await set(name, JSON.stringify({ v: STATE_VERSION, id: 'partial', attrs: { a: 1 } }), idb());
    const s = await openStore({ persist: true, name });
    expect(s.state).toMatchObject({ id: 'partial', attrs: { a: 1 }, cursors: [], outbox: [] });
  });
});

describe('mutate', () => {
  it('saves nothing when fn throws, rejects, and keeps serving later mutations', async () => {
    const name = uniq();
    const s = await openStore({ persist: true, name });
    await s.mutate(inc);
    const before = await get(name, idb());
    await expect(
      s.mutate((x) => {
        x.attrs.n = 99;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await get(name, idb())).toBe(before);
    expect(s.state.attrs.n).toBe(1);
    await s.mutate(inc);
    expect(s.state.attrs.n).toBe(2);
  });

  it('rejects (saving nothing) a state JSON cannot hold', async () => {
    const s = await openStore({ persist: true, name: uniq() });
    await expect(s.mutate((x) => (x.attrs.big = 1n))).rejects.toThrow();
    expect(s.state.attrs.big).toBeUndefined();
  });

  it('serializes concurrent mutations in one tab', async () => {
    const s = await openStore({ persist: true, name: uniq() });
    await Promise.all(Array.from({ length: 50 }, () => s.mutate(inc)));
    expect(s.state.attrs.n).toBe(50);
  });

  it('serializes concurrent mutations in memory mode too', async () => {
    const s = await openStore({ persist: false, name: uniq() });
    await Promise.all(Array.from({ length: 20 }, () => s.mutate(inc)));
    expect(s.state.attrs.n).toBe(20);
  });

  it('takes the Web Lock `workflows:<name>` when it exists', async () => {
    const names: string[] = [];
    let chain: Promise<unknown> = Promise.resolve();
    vi.stubGlobal('navigator', {
      ...navigator,
      locks: {
        request(lock: string, fn: () => Promise<unknown>) {
          names.push(lock);
          const p = chain.then(() => fn());
          chain = p.catch(() => {});
          return p;
        },
      },
    });
    const name = uniq();
    const a = await openStore({ persist: true, name });
    const b = await openStore({ persist: true, name });
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).mutate(inc)));
    await Promise.all([a.flush(), b.flush()]);
    expect(await a.mutate((x) => x.attrs.n)).toBe(20);
    await a.flush();
    expect((await stored(name)).attrs.n).toBe(20);
    expect(new Set(names)).toEqual(new Set([`workflows:${name}`]));
  });
});

describe('cross-tab', () => {
  const settle = async (s: Store, n: number) => {
    for (let i = 0; i < 100 && s.state.attrs.n !== n; i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('another tab’s change reaches this tab’s state and onChange', async () => {
    const name = uniq();
    const a = await openStore({ persist: true, name });
    const b = await openStore({ persist: true, name });
    const changed = vi.fn(() => b.state.attrs.n);
    b.onChange(changed);
    await a.mutate(inc);
    await settle(b, 1);
    expect(b.state.attrs.n).toBe(1);
    expect(changed).toHaveBeenCalled();
    expect(changed).toHaveLastReturnedWith(1);
  });

  it('a listener that throws is reported and does not stop the others', async () => {
    const name = uniq();
    const log = vi.fn();
    const a = await openStore({ persist: true, name });
    const b = await openStore({ persist: true, name, log });
    const second = vi.fn();
    b.onChange(() => {
      throw new Error('listener');
    });
    b.onChange(second);
    await a.mutate(inc);
    await settle(b, 1);
    await vi.waitFor(() => expect(second).toHaveBeenCalled());
    expect(log).toHaveBeenCalledWith(expect.stringContaining('listener'));
  });

  it('reset gives a fresh persisted visitor under a new id and tells other tabs', async () => {
    const name = uniq();
    const a = await openStore({ persist: true, name });
    const b = await openStore({ persist: true, name });
    await a.mutate(inc);
    const old = a.state.id;
    const changed = vi.fn();
    b.onChange(changed);
    await a.reset();
    expect(a.state.id).not.toBe(old);
    expect(a.state.attrs).toEqual({});
    expect((await stored(name)).id).toBe(a.state.id);
    await vi.waitFor(() => expect(b.state.id).toBe(a.state.id));
    expect(changed).toHaveBeenCalled();
  });

  it('a tab in consent mode ignores other tabs', async () => {
    const name = uniq();
    const a = await openStore({ persist: true, name });
    const b = await openStore({ persist: false, name });
    const changed = vi.fn();
    b.onChange(changed);
    await a.mutate(inc);
    await new Promise((r) => setTimeout(r, 50));
    expect(changed).not.toHaveBeenCalled();
    expect(b.state.attrs.n).toBeUndefined();
  });
});

/** Web Locks as Chromium has them, for what happy-dom lacks: exclusive, granted in request order. */
function webLocks() {
  const queues = new Map<string, (() => void)[]>();
  const held = new Set<string>();
  const grant = (name: string) => {
    const next = queues.get(name)?.shift();
    if (next) next();
  };
  return {
    held,
    request(name: string, fn: () => Promise<unknown>) {
      return new Promise((res, rej) => {
        const go = () => {
          held.add(name);
          Promise.resolve()
            .then(fn)
            .then(res, rej)
            .finally(() => {
              held.delete(name);
              grant(name);
            });
        };
        const q = queues.get(name) ?? queues.set(name, []).get(name)!;
        held.has(name) || q.length ? q.push(go) : go();
      });
    },
  };
}

/** Timers set and neither fired nor cleared yet. */
function liveTimers() {
  const live = new Set<unknown>();
  const set = globalThis.setTimeout;
  const clear = globalThis.clearTimeout;
  vi.stubGlobal('setTimeout', (fn: () => void, ms?: number) => {
    const id = set(() => (live.delete(id), fn()), ms);
    live.add(id);
    return id;
  });
  vi.stubGlobal('clearTimeout', (id: unknown) => (live.delete(id), clear(id as number)));
  return live;
}

describe('write lease (Web Locks)', () => {
  let locks: ReturnType<typeof webLocks>;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  beforeEach(() => {
    locks = webLocks();
    vi.stubGlobal('navigator', { ...navigator, locks });
  });

  it('resolves changes before writing, and writes the changes of one task once; flush waits for the write', async () => {
    const name = uniq();
    const s = await openStore({ persist: true, name });
    const put = vi.spyOn(IDBObjectStore.prototype, 'put');
    await s.mutate(inc);
    await s.mutate(inc);
    await s.mutate(inc);
    expect(s.state.attrs.n).toBe(3);
    expect((await stored(name)).attrs.n).toBeUndefined();
    await s.flush();
    expect((await stored(name)).attrs.n).toBe(3);
    expect(put).toHaveBeenCalledTimes(1);
  });

  it('a second tab that asks gets the lease with the first tab’s changes, written or not', async () => {
    const name = uniq();
    const a = await openStore({ persist: true, name });
    const b = await openStore({ persist: true, name });
    await a.mutate(inc);
    await b.mutate(inc);
    expect(b.state.attrs.n).toBe(2);
    await a.mutate(inc);
    expect(a.state.attrs.n).toBe(3);
    await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 3 ? a : b).mutate(inc)));
    await a.flush();
    await b.flush();
    const both = await Promise.all([a.mutate((x) => x.attrs.n), b.mutate((x) => x.attrs.n)]);
    expect(both).toEqual([33, 33]);
  });

  it('undoes a throwing change alone while holding the lease', async () => {
    const name = uniq();
    const s = await openStore({ persist: true, name });
    const results = await Promise.allSettled([
      s.mutate(inc),
      s.mutate((x) => {
        x.attrs.n = 99;
        throw new Error('boom');
      }),
      s.mutate(inc),
      s.mutate((x) => (x.attrs.big = 2n)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    await s.flush();
    expect(s.state.attrs).toEqual({ n: 2 });
    expect((await stored(name)).attrs).toEqual({ n: 2 });
  });

  it('lets go of the lease once idle, written, and leaves no timer behind', async () => {
    const live = liveTimers();
    const name = uniq();
    const s = await openStore({ persist: true, name, leaseMs: 20 });
    await s.mutate(inc);
    expect(locks.held.has(`workflows:${name}`)).toBe(true);
    await vi.waitFor(() => expect(locks.held.size).toBe(0));
    expect((await stored(name)).attrs.n).toBe(1);
    await sleep(5);
    expect(live.size).toBe(0);
  });

  it('keeps the lease while changes keep coming, with one idle timer rather than one per change', async () => {
    const name = uniq();
    const s = await openStore({ persist: true, name, leaseMs: 200 });
    const timers = vi.spyOn(globalThis, 'setTimeout');
    for (let i = 0; i < 20; i++) await s.mutate(inc);
    // The idle timer is already set from opening; the write timer once for the burst. Not 20 of either.
    expect(timers.mock.calls.length).toBeLessThanOrEqual(2);
    timers.mockRestore();
    await sleep(100);
    await s.mutate(inc);
    await sleep(150);
    // 250 ms after opening but 150 ms after the last change: still held.
    expect(locks.held.has(`workflows:${name}`)).toBe(true);
    await vi.waitFor(() => expect(locks.held.size).toBe(0));
    expect((await stored(name)).attrs.n).toBe(21);
  });

  it('writes at once and lets go of the lease when the page is hidden, without waiting for the write timer', async () => {
    const name = uniq();
    const s = await openStore({ persist: true, name, writeMs: 1e6 });
    await s.mutate(inc);
    expect((await stored(name)).attrs.n).toBeUndefined();
    const hidden = vi.spyOn(document, 'hidden', 'get').mockReturnValue(true);
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    await vi.waitFor(async () => expect((await stored(name)).attrs.n).toBe(1));
    await vi.waitFor(() => expect(locks.held.size).toBe(0));
    // A change made while hidden is written at once too.
    await s.mutate(inc);
    await vi.waitFor(async () => expect((await stored(name)).attrs.n).toBe(2));
    hidden.mockRestore();
  });

  it('lets go of the lease, written, when the page hides', async () => {
    const name = uniq();
    const s = await openStore({ persist: true, name });
    await s.mutate(inc);
    dispatchEvent(new Event('pagehide'));
    await vi.waitFor(() => expect(locks.held.size).toBe(0));
    expect((await stored(name)).attrs.n).toBe(1);
  });

  describe('hostile pages, failures, consent across tabs', () => {

  it('consent withdrawn in one tab: no other tab stores the visitor again, pending write or not', async () => {
    const name = uniq();
    const a = await openStore({ persist: true, name });
    const b = await openStore({ persist: true, name });
    await a.mutate(inc);
    await b.mutate(inc); // B holds the lease, its write is due
    await a.setPersist(false);
    expect(await stored(name)).toBeUndefined();
    await sleep(100);
    expect(await stored(name)).toBeUndefined();
    await vi.waitFor(() => expect(b.backend).toBe('memory'));
    await b.mutate(inc);
    await b.flush();
    expect(await stored(name)).toBeUndefined();
    expect(locks.held.size).toBe(0);
  });

  it('a page whose addEventListener throws does not wedge the store', async () => {
    const name = uniq();
    const s = await openStore({ persist: true, name, leaseMs: 20 });
    await s.mutate(inc);
    await vi.waitFor(() => expect(locks.held.size).toBe(0));
    vi.stubGlobal('addEventListener', () => {
      throw new TypeError('patched by the page');
    });
    await expect(s.mutate(inc)).resolves.toBe(2);
    await expect(s.mutate(inc)).resolves.toBe(3);
    await s.flush();
    expect((await stored(name)).attrs.n).toBe(3);
  });

  it('a write that throws something odd does not stop later writes', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const data = new Map<string, string>();
    let odd = false;
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => {
        if (odd) throw ((odd = false), Object.create(null));
        data.set(k, v);
      },
      removeItem: (k: string) => data.delete(k),
    });
    const name = uniq();
    const s = await openStore({ persist: true, name, log: () => {} });
    odd = true;
    await s.mutate(inc);
    await s.flush();
    await expect(s.mutate(inc)).resolves.toBe(2);
    await expect(s.flush()).resolves.toBeUndefined();
  });

  it('a lock request that is aborted (WebKit, entering the back-forward cache) is asked again, never skipped', async () => {
    let abort = false;
    vi.stubGlobal('navigator', {
      ...navigator,
      locks: { request: (n: string, fn: () => Promise<unknown>) => (abort ? ((abort = false), Promise.reject(new DOMException('suspended', 'AbortError'))) : locks.request(n, fn)) },
    });
    const name = uniq();
    const a = await openStore({ persist: true, name, writeMs: 30 });
    const b = await openStore({ persist: true, name, writeMs: 30 });
    await b.mutate(inc);
    await a.mutate(inc); // A holds the lease, not written yet
    abort = true;
    await b.mutate(inc);
    await sleep(100);
    await a.flush();
    await b.flush();
    expect(await a.mutate((x) => x.attrs.n)).toBe(3);
  });

  it('a tab whose storage fails entirely lets go of the lease: other tabs are not kept waiting', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const data = new Map<string, string>();
    let full = false;
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => {
        if (full) throw quota();
        data.set(k, v);
      },
      removeItem: (k: string) => data.delete(k),
    });
    const name = uniq();
    const a = await openStore({ persist: true, name, writeMs: 5, leaseMs: 1e9, log: () => {} });
    await a.mutate(inc);
    full = true;
    await a.mutate(inc);
    await a.flush();
    full = false;
    expect(a.backend).toBe('memory');
    expect(locks.held.size).toBe(0);
    const b = await openStore({ persist: true, name });
    expect(b.backend).toBe('localstorage');
  });

  it('a tab that finds IndexedDB failing moves the other tabs to localStorage with it', async () => {
    const name = uniq();
    const a = await openStore({ persist: true, name, leaseMs: 10, log: () => {} });
    const b = await openStore({ persist: true, name, leaseMs: 10 });
    await a.mutate(inc);
    await sleep(50);
    const get = vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementationOnce(() => {
      throw new DOMException('Connection to Indexed Database server lost', 'UnknownError');
    });
    await a.mutate(inc);
    get.mockRestore();
    expect(a.backend).toBe('localstorage');
    await vi.waitFor(() => expect(b.backend).toBe('localstorage'));
    for (let i = 0; i < 3; i++) {
      await b.mutate(inc);
      await sleep(20);
      await a.mutate(inc);
      await sleep(20);
    }
    await Promise.all([a.flush(), b.flush()]);
    await sleep(30);
    const next = await openStore({ persist: true, name });
    expect(next.state.attrs.n).toBe(8);
  });

  it('takes the lease for at most leaseMs after opening, reset and consent, as after a change', async () => {
    const name = uniq();
    const s = await openStore({ persist: false, name, leaseMs: 20 });
    await s.setPersist(true);
    await vi.waitFor(() => expect(locks.held.size).toBe(0));
    await s.reset();
    await vi.waitFor(() => expect(locks.held.size).toBe(0));
    await openStore({ persist: true, name: uniq(), leaseMs: 20 });
    await vi.waitFor(() => expect(locks.held.size).toBe(0));
  });

  it('the write made as the page goes is announced: other tabs reload and hear of it', async () => {
    const name = uniq();
    const b = await openStore({ persist: true, name, leaseMs: 10 });
    await sleep(30);
    const a = await openStore({ persist: true, name, writeMs: 1e9 });
    const changed = vi.fn();
    b.onChange(changed);
    await a.mutate(inc);
    dispatchEvent(new Event('pagehide'));
    await vi.waitFor(() => expect(b.state.attrs.n).toBe(1));
    expect(changed).toHaveBeenCalled();
  });
  });
});

describe('idle cost', () => {
  it('an idle store runs no timer: none without the lease, none left after it', async () => {
    const live = liveTimers();
    const s = await openStore({ persist: true, name: uniq() });
    await s.mutate(inc);
    await s.flush();
    expect(live.size).toBe(0);
  });
});
