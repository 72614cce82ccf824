/**
 * The `promotions` chunk: the executor's Promotion step and the promotions governor (at most one interrupting
 * promotion on screen, a cooldown between two, blocked promotions shown when the slot frees, highest priority
 * first). Only bundles with Promotion steps import it (their `needs` lists `promotions`), at start, so the engine
 * calls it synchronously; it shares the engine's state through `host`.
 */
import type { CompiledBundle, CompiledNode, CompiledWorkflow } from '../../src/compile/types.js';
import type { EngineDeps } from '../engine.js';
import type { Cursor, PromotionOutcome, RuntimeEvent, VisitorState } from '../types.js';

type PromotionNode = Extract<CompiledNode, { kind: 'promotion' }>;

/** What the promotions need of the engine that runs them. */
export interface PromotionHost {
  d: EngineDeps;
  bundle: CompiledBundle;
  wfs: Map<string, CompiledWorkflow>;
  st(): VisitorState;
  find(id: string): Cursor | undefined;
  nodeOf(c: Cursor): CompiledNode | undefined;
  patch<T>(c: Cursor, fn: (cur: Cursor, s: VisitorState) => T, seq?: 1): Promise<T | undefined>;
  run(c: Cursor | undefined): Promise<void>;
  move(c: Cursor, port: string | undefined): Promise<Cursor | undefined>;
  fail(wf: string, e: unknown): void;
  schedule(): void;
  dispatch(e: RuntimeEvent): Promise<void>;
}

export type Promotions = ReturnType<typeof createPromotions>;

/** Kinds that take over the screen: at most one at a time, with a cooldown between them. */
const INTERRUPTING = ['modal', 'fullscreen', 'slide_in'];

export function createPromotions(h: PromotionHost) {
  const { d, bundle, st, find, nodeOf, patch, run, move } = h;
  const { store } = d;
  // This document load: a promotion shown under another load was left behind when the visitor navigated.
  const load = d.id();
  const blocked = new Set<string>(); // cursor ids waiting for the promotion governor
  let onScreen = 0; // interrupting promotions showing now
  const showing = new Map<string, string>(); // cursor id -> promotion this page shows for it
  // A hand-made bundle may lack its site settings or promotions: the default cooldown, and nothing to show.
  const cooldownEnd = () => (st().lastPromo ?? 0) + (bundle.site?.promotionCooldownSeconds ?? 30) * 1e3;

  /** The Promotion step: waits while the promotion shows (or waits for the governor), else `dismissed`. */
  async function step(c: Cursor, node: PromotionNode): Promise<string | 0> {
    // Shown under another load and never answered: dismissed, unless that tab still has it on screen.
    if (c.shown && c.shown != load) return (await open(c.id)) ? 0 : 'dismissed';
    if (!c.shown) void show(c, node).catch((e) => h.fail(c.wf, e));
    return 0;
  }

  async function show(c: Cursor, node: PromotionNode): Promise<void> {
    const id = node.promotion;
    // Not shown into a hidden tab (a Delay or a time-on-site trigger that came due in the background): nobody would
    // see it, yet it would count as seen, use up its frequency caps and start the cooldown. It waits for the page to
    // be in view; should the visitor never come back to this tab, the next page view runs the step again.
    // (`globalThis`: the engine also runs where there is no document, as in its tests.)
    if ((globalThis as { document?: Document }).document?.hidden) {
      d.log(`${c.wf}: ${id} waits for the page to be in view`);
      await new Promise<void>((go) => {
        const seen = () => document.hidden || (document.removeEventListener('visibilitychange', seen), go());
        document.addEventListener('visibilitychange', seen);
      });
      const cur = find(c.id);
      // Moved on, ended or shown elsewhere meanwhile (another tab, unenroll, reset).
      if (cur?.node != c.node || cur.shown) return;
      c = cur;
    }
    const p = bundle.promotions?.[id];
    const stop = p && INTERRUPTING.includes(p.kind);
    const wait = cooldownEnd() - d.now();
    if (stop && (onScreen || wait > 0)) {
      blocked.add(c.id);
      d.log(`${c.wf}: ${id} waits for ${onScreen ? 'the promotion on screen' : 'the cooldown'}`);
      h.schedule();
      return;
    }
    blocked.delete(c.id);
    let out: PromotionOutcome = { outcome: 'dismissed' };
    if (stop) onScreen++;
    showing.set(c.id, id);
    try {
      const taken =
        p &&
        (await patch(
          c,
          (cur, s) => {
            if (cur.shown) return;
            cur.shown = load;
            if (stop) s.lastPromo = d.now();
            return 1;
          },
          1,
        ));
      if (p && !taken) return;
      // Stored as shown before anyone sees it: another tab or a reload cannot show it a second time.
      await store.flush();
      const f = { workflow: c.wf, step: c.node, promotion: id, variant: c.variant };
      const renderer = p && (await d.renderer());
      const showing =
        renderer &&
        renderer.show({
          id,
          promotion: p,
          attributes: st().attrs,
          visitor: st().id,
          error: (e) => d.emit('error', { ...f, message: String((e as Error)?.message ?? e) }),
          report: (name, detail) => {
            if (name != 'seen') return;
            void store.mutate((s) => count(s, id, 'seen'));
            d.emit('promotion_shown', { ...f, ...detail });
            void h.dispatch({ key: 'promotion:seen', props: { promotion: id } });
          },
        });
      if (showing) {
        const locks = (globalThis.navigator as Navigator | undefined)?.locks;
        void locks?.request(`workflows:shown:${c.id}`, () => showing.catch(() => {})).catch(() => {});
        out = await showing;
      }
      const { outcome, values } = out;
      const yes = outcome == 'converted';
      const kept = await patch(c, (cur, s) => {
        count(s, id, yes ? 'converted' : 'closed');
        if (values) Object.assign(s.attrs, values), (cur.form = c.form = values);
        return 1;
      });
      // The enrollment ended while it showed (reset, unenroll): its answer is nobody's to report or act on.
      if (!kept) return;
      d.emit(yes ? 'promotion_converted' : 'promotion_closed', f);
      await h.dispatch({ key: `promotion:${yes ? 'converted' : 'closed'}`, props: { promotion: id } });
    } finally {
      if (stop) onScreen--;
      showing.delete(c.id);
      release();
    }
    const cur = find(c.id);
    if (cur?.node == c.node) await run(await move(cur, out.outcome));
  }

  /** Is a promotion of this cursor on screen in some tab? (The showing tab holds a Web Lock while it is.) */
  async function open(id: string): Promise<boolean> {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    return !!locks && (await locks.request(`workflows:shown:${id}`, { ifAvailable: true }, (lock) => !lock).catch(() => false));
  }

  /** A screen slot freed: the highest-priority blocked promotion gets it. */
  function release(): void {
    const prio = (c?: Cursor) => (c ? h.wfs.get(c.wf)!.settings?.priority ?? 50 : -1);
    let best: Cursor | undefined;
    for (const id of blocked) {
      const c = find(id);
      if (!c || nodeOf(c)?.kind != 'promotion') blocked.delete(id);
      else if (prio(c) > prio(best)) best = c;
    }
    void run(best);
  }

  /** When a waiting cursor is one step from a promotion, fetch the renderer while the page is idle. */
  function prefetch(): void {
    const soon = st().cursors.some((c) => {
      const n = nodeOf(c);
      return n && Object.values(n.next ?? {}).some((id) => h.wfs.get(c.wf)!.nodes[id]?.kind == 'promotion');
    });
    if (soon) (globalThis.requestIdleCallback ?? setTimeout)(() => void d.renderer().catch(() => {}));
  }

  /** Takes a promotion this page shows off the screen (its show() then ends as dismissed). */
  function hide(id: string): void {
    const promotion = showing.get(id);
    if (promotion) void d.renderer().then((r) => r.hide(promotion), () => {});
  }

  return {
    step,
    release,
    prefetch,
    /** When the governor's cooldown ends, for blocked promotions to retry; Infinity when none waits. */
    wakeAt: () => (blocked.size ? cooldownEnd() : Infinity),
    /** The enrollment ended: it no longer waits for the governor, and its promotion leaves the screen. */
    drop(id: string): void {
      blocked.delete(id);
      hide(id);
    },
    /** Reset: no promotion of the old visitor stays on screen or waits. */
    stop(): void {
      showing.forEach((_, id) => hide(id));
      blocked.clear();
    },
  };
}

function count(s: VisitorState, promotion: string, what: 'seen' | 'closed' | 'converted'): void {
  const z = () => ({ session: 0, first_session: 0, all_time: 0 });
  const r = (s.promos[promotion] ??= { seen: z(), closed: z(), converted: z() })[what];
  r.session++;
  r.all_time++;
  if (s.sessions < 2) r.first_session++;
}
