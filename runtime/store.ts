/**
 * The visitor store: one `VisitorState` per browser, kept in IndexedDB (idb-keyval, one key), else localStorage
 * (one key), else memory, stepping down on the fly when a backend fails. Backends hold the state as a JSON
 * string, so a throwing change leaves nothing behind. See docs/runtime-state.md.
 *
 * Speed: the state lives in memory and a change costs no storage round trip. Across tabs, the tab that writes
 * holds a lease (the Web Lock `workflows:<name>`): while it holds it no other tab writes, so its memory is the
 * truth and its changes reach storage in one coalesced write, a moment later (`flush()` waits for it; the
 * executor flushes before every effect). A tab that wants to write says so on the BroadcastChannel and asks for
 * the lock; the holder writes what it has and lets go, and the new holder reads the freshest state. Without Web
 * Locks, every change is read, applied and written in turn, as one transaction.
 */
import { promisifyRequest } from 'idb-keyval';
import { nanoid } from 'nanoid';
import { STATE_VERSION, type Backend, type Store, type VisitorState } from './types.js';

export interface StoreOptions {
  /** false (consent mode): storage is neither read nor written until `setPersist(true)`. */
  persist: boolean;
  /** Debug log; messages are short. */
  log?: (msg: string) => void;
  /** Storage key, lock and channel name (tests use their own); default `visitor`. */
  name?: string;
  /** How long a tab keeps the write lease after its last change, when no other tab asks for it (ms). */
  leaseMs?: number;
  /** Longest a change waits in memory for its write while this tab holds the lease (ms). */
  writeMs?: number;
}

export const freshState = (id: string, now: number): VisitorState => ({
  v: STATE_VERSION,
  id,
  first: now,
  last: now,
  sessions: 0,
  session: { id: '', start: now, pageviews: 0, landing: '', referrer: '', utm: {}, channel: '' },
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

/**
 * `MIGRATIONS[n]` turns a v`n` shape into v`n+1`; what a step leaves out is filled from `freshState`.
 * v0 (pre-release): `{ visitorId, first?, attrs?, segments: { [name]: boolean } }`, no `v`.
 */
export const MIGRATIONS: ((o: any) => any)[] = [
  (o) => ({
    v: 1,
    id: o.visitorId,
    first: o.first || Date.now(),
    attrs: o.attrs || {},
    segments: Object.keys(o.segments || {}).filter((k) => o.segments[k]),
  }),
];

const NAMES: Backend[] = ['indexeddb', 'localstorage', 'memory'];
/** Channel messages: a tab saved (reload); a tab wants the write lease; consent was withdrawn (stop storing); a
 * tab found IndexedDB failing and uses localStorage (follow it, so all tabs keep one copy). */
const SAVED = 1;
const WANT = 2;
const FORGET = 3;
const DOWN = 4;

export async function openStore({ persist: on, log, name = 'visitor', leaseMs = 5e3, writeMs = 50 }: StoreOptions): Promise<Store> {
  const L = 'workflows:' + name;
  // As idb-keyval's createStore, but telling whether this page created the database: then no earlier page of this
  // browser stored anything in IndexedDB, so none fell back from it to localStorage either (see `read`).
  let made = 0;
  let conn: Promise<IDBDatabase> | undefined;
  const db = <T>(mode: IDBTransactionMode, fn: (o: IDBObjectStore) => T | PromiseLike<T>) =>
    (conn ??= (() => {
      const r = indexedDB.open('workflows');
      r.onupgradeneeded = () => ((made = 1), r.result.createObjectStore('state'));
      const p = promisifyRequest(r);
      // Opened again after the browser closed it (storage cleared, or the database deleted).
      p.then((c) => (c.onclose = () => (conn = undefined)), () => (conn = undefined));
      return p;
    })()).then((c) => fn(c.transaction('state', mode).objectStore('state')));
  const fns: (() => void)[] = [];
  const ls = () => localStorage;
  // idb-keyval's get and del would bring its default store along; ours is always `db`. db() itself throws where
  // IndexedDB is missing or forbidden: the erase catches that too.
  const erase = () =>
    Promise.resolve()
      .then(() => db('readwrite', (o) => (o.delete(name), promisifyRequest(o.transaction))))
      .catch(() => {});
  // [read, write] of each persistent backend, in fallback order.
  const B: [() => unknown, (j: string) => unknown][] = [
    [
      () => db('readonly', (o) => promisifyRequest(o.get(name))),
      // Committed at once rather than when the event loop next turns: a write made as the page goes away lands.
      (j) => db('readwrite', (o) => (o.put(j, name), o.transaction.commit?.(), promisifyRequest(o.transaction))),
    ],
    [() => ls().getItem(L), (j) => ls().setItem(L, j)],
  ];
  /** Index in NAMES of the backend in use. */
  let i = 0;
  let state!: VisitorState;
  /** `state` as JSON after the last change that succeeded: what a failed change goes back to, what gets written. */
  let good = '';
  /** What storage holds, as far as this tab knows (last read or written). `good != saved`: a write is due. */
  let saved: unknown;
  /** Serial work of this tab: changes, lease moves, consent. */
  let tail: Promise<unknown> = Promise.resolve();
  /** Serial writes (changes do not wait for them; `flush` does). */
  let writes: Promise<void> = Promise.resolve();
  let due: ReturnType<typeof setTimeout> | 0 = 0;
  /** The lease's idle end: `leaseMs` after this tab last changed the state (or took the lease), at `last`. */
  let idle: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  /** Lets go of the write lease; set while this tab holds it. */
  let held: (() => void) | undefined;
  /** No lease to be had (no Web Locks, or refused as in an opaque origin): each change reads and writes. */
  let free = false;
  let bc: BroadcastChannel | undefined;
  type Job = [fn: (s: VisitorState) => unknown, res: (v: any) => void, rej: (e: unknown) => void];
  let batch: Job[] = [];

  const shared = () => on && i < 2;
  /** Tells other tabs; a channel that fails (closed by a hostile page) only costs them the news. */
  const say = (m: number) => {
    try {
      bc?.postMessage(m);
    } catch {}
  };
  const locks = () => (free ? undefined : navigator.locks);
  /** Window listeners, through the global and guarded: a page may have replaced addEventListener. */
  const listen = (on: 0 | 1, type: string, fn: () => void) => {
    try {
      globalThis[on ? 'addEventListener' : 'removeEventListener'](type, fn);
    } catch {}
  };

  /** Reads (k = 0) or writes (k = 1) through the best backend left, stepping down when one fails. */
  const io = async (k: 0 | 1, j?: string): Promise<any> => {
    while (on && i < 2)
      try {
        return await B[i]![k](j!);
      } catch (e) {
        log?.(`storage: ${NAMES[i]} failed (${e}), using ${NAMES[i + 1]}`);
        // IndexedDB failed: its copy is now older than the one localStorage will hold, so it goes (best effort),
        // the next page, finding nothing there, reads localStorage, and the other tabs follow at once.
        if (!i) await erase(), say(DOWN);
        // Memory is this tab's alone: nothing for a lease to guard any more.
        if (++i > 1) drop();
      }
  };

  /**
   * The stored JSON; with IndexedDB empty, a state a page left in localStorage when IndexedDB failed it. Not when this
   * page created the database (a new visitor, most often): the first read of localStorage in a page loads all of the
   * site's localStorage synchronously, 1-3 ms on the main thread of an empty one (docs/benchmarks.md).
   */
  const read = async () => {
    const j = await io(0);
    if (j == null && shared() && !i && !made) {
      let l;
      try {
        l = ls().getItem(L);
      } catch {}
      if (l) return (i = 1), l;
    }
    return j;
  };

  /** Stored JSON -> current shape; undefined when absent, corrupt or foreign. Newer shapes are kept as they are. */
  const parse = (j: any): VisitorState | undefined => {
    try {
      let o = JSON.parse(j);
      for (let v; (v = o.v | 0) < STATE_VERSION; ) o = MIGRATIONS[v]!(o);
      if (typeof o.id == 'string') {
        const f: any = freshState(o.id, Date.now());
        const s = { ...f, ...o };
        // A field of another type than ours (damaged, or reshaped by a newer runtime) cannot be read: it starts
        // empty, rather than break every page view of this visitor from now on. (Parsed JSON: the constructor tells
        // an array, an object, a number and a string apart, and null has none.)
        for (const k in f) if (s[k]?.constructor != f[k].constructor) (s[k] = f[k]), log?.(`storage: bad ${k} replaced`);
        // Enrollments that are not one (a null, say) would stop every walk of the others.
        s.cursors = s.cursors.filter((c: any) => c?.wf);
        return s;
      }
    } catch {}
    if (j) log?.('storage: bad state replaced');
  };

  const run = <T>(f: () => Promise<T>): Promise<T> => (tail = tail.then(f, f)) as Promise<T>;

  const notify = () => {
    for (const f of fns)
      try {
        f();
      } catch (e) {
        log?.('store: ' + e);
      }
  };

  /** Takes what storage holds when another tab changed it; a missing or corrupt value keeps this tab's state. */
  const adopt = (j: unknown) => {
    if (j === saved) return;
    const s = parse(j);
    if (!s) return;
    state = s;
    saved = j;
    good = JSON.stringify(s);
    notify();
  };

  /**
   * Writes the latest good state if storage lacks it, then tells other tabs. Never rejects. With Web Locks only
   * the lease holder writes: a tab without it has nothing of its own that storage lacks.
   */
  const write = () =>
    (writes = writes
      .then(async () => {
        clearTimeout(due);
        due = 0;
        const j = good;
        const was = saved;
        if (j === saved || !shared() || (locks() && !held)) return;
        await io(1, j);
        // Unless a later write (the page hiding) went past this one meanwhile.
        if (saved === was) saved = j;
        if (shared()) say(SAVED);
      })
      .catch(() => {}));

  /** Asks for the lease; resolves once held, or rejects with why the request failed. */
  const ask = (l: LockManager) =>
    // What request() throws rejects this promise too.
    new Promise<void>((got, no) => void l.request(L, () => new Promise<void>((r) => ((held = r), got()))).catch(no));

  /** Before a change: the lease and the freshest state (with Web Locks), else the freshest state alone. */
  const acquire = async () => {
    let l;
    // Again if the page hid (and let go) while the freshest state was being read.
    for (let tries = 0; shared() && !held && (l = locks()); ) {
      say(WANT);
      // Said again while waiting: a tab that opened its channel after we first said it would not know.
      const nag = setInterval(say, 200, WANT);
      try {
        await ask(l);
      } catch (e) {
        // Refused for good (an opaque origin): no lease here. Otherwise (a request aborted, as WebKit does when a
        // page enters the back-forward cache) ask again; never change the state without it.
        if ((e as Error)?.name == 'SecurityError') free = true;
        else if (++tries > 2) throw e;
      } finally {
        clearInterval(nag);
      }
      if (!held) continue;
      listen(1, 'pagehide', leave);
      listen(1, 'visibilitychange', hide);
      lapse();
      adopt(await read());
    }
    if (!held && shared()) adopt(await read());
  };

  /** (Re)starts the lease's idle end: one timer that waits again when it finds a later change, not one per change. */
  const lapse = () => {
    last = Date.now();
    const check = (left = last + leaseMs - Date.now()) => (idle = left > 0 ? setTimeout(check, left) : void release());
    idle ??= setTimeout(check, leaseMs);
  };

  /** Lets go of the lease once storage has everything (another tab asked, the tab went idle, the page hides). */
  const release = () =>
    run(async () => {
      if (!held) return;
      await write();
      drop();
    });
  /** The page goes: write what storage lacks now, in this task (later ones may never run), and let go. */
  const leave = () => {
    if (held && good !== saved && shared()) void io(1, (saved = good)), say(SAVED);
    drop();
  };
  // Hidden: write and let go, so a tab the browser then suspends holds nothing another tab waits for.
  const hide = () => document.hidden && void release();
  const drop = () => {
    held?.();
    held = undefined;
    clearTimeout(idle);
    idle = undefined;
    clearTimeout(due);
    due = 0;
    listen(0, 'pagehide', leave);
    listen(0, 'visibilitychange', hide);
  };


  /**
   * Applies the waiting changes to the state in memory. A change that throws, or leaves a state JSON cannot
   * hold (a BigInt, a cycle), is undone alone: the others are applied again, one at a time, from the last good
   * state (changes are functions of the state, so applying one again gives the same result).
   */
  const apply = async () => {
    const items = batch;
    try {
      if (!held) await acquire();
    } catch (e) {
      // No lease could be had: these changes fail (reported by their callers), later ones try again.
      batch = [];
      for (const job of items) job[2](e);
      return;
    }
    batch = [];
    const out = new Map<Job, unknown>();
    let bad = 0;
    for (const job of items)
      try {
        out.set(job, job[0](state));
      } catch (e) {
        job[2](e);
        bad = 1;
      }
    try {
      if (!bad) good = JSON.stringify(state);
    } catch {
      bad = 1;
    }
    if (bad) {
      state = parse(good) ?? state;
      for (const [job] of out)
        try {
          out.set(job, job[0](state));
          good = JSON.stringify(state);
        } catch (e) {
          out.delete(job);
          job[2](e);
          state = parse(good) ?? state;
        }
    }
    if (!out.size) return;
    if (held && !document.hidden) {
      // Changes within writeMs go out in one write: a burst of events costs one. Effects do not wait for the
      // timer (the executor flushes first), and hiding the page writes at once.
      due ||= setTimeout(write, writeMs);
      lapse();
    } else await write();
    for (const [job, r] of out) job[1](r);
  };

  try {
    bc = new BroadcastChannel(L);
    bc.onmessage = ({ data }) => {
      if (data == WANT) void release();
      if (!shared()) return;
      if (data == FORGET) {
        // At once, not in turn: a change already waiting must not store the visitor again.
        on = false;
        saved = undefined;
        drop();
      } else if (data == DOWN) i ||= 1;
      // Another tab saved: reload (in turn, so reloads cannot land out of order) and tell our listeners. A tab
      // holding the lease read the freshest state when it took it.
      else if (data == SAVED) void run(async () => held || adopt(await read()));
    };
  } catch {}

  await run(async () => {
    await acquire();
    // No visitor stored (or one that cannot be read): a new one.
    if (!good) renew();
    await write();
  });


  /** A new visitor. */
  function renew() {
    good = JSON.stringify((state = freshState(nanoid(), Date.now())));
  }

  return {
    get state() {
      return state;
    },
    get backend() {
      return on ? NAMES[i]! : 'memory';
    },
    // Changes asked for while one is being applied go together.
    mutate: (fn) =>
      new Promise((res, rej) => {
        if (batch.push([fn, res, rej]) < 2) void run(apply);
      }),
    flush: () => run(write),
    onChange: (f) => fns.push(f),
    setPersist: (p) =>
      run(async () => {
        if (on && !p) {
          // Consent withdrawn: with the lease (so no tab writes meanwhile), erase what was stored and tell every
          // tab to stop storing; from now on the state lives in each page only.
          await acquire().catch(() => {});
          say(FORGET);
          drop();
          await erase();
          try {
            ls().removeItem(L);
          } catch {}
          saved = undefined;
        }
        on = p;
        // A visitor stored before this page asked for consent is adopted, not overwritten.
        await acquire();
        await write();
      }),
    reset: () =>
      run(async () => {
        await acquire();
        renew();
        await write();
      }),
  };
}
