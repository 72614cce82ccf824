/**
 * The runtime's front door: `start()` creates `window.workflows` at once (calls made before the bundle and
 * the visitor state are loaded wait for them, in order), then loads everything and runs the page view.
 * Nothing here may throw into the host page: every public call resolves, and failures go to `on('error')`.
 *
 * What only some pages need is a lazy chunk, imported from beside the script on first need (docs/runtime.md):
 * `sensors` when a cursor first waits on a page trigger, `outbox` for a collector, a webhook or app request or
 * requests an earlier page left, `actions` for Webhook, App and Code steps, `renderer` for promotions. The feature
 * chunks the bundle's `needs` lists (`promotions`, `time`, `variants`, `goals`, `segments`, `channel`, `commerce`,
 * `enrollment`) are imported at start, before the first page view.
 */
import { nanoid } from 'nanoid';
import { COMPILED_FORMAT, COMPILED_VERSION, FEATURES, type CompiledBundle } from '../src/compile/types.js';
import type { EvalContext } from '../src/conditions/types.js';
import { createRegistry, type CodeContext } from './actions/code.js';
import type * as Actions from './actions/entry.js';
import { createEngine, type Engine, type Features } from './engine.js';
import type * as OutboxChunk from './outbox.js';
import type * as Sensors from './sensors/entry.js';
import { watchNavigation } from './sensors/navigation.js';
import { openStore } from './store.js';
import { createTransport } from './transport.js';
import type { PromotionRenderer, PublicEvent, PublicEventName, Store } from './types.js';
import { contextOf, deviceOf, pageView } from './visitor.js';

/** What `ready` resolves with. It never rejects. */
export interface ReadyInfo {
  /** Active workflows in the bundle; 0 when it could not be loaded. */
  workflows: number;
  hash: string;
  /** Why nothing runs, when loading failed. */
  error?: string;
}

/** One queued call, as the snippet writes it: `['enroll', 'wf_welcome']`. */
export type QueuedCall = [command: string, ...args: unknown[]];
export type Listener = (event: PublicEvent) => void;

export interface WorkflowsApi {
  ready: Promise<ReadyInfo>;
  /** The snippet's queue syntax, also after load: `workflows.push(['track', 'signup'])`. */
  push(...calls: QueuedCall[]): number;
  enroll(workflow: string): Promise<boolean>;
  unenroll(workflow: string): Promise<boolean>;
  track(name: string, props?: Record<string, unknown>): Promise<void>;
  identify(user?: string | Record<string, unknown>, attributes?: Record<string, unknown>): Promise<void>;
  page(): Promise<void>;
  segments: {
    add(segment: string): Promise<void>;
    remove(segment: string): Promise<void>;
    has(segment: string): boolean;
    list(): string[];
  };
  on(name: PublicEventName | '*', fn: Listener): () => void;
  off(name: PublicEventName | '*', fn: Listener): void;
  consent(granted: boolean): Promise<void>;
  reset(): Promise<void>;
  debug(on?: boolean): void;
  register(name: string, fn: (ctx: CodeContext) => unknown): void;
}

declare global {
  interface Window {
    /** Before the script loads, the snippet makes this an array of queued calls. */
    workflows?: WorkflowsApi;
  }
}

export interface StartOptions {
  /** URL of the compiled bundle; default: the script tag's `data-workflows`, else `/workflows.json`. */
  bundleUrl?: string;
  /** Where analytics batches go (`data-collector`); none by default. */
  collector?: string;
  /** `required`: nothing is stored and nothing leaves the page until `workflows.consent(true)` (`data-consent`). */
  consent?: 'required' | 'granted';
  debug?: boolean;
  /** Base URL of lazy chunks; default: beside the script. */
  chunks?: string;
}

const DEBUG_KEY = 'workflows:debug';
/** Where the running instance is kept on `window`: a symbol, which no page sets by accident. */
const LOADED = Symbol.for('workflows');
/** Content hashes of the lazy chunks, written in by the build (rollup.config.mjs); absent in tests. */
declare const __WORKFLOWS_RELEASE__: string | undefined;

export function start(options: StartOptions = {}): WorkflowsApi {
  // Loaded twice: the first instance stays. It is found by a key of its own on `window`, not by `window.workflows`,
  // which may be the page's own object (kept, below) and which no page can mistake for ours by the look of it.
  const first = (window as any)[LOADED] as WorkflowsApi | undefined;
  if (first) return first;
  const existing = window.workflows as WorkflowsApi | QueuedCall[] | undefined;
  const script = (document.currentScript ?? document.querySelector('script[data-workflows]')) as HTMLScriptElement | null;
  const attr = (name: string) => script?.getAttribute(`data-${name}`);
  // An empty attribute (`data-workflows` alone) means the default, not the page's own URL.
  const bundleUrl = options.bundleUrl ?? (attr('workflows') || '/workflows.json');
  const collector = options.collector ?? attr('collector');
  const chunks = options.chunks ?? (script?.src ? new URL('chunks/', script.src).href : '/chunks/');
  // The immediate switches only: the session's flag is read once the page is idle (below).
  let debugOn = options.debug ?? (attr('debug') != null || /[?&]workflows_debug\b/.test(location.search));

  const listeners = new Map<string, Set<Listener>>();
  let engine: Engine | undefined;
  let store: Store | undefined;
  // Set by load(): the calls that use them wait for it.
  let onPage: () => Promise<void>;
  let onConsent: (granted: boolean) => Promise<void>;
  let emit: (name: PublicEventName, fields: Partial<PublicEvent>) => void = () => {};
  // Code handlers registered before or after the actions chunk (which runs them) arrives.
  const registry = createRegistry();
  // While debug is off, the last 100 lines wait here: turned on late, it still explains this page's start. A line
  // given as a function is built only when printed, so a page view that skips many workflows builds no text.
  type Line = string | (() => string);
  const lines: Line[] = [];
  const print = (m: Line) => safe(() => console.info('[workflows] ' + (typeof m == 'function' ? m() : m)));
  const log = (m: Line) => (debugOn ? print(m) : lines.push(m) > 100 && lines.shift());
  const setDebug = (on: boolean) => {
    debugOn = on;
    if (on) lines.splice(0).forEach(print);
  };
  function report(e: unknown, workflow?: string) {
    log(`error: ${String((e as Error)?.message ?? e)}`);
    emit('error', { message: String((e as Error)?.message ?? e), workflow });
  }

  /** One snippet-style call: `['segments.add', 'vip']` reaches api.segments.add; a name the API lacks is reported. */
  const call = async (name: unknown, args: unknown[]) => {
    const fn = String(name).split('.').reduce((o: any, k) => (o && Object.hasOwn(o, k) ? o[k] : undefined), api);
    if (typeof fn == 'function' && name != 'push') return safe(() => fn(...args));
    report(`unknown call "${String(name)}"`);
  };

  // The build writes the chunks' content hash here, so a release never meets a year-old cached chunk (absent in
  // tests, where the query is just `?v=`).
  const release = typeof __WORKFLOWS_RELEASE__ == 'string' ? __WORKFLOWS_RELEASE__ : '';
  /** A chunk, imported once and then `init`ed; a failed import (network, blocker) is not kept: the next need tries again. */
  const lazy = <M, T = M>(name: string, init?: (m: M) => T) => {
    let p: Promise<T> | undefined;
    return () =>
      (p ??= import(/* @vite-ignore */ `${chunks}${name}.js?v=${release}`)
        .then((m) => (init ? init(m) : m))
        .catch((e) => {
          p = undefined;
          throw e;
        }));
  };

  let tail: Promise<unknown> = Promise.resolve();
  const boot = load();
  const ready = boot.then(
    (b) => ({ workflows: b.workflows.length, hash: b.hash }),
    (e) => {
      const error = `could not load ${bundleUrl}: ${String((e as Error)?.message ?? e)}`;
      warn(error);
      return { workflows: 0, hash: '', error };
    },
  );
  // Storage is slow to first touch in a fresh page: the flag workflows.debug(true) keeps for the session is
  // read once the page is idle after ready, and then prints what was logged until then.
  if (options.debug == null && !debugOn)
    void ready.then(() =>
      (globalThis.requestIdleCallback ?? setTimeout)(() => safe(() => sessionStorage.getItem(DEBUG_KEY)) == '1' && setDebug(true), { timeout: 2e3 }),
    );

  /** Every public call: after boot, in order, never throwing; a failure is reported and resolves with `fallback`. */
  const later =
    <A extends unknown[], R>(fn: (...a: A) => R | Promise<R>, fallback?: R) =>
    (...a: A): Promise<R> =>
      boot.then(() => fn(...a)).catch((e) => (report(e), fallback as R));

  async function load(): Promise<CompiledBundle> {
    const persist = (options.consent ?? attr('consent')) != 'required';
    // The visitor store opens while the bundle downloads: neither waits on the other, and a first visit creates its
    // database in that time. (A bundle that fails to load leaves an open store behind, which costs nothing.)
    const opening = openStore({ persist, log });
    opening.catch(() => {});
    // Credentials default to same-origin: a bundle behind the site's own session still loads.
    const res = await fetch(bundleUrl);
    if (!res.ok) throw Error(`HTTP ${res.status}`);
    const bundle = (await res.json()) as CompiledBundle;
    if (bundle?.format !== COMPILED_FORMAT || !Array.isArray(bundle.workflows)) throw Error('not a compiled bundle');
    // Another compiled version reads conditions differently: run nothing rather than run it wrong (rebuild it).
    if (bundle.version !== COMPILED_VERSION) throw Error(`compiled bundle version ${bundle.version}, this runtime reads version ${COMPILED_VERSION}: compile it again`);
    let consented = persist;
    const consentWaiters: (() => void)[] = [];
    const consentGiven = () => consented || new Promise<void>((go) => consentWaiters.push(go));
    // The chunks of the features the bundle needs come while the store opens, before the first page view, so the
    // engine calls them synchronously. One that fails to load disables the workflows that need it (engine.ts).
    const features: Features = {};
    const failed: unknown[] = [];
    const [s] = await Promise.all([
      opening,
      ...FEATURES.filter((f) => !Array.isArray(bundle.needs) || bundle.needs.includes(f)).map((f) => lazy(f)().then((m: any) => (features[f] = m), (e) => failed.push(e))),
    ]);
    store = s;
    // The outbox, and batching for the collector when there is one: started when first needed.
    const delivery = lazy('outbox', (m: typeof OutboxChunk) => m.startDelivery(s, collector, report));
    // Released events wait here for the collector's chunk (the newest 500). One import at a time: a failed one
    // is reported once, and the next event tries again; the report itself, an event too, does not.
    const queue: PublicEvent[] = [];
    let loading = 0;
    const deliver = () =>
      loading ||
      ((loading = 1),
      delivery().then(
        (d) => {
          loading = 0;
          d.collector?.add(queue.splice(0));
        },
        (e) => {
          report(e);
          loading = 0;
        },
      ));
    const transport = createTransport(
      () => consented,
      report,
      collector ? (events) => (queue.push(...events) > 500 && queue.splice(0, queue.length - 500), deliver()) : undefined,
    );
    // Event ids: a random prefix per page load and a counter, unique as a nanoid each would be (the collector drops
    // ids it has) for a fraction of the cost: events are the runtime's most frequent allocation.
    const idBase = nanoid(16) + '_';
    let idSeq = 0;
    const eventId = () => idBase + (++idSeq).toString(36);
    emit = (name, fields) => {
      const event = { id: eventId(), name, at: Date.now(), visitor: s.state.id, ...fields } as PublicEvent;
      for (const fn of [...(listeners.get(name) ?? []), ...(listeners.get('*') ?? [])]) safe(() => fn(event));
      safe(() => transport.emit(event));
    };
    failed.forEach((e) => report(e));
    onConsent = async (granted) => {
      consented = granted;
      if (granted) consentWaiters.splice(0).forEach((go) => go());
      await s.setPersist(consented);
      await s.mutate((st) => (st.consent = granted));
      if (consented) transport.release();
    };

    // Each page view's id, set as it starts (a route change is a new page).
    let pageId: string;
    let pageStart = Date.now();
    // The screen's short side, not the window: a narrow desktop window is no phone. Touch points tell an iPad (which
    // asks for desktop sites, so its user agent says Mac) from a Mac.
    const device = deviceOf(navigator.userAgent, Math.min(screen.width, screen.height), (navigator as any).userAgentData?.mobile, navigator.maxTouchPoints);
    let tz: string | undefined;
    const zone = () => (tz ??= safe(() => Intl.DateTimeFormat().resolvedOptions().timeZone) ?? 'UTC');
    const context = (event?: { name: string; props?: Record<string, unknown> }): EvalContext =>
      contextOf(s.state, { url: location.href, referrer: document.referrer, title: document.title }, Date.now(), device, zone, event, features.channel?.channelOf);
    const actions = lazy<typeof Actions>('actions');
    const sensors = lazy<typeof Sensors>('sensors');
    // Time on page and site count from these, not from the sensors chunk's arrival.
    const host = { pageStart: () => pageStart, sessionStart: () => s.state.session.start, now: Date.now };
    const fx: Actions.EffectHost = { bundle, store: s, delivery, emit, report, registry, api };
    // The executor loaded the chunks an effect needs before it claimed the step (`prepare`); in consent mode no
    // request leaves the page and no Code handler runs before consent(true).
    const effect =
      <K extends 'webhook' | 'app' | 'code'>(kind: K) =>
      async (...a: any[]) => (await consentGiven(), (await actions())[kind](fx, ...(a as [any, any, any])));
    const e = (engine = createEngine({
      bundle,
      store: s,
      now: Date.now,
      id: nanoid,
      page: () => pageId,
      context,
      emit,
      log,
      features,
      // Synchronous for the engine: the watcher starts when the sensors chunk arrives, unless unwatched by then.
      // A failed import is reported; the next trigger armed tries again.
      watch: (t, fire) => {
        const since = Date.now();
        // 0 once unwatched: a watcher that has not started by then never does.
        let off: (() => void) | 0 | undefined;
        sensors().then((m) => (off ??= m.watch(t, fire, host, report, since)), report);
        return () => {
          off && off();
          off = 0;
        };
      },
      renderer: lazy('renderer', (m: { createRenderer(): PromotionRenderer }) => m.createRenderer()),
      webhook: effect('webhook'),
      app: effect('app'),
      code: effect('code'),
      prepare: (kind) => Promise.all([actions(), kind != 'code' && delivery()]),
    }));
    s.onChange(() => {
      e.sync();
      // Another tab queued a request: this one retries it too should that tab go away.
      if (s.state.outbox.length) deliver();
    });

    const view = async () => {
      pageId = nanoid();
      pageStart = Date.now();
      // pageView also starts session-scoped promotion counters at zero when a new session begins.
      const count = () => s.mutate((st) => pageView(st, { url: location.href, referrer: document.referrer, now: Date.now() }));
      // Only a visitor record damaged inside a field (its types right at the top) fails this, whatever the bundle: the
      // visitor starts afresh, as one that cannot be read at all does, rather than fail every page view from now on.
      await count().catch((x) => (log(`storage: bad state replaced (${x})`), s.reset().then(count)));
      await e.pageView();
    };
    onPage = view;
    watchNavigation(() => void api.page(), report);
    features.commerce?.followCommerce(s, dispatch, report);
    // Requests an earlier page left are resumed; with a collector, batching (and what it left pending) starts.
    if (s.state.outbox.length || (collector && consented)) deliver();
    // A page view that fails (a visitor record damaged inside a field, say) is reported like any later one; the
    // runtime stays up, and the API and events go on working for what they can still reach.
    await view().catch(report);
    return bundle;
  }

  /** An event for the waiting workflows, once rule segments caught up with what changed before it. */
  const dispatch = async (key: string, props?: Record<string, unknown>) => {
    await engine!.refreshSegments();
    await engine!.dispatch({ key, props });
  };
  const api: WorkflowsApi = {
    ready,
    push: (...calls) => {
      for (const c of calls) tail = tail.then(() => (Array.isArray(c) ? call(c[0], c.slice(1)) : report('push takes [name, ...args] arrays'))).catch(report);
      return 0;
    },
    enroll: later((id: string) => engine!.enroll(text(id, 'a workflow id')), false),
    unenroll: later((id: string) => engine!.unenroll(text(id, 'a workflow id')), false),
    track: later((name: string, props?: Record<string, unknown>) => dispatch(`event:${text(name, 'an event name')}`, plain(props))),
    identify: later(async (user?: string | Record<string, unknown>, attributes?: Record<string, unknown>) => {
      // A copy, as storage keeps it: the page's own object may change later, unseen (and a Date is its text at once).
      const attrs = plain(JSON.parse(JSON.stringify(plain(typeof user == 'object' ? user : attributes))));
      if (user != null && typeof user != 'object') text(user, 'a user id');
      await store!.mutate((s) => {
        if (typeof user == 'string') s.user = user;
        for (const k of Object.keys(attrs)) if (!/^(__proto__|constructor|prototype)$/.test(k)) s.attrs[k] = attrs[k];
      });
      await engine!.refreshSegments();
    }),
    page: later(() => onPage()),
    segments: {
      add: later((id: string) => engine!.segment(text(id, 'a segment id'), true)),
      remove: later((id: string) => engine!.segment(text(id, 'a segment id'), false)),
      has: (id) => !!store?.state.segments.includes(id),
      list: () => [...(store?.state.segments ?? [])],
    },
    on: (name, fn) => {
      if (typeof fn === 'function') (listeners.get(name) ?? listeners.set(name, new Set()).get(name)!).add(fn);
      return () => api.off(name, fn);
    },
    off: (name, fn) => void listeners.get(name)?.delete(fn),
    consent: later((granted: boolean) => onConsent(granted)),
    reset: later(async () => {
      engine!.stop();
      await store!.reset();
      await engine!.pageView();
    }),
    debug: (on = true) => {
      setDebug(on);
      safe(() => sessionStorage[on ? 'setItem' : 'removeItem'](DEBUG_KEY, '1'));
    },
    register: registry.register,
  };
  (window as any)[LOADED] = api;
  // A page that made the name its own keeps it (a global of its own, one read-only or a getter): the workflows run
  // all the same, without the API. The snippet's queue is ours to replace; an element whose id is `workflows`, which
  // the browser shows under that name without it being a property of `window`, is not the page's global.
  try {
    if (existing && !Array.isArray(existing) && Object.hasOwn(window, 'workflows')) throw 'the page has its own';
    window.workflows = api;
  } catch (x) {
    warn(`cannot set window.workflows: ${x}`);
  }
  // Calls queued by the snippet before we loaded, then any made through push: each waits for the one before (a
  // queued identify is applied before a queued track is evaluated). Direct method calls do not queue behind
  // them, so a Code step's handler can call track without waiting on itself.
  api.push(...(Array.isArray(existing) ? existing : []));
  return api;
}

/** A name given to the API: text of 1-200 characters, else a clear error (reported, never thrown to the page). */
function text(v: unknown, what: string): string {
  if (typeof v != 'string' || !v || v.length > 200) throw Error(`expected ${what}, got ${typeof v == 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v}`);
  return v;
}

/** A plain object of values, or {}: anything else given as properties or attributes is ignored. */
function plain(v: unknown): Record<string, unknown> {
  return v && typeof v == 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** What stops the runtime, or part of it, said whether or not debug is on. */
const warn = (m: string) => safe(() => console.warn('[workflows] ' + m));

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
