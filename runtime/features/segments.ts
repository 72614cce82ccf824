/**
 * The `segments` chunk: rule segments follow their rules. Membership is recomputed on page views, events and
 * visitor changes, and a visitor who enters one is told to the workflows waiting on `segment_entered`. Only
 * bundles with a rule segment import it (their `needs` lists `segments`), at start, so the engine calls it
 * synchronously. Manual segments (the Segment step, `segments.add`) stay in the core.
 */
import type { CompiledBundle, Feature } from '../../src/compile/types.js';
import type { EvalContext, LoweredCondition } from '../../src/conditions/types.js';
import type { EngineDeps } from '../engine.js';
import type { RuntimeEvent, VisitorState } from '../types.js';

/** What the rule segments need of the engine that follows them. */
export interface SegmentHost {
  d: EngineDeps;
  bundle: CompiledBundle;
  st(): VisitorState;
  /** The first feature of `needs` whose chunk did not load. */
  lacks(needs?: Feature[]): Feature | undefined;
  test(cond: LoweredCondition | undefined, event?: undefined, ctx?: EvalContext): boolean;
  dispatch(e: RuntimeEvent): Promise<void>;
}

export function createRules({ d, bundle, st, lacks, test, dispatch }: SegmentHost) {
  // A rule that needs a missing chunk is not followed: membership stays as it is rather than be read wrong.
  const rules = Object.entries(bundle.segments ?? {}).flatMap(([id, seg]) => (seg?.rule && !lacks(seg.needs) ? [[id, seg.rule] as const] : []));

  /** Sets the membership of every rule segment from its rule now; tells who waits that the visitor entered one. */
  return async (): Promise<void> => {
    if (!rules.length) return;
    const ctx = d.context();
    const want: [string, boolean][] = [];
    for (const [id, rule] of rules) {
      const on = test(rule, undefined, ctx);
      if (on != st().segments.includes(id)) want.push([id, on]);
    }
    if (!want.length) return;
    // Set (not toggle) membership inside the transaction: a concurrent refresh that saw the same state agrees.
    const entered = await d.store.mutate((s) =>
      want.filter(([id, on]) => {
        const has = s.segments.includes(id);
        if (has != on) s.segments = on ? [...s.segments, id] : s.segments.filter((x) => x != id);
        return on && !has;
      }),
    );
    for (const [id] of entered) await dispatch({ key: `segment_entered:${id}` });
  };
}
