/**
 * The visitor store: one `VisitorState` per browser, kept in IndexedDB (idb-keyval, one key), else localStorage
 * (one key), else memory, stepping down on the fly when a backend fails. Backends hold the state as a JSON
 * string, so every read is a private copy and a throwing `fn` leaves nothing behind. See docs/runtime-state.md.
 */
import { createStore, del, get, set } from 'idb-keyval';
import { nanoid } from 'nanoid';
import { STATE_VERSION, type Backend, type Store, type VisitorState } from './types.js';

export interface StoreOptions {
  /** false (consent mode): storage is neither read nor written until `setPersist(true)`. */
  persist: boolean;
  /** Debug log; messages are short. */
  log?: (msg: string) => void;
  /** Storage key, lock and channel name (tests use their own); default `visitor`. */
  name?: string;
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

export async function openStore({ persist: on, log, name = 'visitor' }: StoreOptions): Promise<Store> {
  const L = 'workflows:' + name;
  const db = createStore('workflows', 'state');
  const fns: (() => void)[] = [];
  // [read, write] of each persistent backend, in fallback order.
  const B: [() => unknown, (j?: string) => unknown][] = [
    [
      () => {
        // A state in localStorage was put there when IndexedDB failed to write: it is newer, so it stays there.
        let j;
        try {
          j = localStorage.getItem(L);
        } catch {}
        if (j) throw 'stale';
        return get(name, db);
      },
      (j) => set(name, j, db),
    ],
    [() => localStorage.getItem(L), (j) => localStorage.setItem(L, j!)],
  ];
  /** Index in NAMES of the backend in use. */
  let i = 0;
  let state: VisitorState;
  let tail: Promise<unknown> = Promise.resolve();
  let bc: BroadcastChannel | undefined;

  /** Reads (k = 0) or writes (k = 1) through the best backend left, stepping down when one fails. */
  const io = async (k: 0 | 1, j?: string): Promise<any> => {
    while (on && i < 2)
      try {
        return await B[i]![k](j);
      } catch (e) {
        const m = `storage: ${NAMES[i]} failed (${e}), using ${NAMES[++i]}`;
        log?.(m);
      }
  };

  /** Stored JSON -> current shape; undefined when absent, corrupt or foreign. Newer shapes are kept as they are. */
  const parse = (j: any): VisitorState | undefined => {
    try {
      let o = JSON.parse(j);
      for (let v; (v = o.v | 0) < STATE_VERSION; ) o = MIGRATIONS[v]!(o);
      if (typeof o.id == 'string') return { ...freshState(o.id, Date.now()), ...o };
    } catch {}
    if (j) log?.('storage: bad state replaced');
  };

  type Job = { fn: (s: VisitorState) => unknown; res: (v: any) => void; rej: (e: unknown) => void };
  let batch: Job[] = [];
  const fresh = () => freshState(nanoid(), Date.now());
  const save = (s: VisitorState) => io(1, JSON.stringify(s));
  const shared = () => on && i < 2;

  /** Serial in this tab; across tabs under a Web Lock while the state is shared through storage. */
  const run = <T>(f: () => Promise<T>): Promise<T> => {
    const g = () => (shared() && navigator.locks ? navigator.locks.request(L, f) : f());
    return (tail = tail.then(g, g)) as Promise<T>;
  };

  /** Takes a state that changed under this tab and tells the listeners (one failing does not stop the rest). */
  const adopt = (s: VisitorState) => {
    state = s;
    for (const f of fns)
      try {
        f();
      } catch (e) {
        log?.('store: ' + e);
      }
  };

  const commit = async (s: VisitorState) => {
    await save(s);
    state = s;
    if (shared()) bc?.postMessage(1);
  };

  await run(async () => {
    const s = parse(await io(0));
    if (s) state = s;
    else await save((state = fresh()));
  });

  try {
    bc = new BroadcastChannel(L);
    // Another tab saved: reload (in turn, so reloads cannot land out of order) and tell our listeners.
    bc.onmessage = () =>
      shared() &&
      run(async () => {
        const s = parse(await io(0));
        if (s) adopt(s);
      });
  } catch {}

  return {
    get state() {
      return state;
    },
    get backend() {
      return on ? NAMES[i]! : 'memory';
    },
    // Mutations asked for while one is being written go out together: one reload, one write, one broadcast.
    mutate: (fn) =>
      new Promise((res, rej) => {
        if (batch.push({ fn, res, rej }) > 1) return;
        void run(async () => {
          const items = batch;
          batch = [];
          const raw = await io(0);
          const load = () => parse(raw) || JSON.parse(JSON.stringify(state));
          let s = load();
          const ok: [Job, unknown][] = [];
          for (const job of items)
            try {
              ok.push([job, job.fn(s)]);
            } catch (e) {
              // A change that throws is not saved: start again from storage and replay the ones before it.
              job.rej(e);
              s = load();
              for (const o of ok) o[1] = o[0].fn(s);
            }
          try {
            if (ok.length) await commit(s);
            for (const [job, r] of ok) job.res(r);
          } catch (e) {
            for (const [job] of ok) job.rej(e);
          }
        });
      }),
    onChange: (f) => fns.push(f),
    setPersist: (p) =>
      run(async () => {
        if (on && !p) {
          // Consent withdrawn: erase what was stored; from now on the state lives in this page only.
          // del() itself throws where IndexedDB is missing or forbidden: catch that too.
          await Promise.resolve()
            .then(() => del(name, db))
            .catch(() => {});
          try {
            localStorage.removeItem(L);
          } catch {}
        }
        on = p;
        // A visitor stored before this page asked for consent is adopted, not overwritten.
        const s = parse(await io(0));
        if (s) adopt(s);
        else await save(state);
      }),
    reset: () => run(() => commit(fresh())),
  };
}
