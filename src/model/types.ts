/**
 * The authoring format: what designers edit, what the CLI validates and what the server stores.
 * The compiler turns it into the compact bundle the runtime downloads (see ../compile/types.ts).
 */
import type { Condition } from '../conditions/types.js';

/** Ids are short, URL- and file-safe: ASCII letters, digits, `_` and `-`, starting with a letter or digit. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export type WorkflowStatus = 'draft' | 'active' | 'paused';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export type DurationUnit = 'seconds' | 'minutes' | 'hours' | 'days';
export interface Duration {
  amount: number;
  unit: DurationUnit;
}

/** Editor-only data; the compiler drops it. */
export interface NodeUi {
  x?: number;
  y?: number;
  note?: string;
  collapsed?: boolean;
}

// ---------------------------------------------------------------- triggers

export const TRIGGER_KINDS = [
  'page_view',
  'time_on_page',
  'time_on_site',
  'exit_intent',
  'scroll_depth',
  'inactivity',
  'click',
  'element_visible',
  'form_submitted',
  'event',
  'commerce',
  'promotion',
  'segment_entered',
] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

interface TriggerBase {
  /** Extra test on the event's properties (`event.<prop>` fields) or on visitor state when it fires. */
  where?: Condition;
}
export interface PageViewTrigger extends TriggerBase {
  on: 'page_view';
}
export interface TimeOnPageTrigger extends TriggerBase {
  on: 'time_on_page';
  seconds: number;
}
export interface TimeOnSiteTrigger extends TriggerBase {
  on: 'time_on_site';
  seconds: number;
}
export interface ExitIntentTrigger extends TriggerBase {
  on: 'exit_intent';
  /** Ignore exits during the first N seconds on the page (a fast move at load is not intent). Default 3. */
  minDwellSeconds?: number;
  /** Also use mobile signals (fast scroll-up, tab hidden). Default true. */
  mobile?: boolean;
}
export interface ScrollDepthTrigger extends TriggerBase {
  on: 'scroll_depth';
  percent: number;
}
export interface InactivityTrigger extends TriggerBase {
  on: 'inactivity';
  seconds: number;
}
export interface ClickTrigger extends TriggerBase {
  on: 'click';
  selector: string;
}
export interface ElementVisibleTrigger extends TriggerBase {
  on: 'element_visible';
  selector: string;
  /** Fraction of the element that must be visible, 0..1. Default 0.5. */
  threshold?: number;
}
export interface FormSubmittedTrigger extends TriggerBase {
  on: 'form_submitted';
  /** Which forms count; any form when absent. */
  selector?: string;
}
export interface CustomEventTrigger extends TriggerBase {
  on: 'event';
  /** The name given to `workflows.track(name, props)`. */
  name: string;
}
export const COMMERCE_EVENTS = [
  'view_item',
  'add_to_cart',
  'remove_from_cart',
  'view_cart',
  'begin_checkout',
  'purchase',
] as const;
export type CommerceEvent = (typeof COMMERCE_EVENTS)[number];
export interface CommerceTrigger extends TriggerBase {
  on: 'commerce';
  /** A data-layer commerce event name (GA4 e-commerce vocabulary). */
  name: CommerceEvent;
}
export interface PromotionTrigger extends TriggerBase {
  on: 'promotion';
  outcome: 'seen' | 'closed' | 'converted';
  /** Which promotion; any promotion when absent. */
  promotion?: string;
}
export interface SegmentEnteredTrigger extends TriggerBase {
  on: 'segment_entered';
  segment: string;
}

export type Trigger =
  | PageViewTrigger
  | TimeOnPageTrigger
  | TimeOnSiteTrigger
  | ExitIntentTrigger
  | ScrollDepthTrigger
  | InactivityTrigger
  | ClickTrigger
  | ElementVisibleTrigger
  | FormSubmittedTrigger
  | CustomEventTrigger
  | CommerceTrigger
  | PromotionTrigger
  | SegmentEnteredTrigger;

// ---------------------------------------------------------------- nodes

export const NODE_KINDS = [
  'if',
  'promotion',
  'segment',
  'enroll',
  'webhook',
  'split',
  'delay',
  'connector',
  'code',
  'app',
  'exit',
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

interface NodeBase {
  id: string;
  /** A label shown in the editor and in debug output. */
  label?: string;
  ui?: NodeUi;
}

/**
 * If/Then. Without triggers: conditions are evaluated at once, `then` or `else`.
 * With triggers: the cursor waits until any trigger fires while the conditions hold (`then`);
 * with `wait`, it gives up after that long (`timeout`).
 */
export interface IfNode extends NodeBase {
  kind: 'if';
  triggers?: Trigger[];
  conditions?: Condition;
  wait?: Duration;
}

/** Shows a promotion; `converted` when the visitor submits or clicks a converting button, else `dismissed`. */
export interface PromotionNode extends NodeBase {
  kind: 'promotion';
  promotion: string;
}

export interface SegmentNode extends NodeBase {
  kind: 'segment';
  segment: string;
  action: 'add' | 'remove';
}

export interface EnrollNode extends NodeBase {
  kind: 'enroll';
  workflow: string;
}

export type HttpMethod = 'POST' | 'PUT' | 'PATCH' | 'GET';
/** Calls an HTTP endpoint; strings in `body` may use `{{visitor.email}}`-style placeholders. */
export interface WebhookNode extends NodeBase {
  kind: 'webhook';
  url: string;
  method?: HttpMethod;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface SplitVariant {
  /** Also the name of the node's out port for this variant. */
  id: string;
  name?: string;
  /** Percent of the tested traffic; variants add up to 100. */
  weight: number;
}
/** Multivariate Test: sticky weighted assignment per visitor, with an optional holdout group. */
export interface SplitNode extends NodeBase {
  kind: 'split';
  /** Stable key hashed with the visitor id; defaults to `<workflow id>/<node id>`. */
  test?: string;
  variants: SplitVariant[];
  /** Percent of visitors kept out of the test (port `holdout`). */
  holdout?: number;
}

export type DelayNode = NodeBase & { kind: 'delay' } & (
    | { mode: 'duration'; duration: Duration }
    | { mode: 'time_of_day'; time: string; timezone?: string }
    | { mode: 'next_visit' }
  );

/** Joins this branch to another step (a "go to"). */
export interface ConnectorNode extends NodeBase {
  kind: 'connector';
  target: string;
}

/** Custom code: a named handler registered with `workflows.register(name, fn)`, or inline code. */
export interface CodeNode extends NodeBase {
  kind: 'code';
  handler?: string;
  code?: string;
  timeoutMs?: number;
}

export const APP_ACTIONS = ['subscribe', 'track'] as const;
export type AppActionKind = (typeof APP_ACTIONS)[number];
/** Sends the visitor to a connected ESP/SMS app: subscribe an email/phone to a list, or track an event. */
export interface AppNode extends NodeBase {
  kind: 'app';
  app: string;
  action: AppActionKind;
  /** Provider list id (Klaviyo list, Mailchimp audience form, ...) for `subscribe`. */
  list?: string;
  /** Event name for `track`. */
  event?: string;
  /** Extra profile fields, values may use placeholders. */
  fields?: Record<string, string>;
}

export interface ExitNode extends NodeBase {
  kind: 'exit';
}

export type WorkflowNode =
  | IfNode
  | PromotionNode
  | SegmentNode
  | EnrollNode
  | WebhookNode
  | SplitNode
  | DelayNode
  | ConnectorNode
  | CodeNode
  | AppNode
  | ExitNode;

export interface Edge {
  from: string;
  /** The out port of `from`; `next` for single-exit nodes. */
  port: string;
  to: string;
  ui?: { label?: string };
}

// ---------------------------------------------------------------- workflow

export type Reenrollment =
  | { mode: 'page' }
  | { mode: 'session' }
  | { mode: 'never' }
  | { mode: 'cooldown'; days: number };

export interface Schedule {
  /** IANA zone the days and hours are read in; the visitor's zone when absent. */
  timezone?: string;
  days?: Weekday[];
  /** Daily window, `HH:MM` 24-hour; `from` > `to` spans midnight. */
  hours?: { from: string; to: string };
  /** ISO date-times bounding the whole campaign. */
  start?: string;
  end?: string;
}

export interface Goal {
  /** A custom event name (`workflows.track`) or a commerce event such as `purchase`. */
  event: string;
  where?: Condition;
  /** A conversion counts for the workflow within this many days of the step that led to it. */
  windowDays?: number;
}

export interface WorkflowSettings {
  /** `auto`: every eligible visitor starts at the start node. `manual`: only `enroll()` or a Workflow to Enroll step. */
  enrollment?: 'auto' | 'manual';
  reenroll?: Reenrollment;
  schedule?: Schedule;
  /** Higher runs first when several workflows want the screen; 0..100, default 50. */
  priority?: number;
  /** While a visitor is enrolled here, hold other workflows back: none, all, or the listed ids. */
  suppress?: 'none' | 'all' | string[];
  goal?: Goal;
}

export interface Workflow {
  id: string;
  name: string;
  description?: string;
  status: WorkflowStatus;
  /** Increases by one on every save; the server refuses an update carrying a stale one. */
  revision?: number;
  /** The published version number, set by publishing. */
  version?: number;
  settings?: WorkflowSettings;
  /** The node a new enrollment starts at. */
  start: string;
  nodes: WorkflowNode[];
  edges: Edge[];
  ui?: { zoom?: number; x?: number; y?: number; notes?: string };
}

// ---------------------------------------------------------------- promotions

export const PROMOTION_KINDS = ['modal', 'slide_in', 'bar', 'fullscreen', 'inline', 'teaser'] as const;
export type PromotionKind = (typeof PROMOTION_KINDS)[number];

export const BLOCK_KINDS = [
  'heading',
  'text',
  'image',
  'button',
  'email',
  'phone',
  'text_field',
  'checkbox',
  'select',
  'consent',
  'coupon',
  'countdown',
  'close',
  'spacer',
] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];

/**
 * Promotion content is data, rendered by the renderer; text never becomes raw HTML.
 * Rich text is a safe subset: `**bold**`, `*italic*`, `[link](https://...)`, `- list items`.
 */
export type Block =
  | { kind: 'heading'; text: string; level?: 1 | 2 | 3 }
  | { kind: 'text'; text: string }
  | { kind: 'image'; src: string; alt: string; width?: number; height?: number }
  | {
      kind: 'button';
      text: string;
      action: 'close' | 'next' | 'url' | 'submit' | 'copy_coupon';
      url?: string;
      /** A button that counts as a conversion (e.g. "Shop the sale"). */
      converts?: boolean;
    }
  | { kind: 'email'; name?: string; label?: string; placeholder?: string; required?: boolean }
  | { kind: 'phone'; name?: string; label?: string; placeholder?: string; required?: boolean; country?: string }
  | { kind: 'text_field'; name: string; label?: string; placeholder?: string; required?: boolean }
  | { kind: 'checkbox'; name: string; label: string; required?: boolean }
  | { kind: 'select'; name: string; label?: string; options: { value: string; label: string }[]; required?: boolean }
  | { kind: 'consent'; name?: string; text: string; channel?: 'email' | 'sms'; required?: boolean }
  | { kind: 'coupon'; code?: string; pool?: string }
  | { kind: 'countdown'; until?: string; minutes?: number; expired?: 'hide' | 'close' }
  | { kind: 'close'; label?: string }
  | { kind: 'spacer'; size?: number };

export interface PromotionStep {
  id: string;
  blocks: Block[];
}

export interface PromotionTheme {
  background?: string;
  text?: string;
  accent?: string;
  accentText?: string;
  font?: string;
  radius?: number;
  spacing?: number;
  width?: number;
}

export const PROMOTION_POSITIONS = [
  'center',
  'top',
  'bottom',
  'top_left',
  'top_right',
  'bottom_left',
  'bottom_right',
  'left',
  'right',
] as const;
export type PromotionPosition = (typeof PROMOTION_POSITIONS)[number];

export interface Promotion {
  id: string;
  name: string;
  kind: PromotionKind;
  /** Where it sits: corners for slide-ins, edges for bars and teasers, a CSS selector for inline embeds. */
  placement?: {
    position?: PromotionPosition;
    /** Bars: push page content instead of overlaying it. */
    push?: boolean;
    selector?: string;
    insert?: 'before' | 'after' | 'inside';
  };
  steps: PromotionStep[];
  theme?: PromotionTheme;
  /** Overrides applied on phones. `safe` keeps to Google's intrusive-interstitial guidance. */
  mobile?: { kind?: PromotionKind; position?: PromotionPosition; safe?: boolean; hidden?: boolean };
  /** A teaser shown after dismissal that reopens the promotion. */
  teaser?: { text: string; position?: 'left' | 'right' | 'bottom_left' | 'bottom_right' };
  revision?: number;
}

// ---------------------------------------------------------------- segments and apps

export type Segment =
  | { id: string; name: string; description?: string; kind: 'manual'; revision?: number }
  | { id: string; name: string; description?: string; kind: 'rule'; rule: Condition; revision?: number };

export const APP_PROVIDERS = ['klaviyo', 'hubspot', 'mailchimp', 'webhook'] as const;
export type AppProvider = (typeof APP_PROVIDERS)[number];

/**
 * A connected ESP/SMS app. Only public settings live here (Klaviyo's public company id, HubSpot's portal
 * and form ids, a Mailchimp embedded-form action URL); secrets never enter a document or a bundle.
 */
export interface AppConnection {
  id: string;
  name: string;
  provider: AppProvider;
  settings: Record<string, string>;
  revision?: number;
}

// ---------------------------------------------------------------- the file

export const AUTHORING_FORMAT = 'workflows/authoring';
export const AUTHORING_VERSION = 1;

/**
 * One authoring file: any mix of workflows and what they reference. A folder of them compiles together;
 * ids are unique across the folder.
 */
export interface AuthoringDocument {
  $schema?: string;
  format?: typeof AUTHORING_FORMAT;
  version?: number;
  workflows?: Workflow[];
  promotions?: Promotion[];
  segments?: Segment[];
  apps?: AppConnection[];
  /** Site-wide options that travel with the compiled bundle. */
  site?: SiteSettings;
}

export interface SiteSettings {
  /** Hosts webhook nodes may call, besides the hosts named literally in webhook URLs. */
  webhookHosts?: string[];
  /** Seconds between two interrupting promotions (the global governor). Default 30. */
  promotionCooldownSeconds?: number;
}
