/**
 * The compiled bundle: what every visitor downloads (`/workflows.json`). Only active workflows, defaults
 * filled, editor-only data gone, edges folded into each node's `next` map, conditions lowered for the runtime's
 * `check` (docs/compiled-conditions.md). Keep it small and stable.
 */
import type { LoweredCondition } from '../conditions/types.js';
import type {
  AppConnection,
  Goal,
  IfNode,
  Promotion,
  Reenrollment,
  Schedule,
  Trigger,
  TriggerKind,
  WorkflowNode,
} from '../model/types.js';

export const COMPILED_FORMAT = 'workflows/compiled';
/**
 * 4: settings at their defaults are left out, and `needs` may list `commerce` and `enrollment`. 3: conditions are
 * lowered and `needs` lists the feature chunks (1 carried conditions as written). Bump it whenever the runtime
 * would read an older bundle differently (a new feature in `needs` included): the runtime refuses other versions,
 * and the reference server compiles its stored workflows again when it starts on a release with a new version.
 */
export const COMPILED_VERSION = 4;

/**
 * What a bundle may use that the script-tag core leaves to a lazy chunk of the same name (docs/runtime.md, "Lazy
 * chunks"): `promotions` the promotion executor and its governor, `time` delays until a time of day, schedules and
 * the condition readers of dates, times and zones, `variants` Multivariate Test assignment, `goals` crediting conversion goals, `segments` following the rules of rule segments, `channel` classifying the session's marketing channel, `commerce` the visitor's cart and commerce triggers,
 * `enrollment` the Enroll step and suppression.
 */
export const FEATURES = ['promotions', 'time', 'variants', 'goals', 'segments', 'channel', 'commerce', 'enrollment'] as const;
export type Feature = (typeof FEATURES)[number];

/** What fires a trigger, without its `where` filter: all the sensors and the index need. */
export type TriggerSpec = DistributiveOmit<Trigger, 'where'>;
/** A trigger as the runtime sees it: its `where` lowered. */
export type CompiledTrigger = TriggerSpec & { where?: LoweredCondition };

/** An If/Then step as the runtime sees it: its conditions and trigger filters lowered. */
export type CompiledIf = Omit<IfNode, 'id' | 'label' | 'ui' | 'conditions' | 'triggers'> & {
  conditions?: LoweredCondition;
  triggers?: CompiledTrigger[];
};

/** A node as the runtime sees it: no id/label/ui (the key is the id), out ports resolved to node ids. */
export type CompiledNode = (
  | DistributiveOmit<Exclude<WorkflowNode, { kind: 'connector' | 'if' }>, 'id' | 'label' | 'ui'>
  | CompiledIf
  // A Connector is a "go to": compiled to a bare node whose `next.next` is its target.
  | { kind: 'connector' }
) & {
  /** port -> next node id; a port missing here ends the enrollment. */
  next?: Record<string, string>;
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A workflow's settings, each written only when it differs from its default (enrollment `auto`, reenroll
 * `{ mode: 'session' }`, priority 50, suppress `none`); a workflow with every default has no `settings`. A
 * thousand workflows are then a sixth less to download and parse on every page.
 */
export interface CompiledSettings {
  enrollment?: 'manual';
  reenroll?: Reenrollment;
  schedule?: Schedule;
  priority?: number;
  suppress?: 'all' | string[];
  goal?: Required<Pick<Goal, 'event' | 'windowDays'>> & { where?: LoweredCondition };
}

export interface CompiledWorkflow {
  id: string;
  name: string;
  /** Published version; enrollments remember it so a later publish does not strand their cursor. */
  version: number;
  settings?: CompiledSettings;
  start: string;
  /** Lower-case text the page URL must contain for the start gate to pass (a cheap pre-test), when there is one. */
  url?: string;
  nodes: Record<string, CompiledNode>;
  /** The features this workflow uses, when any: it is disabled on a page where one of their chunks did not load. */
  needs?: Feature[];
}

/**
 * Index key: a trigger kind, or `kind:name` for named events (`event:signup`, `commerce:purchase`).
 * Value: `[workflow id, node id]` pairs whose If/Then node waits on it.
 */
export type TriggerIndex = Record<string, [string, string][]>;

export interface CompiledBundle {
  format: typeof COMPILED_FORMAT;
  version: typeof COMPILED_VERSION;
  /** Content hash of everything below, hex; stable for the same input. */
  hash: string;
  site: { webhookHosts: string[]; promotionCooldownSeconds: number };
  /**
   * The features any workflow or rule segment uses: the runtime imports their chunks at start. Absent in bundles
   * compiled before it existed, which the runtime reads as needing every feature.
   */
  needs?: Feature[];
  workflows: CompiledWorkflow[];
  promotions: Record<string, Omit<Promotion, 'id' | 'revision'>>;
  segments: Record<string, { rule?: LoweredCondition; needs?: Feature[] }>;
  apps: Record<string, Pick<AppConnection, 'provider' | 'settings'>>;
  index: TriggerIndex;
}

export type { TriggerKind };
