/**
 * The `variants` chunk: the executor's Multivariate Test step and its assignment (bucketing, hash), for bundles with
 * a Multivariate Test (`needs` lists `variants`), imported at start so the engine calls it synchronously.
 */
import { assign } from '../../src/bucket.js';
import type { CompiledNode } from '../../src/compile/types.js';
import type { EngineDeps } from '../engine.js';
import type { Cursor, VisitorState } from '../types.js';

/** What the Multivariate Test step needs of the engine that runs it. */
export interface SplitHost {
  d: EngineDeps;
  st(): VisitorState;
  patch<T>(c: Cursor, fn: (cur: Cursor, s: VisitorState) => T, seq?: 1): Promise<T | undefined>;
}

/** The Multivariate Test step: the visitor's variant of the test (assigned once, sticky), which is also its port. */
export async function split({ d, st, patch }: SplitHost, c: Cursor, node: Extract<CompiledNode, { kind: 'split' }>): Promise<string> {
  const key = node.test!;
  let v = st().variants[key];
  if (!v) {
    const chosen = assign(st().user ?? st().id, key, node.variants, node.holdout);
    // Set inside the transaction: another tab may have assigned it meanwhile, and its choice stands.
    const fresh = await d.store.mutate((s) => !s.variants[key] && (s.variants[key] = chosen));
    v = st().variants[key] ?? chosen;
    if (fresh) d.emit('variant_assigned', { workflow: c.wf, step: c.node, test: key, variant: v });
  }
  await patch(c, (cur) => void (cur.variant = v));
  return (c.variant = v);
}
