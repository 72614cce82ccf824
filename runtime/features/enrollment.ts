/**
 * The `enrollment` chunk: what one workflow does to the visitor's enrollments in others. The Enroll step (with its
 * loop guard) and suppression (a workflow that holds others off while the visitor is in it). Only bundles that use
 * either import it (`needs` lists `enrollment`), at start, so the engine calls it synchronously. Re-enrollment
 * stays in the core: most workflows set it.
 */
import type { CompiledNode, CompiledWorkflow } from '../../src/compile/types.js';
import type { EngineDeps } from '../engine.js';
import type { Cursor, VisitorState } from '../types.js';

/** What the Enroll step needs of the engine that runs it. */
export interface EnrollHost {
  d: EngineDeps;
  enroll(id: string, by?: string[]): Promise<boolean>;
}

/**
 * The Enroll step: starts the other workflow for the visitor. `by` is the chain of workflows that enrolled this
 * one, so a workflow that would enroll the visitor into itself again, through any number of others, is refused.
 */
export async function step({ d, enroll }: EnrollHost, c: Cursor, node: Extract<CompiledNode, { kind: 'enroll' }>): Promise<'next'> {
  const by = [...(c.by ?? []), c.wf];
  if (by.includes(node.workflow)) d.log(`${c.wf}: loop into ${node.workflow} refused`);
  else await enroll(node.workflow, by);
  return 'next';
}

/** What suppression needs of the engine that reads it. */
export interface SuppressHost {
  wfs: Map<string, CompiledWorkflow>;
  st(): VisitorState;
}

/**
 * Why workflow `id` may not start on this page view: the `suppress` setting of a workflow the visitor is in holds it
 * off; or ''. The workflows this page view starts before it (`starts`, higher priority first) hold others off too
 * when they enroll at once: a start that is no gate, or a gate that only tests state (it passed, or it has an else).
 */
export function suppressed({ wfs, st }: SuppressHost, starts: Cursor[], id: string): string {
  const holding = [...st().cursors.filter((c) => c.in), ...starts.filter((c) => c.in || !(wfs.get(c.wf)!.nodes[c.node] as { triggers?: unknown[] }).triggers?.length)];
  for (const c of holding) {
    const sup = wfs.get(c.wf)?.settings?.suppress;
    if (sup == 'all' || (Array.isArray(sup) && sup.includes(id))) return `suppressed by ${c.wf}`;
  }
  return '';
}
