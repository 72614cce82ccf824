/**
 * The `goals` chunk: conversion goals (a workflow's `settings.goal`). An event or commerce event named as a goal is
 * credited to the step and variant that last touched the visitor within the goal's window. Only bundles with a
 * goal import it (their `needs` lists `goals`), at start, so the engine calls it synchronously.
 */
import type { CompiledWorkflow } from '../../src/compile/types.js';
import type { EvalContext, LoweredCondition } from '../../src/conditions/types.js';
import type { EngineDeps } from '../engine.js';
import type { RuntimeEvent, VisitorState } from '../types.js';

/** What the goals need of the engine that runs them. */
export interface GoalHost {
  d: EngineDeps;
  wfs: Map<string, CompiledWorkflow>;
  st(): VisitorState;
  test(cond: LoweredCondition | undefined, event?: { name: string; props?: Record<string, unknown> }, ctx?: EvalContext): boolean;
}

const DAY = 864e5;

export function createGoals({ d, wfs, st, test }: GoalHost) {
  // Goal event -> workflows, so an event costs only its own. No prototype: `track('constructor')` is just an event.
  const goals: Record<string, CompiledWorkflow[]> = Object.create(null);
  for (const w of wfs.values()) {
    const g = w.settings?.goal?.event;
    if (g) (goals[g] ??= []).push(w);
  }

  /** Credits a conversion to the workflow, step and variant that last touched the visitor within the window. */
  return async (e: RuntimeEvent): Promise<void> => {
    const i = e.key.indexOf(':');
    const kind = e.key.slice(0, i);
    if (kind != 'event' && kind != 'commerce') return;
    const name = e.key.slice(i + 1);
    const props = e.props;
    for (const w of goals[name] ?? []) {
      const g = w.settings!.goal!;
      const touch = st().touches[w.id];
      if (!touch || d.now() - touch.at > g.windowDays * DAY || !test(g.where, { name, props })) continue;
      // Taken inside the transaction, so two events (or tabs) cannot credit the same touch twice.
      const taken = await d.store.mutate((s) => {
        const t = s.touches[w.id];
        if (t?.at != touch.at) return;
        delete s.touches[w.id];
        return t;
      });
      if (taken) d.emit('goal', { workflow: w.id, step: taken.node, variant: taken.variant, goal: name, value: props?.value });
    }
  };
}
