/** A test harness for the executor: a real engine over an in-memory store, recording what it does. */
import { vi } from 'vitest';
import { compileProject } from '../../src/compile/compile.js';
import type { CompiledBundle } from '../../src/compile/types.js';
import type { AuthoringDocument } from '../../src/model/types.js';
import { createEngine, type EngineDeps } from '../../runtime/engine.js';
import type { Fire, PromotionOutcome, PublicEvent, ShowRequest, Store, VisitorState } from '../../runtime/types.js';
import { freshState } from '../../runtime/store.js';
import * as channel from '../../runtime/features/channel.js';
import * as commerce from '../../runtime/features/commerce.js';
import * as enrollment from '../../runtime/features/enrollment.js';
import * as goals from '../../runtime/features/goals.js';
import * as promotions from '../../runtime/features/promotions.js';
import * as segments from '../../runtime/features/segments.js';
import * as time from '../../runtime/features/time.js';
import * as variants from '../../runtime/features/variants.js';
import * as actions from '../../runtime/actions/entry.js';

export function compile(doc: AuthoringDocument): CompiledBundle {
  const r = compileProject([{ file: 'test.json', doc }]);
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.pointer}: ${p.message}`).join('\n'));
  return r.bundle;
}

/** A visitor on the first page of their first session. */
export function state(now: number): VisitorState {
  return {
    ...freshState('visitor-1', now),
    sessions: 1,
    session: { id: 's1', start: now, pageviews: 1, landing: 'https://shop.test/', referrer: '', utm: {}, channel: 'direct' },
    pageviews: { all_time: 1, first_session: 1 },
  };
}

/** A Store kept in memory; `shared` lets two harnesses act as two tabs of one visitor. */
export function memoryStore(initial: VisitorState, shared?: { state: VisitorState; listeners: Set<() => void> }): Store & { saves: number; flushes: number } {
  const box = shared ?? { state: initial, listeners: new Set<() => void>() };
  let queue = Promise.resolve();
  const own = () => {};
  const store = {
    saves: 0,
    /** Calls of flush (the executor must flush before each effect). */
    flushes: 0,
    backend: 'memory' as const,
    get state() {
      return box.state;
    },
    mutate<T>(fn: (s: VisitorState) => T): Promise<T> {
      const run = queue.then(() => {
        // Changed in place, as the real store does under its lease: the executor may hold the objects it changes.
        const before = structuredClone(box.state);
        let out: T;
        try {
          out = fn(box.state);
        } catch (e) {
          box.state = before;
          throw e;
        }
        store.saves++;
        for (const l of box.listeners) if (l !== own) l();
        return out;
      });
      queue = run.then(() => undefined, () => undefined);
      return run;
    },
    flush() {
      store.flushes++;
      return queue;
    },
    onChange(fn: () => void) {
      box.listeners.add(fn);
    },
    async setPersist() {},
    async reset() {
      box.state = state(Date.now());
    },
  };
  return store;
}

export interface Harness {
  engine: ReturnType<typeof createEngine>;
  store: ReturnType<typeof memoryStore>;
  events: PublicEvent[];
  shown: ShowRequest[];
  /** Promotions the executor took off the screen. */
  hidden: string[];
  /** Resolves the promotion on screen. */
  answer(outcome: PromotionOutcome): Promise<void>;
  watched: { trigger: unknown; fire: Fire; active: boolean }[];
  calls: { kind: string; key?: string; data?: unknown }[];
  clock: { now: number };
  ctx: { url: string; device: string };
  deps: EngineDeps;
  settle(): Promise<void>;
}

let harnesses = 0;

export function harness(doc: AuthoringDocument, opts: { store?: ReturnType<typeof memoryStore>; effects?: Partial<Record<'webhook' | 'app' | 'code', boolean>> } = {}): Harness {
  const bundle = compile(doc);
  const clock = { now: Date.UTC(2026, 10, 27, 12) };
  const store = opts.store ?? memoryStore(state(clock.now));
  const events: PublicEvent[] = [];
  const shown: ShowRequest[] = [];
  const hidden: string[] = [];
  const pending: { id: string; resolve: (o: PromotionOutcome) => void }[] = [];
  const watched: Harness['watched'] = [];
  const calls: Harness['calls'] = [];
  const ctx = { url: 'https://shop.test/', device: 'desktop' };
  let n = 0;
  const prefix = `h${++harnesses}-`;
  const deps: EngineDeps = {
    bundle,
    store,
    now: () => clock.now,
    id: () => `${prefix}${++n}`,
    page: () => 'page-1',
    context: (event) => ({
      now: clock.now,
      page: { url: ctx.url },
      visitor: {
        id: store.state.id,
        device: ctx.device as 'desktop',
        sessions: store.state.sessions,
        segments: store.state.segments,
        attributes: store.state.attrs,
        cart: store.state.cart,
        promotions: {},
      },
      event,
    }),
    emit: (name, fields) => events.push({ id: String(events.length), name, at: clock.now, visitor: 'visitor-1', ...fields } as PublicEvent),
    watch: (trigger, fire) => {
      const w = { trigger, fire, active: true };
      watched.push(w);
      return () => void (w.active = false);
    },
    renderer: async () => ({
      show: (req) => {
        shown.push(req);
        req.report('seen');
        return new Promise((resolve) => pending.push({ id: req.id, resolve }));
      },
      // As the real renderer does: the promotion leaves the screen and its show() ends as dismissed.
      hide: (id) => {
        hidden.push(id);
        const i = pending.findIndex((p) => p.id == id);
        if (i >= 0) pending.splice(i, 1)[0]!.resolve({ outcome: 'dismissed' });
      },
    }),
    webhook: vi.fn(async (_node, data, key) => (calls.push({ kind: 'webhook', key, data }), opts.effects?.webhook ?? true)),
    app: vi.fn(async (_node, data, key) => (calls.push({ kind: 'app', key, data }), opts.effects?.app ?? true)),
    code: vi.fn(async (_node, c) => (calls.push({ kind: 'code', key: `${c.id}:${c.seq}` }), opts.effects?.code ?? true)),
    // The actions chunk, as loaded: it runs the Webhook, App and Code steps over the effects above.
    prepare: async () => actions,
    log: () => {},
    // Every feature, as a page whose chunks all loaded.
    features: { promotions, time, variants, goals, segments, channel, commerce, enrollment },
  };
  const engine = createEngine(deps);
  const settle = async () => {
    // Microtasks only, so tests with fake timers settle too.
    for (let i = 0; i < 200; i++) await Promise.resolve();
  };
  return {
    engine,
    store,
    events,
    shown,
    hidden,
    watched,
    calls,
    clock,
    ctx,
    deps,
    settle,
    async answer(outcome) {
      pending.shift()?.resolve(outcome);
      await settle();
    },
  };
}

export const names = (h: Harness) => h.events.map((e) => e.name);
