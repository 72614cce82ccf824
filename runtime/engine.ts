/**
 * The dispatcher and the durable executor. Cursors live in the visitor state; every move is persisted
 * (through `store.mutate`, which is atomic across tabs) before the step's effect runs, and a move only
 * happens if the cursor is still where this tab last saw it, so two tabs never run one step twice.
 */
import { indexKey } from '../src/compile/index-key.js';
import { FEATURES, type CompiledBundle, type CompiledNode, type CompiledTrigger, type CompiledWorkflow, type Feature, type TriggerSpec } from '../src/compile/types.js';
import type { EvalContext, LoweredCondition } from '../src/conditions/types.js';
import type { Duration, Reenrollment } from '../src/model/types.js';
import { check } from '../src/conditions/run.js';
import type * as ActionsChunk from './actions/entry.js';
import type * as ChannelChunk from './features/channel.js';
import type * as CommerceChunk from './features/commerce.js';
import type * as EnrollmentChunk from './features/enrollment.js';
import type * as GoalsChunk from './features/goals.js';
import type * as PromotionsChunk from './features/promotions.js';
import type * as SegmentsChunk from './features/segments.js';
import type * as TimeChunk from './features/time.js';
import type * as VariantsChunk from './features/variants.js';
import type { Cursor, Fire, PromotionRenderer, PublicEvent, PublicEventName, RuntimeEvent, Store, VisitorState } from './types.js';

type Node<K extends CompiledNode['kind']> = Extract<CompiledNode, { kind: K }>;
/** The steps whose effect leaves the engine: they run in the actions chunk. */
export type EffectNode = Node<'webhook' | 'app' | 'code'>;
type Event = { name: string; props?: Record<string, unknown> };

/** The features a bundle may use (`bundle.needs`), as their chunks loaded: the runtime imports them at start. */
export interface Features {
  promotions?: typeof PromotionsChunk;
  goals?: typeof GoalsChunk;
  segments?: typeof SegmentsChunk;
  channel?: typeof ChannelChunk;
  commerce?: typeof CommerceChunk;
  time?: typeof TimeChunk;
  variants?: typeof VariantsChunk;
  enrollment?: typeof EnrollmentChunk;
}

export interface EngineDeps {
  /** As fetched: a hand-made or truncated bundle may lack parts (but its workflows), and its readers run what is there. */
  bundle: CompiledBundle;
  store: Store;
  now(): number;
  id(): string;
  /** A per-page-view id (a route change is a new page). */
  page(): string;
  context(event?: Event): EvalContext;
  emit(name: PublicEventName, fields: Partial<PublicEvent>): void;
  watch(trigger: TriggerSpec, fire: Fire): () => void;
  renderer(): Promise<PromotionRenderer>;
  /** Effects resolve true for the ok/next port, false for failed. `key` makes retries idempotent. The actions chunk calls them. */
  webhook(node: Node<'webhook'>, data: Record<string, unknown>, key: string): Promise<boolean>;
  app(node: Node<'app'>, data: Record<string, unknown>, key: string): Promise<boolean>;
  code(node: Node<'code'>, cursor: Cursor, data: Record<string, unknown>): Promise<boolean>;
  /**
   * Loads what an effect of this kind needs (its chunks) and resolves with the actions chunk (alone, or first of a
   * list), which runs the step; rejects when it cannot, before the step is claimed.
   */
  prepare(kind: EffectNode['kind']): Promise<typeof ActionsChunk | [typeof ActionsChunk, ...unknown[]]>;
  /** A debug line; a function is called only when the line is kept (hot loops pass one, so no text is built). */
  log(message: string | (() => string)): void;
  /** The chunks of the features the bundle needs; a workflow that needs one missing here is disabled. */
  features: Features;
}

const WAIT = 0;
const DAY = 864e5;
const UNIT = { seconds: 1e3, minutes: 6e4, hours: 36e5, days: DAY };
const ms = (t: Duration) => t.amount * UNIT[t.unit];
/** Trigger kinds that arrive as events (through the compiled index); the others are watched by sensors. */
const EVENTS = ['page_view', 'event', 'commerce', 'promotion', 'segment_entered'];

export type Engine = ReturnType<typeof createEngine>;

export function createEngine(d: EngineDeps) {
  const { store, features: F, bundle } = d;
  /** The first feature of `needs` whose chunk did not load; a bundle from before `needs` needs them all. */
  // A list that is not one (a hand-made or damaged bundle) counts as needing every feature: never read wrong.
  const lacks = (needs?: Feature[]) => (Array.isArray(needs) ? needs : needs == null && Array.isArray(bundle.needs) ? [] : FEATURES).find((f) => !F[f]);
  const disabled = new Set<string>();
  const wfs = new Map<string, CompiledWorkflow>();
  for (const w of bundle.workflows) {
    // A workflow the runtime cannot read is left out alone, with a reason; the others run.
    if (w?.nodes?.[w.start]) {
      wfs.set(w.id, w);
      // A feature whose chunk did not load disables only the workflows that need it.
      const f = lacks(w.needs);
      if (f) fail(w.id, `needs the ${f} chunk, which did not load`);
    } else d.emit('error', { workflow: w?.id, message: 'malformed workflow' });
  }
  const armed = new Map<string, { node: string; off: (() => void)[] }>(); // cursor id -> step armed, unwatch functions
  const running = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = 0;

  const st = (): VisitorState => store.state;
  const find = (id: string) => st().cursors.find((c) => c.id == id);
  const nodeOf = (c: Cursor) => wfs.get(c.wf)?.nodes[c.node];
  const test = (cond: LoweredCondition | undefined, event?: Event, ctx?: EvalContext) => !cond || check(cond, ctx ?? d.context(event), F.time);
  /** Changes a cursor inside a transaction, if it still exists (and, with `seq`, has not moved). */
  const patch = <T>(c: Cursor, fn: (cur: Cursor, s: VisitorState) => T, seq?: 1) =>
    store.mutate((s) => {
      const cur = s.cursors.find((x) => x.id == c.id && (!seq || x.seq == c.seq));
      return cur && fn(cur, s);
    });
  // What the chunks that run parts of the executor share of its state.
  const h = { d, bundle, wfs, st, find, nodeOf, patch, run, move, fail, failed, schedule, dispatch, lacks, test, enroll };
  // Promotion steps and the governor, when the bundle has promotions.
  const P = F.promotions?.createPromotions(h);
  // Conversion goals, when a workflow has one: an event credits the step that last touched the visitor.
  const goal = F.goals?.createGoals(h);
  // Rule segments, when the bundle has any: they follow their rules on page views and visitor changes.
  const rules = F.segments?.createRules(h);

  function fail(wf: string, e: unknown): void {
    // A broken workflow stops alone; the others keep running.
    disabled.add(wf);
    d.emit('error', { workflow: wf, message: String((e as Error)?.message ?? e) });
  }

  /** A step's error: reported, and the step takes `failed` (the workflow goes on). */
  function failed(c: Cursor, e: unknown): 'failed' {
    d.emit('error', { workflow: c.wf, step: c.node, message: String((e as Error)?.message ?? e) });
    return 'failed';
  }

  /** Moves a cursor out through `port`; resolves the moved cursor, or undefined when it ended or another tab took it. */
  async function move(c: Cursor, port: string | undefined): Promise<Cursor | undefined> {
    const next = port && nodeOf(c)?.next?.[port];
    const now = d.now();
    // Read before the change: `c` may be the very object the change updates.
    const was = c.in;
    const moved = await patch(
      c,
      (cur, s) => {
        if (cur.in) s.touches[c.wf] = { at: now, node: c.node, variant: cur.variant };
        else if (next) {
          cur.in = true; // passing the start step into the graph is what enrolls the visitor
          s.runs[c.wf] = { at: now, session: s.session.id, page: d.page() };
        }
        const i = s.cursors.indexOf(cur);
        if (!next) return s.cursors.splice(i, 1)[0]!;
        // What belonged to the step left behind goes with it.
        const { wake, visit, shown, fx, ...kept } = cur;
        return (s.cursors[i] = { ...kept, node: next, seq: cur.seq + 1 });
      },
      1,
    );
    disarm(c.id);
    if (!moved) return;
    const f = { workflow: c.wf, step: c.node, port };
    if (!was && moved.in) d.emit('enrolled', f);
    if (next) return d.emit('step', { ...f, step: next, from: c.node }), moved;
    if (moved.in) d.emit('exited', f);
    d.log(`${c.wf}: ${moved.in ? 'exited' : 'not enrolled'} at ${c.node}`);
  }

  /** Runs a cursor until it waits or ends; one run per cursor at a time in this tab. */
  // Resolves when the cursor waits, ends, or starts a Webhook, App or Code effect: callers (an event, a page
  // view, boot) see the steps that change state at once, but never wait on a slow endpoint or a handler.
  function run(c: Cursor | undefined): Promise<void> {
    return new Promise((pause) => void loop(c, pause).finally(pause));
  }

  async function loop(c: Cursor | undefined, pause: () => void): Promise<void> {
    const id = c?.id;
    if (!id || running.has(id)) return;
    running.add(id);
    try {
      for (let n = 0; c && !disabled.has(c.wf); n++) {
        if (n > 99) return fail(c.wf, 'over 99 steps without waiting');
        const w = wfs.get(c.wf);
        if (w && c.ver != w.version) {
          // Republished: the enrollment goes on at the same step when the new version still has it, else ends.
          if (!w.nodes[c.node]) return void (await end(c, 'changed'));
          await patch(c, (cur) => (cur.ver = w.version));
          c.ver = w.version;
        }
        const node = nodeOf(c);
        // A step that throws stops its workflow (below).
        const port = node && (await exec(c, node, pause));
        if (port === WAIT) return;
        c = await move(c, port);
      }
    } catch (e) {
      fail(c!.wf, e);
    } finally {
      running.delete(id);
    }
  }

  async function exec(c: Cursor, node: CompiledNode, pause: () => void): Promise<string | typeof WAIT | undefined> {
    const now = d.now();
    switch (node.kind) {
      case 'if':
        if (!node.triggers?.length) return test(node.conditions) ? 'then' : 'else';
        if (c.wake && c.wake <= now) return 'timeout';
        arm(c, node);
        return WAIT;
      case 'promotion':
        return P!.step(c, node);
      case 'delay':
        if (c.wake || c.visit !== undefined) return (c.wake ? c.wake <= now : st().sessions != c.visit) ? 'next' : WAIT;
        await patch(c, (cur, s) => {
          if (node.mode == 'next_visit') cur.visit = s.sessions;
          else cur.wake = node.mode == 'duration' ? now + ms(node.duration) : F.time!.nextTime(node.time, node.timezone, now);
        });
        schedule();
        return WAIT;
      case 'segment':
        await segment(node.segment, node.action == 'add');
        return 'next';
      case 'enroll':
        return F.enrollment!.step(h, c, node);
      case 'split':
        return F.variants!.split(h, c, node);
      case 'webhook':
      case 'app':
      case 'code':
        // What the effect runs on (the actions chunk, with its own) is loaded first: a chunk that does not arrive
        // fails the step here, unclaimed, rather than the workflow (and a Code step claimed but never run would
        // refuse to run on the next page).
        return d.prepare(node.kind).then((a) => (Array.isArray(a) ? a[0] : a).runEffect(h, c, node, pause), (e) => failed(c, e));
      case 'connector':
        return 'next';
    }
  }

  /** An If/Then that waits: page sensors for DOM triggers, the index for the rest, a timer for the window. */
  function arm(c: Cursor, node: Node<'if'>): void {
    if (armed.get(c.id)?.node == c.node) return;
    disarm(c.id);
    // Page triggers are watched; the others arrive as events, through the index.
    armed.set(c.id, { node: c.node, off: node.triggers!.filter((t) => !EVENTS.includes(t.on)).map((t) => d.watch(t, (props) => void fire(c.id, t, props))) });
    if (node.wait && !c.wake) {
      const wake = d.now() + ms(node.wait);
      void patch(c, (cur) => (cur.wake = wake), 1).then(schedule);
    }
  }

  function disarm(id: string): void {
    armed.get(id)?.off.forEach((off) => off());
    armed.delete(id);
  }

  /** A trigger fired for a waiting cursor: pass if its filter and the step's conditions hold now. */
  async function fire(id: string, t: CompiledTrigger, props?: Record<string, unknown>): Promise<void> {
    const c = find(id);
    // Only an If/Then has triggers: the cursor still waits on this one, unless it moved on meanwhile.
    const node = c && (nodeOf(c) as Node<'if'> | undefined);
    if (!node?.triggers?.includes(t) || disabled.has(c!.wf)) return;
    const event = { name: (t as { name?: string }).name ?? t.on, props };
    if (test(t.where, event) && test(node.conditions, event)) await run(await move(c!, 'then'));
    else d.log(`${c!.wf}: ${t.on} fired, conditions not met`);
  }

  /** An event from the API, the data layer, a promotion or a segment: only cursors waiting on it are touched. */
  async function dispatch(e: RuntimeEvent): Promise<void> {
    for (const [wf, nodeId] of bundle.index?.[e.key] ?? []) {
      const c = st().cursors.find((x) => x.wf == wf && x.node == nodeId);
      const t = c && (nodeOf(c) as Node<'if'>).triggers?.find((x) => indexKey(x) == e.key);
      if (t) await fire(c!.id, t, e.props);
    }
    await goal?.(e);
  }

  async function segment(id: string, add: boolean): Promise<void> {
    const changed = await store.mutate((s) => s.segments.includes(id) != add && (s.segments = add ? [...s.segments, id] : s.segments.filter((x) => x != id)));
    if (changed && add) await dispatch({ key: `segment_entered:${id}` });
  }

  /** One timer for the nearest wake-up (delays, wait windows, the governor's cooldown); none when nothing waits. */
  function schedule(): void {
    // Blocked promotions retry when the cooldown ends.
    let at = P?.wakeAt() ?? Infinity;
    for (const c of st().cursors) {
      const n = nodeOf(c);
      // Only wakes a step can act on: a Delay or an If/Then wait window of a workflow still running.
      if (c.wake && c.wake < at && !disabled.has(c.wf) && (n?.kind == 'delay' || (n?.kind == 'if' && n.wait))) at = c.wake;
    }
    if (at == timerAt) return;
    clearTimeout(timer);
    timerAt = at;
    // setTimeout overflows past ~24.8 days (a later page load resumes such wakes anyway); a past wake is due at once.
    if (at < Infinity) timer = setTimeout(wake, Math.min(at - d.now(), 2 ** 31 - 1));
  }

  function wake(): void {
    timerAt = 0;
    for (const c of st().cursors) if (c.wake && c.wake <= d.now()) void run(c);
    P?.release();
    schedule();
  }

  /** A new cursor at the start step. Only an If/Then start is a gate: any other start enrolls at once. */
  function cursor(w: CompiledWorkflow, by?: string[]): Cursor {
    return { id: d.id(), wf: w.id, ver: w.version, node: w.start, seq: 0, at: d.now(), in: w.nodes[w.start]!.kind != 'if' || undefined, by };
  }

  /**
   * Saves new cursors (skipping workflows the visitor is already in, maybe from another tab). `auto`: started by a
   * page view, so the re-enrollment policy applies, as it does not to enroll().
   */
  async function begin(cs: Cursor[], auto?: 1): Promise<Cursor[]> {
    const fresh = cs.length
      ? await store.mutate((s) =>
          cs.filter((c) => {
            // Checked again inside the transaction: another tab may have enrolled meanwhile.
            if (s.cursors.some((x) => x.wf == c.wf) || (auto && done(wfs.get(c.wf)!, s, c.at))) return;
            s.cursors.push(c);
            if (c.in) s.runs[c.wf] = { at: c.at, session: s.session.id, page: d.page() };
            return 1;
          }),
        )
      : cs;
    for (const c of fresh) if (c.in) d.emit('enrolled', { workflow: c.wf, step: c.node });
    return fresh;
  }

  /** Starts a workflow for the visitor now, unless already enrolled (explicit: no schedule or re-enrollment check). */
  async function enroll(id: string, by?: string[]): Promise<boolean> {
    const w = wfs.get(id);
    if (!w || disabled.has(id)) return false;
    const [c] = await begin([cursor(w, by)]);
    await run(c);
    // A visitor a page view already put at the start gate, waiting for its trigger, is where a new start would
    // put them: the call succeeds. Only one past the gate (enrolled) makes it false.
    return !!c || st().cursors.some((x) => x.wf == id && !x.in);
  }

  /** The re-enrollment mode that forbids starting the workflow again now, if one does. */
  function done(w: CompiledWorkflow, s: VisitorState, now: number): string | false | undefined {
    // Settings left out of the compiled bundle are at their defaults (src/compile/types.ts).
    const re: Reenrollment = w.settings?.reenroll ?? { mode: 'session' };
    const r = s.runs[w.id];
    return r && (re.mode == 'never' || (re.mode == 'session' && r.session == s.session.id) || (re.mode == 'page' && r.page == d.page()) || (re.mode == 'cooldown' && now - r.at < re.days * DAY)) && re.mode;
  }

  /** Why an automatic workflow may not start now; nothing ('' or undefined) when it may. */
  /** `starts`: the workflows this page view starts before `w` (the visitor is in none of `w`'s: a page view skips those). */
  function why(w: CompiledWorkflow, s: VisitorState, now: number, starts: Cursor[]): string | undefined {
    const when = w.settings?.schedule;
    if (when) {
      // A hand-made bundle may schedule a workflow without listing `time`: that workflow stops, not the page view.
      if (!F.time) return fail(w.id, 'needs the time chunk, which did not load'), 'without its time chunk';
      if (!F.time.scheduleOpen(when, now)) return 'outside its schedule';
    }
    const re = done(w, s, now);
    if (re) return `re-enrollment (${re})`;
    // A workflow another one may hold off needs the enrollment chunk, which reads suppression (src/compile/needs.ts):
    // without it here, no other workflow holds this one off. (A hand-made bundle must list it as the compiler does.)
    return F.enrollment?.suppressed(h, starts, w.id);
  }

  /**
   * A page view (load or route change): resume what was waiting, start automatic workflows whose start step
   * lets the visitor in, then tell waiting cursors about the page view.
   */
  async function pageView(): Promise<void> {
    const now = d.now();
    await refreshSegments();
    // Built after the refresh, so start conditions see the segments this page view entered.
    const ctx = d.context();
    const s = st();
    // Start steps that only test state are evaluated here, in priority order, without touching storage
    // for workflows the visitor does not enter.
    const starts: Cursor[] = [];
    const href = String(ctx.page?.url).toLowerCase();
    // The workflows the visitor is in, once: not a scan of every cursor for each workflow.
    const inside = new Set(s.cursors.map((c) => c.wf));
    for (const w of wfs.values()) {
      if (w.settings?.enrollment == 'manual' || disabled.has(w.id) || inside.has(w.id)) continue;
      const start = w.nodes[w.start]!;
      const gate = start.kind == 'if' && !start.triggers?.length;
      const no =
        (w.url && !href.includes(w.url) && 'not this page') ||
        why(w, s, now, starts) ||
        (gate && !start.next?.else && !test(start.conditions, undefined, ctx) && `${w.start} not met`);
      if (no) {
        d.log(() => `${w.id}: not started: ${no}`);
        continue;
      }
      const c = cursor(w);
      starts.push(c);
    }
    const fresh = await begin(starts, 1);
    // The new enrollments first, then every other cursor (a Set keeps each once, where it first came).
    for (const c of new Set([...fresh, ...st().cursors])) void run(c);
    schedule();
    P?.prefetch();
    await dispatch({ key: 'page_view' });
  }

  /** Rule segments follow their rules: membership is recomputed on page views and visitor changes. */
  // Most bundles have no rule segments: then an event or page view builds no context for them.
  const refreshSegments = async (): Promise<void> => rules?.();

  /** Another tab changed the state: arm what now waits here too, drop what is gone. */
  function sync(): void {
    armed.forEach((a, id) => find(id)?.node != a.node && disarm(id));
    for (const c of st().cursors) {
      const node = nodeOf(c) as Node<'if'> | undefined; // only an If/Then has triggers
      if (node?.triggers?.length) arm(c, node);
    }
    schedule();
  }

  async function unenroll(id: string): Promise<boolean> {
    const c = st().cursors.find((x) => x.wf == id);
    return !!c && (await end(c, 'unenrolled'), true);
  }

  /** Ends an enrollment where it stands: nothing of it stays armed, blocked or on screen. */
  async function end(c: Cursor, reason: string): Promise<void> {
    disarm(c.id);
    P?.drop(c.id);
    await store.mutate((s) => (s.cursors = s.cursors.filter((x) => x.id != c.id)));
    if (c.in) d.emit('exited', { workflow: c.wf, step: c.node, reason });
  }

  /** Stops this page's work (reset): nothing armed, no timer, no promotion of the old visitor left on screen. */
  function stop(): void {
    armed.forEach((_, id) => disarm(id));
    P?.stop();
    clearTimeout(timer);
    timerAt = 0;
  }

  return { pageView, dispatch, enroll, unenroll, segment, sync, stop, refreshSegments };
}
