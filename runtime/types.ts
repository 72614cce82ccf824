/**
 * Contracts between the runtime's modules. The pipeline: sensors -> events -> dispatcher -> executor ->
 * actions -> store + transport. Each module receives what it needs from these interfaces, never globals.
 */
import type { Scoped } from '../src/conditions/types.js';

// ---------------------------------------------------------------- visitor state (persisted)

/** Version of the persisted state shape; store.ts migrates older shapes step by step. */
export const STATE_VERSION = 1;

/** One enrollment's position in a workflow. Persisted before any effect of its step runs. */
export interface Cursor {
  /** Enrollment id (unique per enrollment; part of every idempotency key). */
  id: string;
  /** Workflow id and the bundle version it started under. */
  wf: string;
  ver: number;
  /** Current step. */
  node: string;
  /** Steps taken so far: with `id`, makes each effect's idempotency key (`<id>:<seq>`). */
  seq: number;
  /** When the enrollment began (ms). */
  at: number;
  /** True once the visitor passed the start step (until then it is a candidate, not enrolled). */
  in?: boolean;
  /** Wake-up time (ms) of a Delay, or the deadline of an If/Then wait window. */
  wake?: number;
  /** Delay until next visit: the session number it waits to be different from. */
  visit?: number;
  /** Promotion step: the promotion is on screen (`1`) and the page the visitor saw it on. */
  shown?: string;
  /** An effect of this step started (webhook, app, code): on a restart its outcome is retried with the same key. */
  fx?: number;
  /** Test variant this enrollment took, for goal attribution. */
  variant?: string;
  /** Form values submitted in this enrollment's last promotion (`{{form.email}}` in later steps). */
  form?: Record<string, unknown>;
  /** Workflows whose Workflow to Enroll steps led here: a loop back into one of them is refused. */
  by?: string[];
}

export interface PromotionRecord {
  seen: Scoped;
  closed: Scoped;
  converted: Scoped;
}

export interface VisitorState {
  v: number;
  /** Anonymous visitor id (nanoid). */
  id: string;
  /** Set by identify(): used for sticky test assignment across devices. */
  user?: string;
  first: number;
  /** Last activity (ms); a gap over 30 minutes starts a new session. */
  last: number;
  /** Last activity of the previous session (the `last_seen` condition field). */
  prev?: number;
  sessions: number;
  session: {
    id: string;
    start: number;
    pageviews: number;
    landing: string;
    referrer: string;
    utm: Record<string, string>;
    /** Written by runtimes before the `channel` chunk; now classified from `landing` and `referrer` when read. */
    channel?: string;
  };
  pageviews: { all_time: number; first_session: number };
  attrs: Record<string, unknown>;
  segments: string[];
  /** undefined: not asked; true/false: the visitor's answer. */
  consent?: boolean;
  promos: Record<string, PromotionRecord>;
  /** Test key -> variant id (`holdout` for the holdout group). */
  variants: Record<string, string>;
  cursors: Cursor[];
  /** Workflow id -> when its last enrollment began and in which session (re-enrollment policy). */
  runs: Record<string, { at: number; session: string; page?: string }>;
  /** Workflow id -> last step a visitor took and when (goal attribution). */
  touches: Record<string, { at: number; node: string; variant?: string }>;
  cart: { value: number; items: number; currency?: string };
  /** Last interrupting promotion shown (ms), for the global cooldown. */
  lastPromo?: number;
  /** Idempotency keys of effects already done, newest last, bounded. */
  done: string[];
  /** Pending outbound requests (webhooks, apps, collector batches), retried with backoff. */
  outbox: OutboxItem[];
  /** Analytics events not yet handed to the outbox (sent with the next collector batch). */
  pending?: PublicEvent[];
  /** Evergreen countdown deadlines and other small per-promotion values. */
  promoData: Record<string, Record<string, unknown>>;
}

export interface OutboxItem {
  /** Idempotency key: the same key is never sent twice after success. */
  key: string;
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  /** `cors` (default) or `no-cors` for providers that do not answer CORS (Mailchimp). */
  mode?: 'cors' | 'no-cors';
  tries: number;
  /** Not before this time (ms): exponential backoff. */
  next: number;
  /** Give up after this time (ms). */
  until: number;
}

// ---------------------------------------------------------------- store

export type Backend = 'indexeddb' | 'localstorage' | 'memory';

export interface Store {
  /** The latest state this tab knows. Read freely; change only through `mutate`. */
  readonly state: VisitorState;
  readonly backend: Backend;
  /**
   * Applies a change as one transaction across tabs (no other tab changes the state in between) and resolves
   * with what `fn` returned. A tab holding the write lease resolves at once and writes a moment later, with the
   * other changes of the same task; `flush` waits for that write. A throwing `fn` changes nothing.
   */
  mutate<T>(fn: (s: VisitorState) => T): Promise<T>;
  /** Resolves once storage holds every change made so far (call it before an effect leaves the page). */
  flush(): Promise<void>;
  /** Called after another tab changed the state (the new state is already in `state`). */
  onChange(fn: () => void): void;
  /** Consent mode: `false` keeps everything in memory; `true` persists from now on. */
  setPersist(persist: boolean): Promise<void>;
  /** Forget the visitor: a fresh state under a new id. */
  reset(): Promise<void>;
}

// ---------------------------------------------------------------- events

/** Something that happened, as the dispatcher sees it. */
export interface RuntimeEvent {
  /** Index key: `exit_intent`, `event:signup`, `commerce:purchase`, `promotion:converted`, ... */
  key: string;
  /** Event properties (`event.<prop>` condition fields). */
  props?: Record<string, unknown>;
}

/** Names of the events `workflows.on()` listeners, `dataLayer` and the collector receive. */
export type PublicEventName =
  | 'enrolled'
  | 'step'
  | 'exited'
  | 'promotion_shown'
  | 'promotion_closed'
  | 'promotion_converted'
  | 'variant_assigned'
  | 'webhook_sent'
  | 'webhook_failed'
  | 'app_sent'
  | 'app_failed'
  | 'goal'
  | 'error';

export interface PublicEvent {
  /** Unique id so a collector can drop duplicates. */
  id: string;
  name: PublicEventName;
  at: number;
  visitor: string;
  workflow?: string;
  step?: string;
  promotion?: string;
  variant?: string;
  [key: string]: unknown;
}

// ---------------------------------------------------------------- sensors

/**
 * A sensor watches the page for one trigger kind. `watch` attaches what it needs (sharing one listener among
 * all watchers of the kind) and returns a function that detaches; with no watcher left, nothing is attached.
 */
export interface SensorHost {
  /** Milliseconds since the page (or the last route change) started, for time-on-page. */
  pageStart(): number;
  /** Session start (ms), for time-on-site. */
  sessionStart(): number;
  now(): number;
}

export type Fire = (props?: Record<string, unknown>) => void;

// ---------------------------------------------------------------- renderer

/** What the executor asks of a promotion renderer; the Preact renderer (lazy chunk) implements it. */
export interface PromotionRenderer {
  /**
   * Shows a promotion; resolves when the visitor converts or dismisses it (or the page goes away).
   * `values` are the form fields the visitor submitted.
   */
  show(request: ShowRequest): Promise<PromotionOutcome>;
  /** Removes a promotion from the page without an outcome (unenroll, reset). */
  hide(promotion: string): void;
}

export interface ShowRequest {
  id: string;
  promotion: unknown;
  /** Visitor attributes for `{{first_name | friend}}` placeholders. */
  attributes: Record<string, unknown>;
  /** Reports impressions and step changes to analytics. */
  report(name: 'seen' | 'step', detail?: Record<string, unknown>): void;
  /** Visitor id, sent when claiming a coupon code from a pool. */
  visitor?: string;
  /** Receives errors the renderer caught (it never throws into the page). */
  error?(e: unknown): void;
}

export interface PromotionOutcome {
  outcome: 'converted' | 'dismissed';
  values?: Record<string, unknown>;
}
