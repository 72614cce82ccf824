/**
 * The executor's Webhook, App and Code steps: claiming the step (persisted before anything leaves the page), then
 * the effect. It lives in the actions chunk, which the engine loads (`EngineDeps.prepare`) before it calls this:
 * a step whose chunk does not arrive takes `failed` in the engine, unclaimed.
 */
import type { CompiledWorkflow } from '../../src/compile/types.js';
import type { EffectNode, EngineDeps } from '../engine.js';
import type { Cursor, VisitorState } from '../types.js';

/** What a Webhook, App or Code step needs of the engine that runs it (the script tag's side is `effects.ts`). */
export interface StepHost {
  d: EngineDeps;
  wfs: Map<string, CompiledWorkflow>;
  st(): VisitorState;
  patch<T>(c: Cursor, fn: (cur: Cursor, s: VisitorState) => T, seq?: 1): Promise<T | undefined>;
  /** Reports an error of the step and resolves its `failed` port. */
  failed(c: Cursor, e: unknown): 'failed';
}

/** Runs a Webhook, App or Code step; `pause` lets the caller go on once the step is claimed. */
export async function runEffect({ d, wfs, st, patch, failed }: StepHost, c: Cursor, node: EffectNode, pause: () => void): Promise<string> {
  const code = node.kind == 'code';
  // Claimed in the transaction. Webhooks and apps may be retried (their key makes the retry harmless); a Code
  // handler is not run twice: started before (a reload cut it short, or another tab runs it), it takes `failed`.
  const claimed = await patch(c, (cur) => (cur.fx == cur.seq ? 0 : ((cur.fx = cur.seq), 1)), 1);
  if (code && !claimed) return failed(c, 'code step interrupted: not run twice');
  // Durable before it leaves the page: a reload finds the step started, never a request it does not know of.
  await d.store.flush();
  pause();
  const key = `${c.id}:${c.seq}`;
  try {
    const { id, attrs, segments } = st();
    const data = { ...attrs, attributes: attrs, visitor: { ...attrs, id, segments }, form: c.form ?? {}, workflow: { id: c.wf, name: wfs.get(c.wf)?.name, step: c.node, enrollment: c.id }, page: d.context().page };
    // An effect that throws failed: its step takes `failed`, the workflow goes on.
    return (await (node.kind == 'code' ? d.code(node, c, data) : node.kind == 'app' ? d.app(node, data, key) : d.webhook(node, data, key))) ? (code ? 'next' : 'ok') : 'failed';
  } catch (e) {
    return failed(c, e);
  }
}
