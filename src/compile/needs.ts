/**
 * The features (types.ts `FEATURES`) a compiled workflow or rule segment uses, so that the runtime imports only
 * the chunks a bundle needs and disables only what needs a chunk that did not load.
 */
import type { LoweredCondition, LoweredRule } from '../conditions/types.js';
import { COMMERCE_EVENTS } from '../model/types.js';
import { FEATURES, type CompiledWorkflow, type Feature } from './types.js';

/** Does any rule of a lowered condition pass `test`? */
const anyRule = (c: LoweredCondition | undefined, test: (r: LoweredRule) => boolean): boolean =>
  !!c && (c[0] == '&' || c[0] == '|' ? (c.slice(1) as LoweredCondition[]).some((x) => anyRule(x, test)) : test(c as LoweredRule));

/** Does a lowered condition read the clock, a date or a zone? Exactly its rules that carry a zone do. */
export const readsTime = (c: LoweredCondition | undefined): boolean => anyRule(c, (r) => r.length > 3);

/** Does a lowered condition read the session's channel (classified by the `channel` chunk)? */
export const readsChannel = (c: LoweredCondition | undefined): boolean => anyRule(c, (r) => r[1] == 'visitor.channel');

/** Does a lowered condition read the visitor's cart (kept by the `commerce` chunk)? */
export const readsCart = (c: LoweredCondition | undefined): boolean => anyRule(c, (r) => String(r[1]).startsWith('visitor.cart'));

/**
 * The features of workflow `w` of a bundle whose workflows are `all`: suppression is read when a workflow another one
 * may hold off would start, so that workflow (not the one that suppresses) needs the `enrollment` chunk.
 */
export function workflowNeeds(w: CompiledWorkflow, all: readonly CompiledWorkflow[]): Feature[] {
  const used = new Set<Feature>();
  const held = w.settings?.enrollment != 'manual' && all.some(({ id, settings }) => id != w.id && (settings?.suppress == 'all' || settings?.suppress?.includes(w.id)));
  if (held) used.add('enrollment');
  const conditions = [w.settings?.goal?.where];
  for (const n of Object.values(w.nodes)) {
    if (n.kind == 'promotion') used.add('promotions');
    else if (n.kind == 'split') used.add('variants');
    else if (n.kind == 'delay' && n.mode == 'time_of_day') used.add('time');
    else if (n.kind == 'enroll') used.add('enrollment');
    else if (n.kind == 'if') {
      conditions.push(n.conditions, ...(n.triggers ?? []).map((t) => t.where));
      if (n.triggers?.some((t) => t.on == 'commerce')) used.add('commerce');
    }
  }
  if (w.settings?.schedule || conditions.some(readsTime)) used.add('time');
  if (conditions.some(readsChannel)) used.add('channel');
  const goal = w.settings?.goal?.event;
  if (goal) used.add('goals');
  // A goal named after a commerce event is reached through the data layer too.
  if (conditions.some(readsCart) || (COMMERCE_EVENTS as readonly string[]).includes(goal!)) used.add('commerce');
  return FEATURES.filter((f) => used.has(f));
}

/** The features of a rule segment: `segments`, which follows rules, and `time`, `channel` or `commerce` when its rule reads them. */
export const segmentNeeds = (rule: LoweredCondition): Feature[] =>
  FEATURES.filter((f) => f == 'segments' || (f == 'time' && readsTime(rule)) || (f == 'channel' && readsChannel(rule)) || (f == 'commerce' && readsCart(rule)));

/** All the features of a bundle, in `FEATURES` order. */
export const union = (lists: Feature[][]): Feature[] => FEATURES.filter((f) => lists.some((l) => l.includes(f)));
