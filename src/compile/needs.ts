/**
 * The features (types.ts `FEATURES`) a compiled workflow or rule segment uses, so that the runtime imports only
 * the chunks a bundle needs and disables only what needs a chunk that did not load.
 */
import type { LoweredCondition } from '../conditions/types.js';
import { FEATURES, type CompiledWorkflow, type Feature } from './types.js';

/** Does a lowered condition read the clock, a date or a zone? Exactly its rules that carry a zone do. */
export function readsTime(c: LoweredCondition | undefined): boolean {
  if (!c) return false;
  return c[0] == '&' || c[0] == '|' ? (c.slice(1) as LoweredCondition[]).some(readsTime) : c.length > 3;
}

export function workflowNeeds(w: CompiledWorkflow): Feature[] {
  const used = new Set<Feature>();
  if (w.settings.schedule || readsTime(w.settings.goal?.where)) used.add('time');
  if (w.settings.goal) used.add('goals');
  for (const n of Object.values(w.nodes)) {
    if (n.kind == 'promotion') used.add('promotions');
    else if (n.kind == 'split') used.add('variants');
    else if (n.kind == 'delay' && n.mode == 'time_of_day') used.add('time');
    else if (n.kind == 'if' && (readsTime(n.conditions) || n.triggers?.some((t) => readsTime(t.where)))) used.add('time');
  }
  return FEATURES.filter((f) => used.has(f));
}

/** The features of a rule segment: `segments`, which follows rules, and `time` when its rule reads it. */
export const segmentNeeds = (rule: LoweredCondition): Feature[] => (readsTime(rule) ? ['time', 'segments'] : ['segments']);

/** All the features of a bundle, in `FEATURES` order. */
export const union = (lists: Feature[][]): Feature[] => FEATURES.filter((f) => lists.some((l) => l.includes(f)));
