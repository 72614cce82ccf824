/**
 * Every place a workflow names another thing by id, in one walker used both to collect references (export)
 * and to rename them (import as a copy). Condition references follow the condition language: a `segments`
 * rule names segment ids in its value, a `promotion.<id>.<counter>` field names a promotion, and a
 * `variant.<workflow id>/<node id>` field names a split's default test key (renamed with its own workflow).
 */
import type { Condition } from '../conditions/types.js';
import type { Segment, Trigger, Workflow, WorkflowNode } from '../model/types.js';

export type RefKind = 'workflows' | 'promotions' | 'segments' | 'apps';

/** Returns the id to use instead (or the same id); called once for every reference met. */
export type Renamer = (kind: RefKind, id: string) => string;

export interface RefSets {
  workflows: Set<string>;
  promotions: Set<string>;
  segments: Set<string>;
  apps: Set<string>;
}

export function emptyRefs(): RefSets {
  return { workflows: new Set(), promotions: new Set(), segments: new Set(), apps: new Set() };
}

/** A collecting renamer: records every id and changes nothing. */
export function collector(into: RefSets): Renamer {
  return (kind, id) => {
    into[kind].add(id);
    return id;
  };
}

/** A deep copy of the workflow with every reference passed through `rename` (the workflow's own id included). */
export function mapWorkflowRefs(workflow: Workflow, rename: Renamer): Workflow {
  const copy = clone(workflow);
  copy.id = rename('workflows', workflow.id);
  const self = { from: workflow.id, to: copy.id };
  const settings = copy.settings;
  if (settings) {
    if (Array.isArray(settings.suppress)) settings.suppress = settings.suppress.map((id) => rename('workflows', id));
    if (settings.goal?.where) settings.goal.where = mapConditionRefs(settings.goal.where, rename, self);
  }
  copy.nodes = (copy.nodes ?? []).map((node) => mapNodeRefs(node, rename, self));
  return copy;
}

/** The workflow being mapped: its default test keys (`<id>/<node>`) follow its id. */
interface SelfRename {
  from: string;
  to: string;
}

function mapNodeRefs(node: WorkflowNode, rename: Renamer, self: SelfRename): WorkflowNode {
  switch (node.kind) {
    case 'promotion':
      return { ...node, promotion: rename('promotions', node.promotion) };
    case 'segment':
      return { ...node, segment: rename('segments', node.segment) };
    case 'app':
      return { ...node, app: rename('apps', node.app) };
    case 'enroll':
      return { ...node, workflow: rename('workflows', node.workflow) };
    case 'if': {
      const out = { ...node };
      if (node.triggers) out.triggers = node.triggers.map((t) => mapTriggerRefs(t, rename, self));
      if (node.conditions) out.conditions = mapConditionRefs(node.conditions, rename, self);
      return out;
    }
    default:
      return node;
  }
}

function mapTriggerRefs(trigger: Trigger, rename: Renamer, self: SelfRename): Trigger {
  const out = { ...trigger } as Trigger;
  if (out.on === 'promotion' && out.promotion !== undefined) out.promotion = rename('promotions', out.promotion);
  if (out.on === 'segment_entered') out.segment = rename('segments', out.segment);
  if (out.where) out.where = mapConditionRefs(out.where, rename, self);
  return out;
}

const PROMOTION_FIELD = /^promotion\.([^.]+)\.(.*)$/;

export function mapConditionRefs(cond: Condition, rename: Renamer, self?: SelfRename, depth = 0): Condition {
  if (typeof cond !== 'object' || cond === null || depth > 64) return cond;
  const inner = (c: Condition) => mapConditionRefs(c, rename, self, depth + 1);
  if ('all' in cond && Array.isArray(cond.all)) return { ...cond, all: cond.all.map(inner) };
  if ('any' in cond && Array.isArray(cond.any)) return { ...cond, any: cond.any.map(inner) };
  if ('not' in cond && cond.not !== undefined) return { ...cond, not: inner(cond.not) };
  if (!('field' in cond) || typeof cond.field !== 'string') return cond;
  const out = { ...cond };
  if (cond.field === 'segments') {
    const one = (v: unknown) => (typeof v === 'string' ? rename('segments', v) : v);
    out.value = Array.isArray(cond.value) ? cond.value.map(one) : one(cond.value);
  }
  const m = PROMOTION_FIELD.exec(cond.field);
  if (m) out.field = `promotion.${rename('promotions', m[1]!)}.${m[2]}`;
  if (self && self.from !== self.to && cond.field.startsWith(`variant.${self.from}/`)) {
    out.field = `variant.${self.to}/${cond.field.slice(`variant.${self.from}/`.length)}`;
  }
  return out;
}

export function mapSegmentRefs(segment: Segment, rename: Renamer): Segment {
  const copy = clone(segment);
  copy.id = rename('segments', segment.id);
  if (copy.kind === 'rule' && copy.rule) copy.rule = mapConditionRefs(copy.rule, rename);
  return copy;
}

/** What a workflow names, not counting itself. */
export function workflowRefs(workflow: Workflow): RefSets {
  const refs = emptyRefs();
  mapWorkflowRefs(workflow, (kind, id) => {
    if (!(kind === 'workflows' && id === workflow.id)) refs[kind].add(id);
    return id;
  });
  return refs;
}

/** A structural copy of plain JSON data. */
export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
