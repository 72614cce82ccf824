/**
 * The compiled bundle: what every visitor downloads (`/workflows.json`). Only active workflows, defaults
 * filled, editor-only data gone, edges folded into each node's `next` map. Keep it small and stable.
 */
import type { Condition } from '../conditions/types.js';
import type {
  AppConnection,
  Goal,
  Promotion,
  Reenrollment,
  Schedule,
  TriggerKind,
  WorkflowNode,
} from '../model/types.js';

export const COMPILED_FORMAT = 'workflows/compiled';
export const COMPILED_VERSION = 1;

/** A node as the runtime sees it: no id/label/ui (the key is the id), out ports resolved to node ids. */
export type CompiledNode = (
  | DistributiveOmit<Exclude<WorkflowNode, { kind: 'connector' }>, 'id' | 'label' | 'ui'>
  // A Connector is a "go to": compiled to a bare node whose `next.next` is its target.
  | { kind: 'connector' }
) & {
  /** port -> next node id; a port missing here ends the enrollment. */
  next?: Record<string, string>;
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface CompiledSettings {
  enrollment: 'auto' | 'manual';
  reenroll: Reenrollment;
  schedule?: Schedule;
  priority: number;
  suppress: 'none' | 'all' | string[];
  goal?: Required<Pick<Goal, 'event' | 'windowDays'>> & Pick<Goal, 'where'>;
}

export interface CompiledWorkflow {
  id: string;
  name: string;
  /** Published version; enrollments remember it so a later publish does not strand their cursor. */
  version: number;
  settings: CompiledSettings;
  start: string;
  /** Lower-case text the page URL must contain for the start gate to pass (a cheap pre-test), when there is one. */
  url?: string;
  nodes: Record<string, CompiledNode>;
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
  workflows: CompiledWorkflow[];
  promotions: Record<string, Omit<Promotion, 'id' | 'revision'>>;
  segments: Record<string, { rule?: Condition }>;
  apps: Record<string, Pick<AppConnection, 'provider' | 'settings'>>;
  index: TriggerIndex;
}

export type { TriggerKind };
