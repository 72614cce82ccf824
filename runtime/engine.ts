/**
 * The dispatcher and the durable executor. Cursors live in the visitor state; every move is persisted
 * (through `store.mutate`, which is atomic across tabs) before the step's effect runs, and a move only
 * happens if the cursor is still where this tab last saw it, so two tabs never run one step twice.
 */
import { assign } from '../src/bucket.js';
import { indexKey } from '../src/compile/index-key.js';
import type { CompiledBundle, CompiledNode, CompiledWorkflow } from '../src/compile/types.js';
import type { Condition, EvalContext } from '../src/conditions/types.js';
import { evaluate } from '../src/conditions/evaluate.js';
import type { Trigger } from '../src/model/types.js';
import { scheduleOpen } from './schedule.js';
import type { Cursor, Fire, PromotionOutcome, PromotionRenderer, PublicEvent, PublicEventName, RuntimeEvent, Store, VisitorState } from './types.js';

type Node<K extends CompiledNode['kind']> = Extract<CompiledNode, { kind: K }>;

export interface EngineDeps {
  bundle: CompiledBundle;
  store: Store;
  now(): number;
  id(): string;
  /** A per-page-view id (a route change is a new page). */
  page(): string;
  context(event?: { name: string; props?: Record<string, unknown> }): EvalContext;
  emit(name: PublicEventName, fields: Partial<PublicEvent>): void;
  watch(trigger: Trigger, fire: Fire): () => void;
  renderer(): Promise<PromotionRenderer>;
  /** Effects resolve true for the ok/next port, false for failed. `key` makes retries idempotent. */
  webhook(node: Node<'webhook'>, data: Record<string, unknown>, key: string): Promise<boolean>;
  app(node: Node<'app'>, data: Record<string, unknown>, key: string): Promise<boolean>;
  code(node: Node<'code'>, cursor: Cursor, data: Record<string, unknown>): Promise<boolean>;
  log(message: string): void;
}

const WAIT = 0;
const DAY = 86_400_000;
const UNIT = { seconds: 1e3, minutes: 6e4, hours: 36e5, days: DAY };
/** Kinds that take over the screen: at most one at a time, with a cooldown between them. */
const INTERRUPTING = ['modal', 'fullscreen', 'slide_in'];
/** Trigger kinds the sensors watch; the others arrive through `dispatch` and the compiled index. */
const PAGE_SENSORS = ['time_on_page', 'time_on_site', 'exit_intent', 'scroll_depth', 'inactivity', 'click', 'element_visible', 'form_submitted'];

export type Engine = ReturnType<typeof createEngine>;

export function createEngine(d: EngineDeps) {
  const { store } = d;
  // A workflow the runtime cannot read is left out alone, with a reason; the others run.
  const bundle = { ...d.bundle, workflows: d.bundle.workflows.filter((w) => {
    const ok = typeof w?.id == 'string' && typeof w.start == 'string' && !!w.nodes && !!w.settings;
    if (!ok) d.emit('error', { workflow: w?.id, message: 'malformed workflow in the bundle' });
    return ok;
  }), index: d.bundle.index ?? {}, promotions: d.bundle.promotions ?? {}, segments: d.bundle.segments ?? {}, site: d.bundle.site ?? { webhookHosts: [], promotionCooldownSeconds: 30 } };
  const wfs = new Map(bundle.workflows.map((w) => [w.id, w]));
  const armed = new Map<string, (() => void)[]>(); // cursor id -> unwatch functions
  const disabled = new Set<string>();
  const blocked = new Set<string>(); // cursor ids waiting for the promotion governor
  const running = new Set<string>();
  // This document load: a promotion shown under another load was left behind when the visitor navigated.
  const load = d.id();
  let onScreen = 0; // interrupting promotions showing now
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = 0;
  const goals = new Map<string, CompiledWorkflow[]>();
  for (const w of bundle.workflows) if (w.settings.goal) goals.set(w.settings.goal.event, [...(goals.get(w.settings.goal.event) ?? []), w]);

  const st = (): VisitorState => store.state;
  const find = (id: string) => st().cursors.find((c) => c.id === id);
  const byWf = (wf: string) => st().cursors.find((c) => c.wf === wf);
  const nodeOf = (c: Cursor) => wfs.get(c.wf)?.nodes[c.node];

  function fail(wf: string, e: unknown): void {
    // A broken workflow stops alone; the others keep running.
    disabled.add(wf);
    d.emit('error', { workflow: wf, message: String((e as Error)?.message ?? e) });
    d.log(`${wf}: disabled: ${String(e)}`);
  }

  /** Moves a cursor if it is still where `c` says; resolves the moved cursor, or undefined when it ended or another tab took it. */
  async function move(c: Cursor, port: string | undefined): Promise<Cursor | undefined> {
    const wf = wfs.get(c.wf)!;
    const next = port === undefined ? undefined : nodeOf(c)?.next?.[port];
    const now = d.now();
    const moved = await store.mutate((s) => {
      const cur = s.cursors.find((x) => x.id === c.id);
      if (!cur || cur.node !== c.node || cur.seq !== c.seq) return undefined;
      const touch = { at: now, node: c.node, ...(cur.variant ? { variant: cur.variant } : {}) };
      if (cur.in) s.touches[c.wf] = touch;
      if (!cur.in && port) {
        cur.in = true; // passing the start step is what enrolls the visitor
        s.runs[c.wf] = { at: now, session: s.session.id, page: d.page() };
      }
      if (next === undefined) {
        s.cursors = s.cursors.filter((x) => x !== cur);
        return { ...cur, node: '' };
      }
      const fresh: Cursor = { id: cur.id, wf: cur.wf, ver: cur.ver, node: next, seq: cur.seq + 1, at: cur.at, in: cur.in };
      for (const k of ['variant', 'form', 'by'] as const) if (cur[k] !== undefined) (fresh as any)[k] = cur[k];
      s.cursors[s.cursors.indexOf(cur)] = fresh;
      return fresh;
    });
    disarm(c.id);
    if (!moved) return undefined;
    if (!c.in && moved.in) d.emit('enrolled', { workflow: c.wf, step: c.node });
    if (!moved.node) {
      if (moved.in) d.emit('exited', { workflow: c.wf, step: c.node, port });
      d.log(`${c.wf}: ${moved.in ? 'exited' : 'not enrolled'} at "${c.node}"${port ? ` (${port})` : ''}`);
      return undefined;
    }
    d.emit('step', { workflow: wf.id, step: moved.node, from: c.node, port });
    return moved;
  }

  /** Runs a cursor until it waits or ends; one run per cursor at a time in this tab. */
  async function run(c: Cursor | undefined): Promise<void> {
    const id = c?.id;
    if (!id || running.has(id)) return;
    running.add(id);
    try {
      for (let guard = 0; c; guard++) {
        if (disabled.has(c.wf)) return;
        if (guard > 100) return fail(c.wf, new Error('more than 100 steps without waiting'));
        const node = nodeOf(c);
        let port: string | typeof WAIT | undefined;
        try {
          port = node ? await exec(c, node) : undefined;
        } catch (e) {
          return fail(c.wf, e);
        }
        if (port === WAIT) return;
        c = await move(c, port);
      }
    } finally {
      running.delete(id);
    }
  }

  function data(c: Cursor): Record<string, unknown> {
    const s = st();
    const ctx = d.context();
    return {
      ...s.attrs,
      attributes: s.attrs,
      visitor: { id: s.id, ...s.attrs, segments: s.segments },
      form: c.form ?? {},
      workflow: { id: c.wf, name: wfs.get(c.wf)?.name, step: c.node, enrollment: c.id },
      page: { url: ctx.page?.url, title: ctx.page?.title, referrer: ctx.page?.referrer },
    };
  }

  /** Marks that a step's effect is starting (persisted first), so a reload retries it with the same key. */
  async function effect(c: Cursor, fn: (key: string) => Promise<boolean>, ok: string): Promise<string> {
    await store.mutate((s) => {
      const cur = s.cursors.find((x) => x.id === c.id);
      if (cur) cur.fx = cur.seq;
    });
    return (await fn(`${c.id}:${c.seq}`)) ? ok : 'failed';
  }

  async function exec(c: Cursor, node: CompiledNode): Promise<string | typeof WAIT | undefined> {
    const now = d.now();
    switch (node.kind) {
      case 'if':
        if (!node.triggers?.length) return test(node.conditions) ? 'then' : 'else';
        if (c.wake && c.wake <= now) return 'timeout';
        arm(c, node);
        return WAIT;
      case 'promotion':
        // Shown on an earlier page and never answered: the visitor left, which dismisses it.
        if (c.shown && c.shown !== load) return 'dismissed';
        if (!c.shown) void show(c, node);
        return WAIT;
      case 'delay': {
        if (c.wake) return c.wake <= now ? 'next' : WAIT;
        if (c.visit !== undefined) return st().sessions !== c.visit ? 'next' : WAIT;
        const wake = node.mode === 'duration' ? now + node.duration.amount * UNIT[node.duration.unit] : node.mode === 'time_of_day' ? nextTime(node.time, node.timezone, now) : undefined;
        await store.mutate((s) => {
          const cur = s.cursors.find((x) => x.id === c.id);
          if (!cur) return;
          if (wake) cur.wake = wake;
          else cur.visit = s.sessions;
        });
        schedule();
        return WAIT;
      }
      case 'segment':
        await segment(node.segment, node.action === 'add');
        return 'next';
      case 'enroll': {
        const chain = [...(c.by ?? []), c.wf];
        if (chain.includes(node.workflow)) d.log(`${c.wf}: enrollment loop into ${node.workflow} refused`);
        else await enroll(node.workflow, chain);
        return 'next';
      }
      case 'split': {
        const key = node.test!;
        let v = st().variants[key];
        if (!v) {
          const chosen = assign(st().user ?? st().id, key, node.variants, node.holdout);
          v = await store.mutate((s) => (s.variants[key] ??= chosen));
          if (v === chosen) d.emit('variant_assigned', { workflow: c.wf, step: c.node, test: key, variant: v });
        }
        await store.mutate((s) => {
          const cur = s.cursors.find((x) => x.id === c.id);
          if (cur) cur.variant = v;
        });
        c.variant = v;
        return v;
      }
      case 'webhook':
        return effect(c, (key) => d.webhook(node, data(c), key), 'ok');
      case 'app':
        return effect(c, (key) => d.app(node, data(c), key), 'ok');
      case 'code':
        return effect(c, () => d.code(node, c, data(c)), 'next');
      case 'connector':
        return 'next';
      case 'exit':
        return undefined;
    }
  }

  function test(cond: Condition | undefined, event?: { name: string; props?: Record<string, unknown> }, ctx?: EvalContext): boolean {
    return !cond || evaluate(cond, ctx ?? d.context(event));
  }

  /** An If/Then that waits: page sensors for DOM triggers, the index for the rest, a timer for the window. */
  function arm(c: Cursor, node: Node<'if'>): void {
    if (armed.has(c.id)) return;
    const off: (() => void)[] = [];
    armed.set(c.id, off);
    for (const t of node.triggers ?? []) {
      if (PAGE_SENSORS.includes(t.on)) off.push(d.watch(t, (props) => void fire(c.id, t, props)));
    }
    if (node.wait && !c.wake) {
      const wake = d.now() + node.wait.amount * UNIT[node.wait.unit];
      void store.mutate((s) => {
        const cur = s.cursors.find((x) => x.id === c.id && x.seq === c.seq);
        if (cur) cur.wake = wake;
      }).then(() => schedule());
    }
  }

  function disarm(id: string): void {
    for (const off of armed.get(id) ?? []) off();
    armed.delete(id);
  }

  /** A trigger fired for a waiting cursor: pass if its filter and the step's conditions hold now. */
  async function fire(id: string, t: Trigger, props?: Record<string, unknown>): Promise<void> {
    const c = find(id);
    const node = c && nodeOf(c);
    if (!c || node?.kind !== 'if' || disabled.has(c.wf)) return;
    const event = { name: t.on === 'event' || t.on === 'commerce' ? t.name : t.on, props };
    if (!test(t.where, event) || !test(node.conditions, event)) return d.log(`${c.wf}: ${t.on} fired but conditions not met`);
    await run(await move(c, 'then'));
  }

  /** An event from the API, the data layer, a promotion or a segment: only cursors waiting on it are touched. */
  async function dispatch(e: RuntimeEvent): Promise<void> {
    const waiting = bundle.index[e.key];
    if (waiting) {
      for (const [wf, nodeId] of waiting) {
        const c = byWf(wf);
        if (!c || c.node !== nodeId) continue;
        const node = nodeOf(c) as Node<'if'>;
        const t = node.triggers!.find((x) => indexKey(x) === e.key);
        if (t) await fire(c.id, t, e.props);
      }
    }
    const name = e.key.slice(e.key.indexOf(':') + 1);
    if (e.key.startsWith('event:') || e.key.startsWith('commerce:')) await goal(name, e.props);
  }

  /** Credits a conversion to the workflow, step and variant that last touched the visitor within the window. */
  async function goal(name: string, props?: Record<string, unknown>): Promise<void> {
    for (const w of goals.get(name) ?? []) {
      const g = w.settings.goal!;
      const touch = st().touches[w.id];
      if (!touch || d.now() - touch.at > g.windowDays * DAY || !test(g.where, { name, props })) continue;
      await store.mutate((s) => delete s.touches[w.id]);
      d.emit('goal', { workflow: w.id, step: touch.node, variant: touch.variant, goal: name, value: props?.value });
    }
  }

  async function segment(id: string, add: boolean): Promise<void> {
    const changed = await store.mutate((s) => {
      const has = s.segments.includes(id);
      if (has === add) return false;
      s.segments = add ? [...s.segments, id] : s.segments.filter((x) => x !== id);
      return true;
    });
    if (changed && add) await dispatch({ key: `segment_entered:${id}` });
  }

  async function show(c: Cursor, node: Node<'promotion'>): Promise<void> {
    const p = bundle.promotions[node.promotion];
    if (!p) return void run(await move(c, 'dismissed'));
    const interrupting = INTERRUPTING.includes(p.kind);
    const cooldown = (st().lastPromo ?? 0) + bundle.site.promotionCooldownSeconds * 1e3 - d.now();
    if (interrupting && (onScreen || cooldown > 0)) {
      blocked.add(c.id);
      d.log(`${c.wf}: promotion ${node.promotion} waits for ${onScreen ? 'the one on screen' : 'the cooldown'}`);
      if (cooldown > 0) schedule(cooldown);
      return;
    }
    blocked.delete(c.id);
    if (interrupting) onScreen++;
    let out: PromotionOutcome = { outcome: 'dismissed' };
    try {
      const taken = await store.mutate((s) => {
        const cur = s.cursors.find((x) => x.id === c.id && x.seq === c.seq);
        if (!cur || cur.shown) return false;
        cur.shown = load;
        if (interrupting) s.lastPromo = d.now();
        return true;
      });
      if (!taken) return;
      const renderer = await d.renderer();
      const fields = { workflow: c.wf, step: c.node, promotion: node.promotion, variant: c.variant };
      out = await renderer.show({
        id: node.promotion,
        promotion: p,
        attributes: st().attrs,
        report: (name, detail) => {
          if (name !== 'seen') return;
          void store.mutate((s) => count(s, node.promotion, 'seen'));
          d.emit('promotion_shown', { ...fields, ...detail });
          void dispatch({ key: 'promotion:seen', props: { promotion: node.promotion } });
        },
      });
      const converted = out.outcome === 'converted';
      await store.mutate((s) => {
        count(s, node.promotion, converted ? 'converted' : 'closed');
        if (out.values) Object.assign(s.attrs, out.values);
        const cur = s.cursors.find((x) => x.id === c.id);
        if (cur && out.values) cur.form = out.values;
      });
      if (out.values) c.form = out.values;
      d.emit(converted ? 'promotion_converted' : 'promotion_closed', fields);
      await dispatch({ key: converted ? 'promotion:converted' : 'promotion:closed', props: { promotion: node.promotion } });
    } finally {
      if (interrupting) onScreen--;
      release();
    }
    const cur = find(c.id);
    if (cur && cur.node === c.node) await run(await move(cur, out.outcome));
  }

  /** A screen slot freed: the highest-priority blocked promotion gets it. */
  function release(): void {
    const next = [...blocked].map(find).filter(Boolean).sort((a, b) => wfs.get(b!.wf)!.settings.priority - wfs.get(a!.wf)!.settings.priority)[0];
    if (next) void run(next);
  }

  /** One timer for the nearest wake-up (delays, wait windows, the governor's cooldown); none when nothing waits. */
  function schedule(extra?: number): void {
    let at = extra ? d.now() + extra : Infinity;
    for (const c of st().cursors) if (c.wake && c.wake < at) at = c.wake;
    if (at === timerAt) return;
    clearTimeout(timer);
    timer = undefined;
    timerAt = at;
    if (at === Infinity) return;
    // setTimeout overflows past ~24.8 days; a later page load resumes such wakes anyway.
    timer = setTimeout(wake, Math.min(Math.max(at - d.now(), 0), 2 ** 31 - 1));
  }

  function wake(): void {
    timerAt = 0;
    const now = d.now();
    for (const c of st().cursors) if (c.wake && c.wake <= now) void run(c);
    release();
    schedule();
  }

  /** A new cursor at the start step. Only an If/Then start is a gate: any other start enrolls at once. */
  function cursor(w: CompiledWorkflow, by?: string[]): Cursor {
    const gate = w.nodes[w.start]?.kind === 'if';
    return { id: d.id(), wf: w.id, ver: w.version, node: w.start, seq: 0, at: d.now(), ...(gate ? {} : { in: true }), ...(by ? { by } : {}) };
  }

  /** Saves new cursors (skipping workflows the visitor is already in, maybe from another tab) and runs them. */
  async function begin(cs: Cursor[]): Promise<Cursor[]> {
    if (!cs.length) return cs;
    const fresh = await store.mutate((s) =>
      cs.filter((c) => {
        if (s.cursors.some((x) => x.wf === c.wf)) return false;
        s.cursors.push(c);
        if (c.in) s.runs[c.wf] = { at: c.at, session: s.session.id, page: d.page() };
        return true;
      }),
    );
    for (const c of fresh) if (c.in) d.emit('enrolled', { workflow: c.wf, step: c.node });
    return fresh;
  }

  /** Starts a workflow for the visitor now, unless already enrolled. */
  async function enroll(id: string, by?: string[]): Promise<boolean> {
    const w = wfs.get(id);
    if (!w || disabled.has(id)) return false;
    const [c] = await begin([cursor(w, by)]);
    if (c) await run(c);
    return Boolean(c);
  }

  /** Why an automatic workflow may not start now, or '' when it may. */
  function blockedReason(w: CompiledWorkflow, s: VisitorState, now: number, starting: Cursor[] = []): string {
    if (w.settings.enrollment !== 'auto') return 'manual';
    if (s.cursors.some((c) => c.wf === w.id)) return '';
    if (!scheduleOpen(w.settings.schedule, now)) return 'outside its schedule';
    const r = s.runs[w.id];
    const re = w.settings.reenroll;
    if (r && (re.mode === 'never' || (re.mode === 'session' && r.session === s.session.id) || (re.mode === 'page' && r.page === d.page()) || (re.mode === 'cooldown' && now - r.at < re.days * DAY))) {
      return `already enrolled (re-enrollment: ${re.mode})`;
    }
    // Workflows starting on this page view count too: higher priority ones were considered first.
    for (const c of [...s.cursors, ...starting]) {
      const sup = c.in && c.wf !== w.id ? wfs.get(c.wf)?.settings.suppress : undefined;
      if (sup === 'all' || (Array.isArray(sup) && sup.includes(w.id))) return `suppressed by ${c.wf}`;
    }
    return '';
  }

  /**
   * A page view (load or route change): resume what was waiting, start automatic workflows whose start step
   * lets the visitor in, then tell waiting cursors about the page view.
   */
  async function pageView(): Promise<void> {
    const now = d.now();
    const s = st();
    const ctx = d.context();
    await refreshSegments(ctx);
    // Start steps that only test state are evaluated here, in priority order, without touching storage
    // for workflows the visitor does not enter.
    const starts: Cursor[] = [];
    for (const w of bundle.workflows) {
      if (disabled.has(w.id) || s.cursors.some((c) => c.wf === w.id)) continue;
      const why = blockedReason(w, s, now, starts);
      if (why) {
        if (why !== 'manual') d.log(`${w.id}: not started: ${why}`);
        continue;
      }
      const start = w.nodes[w.start];
      if (start?.kind === 'if' && !start.triggers?.length && !start.next?.else && !test(start.conditions, undefined, ctx)) {
        d.log(`${w.id}: not started: conditions of "${w.start}" not met`);
        continue;
      }
      starts.push(cursor(w));
    }
    const fresh = await begin(starts);
    const waiting = st().cursors.filter((c) => !fresh.includes(c));
    for (const c of [...fresh, ...waiting]) void run(c);
    schedule();
    await dispatch({ key: 'page_view' });
  }

  /** Rule-based segments follow their rules: membership is recomputed on page views and visitor changes. */
  async function refreshSegments(ctx = d.context()): Promise<void> {
    const want: [string, boolean][] = [];
    for (const id in bundle.segments) {
      const rule = bundle.segments[id]!.rule;
      if (rule && evaluate(rule, ctx) !== st().segments.includes(id)) want.push([id, !st().segments.includes(id)]);
    }
    if (!want.length) return;
    const entered = await store.mutate((s) => {
      const added: string[] = [];
      for (const [id, on] of want) {
        s.segments = s.segments.filter((x) => x !== id);
        if (on) s.segments.push(id), added.push(id);
      }
      return added;
    });
    for (const id of entered) await dispatch({ key: `segment_entered:${id}` });
  }

  /** Another tab changed the state: arm what now waits here too, drop what is gone. */
  function sync(): void {
    for (const id of armed.keys()) {
      const c = find(id);
      if (!c || nodeOf(c)?.kind !== 'if') disarm(id);
    }
    for (const c of st().cursors) {
      const node = nodeOf(c);
      if (node?.kind === 'if' && node.triggers?.length && !armed.has(c.id)) arm(c, node);
    }
    schedule();
  }

  async function unenroll(id: string): Promise<boolean> {
    const c = byWf(id);
    if (!c) return false;
    disarm(c.id);
    blocked.delete(c.id);
    const node = nodeOf(c);
    if (node?.kind === 'promotion' && c.shown) void d.renderer().then((r) => r.hide(node.promotion));
    await store.mutate((s) => {
      s.cursors = s.cursors.filter((x) => x.id !== c.id);
    });
    if (c.in) d.emit('exited', { workflow: id, step: c.node, reason: 'unenrolled' });
    return true;
  }

  function stop(): void {
    for (const id of [...armed.keys()]) disarm(id);
    clearTimeout(timer);
    timerAt = 0;
  }

  return { pageView, dispatch, enroll, unenroll, segment, sync, stop, refreshSegments };
}

function count(s: VisitorState, promotion: string, what: 'seen' | 'closed' | 'converted'): void {
  const r = (s.promos[promotion] ??= { seen: zero(), closed: zero(), converted: zero() });
  r[what].session++;
  r[what].all_time++;
  if (s.sessions <= 1) r[what].first_session++;
}

function zero() {
  return { session: 0, first_session: 0, all_time: 0 };
}

/** The next time the clock reads `HH:MM` in `zone` (the visitor's when absent), strictly after `now`. */
export function nextTime(time: string, zone: string | undefined, now: number): number {
  const [h, m] = time.split(':').map(Number) as [number, number];
  // Walk forward minute-aligned in steps of one hour then one minute: simple, DST-safe, at most ~1,500 checks.
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const hm = (t: number) => fmt.format(t).split(':').map(Number) as [number, number];
  let t = Math.floor(now / 6e4) * 6e4 + 6e4;
  for (let i = 0; i < 1500; i++) {
    const [ch, cm] = hm(t);
    if (ch === h && cm === m) return t;
    t += ch === h || (ch + 1) % 24 === h ? 6e4 : 36e5 - cm * 6e4;
  }
  return now + DAY;
}
